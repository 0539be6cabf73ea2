"""Refund retries that neither stick nor double.

Stripe keeps the answer to a keyed request, errors included, replays it for 24 hours, then forgets the key.
A retry therefore reads the payment's refunds from Stripe first (every page) and decides from what is there.
"""

import pytest

from offers.aftercare import guarantee, refunds
from offers.models import Order, Refund
from tests.guarantee_helpers import buy_and_pay, send

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]
S = Order.Status


@pytest.fixture
def paid(stripe_api, django_capture_on_commit_callbacks):
    return buy_and_pay(stripe_api, django_capture_on_commit_callbacks)


def refund_posts(stripe_api):
    return stripe_api.calls("POST", "/v1/refunds")


def staff_refund_fails(order, capture):
    with capture(execute=True), pytest.raises(refunds.RefundError):
        guarantee.staff_refund(order.pk, user=None, full=True)
    order = Order.objects.get(pk=order.pk)
    assert order.status == S.REFUND_REQUESTED and order.amount_refunded == 0
    return order


def test_a_500_after_the_refund_was_made_is_recorded_on_retry_not_refunded_again(
    paid, stripe_api, django_capture_on_commit_callbacks
):
    stripe_api.fail_next(500, after=True, method="POST", path="/v1/refunds")
    staff_refund_fails(paid, django_capture_on_commit_callbacks)
    assert len(stripe_api.refunds) == 1  # Stripe made it; we heard a 500 (replayed to our own retries)
    sent = len(refund_posts(stripe_api))
    with django_capture_on_commit_callbacks(execute=True):
        order = guarantee.staff_refund(paid.pk, user=None, full=True)
    assert order.status == S.REFUNDED
    assert order.amount_refunded == order.amount
    assert len(stripe_api.refunds) == 1
    assert len(refund_posts(stripe_api)) == sent  # read, not sent again


def test_after_stripe_forgot_the_key_a_retry_still_refunds_once(paid, stripe_api, django_capture_on_commit_callbacks):
    stripe_api.fail_next(500, after=True, method="POST", path="/v1/refunds")
    staff_refund_fails(paid, django_capture_on_commit_callbacks)
    stripe_api.advance(24 * 60 * 60 + 1)  # a day later the stored answer and its key are gone
    with django_capture_on_commit_callbacks(execute=True):
        order = guarantee.staff_refund(paid.pk, user=None, full=True)
    assert order.status == S.REFUNDED
    assert [refund["amount"] for refund in stripe_api.refunds.values()] == [9000]


def test_a_stored_error_with_no_refund_made_is_retried_under_a_new_key(
    paid, stripe_api, django_capture_on_commit_callbacks
):
    """The first key would replay its stored 500 for a day: Stripe shows no refund for it, so a new key."""
    stripe_api.fail_next(500, stored=True, method="POST", path="/v1/refunds")
    order = staff_refund_fails(paid, django_capture_on_commit_callbacks)
    assert not stripe_api.refunds
    with django_capture_on_commit_callbacks(execute=True):
        order = guarantee.staff_refund(paid.pk, user=None, full=True)
    assert order.status == S.REFUNDED
    assert len(stripe_api.refunds) == 1
    keys = [call["headers"]["Idempotency-Key"] for call in refund_posts(stripe_api)]
    assert keys[0] == f"{order.payment_token}:refund:1"
    assert keys[-1] == f"{order.payment_token}:refund:2"
    [refund] = stripe_api.refunds.values()
    assert refund["metadata"]["attempt"] == f"{order.payment_token}:refund:2"


def test_eleven_refunds_are_all_read_across_pages(client, paid, stripe_api, django_capture_on_commit_callbacks):
    for _ in range(11):
        stripe_api._create_refund({"payment_intent": paid.stripe_payment_intent_id, "amount": 100})
    charge = stripe_api.charges[paid.stripe_charge_id or next(iter(stripe_api.charges))]
    response, _ = send(client, stripe_api, "charge.refunded", charge, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    order = Order.objects.get(pk=paid.pk)
    assert Refund.objects.filter(order=order).count() == 11
    assert str(order.amount_refunded) == "11.00"
    assert order.status == S.PARTIALLY_REFUNDED
    pages = stripe_api.calls("GET", "/v1/refunds")
    assert any("starting_after" in (call["params"] or {}) for call in pages)
