"""Dispute statuses as stripe-python 16 defines them, and `is_charge_refundable` deciding staff refunds."""

import typing

import pytest
import stripe

from offers.aftercare import disputes, guarantee
from offers.models import Order
from offers.privacy import personal_data
from tests.guarantee_helpers import buy_and_pay, send

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]
S = Order.Status


@pytest.fixture
def paid(stripe_api, django_capture_on_commit_callbacks):
    return buy_and_pay(stripe_api, django_capture_on_commit_callbacks)


def library_statuses():
    literal, _ = typing.get_args(stripe.Dispute.__annotations__["status"])
    return set(typing.get_args(literal))


def test_the_closed_statuses_are_the_librarys_final_ones_and_every_other_is_open():
    statuses = library_statuses()
    assert statuses >= disputes.CLOSED  # charge_refunded is not a dispute status
    assert {"won", "lost", "warning_closed", "prevented"} == disputes.CLOSED
    assert {s for s in statuses if disputes.is_open(s)} == statuses - disputes.CLOSED
    assert {"appeal_needs_response", "appeal_under_review"} <= statuses - disputes.CLOSED
    assert disputes.is_open("a_status_stripe_adds_next_year")


@pytest.mark.parametrize("status", ["appeal_needs_response", "appeal_under_review", "a_status_stripe_adds_later"])
def test_an_appealed_or_unknown_dispute_keeps_the_customers_data(paid, status):
    Order.objects.filter(pk=paid.pk).update(dispute_status=status, stripe_dispute_id="dp_1")
    reason = personal_data.why_not_erasable(Order.objects.get(pk=paid.pk))
    assert "open dispute" in reason


def test_a_prevented_dispute_closes_and_the_order_goes_back(
    client, paid, stripe_api, django_capture_on_commit_callbacks
):
    dispute = stripe_api.create_dispute(paid.stripe_charge_id)
    send(client, stripe_api, "charge.dispute.created", dispute, django_capture_on_commit_callbacks)
    closed = stripe_api.close_dispute(dispute["id"], status="prevented")
    send(client, stripe_api, "charge.dispute.closed", closed, django_capture_on_commit_callbacks)
    order = Order.objects.get(pk=paid.pk)
    assert order.status == S.PAID
    assert order.dispute_status == "prevented"


def test_staff_may_refund_an_inquiry_stripe_still_lets_them_refund(
    client, paid, stripe_api, django_capture_on_commit_callbacks
):
    inquiry = stripe_api.create_dispute(paid.stripe_charge_id, inquiry=True)
    send(client, stripe_api, "charge.dispute.created", inquiry, django_capture_on_commit_callbacks)
    assert Order.objects.get(pk=paid.pk).dispute_charge_refundable
    with django_capture_on_commit_callbacks(execute=True):
        order = guarantee.staff_refund(paid.pk, user=None, full=True)
    assert order.status == S.REFUNDED
    assert [r["amount"] for r in stripe_api.refunds.values()] == [9000]


def test_a_chargeback_stripe_will_not_refund_is_refused_before_asking_stripe(
    client, paid, stripe_api, django_capture_on_commit_callbacks
):
    dispute = stripe_api.create_dispute(paid.stripe_charge_id)
    send(client, stripe_api, "charge.dispute.created", dispute, django_capture_on_commit_callbacks)
    with pytest.raises(guarantee.NotAllowed, match="accept the dispute"):
        guarantee.staff_refund(paid.pk, user=None, full=True)
    assert not stripe_api.calls("POST", "/v1/refunds")
    assert Order.objects.get(pk=paid.pk).status == S.DISPUTED
