"""Fulfilment, keyed by the Checkout Session id: exactly once, however often and however concurrently it is asked.

Called by the webhook (`checkout.session.completed`) and by the thank-you page.
It locks the order row, returns at once when the order is already paid,
checks payment status, amount and currency against the order, and moves the
order through the state table. E-mails are queued after commit.
"""

import logging
import uuid

from django.db import transaction
from django.utils import timezone

from offers import money
from offers.checkout import start as checkout
from offers.models.orders import Order, SlotHold
from offers.orders import emails, transitions
from offers.payments import stripe_client, webhooks
from offers.payments.webhooks import UnknownOrder

logger = logging.getLogger(__name__)
S = Order.Status


def _lock_order(session):
    """The session's order, locked: by the stored session id, else by the random order token in its metadata.

    Never by the reference (`client_reference_id`): Stripe sends every event of the account to every
    endpoint, and another database on the account (a restored backup, staging) has the same references.
    """
    orders = Order.objects.select_for_update()
    order = orders.filter(stripe_session_id=session["id"]).first()
    if order is None:
        # The session was created but our process died (or gave up waiting) before storing its id.
        token = _uuid((session.get("metadata") or {}).get("order_token"))
        if token is not None:
            order = orders.filter(payment_token=token, stripe_session_id__isnull=True).first()
    if order is None:
        raise UnknownOrder(session["id"])
    return order


def _uuid(value):
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def _record_payment_details(order, session):
    details = session.get("customer_details") or {}
    order.stripe_session_id = session["id"]
    order.stripe_payment_intent_id = session.get("payment_intent") or ""
    order.stripe_invoice_id = session.get("invoice") or ""
    order.billing_address = details.get("address") or {}
    order.customer_tax_ids = details.get("tax_ids") or []
    order.save(
        update_fields=[
            "stripe_session_id",
            "stripe_payment_intent_id",
            "stripe_invoice_id",
            "billing_address",
            "customer_tax_ids",
        ]
    )


def _keep_seat(order, now):
    """The order's seat without expiry; a lapsed hold takes a free seat on the same day if there is one."""
    updated = SlotHold.objects.filter(order=order).update(expires_at=None)
    if updated:
        return True
    return checkout.take_seat(order, order.slot_date, None, now) is not None


def fulfil(session, *, stripe_event=None, now=None):
    """Applies a completed Checkout Session to its order. Returns the order; idempotent."""
    now = now or timezone.now()
    with transaction.atomic():
        order = _lock_order(session)
        if order.status in transitions.PAID_STATES:
            return order
        if session.get("status") != "complete":
            return order
        if session.get("payment_status") != "paid":
            _completed_unpaid(order, session, stripe_event)
            return order
        _record_payment_details(order, session)
        paid_amount = money.from_minor_units(int(session.get("amount_total") or 0), order.currency)
        order.amount_paid = paid_amount  # a refund never returns more than this, nor less when staff refund all
        order.save(update_fields=["amount_paid"])
        same_money = paid_amount == order.amount and (session.get("currency") or "").lower() == order.currency.lower()
        if not same_money:
            reason = (
                f"paid {paid_amount} {(session.get('currency') or '').upper()}, "
                f"order is {order.amount} {order.currency}"
            )
            transitions.move(
                order, S.NEEDS_REVIEW, trigger="payment_mismatch", reason=reason, stripe_event=stripe_event
            )
            emails.queue_staff_review_alert(order, reason)
        elif order.status in (S.EXPIRED, S.CANCELLED):
            reason = f"payment arrived for a {order.get_status_display().lower()} order: refund or honour it"
            transitions.move(order, S.NEEDS_REVIEW, trigger="late_payment", reason=reason, stripe_event=stripe_event)
            emails.queue_staff_review_alert(order, reason)
        elif not _keep_seat(order, now):
            reason = f"paid after the seat hold lapsed and {order.slot_date} is full: refund or reschedule"
            transitions.move(order, S.NEEDS_REVIEW, trigger="no_seat", reason=reason, stripe_event=stripe_event)
            emails.queue_staff_review_alert(order, reason)
        else:
            transitions.move(
                order, S.PAID, trigger="payment_received", reason="Checkout Session paid", stripe_event=stripe_event
            )
            emails.queue_paid_emails(order)
        transaction.on_commit(lambda: record_charge(order.pk))
    logger.info("order fulfilled", extra={"order": order.reference, "status": order.status})
    return order


