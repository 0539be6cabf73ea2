"""The Stripe tax rate must fit the VAT the offer page states: inclusive, active, the same percentage."""

import logging
from decimal import Decimal

import pytest
from django.core.management import call_command

from offers.models import Order
from tests.checkout_helpers import buy_url, post_buy, staff_user
from tests.factories import offer_page

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]


@pytest.fixture
def offer():
    return offer_page()


def with_rate(settings, stripe_api, **kwargs):
    rate = stripe_api.create_tax_rate(kwargs.pop("percentage", 19), **kwargs)
    settings.STRIPE_TAX_RATE_ID = rate["id"]
    return rate


def test_an_exclusive_rate_makes_the_offer_not_purchasable_and_staff_see_why(
    client, offer, stripe_api, settings, caplog, django_user_model
):
    with_rate(settings, stripe_api, inclusive=False)
    with caplog.at_level(logging.ERROR):
        response = post_buy(client, offer)
    assert response.status_code == 409
    assert not Order.objects.exists()
    assert not stripe_api.calls("POST", "/v1/checkout/sessions")
    assert any(r.getMessage() == "tax rate refused, offer not purchasable" for r in caplog.records)
    assert client.get(buy_url(offer)).context["purchasable"] is False

    client.force_login(staff_user(django_user_model, "view_order"))
    listing = client.get("/admin/order/").content.decode()
    assert "The offer cannot be bought" in listing and "exclusive" in listing


@pytest.mark.parametrize(
    ("kwargs", "why"), [({"active": False}, "archived"), ({"percentage": 7}, "it is 7 %, the page states 19 %")]
)
def test_an_archived_rate_or_another_percentage_is_refused(client, offer, stripe_api, settings, kwargs, why):
    with_rate(settings, stripe_api, **kwargs)
    assert post_buy(client, offer).status_code == 409
    from offers.catalogue.vat import agency_vat
    from offers.checkout import tax_rate

    assert why in tax_rate.known_problem(agency_vat())


def test_a_fitting_rate_goes_on_the_line_item_and_is_checked_once(client, offer, stripe_api, settings):
    rate = with_rate(settings, stripe_api)
    assert post_buy(client, offer).status_code == 303
    assert post_buy(client, offer, email="grace@example.com", ip="198.51.100.2").status_code == 303
    order = Order.objects.first()
    assert stripe_api.session_params[order.stripe_session_id]["line_items"][0]["tax_rates"] == [rate["id"]]
    assert len(stripe_api.calls("GET", "/v1/tax_rates")) == 1


def test_changing_the_agencys_vat_checks_the_rate_again(client, offer, stripe_api, settings):
    from wagtail.models import Site

    from home.models import AgencySettings

    with_rate(settings, stripe_api)
    assert post_buy(client, offer).status_code == 303
    agency = AgencySettings.for_site(Site.objects.get(is_default_site=True))
    agency.vat_rate = Decimal("7.00")
    agency.save()
    assert post_buy(client, offer, email="grace@example.com", ip="198.51.100.2").status_code == 409
    assert len(stripe_api.calls("GET", "/v1/tax_rates")) == 2


def test_start_up_and_migrate_never_ask_stripe(stripe_api, settings):
    with_rate(settings, stripe_api)
    call_command("check")
    call_command("migrate", "--check", verbosity=0)
    assert not stripe_api.requests
