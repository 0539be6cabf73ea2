"""One deadline for all the Stripe calls of a request: a slow Stripe is answered in time, with the seat given back."""

import pytest

from offers.models import Order, SlotHold
from offers.payments import stripe_client
from tests.checkout_helpers import only_order, post_buy
from tests.factories import offer_page

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]


@pytest.fixture
def offer():
    return offer_page()


def test_a_hanging_stripe_gets_no_more_attempts_than_the_request_budget_allows(client, offer, stripe_api, settings):
    """Per-call timeouts with two retries would wait three times; the budget stops after what it holds."""
    settings.STRIPE_TIMEOUT = 1
    settings.STRIPE_BUDGET_SECONDS = 2.5  # counted from the start of the request
    stripe_api.hang_next(times=10, seconds=30)
    response = post_buy(client, offer)
    assert response.status_code == 503
    assert "No payment was taken" in response.content.decode()
    assert 1 <= len(stripe_api.calls("POST", "/v1/checkout/sessions")) <= 2
    order = only_order()
    assert order.status == Order.Status.EXPIRED
    assert not SlotHold.objects.exists()


def test_an_answer_trickling_in_byte_by_byte_is_cut_at_the_deadline(stripe_api, settings):
    """Each read arrives well within the timeout, so a per-read timeout never fires; the total deadline does."""
    settings.STRIPE_TIMEOUT = 1
    settings.STRIPE_BUDGET_SECONDS = 1.5
    rate = stripe_api.create_tax_rate(19)
    stripe_api.trickle_next(seconds_per_byte=0.1, times=5)
    with pytest.raises(stripe_client.PaymentProviderError, match="in time|time budget"):
        stripe_client.retrieve_tax_rate(rate["id"])


def test_a_retry_waits_only_within_the_budget_and_uses_the_same_key(stripe_api, settings):
    settings.STRIPE_BUDGET_SECONDS = 5
    rate = stripe_api.create_tax_rate(19)
    stripe_api.fail_next(500)
    assert stripe_client.retrieve_tax_rate(rate["id"])["id"] == rate["id"]
    assert len(stripe_api.calls("GET", "/v1/tax_rates")) == 2


def test_a_spent_budget_sends_nothing_more(stripe_api, settings):
    settings.STRIPE_BUDGET_SECONDS = 5
    rate = stripe_api.create_tax_rate(19)
    spent = stripe_client.Budget(0)
    token = stripe_client._budget.set(spent)
    try:
        with pytest.raises(stripe_client.PaymentProviderError):
            stripe_client.retrieve_tax_rate(rate["id"])
    finally:
        stripe_client._budget.reset(token)
    assert not stripe_api.calls("GET", "/v1/tax_rates")


def test_while_stripe_hangs_another_buyer_is_served_after_the_budget(client, offer, stripe_api, settings):
    """The failed buyer's seat is free at once: with one seat a day, the next buyer gets the same day."""
    offer.package.capacity_per_day = 1
    offer.package.save()
    settings.STRIPE_TIMEOUT = 1
    settings.STRIPE_BUDGET_SECONDS = 2.5
    stripe_api.hang_next(times=3, seconds=30)
    assert post_buy(client, offer).status_code == 503
    stripe_api.recover()
    assert post_buy(client, offer, email="grace@example.com", ip="198.51.100.2").status_code == 303
    failed, booked = Order.objects.order_by("pk")
    assert booked.slot_date == failed.slot_date
    assert SlotHold.objects.get().order == booked
