"""Disputes: evidence submitted once, refunding instead by accepting the dispute, the charge id, offline disputes."""

import io

import pytest
from django.core.management import call_command

from offers.aftercare import disputes, guarantee
from offers.models import Order, StripeEvent
from offers.payments import stripe_client
from tests.checkout_helpers import deliver, only_order, post_buy, staff_user
from tests.factories import offer_page
from tests.guarantee_helpers import buy_and_pay, delivered, offline_paid_and_delivered, send

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]
S = Order.Status


@pytest.fixture
def paid(stripe_api, django_capture_on_commit_callbacks):
    return buy_and_pay(stripe_api, django_capture_on_commit_callbacks)


def disputed(client, order, stripe_api, capture):
    dispute = stripe_api.create_dispute(stripe_api.payment_intents[order.stripe_payment_intent_id]["latest_charge"])
    send(client, stripe_api, "charge.dispute.created", dispute, capture)
    return Order.objects.get(pk=order.pk), dispute


def test_paid_order_records_the_charge_stripe_names_in_the_payment_intent(paid, stripe_api):
    assert paid.stripe_charge_id
    assert paid.stripe_charge_id == stripe_api.payment_intents[paid.stripe_payment_intent_id]["latest_charge"]


def test_a_dispute_naming_only_the_charge_still_finds_its_order(
    client, paid, stripe_api, django_capture_on_commit_callbacks
):
    dispute = stripe_api.create_dispute(paid.stripe_charge_id)
    dispute["payment_intent"] = None  # charges made without a PaymentIntent
    send(client, stripe_api, "charge.dispute.created", dispute, django_capture_on_commit_callbacks)
    assert Order.objects.get(pk=paid.pk).status == S.DISPUTED
    assert StripeEvent.objects.get(type="charge.dispute.created").order_id == paid.pk


def test_when_stripe_cannot_be_asked_at_payment_a_refund_event_fills_the_charge_id(
    client, stripe_api, django_capture_on_commit_callbacks
):
    from tests.checkout_helpers import pay

    post_buy(client, offer_page())
    order = only_order()
    event = pay(stripe_api, order)
    stripe_api.fail_next(500, times=3)  # the PaymentIntent lookup and its retries
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, event)
    order.refresh_from_db()
    assert order.status == S.PAID
    assert order.stripe_charge_id == ""
    with django_capture_on_commit_callbacks(execute=True):
        guarantee.staff_refund(order.pk, user=None, full=True)
    assert Order.objects.get(pk=order.pk).stripe_charge_id.startswith("ch_")


def test_evidence_is_submitted_once_and_a_second_attempt_says_so(
    client, django_user_model, paid, stripe_api, django_capture_on_commit_callbacks
):
    order, dispute = disputed(client, delivered(paid), stripe_api, django_capture_on_commit_callbacks)
    client.force_login(staff_user(django_user_model, "view_order", "dispute_order"))
    client.post(f"/admin/order/evidence/{order.pk}/")
    second = client.post(f"/admin/order/evidence/{order.pk}/", follow=True)
    assert "already submitted" in second.content.decode()
    assert len(stripe_api.calls("POST", f"/v1/disputes/{dispute['id']}")) == 1
    assert stripe_api.disputes[dispute["id"]]["evidence_details"]["submission_count"] == 1
    order.refresh_from_db()
    assert order.history.filter(trigger="evidence_submitted").count() == 1
    # The evidence page no longer offers to submit.
    assert "Submit this evidence" not in client.get(f"/admin/order/evidence/{order.pk}/").content.decode()


def test_the_stripe_stand_in_refuses_evidence_after_submission_as_stripe_does(
    client, paid, stripe_api, django_capture_on_commit_callbacks
):
    order, dispute = disputed(client, delivered(paid), stripe_api, django_capture_on_commit_callbacks)
    disputes.submit_evidence(order.pk, user=None)
    Order.objects.filter(pk=order.pk).update(evidence_submitted_at=None)  # as if our record were lost
    with pytest.raises(disputes.EvidenceError, match="already submitted"):
        disputes.submit_evidence(order.pk, user=None)
    assert stripe_api.disputes[dispute["id"]]["evidence_details"]["submission_count"] == 1


