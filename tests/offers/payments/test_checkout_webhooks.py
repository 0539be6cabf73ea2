"""The webhook and fulfilment: signatures, exactly-once, mismatches, expiry, the thank-you page."""

import json
import time
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from offers.models import Order, OrderEvent, SentEmail, SlotHold, StripeEvent
from offers.orders import transitions
from offers.payments import webhooks
from tests.checkout_helpers import confirmations_to, deliver, only_order, pay, post_buy
from tests.factories import offer_page
from tests.fakes.stripe_server import sign_webhook

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]


@pytest.fixture
def pending(client, stripe_api):
    """A pending order with its Checkout Session open at the test server."""
    post_buy(client, offer_page())
    return only_order()


def test_paid_session_marks_the_order_paid_and_sends_one_confirmation(
    client, pending, stripe_api, django_capture_on_commit_callbacks
):
    event = pay(stripe_api, pending)
    with django_capture_on_commit_callbacks(execute=True):
        response = deliver(client, event)
    order = Order.objects.get(pk=pending.pk)
    assert response.status_code == 200
    assert order.status == Order.Status.PAID
    assert order.paid_at is not None
    assert order.stripe_payment_intent_id.startswith("pi_test_")
    assert order.stripe_invoice_id.startswith("in_test_")
    assert order.billing_address["country"] == "DE"
    assert SlotHold.objects.get(order=order).expires_at is None
    [confirmation] = confirmations_to("ada@example.com")
    assert order.reference in confirmation.body
    assert "/orders/" in confirmation.body
    assert "withdraw" in confirmation.body.lower()
    assert any("New paid order" in m.subject for m in mail.outbox)
    assert SentEmail.objects.filter(order=order, kind="order_confirmation").count() == 1
    stored = StripeEvent.objects.get(stripe_id=event["id"])
    assert stored.processed_at is not None
    assert stored.order == order
    assert order.history.last().stripe_event == stored


def test_redelivered_event_fulfils_once_and_sends_one_confirmation(
    client, pending, stripe_api, django_capture_on_commit_callbacks
):
    event = pay(stripe_api, pending)
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [deliver(client, event).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    assert len(confirmations_to("ada@example.com")) == 1
    assert OrderEvent.objects.filter(order=pending, to_status=Order.Status.PAID).count() == 1
    assert StripeEvent.objects.count() == 1


def test_same_session_in_two_events_is_fulfilled_once(client, pending, stripe_api, django_capture_on_commit_callbacks):
    event = pay(stripe_api, pending)
    twin = stripe_api.make_event("checkout.session.completed", event["data"]["object"])
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, event)
        deliver(client, twin)
    assert len(confirmations_to("ada@example.com")) == 1
    assert StripeEvent.objects.filter(processed_at__isnull=False).count() == 2


@pytest.mark.parametrize(
    "signature",
    [None, "t=1,v1=deadbeef", "forged"],
    ids=["missing", "forged", "garbage"],
)
def test_bad_signature_is_refused_and_nothing_is_stored(client, pending, stripe_api, signature):
    event = pay(stripe_api, pending)
    headers = {"HTTP_STRIPE_SIGNATURE": signature} if signature else {}
    response = client.post("/stripe/webhook/", json.dumps(event), content_type="application/json", **headers)
    assert response.status_code == 400
    assert not StripeEvent.objects.exists()
    assert Order.objects.get(pk=pending.pk).status == Order.Status.PENDING


def test_signature_with_another_secret_or_stale_time_is_refused(client, pending, stripe_api):
    event = pay(stripe_api, pending)
    assert deliver(client, event, secret="whsec_someone_else").status_code == 400
    assert deliver(client, event, timestamp=int(time.time()) - 3600).status_code == 400
    assert not StripeEvent.objects.exists()


def test_signed_body_that_is_not_an_event_is_refused(client, stripe_api):
    from tests.conftest_stripe import WEBHOOK_SECRET

    payload = b"not json at all"
    response = client.post(
        "/stripe/webhook/",
        payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign_webhook(payload, WEBHOOK_SECRET),
    )
    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_webhook_accepts_post_only(client):
    assert client.get("/stripe/webhook/").status_code == 405


def test_unused_event_type_is_answered_200_and_stored(client, stripe_api):
    event = stripe_api.make_event("customer.created", {"id": "cus_1", "object": "customer"})
    assert deliver(client, event).status_code == 200
    assert StripeEvent.objects.get().outcome == "not used by this site"


def test_failed_handler_answers_500_keeps_the_error_and_runs_again_on_redelivery(
    client, pending, stripe_api, monkeypatch, django_capture_on_commit_callbacks
):
    event = pay(stripe_api, pending)
    original = webhooks.HANDLERS["checkout.session.completed"]

    def broken(event, stored):
        raise RuntimeError("database fell over")

    monkeypatch.setitem(webhooks.HANDLERS, "checkout.session.completed", broken)
    assert deliver(client, event).status_code == 500
    stored = StripeEvent.objects.get()
    assert "database fell over" in stored.error
    assert stored.processed_at is None
    assert Order.objects.get(pk=pending.pk).status == Order.Status.PENDING

    monkeypatch.setitem(webhooks.HANDLERS, "checkout.session.completed", original)
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(client, event).status_code == 200
    stored.refresh_from_db()
    assert stored.processed_at is not None
    assert stored.error == ""
    assert stored.attempts == 2
    assert Order.objects.get(pk=pending.pk).status == Order.Status.PAID


