"""Refund rules and the one path money goes back to the customer.

Rules: the guarantee's window (counted from delivery, in calendar days, to
23:59:59 in TIME_ZONE), the policy's percentage, and the full refunds that
need no approval (statutory withdrawal, missed delivery deadline).

Money: `issue()` sends the refund an order asks for through `stripe_client`
(Refunds API on the PaymentIntent) with a random idempotency key per order and
attempt, after reading what Stripe already has, so a double click or a retry
(even one after Stripe forgot the key) never refunds twice, and never more
than what is left of the payment. `sync()` re-fetches the payment's refunds from
Stripe and brings the order in step; the webhooks (`charge.refunded`,
`refund.*`) and `issue()` both end there, in any order and any number of times.
"""

import logging
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from offers import money
from offers.aftercare import emails
from offers.models.orders import Order
from offers.models.refunds import Refund
from offers.orders import transitions
from offers.payments import stripe_client, webhooks
from offers.payments.webhooks import UnknownOrder

logger = logging.getLogger(__name__)
S = Order.Status

GUARANTEE = "guarantee"
WITHDRAWAL = "withdrawal"
MISSED_DEADLINE = "missed_deadline"
STAFF = "staff"
FULL_REFUND_KINDS = frozenset({WITHDRAWAL, MISSED_DEADLINE})
WITHDRAWAL_DAYS = 14
# Refund statuses that count as money on its way back (Stripe counts pending ones in amount_refunded too).
COUNTED = frozenset({"succeeded", "pending", "requires_action"})


KIND_LABELS = {
    WITHDRAWAL: "Withdrawals (statutory)",
    GUARANTEE: "Guarantee refunds",
    MISSED_DEADLINE: "Missed delivery deadlines",
    STAFF: "Staff refunds",
}


def report():
    """Refunded orders counted apart by why they were refunded: [(label, kind, orders, amounts by currency)].

    Withdrawals are a statutory right, the guarantee is the offer's promise: the books keep them apart.
    """
    rows = (
        Order.objects.filter(amount_refunded__gt=0)
        .values("refund_kind", "currency")
        .annotate(orders=Count("pk"), total=Sum("amount_refunded"))
        .order_by("refund_kind", "currency")
    )
    lines = []
    for kind, label in [*KIND_LABELS.items(), ("", "Refunded elsewhere (Stripe dashboard)")]:
        mine = [row for row in rows if row["refund_kind"] == kind]
        if mine:
            amounts = ", ".join(money.format_money(row["total"], row["currency"]) for row in mine)
            lines.append((label, kind, sum(row["orders"] for row in mine), amounts))
    return lines


class RefundError(Exception):
    """The refund could not be made now (Stripe unreachable or refused); nothing moved, it can be retried."""


class UnknownPayment(UnknownOrder):
    """No order has this PaymentIntent."""


def _end_of_day(day):
    return datetime.combine(day, time(23, 59, 59), tzinfo=ZoneInfo(settings.TIME_ZONE))


def _local_date(moment):
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def refund_deadline(delivered_at, window_days):
    """23:59:59 in TIME_ZONE on the delivery date plus `window_days` calendar days (DST-exact)."""
    return _end_of_day(_local_date(delivered_at) + timedelta(days=window_days))


def in_refund_window(order, now=None):
    now = now or timezone.now()
    return order.refund_deadline is not None and now <= order.refund_deadline


def withdrawal_deadline(order):
    """The statutory 14 days, counted from the contract (the payment)."""
    start = order.paid_at or order.created_at
    return _end_of_day(_local_date(start) + timedelta(days=WITHDRAWAL_DAYS))


def can_withdraw(order, now=None):
    """The right lasts 14 days and ends early once the demo is fully delivered (after the express-start request)."""
    now = now or timezone.now()
    return order.status in (S.PAID, S.IN_PROGRESS) and order.delivered_at is None and now <= withdrawal_deadline(order)


def deadline_missed(order, now=None):
    now = now or timezone.now()
    return order.status in (S.PAID, S.IN_PROGRESS) and order.delivered_at is None and now > order.delivery_deadline


