"""What editors see when a package or policy is wrong, and the public refund policy page."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from offers.models import DemoPackage
from tests.factories import DemoPackageFactory, RefundPolicyFactory
from tests.offers_fixtures import isolated_cache  # noqa: F401

pytestmark = pytest.mark.django_db


def errors_of(package):
    with pytest.raises(ValidationError) as caught:
        package.full_clean()
    return caught.value.message_dict


def test_price_below_card_minimum_is_refused_with_the_minimum_named():
    package = DemoPackageFactory.build(price=Decimal("0.40"), currency="EUR")
    assert errors_of(package)["price"] == ["The lowest price card payments allow is €0.50."]


def test_cents_on_a_yen_price_are_refused():
    package = DemoPackageFactory.build(price=Decimal("900.50"), currency="JPY")
    assert errors_of(package)["price"] == ["JPY prices have 0 decimal places."]


def test_unsupported_currency_is_refused():
    package = DemoPackageFactory.build(currency="XYZ")
    assert "currency" in errors_of(package)


def test_valid_package_passes_and_shows_its_price():
    package = DemoPackageFactory.build(price=Decimal("90"), currency="EUR")
    package.full_clean()
    assert package.price_display == "€90.00"
    assert package.price_plain == "90.00"
    assert package.price_minor_units == 9000
    assert package.included_list == ["Home page", "One content page", "Contact section"]


def test_published_package_keeps_live_values_while_a_draft_is_pending():
    package = DemoPackageFactory(price=Decimal("90.00"))
    package.price = Decimal("120.00")
    package.save_revision()
    assert DemoPackage.objects.get(pk=package.pk).price == Decimal("90.00")
    assert package.live_revision_id is not None


def test_refund_policy_has_a_public_page(client):
    policy = RefundPolicyFactory(name="Money-back guarantee", refund_window_days=14)
    response = client.get(f"/offers/refund-policy/{policy.slug}/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Money-back guarantee" in text
    assert "14 days after delivery" in text


def test_unpublished_refund_policy_is_not_public(client):
    policy = RefundPolicyFactory(published=False)
    assert client.get(f"/offers/refund-policy/{policy.slug}/").status_code == 404