def test_amount_mismatch_goes_to_review_and_alerts_staff_without_confirmation(
    client, pending, stripe_api, django_capture_on_commit_callbacks
):
    event = pay(stripe_api, pending, amount_total=100)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, event)
    order = Order.objects.get(pk=pending.pk)
    assert order.status == Order.Status.NEEDS_REVIEW
    assert not confirmations_to("ada@example.com")
    assert any("needs review" in m.subject for m in mail.outbox)


def test_currency_mismatch_goes_to_review(client, pending, stripe_api):
    deliver(client, pay(stripe_api, pending, currency="usd"))
    assert Order.objects.get(pk=pending.pk).status == Order.Status.NEEDS_REVIEW


def test_event_for_an_unknown_session_is_recorded_and_answered_200(client, stripe_api):
    event = stripe_api.make_event(
        "checkout.session.completed",
        {"id": "cs_test_unknown", "object": "checkout.session", "status": "complete", "payment_status": "paid"},
    )
    assert deliver(client, event).status_code == 200
    assert "no order" in StripeEvent.objects.get().outcome
    assert not Order.objects.exists()


def test_expired_session_expires_the_order_and_frees_the_seat_without_email(
    client, pending, stripe_api, django_capture_on_commit_callbacks
):
    session = stripe_api.expire_session(pending.stripe_session_id)
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(client, stripe_api.make_event("checkout.session.expired", session)).status_code == 200
    assert Order.objects.get(pk=pending.pk).status == Order.Status.EXPIRED
    assert not SlotHold.objects.exists()
    assert not mail.outbox


def test_payment_after_expiry_goes_to_review_never_silently_kept(
    client, pending, stripe_api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = Order.objects.get(pk=pending.pk)
        transitions.move(order, Order.Status.EXPIRED, trigger="session_expired")
        deliver(client, pay(stripe_api, pending))
    assert Order.objects.get(pk=pending.pk).status == Order.Status.NEEDS_REVIEW
    assert any("needs review" in m.subject for m in mail.outbox)
    assert not confirmations_to("ada@example.com")


def test_late_payment_takes_a_free_seat_when_its_hold_lapsed(client, pending, stripe_api):
    SlotHold.objects.filter(order=pending).delete()
    deliver(client, pay(stripe_api, pending))
    order = Order.objects.get(pk=pending.pk)
    assert order.status == Order.Status.PAID
    assert SlotHold.objects.get(order=order).expires_at is None


def test_late_payment_on_a_full_day_goes_to_review(client, pending, stripe_api):
    package = pending.package
    SlotHold.objects.filter(order=pending).delete()
    for seat in range(1, package.capacity_per_day + 1):
        other = Order.objects.get(pk=pending.pk)
        other.pk, other.reference, other.stripe_session_id = None, None, None
        other.token, other.payment_token = f"token-{seat}", uuid.uuid4()
        other.save()
        SlotHold.objects.create(package=package, date=pending.slot_date, seat=seat, order=other)
    deliver(client, pay(stripe_api, pending))
    order = Order.objects.get(pk=pending.pk)
    assert order.status == Order.Status.NEEDS_REVIEW
    assert order.history.last().trigger == "no_seat"


def test_thank_you_page_for_unknown_session_is_404_without_asking_stripe(client, stripe_api):
    assert client.get("/checkout/return/?session_id=cs_test_nope").status_code == 404
    assert client.get("/checkout/return/").status_code == 404
    assert not stripe_api.requests


def test_thank_you_page_fulfils_a_pending_order_from_stripe(client, pending, stripe_api):
    stripe_api.complete_session(pending.stripe_session_id)
    response = client.get(f"/checkout/return/?session_id={pending.stripe_session_id}")
    html = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert pending.reference in html
    assert "Ada" in html
    assert "Lovelace" not in html
    assert Order.objects.get(pk=pending.pk).status == Order.Status.PAID


def test_thank_you_page_says_processing_while_unpaid_or_stripe_is_down(client, pending, stripe_api):
    stripe_api.fail_next(500, times=3)
    response = client.get(f"/checkout/return/?session_id={pending.stripe_session_id}")
    assert response.status_code == 200
    assert "being processed" in response.content.decode()


def test_thank_you_page_is_rate_limited(client, pending, stripe_api):
    url = f"/checkout/return/?session_id={pending.stripe_session_id}"
    statuses = [client.get(url).status_code for _ in range(31)]
    assert statuses[-1] == 429


def test_state_table_refuses_moves_it_does_not_list(pending):
    with pytest.raises(transitions.TransitionNotAllowed):
        transitions.move(pending, Order.Status.DELIVERED, trigger="staff_deliver")
    with pytest.raises(transitions.TransitionNotAllowed):
        transitions.move(pending, Order.Status.PAID, trigger="staff_cancel")
    assert Order.objects.get(pk=pending.pk).status == Order.Status.PENDING


def test_facts_from_stripe_are_allowed_from_every_paid_state():
    for state in transitions.PAID_STATES:
        assert transitions.allowed(state, Order.Status.REFUNDED, "refund_succeeded")
        assert transitions.allowed(state, Order.Status.DISPUTED, "dispute_opened") or state == Order.Status.DISPUTED


def test_expired_order_frees_no_seat_twice(pending):
    SlotHold.objects.filter(order=pending).update(expires_at=timezone.now() - timedelta(minutes=1))
    from offers.catalogue import availability

    assert availability.seats_taken(pending.package, [pending.slot_date]) == {pending.slot_date: 0}


def test_paid_order_keeps_its_seat_for_good():
    from offers.catalogue import availability
    from tests.factories import OrderFactory

    order = OrderFactory(paid=True)
    hold = SlotHold.objects.get(order=order)
    assert hold.expires_at is None
    assert availability.seats_taken(order.package, [order.slot_date]) == {order.slot_date: 1}