def amount_paid(order):
    """What the customer paid: the order's amount, unless Stripe took a different one (an order in review)."""
    return order.amount if order.amount_paid is None else order.amount_paid


def amount_left(order):
    return max(amount_paid(order) - order.amount_refunded, Decimal(0))


def policy_amount(order, kind, *, full=False):
    """What a refund of `kind` returns: everything for a withdrawal or a missed deadline, else the policy's share."""
    if full or kind in FULL_REFUND_KINDS:
        return amount_left(order)
    minor = money.to_minor_units(order.amount, order.currency) * order.refund_percentage // 100
    # Rounded down: never more than the policy says.
    return min(money.from_minor_units(minor, order.currency), amount_left(order))


def lock(order_pk):
    return Order.objects.select_for_update().get(pk=order_pk)


def request(order, target_trigger, kind, *, amount=None, reason="", user=None, now=None):
    """Moves a locked order to refund_requested and records what the refund is for."""
    now = now or timezone.now()
    transitions.move(order, S.REFUND_REQUESTED, trigger=target_trigger, reason=reason or kind, user=user, now=now)
    if order.refund_requested_at is not None:
        # A new request is a new refund at Stripe: the last request's key would replay that refund, moving nothing.
        order.refund_attempt += 1
    order.refund_kind = kind
    order.refund_requested_at = now
    order.refund_reason = reason
    order.refund_amount = policy_amount(order, kind) if amount is None else min(amount, amount_left(order))
    order.refund_failure = ""
    order.save(
        update_fields=[
            "refund_kind",
            "refund_requested_at",
            "refund_reason",
            "refund_amount",
            "refund_failure",
            "refund_attempt",
        ]
    )
    return order


def issue(order_pk, *, user=None):
    """Sends the requested refund to Stripe (once per attempt) and brings the order in step. Raises RefundError.

    Stripe keeps the answer to a keyed request, errors included, and replays it for 24 hours; after that
    it forgets the key. So a retry never trusts the key alone: it first reads the payment's refunds from
    Stripe (every page). If one belongs to this attempt (its metadata names the attempt's key), that refund
    is recorded and none is made; if this attempt was sent and Stripe shows nothing for it, the retry is a
    new attempt under a new key. The order row stays locked throughout, so concurrent clicks make one refund.
    """
    failure = None
    with transaction.atomic():
        order = lock(order_pk)
        if order.status != S.REFUND_REQUESTED:
            return order
        amount = min(order.refund_amount if order.refund_amount is not None else amount_left(order), amount_left(order))
        if amount <= 0:
            return order
        if not order.stripe_payment_intent_id:
            raise RefundError(f"{order.reference} has no payment to refund")
        try:
            failure = _send(order, amount, user)
        except stripe_client.PaymentProviderError as exc:
            failure = exc
        if failure is not None:
            order.refund_failure = str(failure)[:300]
            order.save(update_fields=["refund_failure"])
            transitions.note(order, f"refund not made, can be retried: {failure}", trigger="refund_error", user=user)
            emails.queue_staff_alert(order, "Refund could not be made", str(failure))
    if failure is not None:
        logger.warning("refund failed", extra={"order": order.reference, "error": str(failure)})
        raise RefundError(str(failure)) from failure
    return sync(order_pk, user=user)


def _send(order, amount, user):
    """Creates this attempt's refund at Stripe unless Stripe already has it. Returns the error, or None."""
    key = stripe_client.idempotency_key(order, "refund", order.refund_attempt)
    remote = stripe_client.list_refunds(order.stripe_payment_intent_id)
    if any(_attempt_of(data) == key and data.get("status") != "failed" for data in remote):
        logger.info("refund already at Stripe", extra={"order": order.reference, "attempt": order.refund_attempt})
        return None
    if order.refund_key_sent == key:
        # Sent before, and Stripe made nothing: its stored answer (an error) would only replay under this key.
        order.refund_attempt += 1
        key = stripe_client.idempotency_key(order, "refund", order.refund_attempt)
    order.refund_key_sent = key
    order.save(update_fields=["refund_attempt", "refund_key_sent"])
    stripe_client.create_refund(
        order.stripe_payment_intent_id,
        money.to_minor_units(amount, order.currency),
        key,
        reason="requested_by_customer",
        metadata={"order_reference": order.reference, "kind": order.refund_kind or STAFF, "attempt": key},
    )
    logger.info("refund created", extra={"order": order.reference, "amount": str(amount)})
    return None