def _completed_unpaid(order, session, stripe_event):
    """A completed session whose money has not arrived: only a delayed method does that, and the site offers
    cards only (start.IMMEDIATE_PAYMENT_METHODS). Recorded on the order and staff alerted, once per session."""
    reason = (
        f"Checkout Session {session['id']} completed but {session.get('payment_status') or 'not'} paid: "
        "a delayed payment method? The site takes cards only; check the payment in Stripe."
    )
    if order.history.filter(trigger="completed_unpaid", reason=reason).exists():
        return
    transitions.note(order, reason, trigger="completed_unpaid", stripe_event=stripe_event)
    emails.queue_staff_review_alert(order, reason)
    logger.error("checkout completed unpaid", extra={"order": order.reference, "session": session["id"]})


def record_charge(order_pk):
    """Stores the payment's charge id (the PaymentIntent's `latest_charge`), by which disputes and charges match.

    The Checkout Session names only the PaymentIntent, so this asks Stripe once; when it cannot be reached the
    id stays empty and the next dispute or refund event that names the charge fills it.
    """
    order = Order.objects.get(pk=order_pk)
    if order.stripe_charge_id or not order.stripe_payment_intent_id:
        return order
    try:
        intent = stripe_client.retrieve_payment_intent(order.stripe_payment_intent_id)
    except stripe_client.PaymentProviderError as exc:
        logger.warning("charge id not recorded", extra={"order": order.reference, "error": str(exc)})
        return order
    charge = stripe_client.expandable_id(intent.get("latest_charge"))
    if charge:
        Order.objects.filter(pk=order.pk, stripe_charge_id="").update(stripe_charge_id=charge)
        order.stripe_charge_id = charge
    return order


def expire(session, *, stripe_event=None):
    """A Checkout Session expired unpaid: its pending order expires and the seat is released. No e-mail."""
    with transaction.atomic():
        order = _lock_order(session)
        if order.status != S.PENDING:
            return order
        transitions.move(
            order, S.EXPIRED, trigger="session_expired", reason="Checkout Session expired", stripe_event=stripe_event
        )
        SlotHold.objects.filter(order=order).delete()
    logger.info("order expired", extra={"order": order.reference})
    return order


def cancel(order_pk, *, user, reason=""):
    """Staff cancel an unpaid order: the seat is released and the session expired at Stripe.

    If Stripe cannot be reached the order is still cancelled; a payment that
    arrives anyway goes to needs_review, so no money is kept silently.
    """
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_pk)
        transitions.move(order, S.CANCELLED, trigger="staff_cancel", reason=reason or "cancelled by staff", user=user)
        SlotHold.objects.filter(order=order).delete()
    if order.stripe_session_id:
        try:
            stripe_client.expire_checkout_session(
                order.stripe_session_id, stripe_client.idempotency_key(order, "expire-session", order.checkout_attempt)
            )
        except stripe_client.PaymentProviderError as exc:
            logger.warning("could not expire session at Stripe", extra={"order": order.reference, "error": str(exc)})
            transitions.note(order, f"Stripe session not expired: {exc}", user=user)
    return order


def refresh_from_provider(order):
    """For a still-pending order (the thank-you page), asks Stripe for the session and applies what it says."""
    try:
        session = stripe_client.retrieve_checkout_session(order.stripe_session_id)
    except stripe_client.PaymentProviderError as exc:
        logger.warning("session lookup failed", extra={"order": order.reference, "error": str(exc)})
        return order
    if session.get("status") == "complete":
        return fulfil(session)
    if session.get("status") == "expired":
        return expire(session)
    return order


@webhooks.handles("checkout.session.completed")
def session_completed(event, stored):
    order = fulfil(event["data"]["object"], stripe_event=stored)
    return order, f"order {order.reference} is {order.status}"


@webhooks.handles("checkout.session.async_payment_succeeded")
def async_payment_succeeded(event, stored):
    order = fulfil(event["data"]["object"], stripe_event=stored)
    return order, f"order {order.reference} is {order.status}"


@webhooks.handles("checkout.session.async_payment_failed")
def async_payment_failed(event, stored):
    session = event["data"]["object"]
    with transaction.atomic():
        order = _lock_order(session)
        reason = f"delayed payment for Checkout Session {session['id']} failed: no money arrived"
        transitions.note(order, reason, trigger="async_payment_failed", stripe_event=stored)
        emails.queue_staff_review_alert(order, reason)
    return order, f"order {order.reference}: delayed payment failed"


@webhooks.handles("checkout.session.expired")
def session_expired(event, stored):
    order = expire(event["data"]["object"], stripe_event=stored)
    return order, f"order {order.reference} is {order.status}"
