"""Refunds through Stripe and disputes: failures and retries, dashboard refunds by webhook, evidence, offline mode."""

import pytest
from django.core import mail

from offers.aftercare import disputes, guarantee, refunds
from offers.models import Order, Refund, StripeEvent
from tests.checkout_helpers import deliver
from tests.guarantee_helpers import buy_and_pay, delivered, offline_paid_and_delivered, page_path, send

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]
S = Order.Status


@pytest.fixture
def paid(stripe_api, django_capture_on_commit_callbacks):
    return buy_and_pay(stripe_api, django_capture_on_commit_callbacks)


def dashboard_refund(stripe_api, order, amount):
    """Staff refund in the Stripe dashboard: the site hears of it only by webhook."""
    return stripe_api._create_refund({"payment_intent": order.stripe_payment_intent_id, "amount": amount})


def test_stripe_down_leaves_the_refund_requested_and_a_retry_refunds_once(
    paid, stripe_api, django_capture_on_commit_callbacks
):
    stripe_api.fail_next(500, times=3)  # the first call and the client's two retries
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(refunds.RefundError):
        guarantee.staff_refund(paid.pk, user=None, full=True)
    order = Order.objects.get(pk=paid.pk)
    assert order.status == S.REFUND_REQUESTED
    assert order.refund_failure
    assert order.amount_refunded == 0
    assert any("Refund could not be made" in m.subject for m in mail.outbox)
    assert order.history.filter(trigger="refund_error").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        order = guarantee.staff_refund(paid.pk, user=None, full=True)
    with pytest.raises(guarantee.NotAllowed, match="nothing to refund"):
        guarantee.staff_refund(paid.pk, user=None, full=True)  # a double click
    assert order.status == S.REFUNDED
    assert [r["amount"] for r in stripe_api.refunds.values()] == [9000]
    keys = {call["headers"]["Idempotency-Key"] for call in stripe_api.calls("POST", "/v1/refunds")}
    assert keys == {f"{order.payment_token}:refund:1"}