def _attempt_of(refund):
    return (refund.get("metadata") or {}).get("attempt")


def order_for_payment_intent(payment_intent_id):
    order = Order.objects.filter(stripe_payment_intent_id=payment_intent_id).first() if payment_intent_id else None
    if order is None:
        raise UnknownPayment(payment_intent_id)
    return order


def sync(order_pk, *, stripe_event=None, user=None):
    """Re-fetches the payment's refunds from Stripe and records them; moves the order when the total changed."""
    order = Order.objects.get(pk=order_pk)
    remote = stripe_client.list_refunds(order.stripe_payment_intent_id)
    with transaction.atomic():
        order = lock(order_pk)
        newly_failed = []
        for data in remote:
            amount = money.from_minor_units(int(data["amount"]), order.currency)
            refund, created = Refund.objects.get_or_create(
                stripe_refund_id=data["id"],
                defaults={
                    "order": order,
                    "amount": amount,
                    "currency": (data.get("currency") or order.currency).upper(),
                    "status": data.get("status") or "",
                    "failure_reason": data.get("failure_reason") or "",
                    "kind": (data.get("metadata") or {}).get("kind", ""),
                },
            )
            status = data.get("status") or ""
            if status == "failed" and (created or refund.status != "failed"):
                newly_failed.append(data)
            if not created and refund.status != status:
                refund.status = status
                refund.failure_reason = data.get("failure_reason") or ""
                refund.save(update_fields=["status", "failure_reason", "updated_at"])
        total = sum((r.amount for r in Refund.objects.filter(order=order, status__in=COUNTED)), Decimal(0)).quantize(
            order.amount
        )
        changed = total != order.amount_refunded
        order.amount_refunded = total
        charge = next((stripe_client.expandable_id(d.get("charge")) for d in remote if d.get("charge")), "")
        if charge and not order.stripe_charge_id:
            order.stripe_charge_id = charge  # when the PaymentIntent could not be asked at payment
        order.save(update_fields=["amount_refunded", "stripe_charge_id"])
        if total >= amount_paid(order):
            target = S.REFUNDED
        elif total > 0:
            target = S.PARTIALLY_REFUNDED
        else:
            target = None
        if target and (changed or order.status != target):
            _moved_to_refunded(order, target, total, stripe_event, user)
        if newly_failed:
            reason = ", ".join(f"{d['id']}: {d.get('failure_reason') or 'failed'}" for d in newly_failed)
            if order.status in (S.REFUNDED, S.PARTIALLY_REFUNDED) and total < amount_paid(order):
                transitions.move(
                    order, S.REFUND_REQUESTED, trigger="refund_failed", reason=reason, stripe_event=stripe_event
                )
            else:
                transitions.note(order, f"refund failed: {reason}", trigger="refund_failed", stripe_event=stripe_event)
            order.refund_failure = reason[:300]
            order.refund_attempt += 1  # the next try is a new refund at Stripe, under a new key
            order.save(update_fields=["refund_failure", "refund_attempt"])
            emails.queue_staff_alert(order, "Refund failed at Stripe", reason)
    return order


def _moved_to_refunded(order, target, total, stripe_event, user):
    reason = f"{money.format_money(total, order.currency)} of {order.amount_display} refunded"
    transitions.move(order, target, trigger="refund_succeeded", reason=reason, stripe_event=stripe_event, user=user)
    order.refund_failure = ""
    order.save(update_fields=["refund_failure"])
    emails.queue_refund_issued(order, total)


@webhooks.handles("charge.refunded", "refund.created", "refund.updated", "refund.failed")
def refund_changed(event, stored):
    """Re-fetches the payment's refunds rather than trusting the event's copy."""
    obj = event["data"]["object"]
    order = order_for_payment_intent(obj.get("payment_intent"))
    order = sync(order.pk, stripe_event=stored)
    return order, f"order {order.reference} is {order.status}, {order.amount_refunded} refunded"