def test_evidence_for_an_accepted_demo_explains_why_the_refund_was_refused(
    client, paid, stripe_api, django_capture_on_commit_callbacks
):
    order = delivered(paid)
    guarantee.accept(order.pk)
    order, dispute = disputed(client, order, stripe_api, django_capture_on_commit_callbacks)
    disputes.submit_evidence(order.pk, user=None)
    evidence = stripe_api.disputes[dispute["id"]]["evidence"]
    assert "include the delivered demo in their website" in evidence["refund_refusal_explanation"]
    assert "customer_refund" not in evidence["uncategorized_text"]
    assert "customer_accept" in evidence["uncategorized_text"]
    # The order is disputed now; the decision section still says what the customer chose.
    assert "Customer's decision\naccepted (include it in the website) at " in evidence["uncategorized_text"]
    assert evidence["service_date"] == f"{order.slot_date:%Y-%m-%d}"


def test_a_disputed_payment_cannot_be_refunded_the_usual_way(
    client, paid, stripe_api, django_capture_on_commit_callbacks
):
    order, _ = disputed(client, paid, stripe_api, django_capture_on_commit_callbacks)
    with pytest.raises(guarantee.NotAllowed):
        guarantee.staff_refund(order.pk, user=None, full=True)
    assert stripe_api.refunds == {}


def test_staff_refund_instead_accepts_the_dispute_and_the_order_is_refunded(
    client, django_user_model, paid, stripe_api, django_capture_on_commit_callbacks
):
    order, dispute = disputed(client, delivered(paid), stripe_api, django_capture_on_commit_callbacks)
    client.force_login(staff_user(django_user_model, "view_order", "dispute_order"))
    assert "Accept the dispute" not in client.get(f"/admin/order/evidence/{order.pk}/").content.decode()
    assert client.post(f"/admin/order/accept-dispute/{order.pk}/").status_code in (302, 403)
    assert stripe_api.disputes[dispute["id"]]["status"] == "needs_response"

    client.force_login(staff_user(django_user_model, "view_order", "dispute_order", "refund_order"))
    assert "Accept the dispute and refund" in client.get(f"/admin/order/evidence/{order.pk}/").content.decode()
    client.post(f"/admin/order/accept-dispute/{order.pk}/")
    order.refresh_from_db()
    assert stripe_api.disputes[dispute["id"]]["status"] == "lost"
    assert order.status == S.REFUNDED
    assert order.history.last().trigger == "dispute_accepted"
    assert order.history.last().user.username.startswith("staff-")
    # Stripe's own closing event afterwards changes nothing.
    send(
        client,
        stripe_api,
        "charge.dispute.closed",
        stripe_api.disputes[dispute["id"]],
        django_capture_on_commit_callbacks,
    )
    assert Order.objects.get(pk=order.pk).history.filter(to_status=S.REFUNDED).count() == 1
    assert stripe_api.refunds == {}


def test_after_evidence_is_submitted_refunding_instead_is_refused(
    client, paid, stripe_api, django_capture_on_commit_callbacks
):
    order, dispute = disputed(client, paid, stripe_api, django_capture_on_commit_callbacks)
    disputes.submit_evidence(order.pk, user=None)
    with pytest.raises(disputes.EvidenceError, match="already submitted"):
        disputes.accept(order.pk, user=None)
    assert stripe_api.calls("POST", f"/v1/disputes/{dispute['id']}/close") == []


def test_disputes_work_offline_for_the_demo(client, settings, django_capture_on_commit_callbacks):
    """Offline mode: a dispute is opened, the evidence pack submitted, and the bank's decision arrives."""
    from offers.payments import offline

    order = offline_paid_and_delivered(client, settings, django_capture_on_commit_callbacks)
    assert order.stripe_charge_id.startswith("ch_offline_")
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("offline_dispute", order.reference, stdout=out)
    order.refresh_from_db()
    assert order.status == S.DISPUTED
    assert order.stripe_dispute_id in out.getvalue()
    with pytest.raises(stripe_client.PaymentProviderError) as refused:  # like Stripe: no refund of a chargeback
        stripe_client.create_refund(order.stripe_payment_intent_id, 9000, "try")
    assert refused.value.code == "charge_disputed"
    disputes.submit_evidence(order.pk, user=None)
    assert offline.OfflineBackend().retrieve_dispute(order.stripe_dispute_id)["status"] == "under_review"
    with django_capture_on_commit_callbacks(execute=True):
        call_command("offline_dispute", order.reference, decide="won", stdout=out)
    order.refresh_from_db()
    assert order.status == S.DELIVERED
    assert order.dispute_status == "won"