def test_refund_failed_at_stripe_returns_to_requested_alerts_staff_and_can_be_retried(
    client, paid, stripe_api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = guarantee.staff_refund(paid.pk, user=None, full=True)
    assert order.status == S.REFUNDED
    [refund_id] = stripe_api.refunds
    failed = stripe_api.fail_refund(refund_id, reason="lost_or_stolen_card")
    response, event = send(client, stripe_api, "refund.failed", failed, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == S.REFUND_REQUESTED
    assert "lost_or_stolen_card" in order.refund_failure
    assert order.amount_refunded == 0
    assert order.refund_attempt == 2
    assert Refund.objects.get(stripe_refund_id=refund_id).status == "failed"
    assert any("Refund failed at Stripe" in m.subject for m in mail.outbox)
    # The same event again changes nothing; the staff retry is a new refund under a new key.
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, event)
        order = guarantee.staff_refund(paid.pk, user=None, full=True)
    assert order.refund_attempt == 2
    assert order.status == S.REFUNDED
    assert sorted(r["status"] for r in stripe_api.refunds.values()) == ["failed", "succeeded"]
    assert (
        stripe_api.calls("POST", "/v1/refunds")[-1]["headers"]["Idempotency-Key"] == f"{order.payment_token}:refund:2"
    )


def test_dashboard_refunds_arrive_duplicated_and_out_of_order(
    client, paid, stripe_api, django_capture_on_commit_callbacks
):
    order = delivered(paid)
    first = dashboard_refund(stripe_api, order, 3000)
    second = dashboard_refund(stripe_api, order, 6000)
    charge = stripe_api.charges[first["charge"]]
    # The later events first, then the earlier ones, each twice.
    events = [
        ("charge.refunded", charge),
        ("refund.created", second),
        ("refund.created", first),
    ]
    for type, obj in events:
        event = stripe_api.make_event(type, {**obj, "amount_refunded": 0} if type == "charge.refunded" else obj)
        with django_capture_on_commit_callbacks(execute=True):
            assert deliver(client, event).status_code == 200
            assert deliver(client, event).status_code == 200
    order.refresh_from_db()
    assert order.status == S.REFUNDED
    assert order.amount_refunded == order.amount
    assert sorted(order.refunds.values_list("amount", flat=True)) == [30, 60]
    assert order.history.filter(trigger="refund_succeeded").count() == 1
    assert all(event.processed_at for event in StripeEvent.objects.filter(type__startswith="refund"))


def test_a_partial_dashboard_refund_is_stored_with_its_amount(
    client, paid, stripe_api, django_capture_on_commit_callbacks
):
    refund = dashboard_refund(stripe_api, paid, 2500)
    send(client, stripe_api, "refund.created", refund, django_capture_on_commit_callbacks)
    order = Order.objects.get(pk=paid.pk)
    assert order.status == S.PARTIALLY_REFUNDED
    assert str(order.amount_refunded) == "25.00"
    assert order.refunds.get().kind == ""
    assert any("refund of €25.00" in m.subject for m in mail.outbox)


def test_a_refund_event_for_an_unknown_payment_is_recorded_not_retried(client, stripe_api):
    event = stripe_api.make_event("refund.created", {"id": "re_x", "object": "refund", "payment_intent": "pi_nope"})
    assert deliver(client, event).status_code == 200
    stored = StripeEvent.objects.get()
    assert "no order for pi_nope" in stored.outcome


def test_staff_refund_never_exceeds_what_is_left(paid, stripe_api, django_capture_on_commit_callbacks):
    dashboard_refund(stripe_api, paid, 8000)
    refunds.sync(paid.pk)
    with django_capture_on_commit_callbacks(execute=True):
        order = guarantee.staff_refund(paid.pk, user=None, full=True)
    assert order.status == S.REFUNDED
    assert sorted(r["amount"] for r in stripe_api.refunds.values()) == [1000, 8000]


def test_dispute_opened_then_won_returns_the_order_where_it_was(
    client, paid, stripe_api, django_capture_on_commit_callbacks
):
    order = delivered(paid)
    charge_id = stripe_api.payment_intents[order.stripe_payment_intent_id]["latest_charge"]
    dispute = stripe_api.create_dispute(charge_id)
    send(client, stripe_api, "charge.dispute.created", dispute, django_capture_on_commit_callbacks)
    order.refresh_from_db()
    assert order.status == S.DISPUTED
    assert order.stripe_dispute_id == dispute["id"]
    assert any("Dispute opened" in m.subject for m in mail.outbox)
    send(
        client,
        stripe_api,
        "charge.dispute.closed",
        stripe_api.close_dispute(dispute["id"], won=True),
        django_capture_on_commit_callbacks,
    )
    order.refresh_from_db()
    assert order.status == S.DELIVERED
    # A late duplicate of the opening changes nothing.
    send(client, stripe_api, "charge.dispute.created", dispute, django_capture_on_commit_callbacks)
    assert Order.objects.get(pk=order.pk).status == S.DELIVERED


def test_dispute_lost_records_the_money_as_gone_even_when_closing_arrives_first(
    client, paid, stripe_api, django_capture_on_commit_callbacks
):
    charge_id = stripe_api.payment_intents[paid.stripe_payment_intent_id]["latest_charge"]
    dispute = stripe_api.create_dispute(charge_id)
    lost = stripe_api.close_dispute(dispute["id"], won=False)
    send(client, stripe_api, "charge.dispute.closed", lost, django_capture_on_commit_callbacks)
    send(client, stripe_api, "charge.dispute.created", dispute, django_capture_on_commit_callbacks)
    order = Order.objects.get(pk=paid.pk)
    assert order.status == S.REFUNDED
    assert list(order.history.values_list("trigger", flat=True))[-2:] == ["dispute_opened", "dispute_closed"]


def test_evidence_pack_is_assembled_from_stored_data_and_submitted(
    client, paid, stripe_api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = delivered(paid)
    charge_id = stripe_api.payment_intents[order.stripe_payment_intent_id]["latest_charge"]
    dispute = stripe_api.create_dispute(charge_id)
    send(client, stripe_api, "charge.dispute.created", dispute, django_capture_on_commit_callbacks)
    order.refresh_from_db()
    pack = disputes.evidence_pack(order)
    text = pack["evidence"]["uncategorized_text"]
    assert "https://demo.example/ada/" in text
    assert f"Terms of sale {order.terms_version} accepted at" in text
    assert "Express request to start" in text
    assert "order_confirmation to" in text
    assert "demo_delivered to" in text
    assert "Refund policy: revision" in text
    assert pack["evidence"]["customer_email_address"] == order.customer_email
    order = disputes.submit_evidence(order.pk, user=None)
    remote = stripe_api.disputes[dispute["id"]]
    assert remote["status"] == "under_review"
    assert remote["evidence_details"]["submission_count"] == 1
    assert remote["evidence"]["product_description"].startswith(order.package_name)
    assert order.evidence_submitted_at is not None


def test_offline_mode_refunds_through_the_same_webhook_path(client, settings, django_capture_on_commit_callbacks):
    order = offline_paid_and_delivered(client, settings, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(page_path(order) + "refund/", {"confirm": "yes"})
    order.refresh_from_db()
    assert order.status == S.REFUNDED
    assert order.amount_refunded == order.amount
    assert StripeEvent.objects.filter(type="refund.created", processed_at__isnull=False).count() == 1
    assert StripeEvent.objects.filter(type="charge.refunded", processed_at__isnull=False).count() == 1


def test_staff_can_refund_the_rest_after_a_partial_refund(paid, stripe_api, django_capture_on_commit_callbacks):
    """A second refund request is a new refund at Stripe: it must not reuse the first one's idempotency key."""
    Order.objects.filter(pk=paid.pk).update(refund_percentage=50)
    with django_capture_on_commit_callbacks(execute=True):
        order = guarantee.staff_refund(paid.pk, user=None)
    assert order.status == S.PARTIALLY_REFUNDED
    with django_capture_on_commit_callbacks(execute=True):
        order = guarantee.staff_refund(paid.pk, user=None, full=True)
    assert order.status == S.REFUNDED
    assert str(order.amount_refunded) == "90.00"
    assert sorted(r["amount"] for r in stripe_api.refunds.values()) == [4500, 4500]
