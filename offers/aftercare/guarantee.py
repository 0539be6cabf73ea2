"""The money-back guarantee as services: staff start and deliver, the customer decides, withdraws or claims.

Views call these; each locks the order row, checks the state table through
`transitions.move`, and queues its e-mails after commit. Refunds that follow
(automatic policy, withdrawal, missed deadline) are sent to Stripe after the
request is committed, through `refunds.issue`, so a Stripe failure leaves a
consistent `refund_requested` order that can be retried.
"""

import logging

from django.db import transaction
from django.utils import timezone

from offers.aftercare import emails as guarantee_emails
from offers.aftercare import refunds
from offers.aftercare import tasks as staff_tasks
from offers.models.orders import Order
from offers.orders import transitions

logger = logging.getLogger(__name__)
S = Order.Status


class NotAllowed(Exception):
    """The action does not apply to the order as it is now; the message says why, for the person who asked."""


def _lock(order_pk):
    return Order.objects.select_for_update().get(pk=order_pk)


def _move(order, target, trigger, **kwargs):
    try:
        return transitions.move(order, target, trigger=trigger, **kwargs)
    except transitions.TransitionNotAllowed as exc:
        raise NotAllowed(
            f"{order.reference} is {order.get_status_display().lower()}: this is no longer possible."
        ) from exc


# --- staff ---------------------------------------------------------------------------------


def start_work(order_pk, *, user):
    with transaction.atomic():
        order = _lock(order_pk)
        _move(order, S.IN_PROGRESS, "staff_start", user=user, reason="work started")
    return order


def deliver(order_pk, demo_url, *, user, now=None):
    """Delivered with the demo's URL: stores the refund deadline and e-mails the customer the link and deadline."""
    now = now or timezone.now()
    with transaction.atomic():
        order = _lock(order_pk)
        _move(order, S.DELIVERED, "staff_deliver", user=user, reason=f"demo delivered: {demo_url}", now=now)
        order.demo_url = demo_url
        order.delivered_at = now
        order.refund_deadline = refunds.refund_deadline(now, order.refund_window_days)
        order.save(update_fields=["demo_url", "delivered_at", "refund_deadline"])
        guarantee_emails.queue_delivered(order)
    logger.info("order delivered", extra={"order": order.reference})
    return order


def staff_refund(order_pk, *, user, full=False, reason=""):
    """Staff refund (or approve a requested refund): full or the policy's share. Raises RefundError on failure."""
    with transaction.atomic():
        order = _lock(order_pk)
        if order.status == S.DISPUTED and not order.dispute_charge_refundable:
            raise NotAllowed(
                f"{order.reference} is disputed and Stripe no longer lets it be refunded: accept the dispute "
                "instead (the bank returns the money)."
            )
        if order.status != S.REFUND_REQUESTED:
            try:
                refunds.request(
                    order,
                    "staff_refund_disputed" if order.status == S.DISPUTED else "staff_refund",
                    refunds.STAFF,
                    amount=refunds.policy_amount(order, refunds.STAFF, full=full),
                    reason=reason or ("full refund by staff" if full else "refund per policy by staff"),
                    user=user,
                )
            except transitions.TransitionNotAllowed as exc:
                raise NotAllowed(
                    f"{order.reference} is {order.get_status_display().lower()}: nothing to refund."
                ) from exc
        elif full:
            order.refund_amount = refunds.amount_left(order)
            order.save(update_fields=["refund_amount"])
    return refunds.issue(order_pk, user=user)


# --- the customer --------------------------------------------------------------------------


def accept(order_pk, *, now=None):
    """'Include it in my website': final; the guarantee's refund is given up. Returns (order, changed)."""
    now = now or timezone.now()
    with transaction.atomic():
        order = _lock(order_pk)
        if order.status == S.ACCEPTED:
            return order, False
        _move(order, S.ACCEPTED, "customer_accept", reason="include it in my website", now=now)
        order.accepted_at = now
        order.credit_reference = f"CREDIT-{order.reference}"
        order.save(update_fields=["accepted_at", "credit_reference"])
        guarantee_emails.queue_accepted(order)
        guarantee_emails.queue_staff_alert(order, "Customer accepted the demo", f"credit {order.credit_reference}")
    return order, True


def _refund_after_request(order):
    """Automatic refunds go to Stripe now; a failure stays requested and staff are alerted (by refunds.issue)."""
    try:
        return refunds.issue(order.pk)
    except refunds.RefundError:
        return Order.objects.get(pk=order.pk)


def ask_refund(order_pk, *, reason="", now=None):
    """'Refund me' inside the window. Returns (order, changed); raises NotAllowed outside the window."""
    now = now or timezone.now()
    with transaction.atomic():
        order = _lock(order_pk)
        if order.status in (S.REFUND_REQUESTED, S.REFUNDED, S.PARTIALLY_REFUNDED) and order.refund_kind:
            return order, False
        if order.status != S.DELIVERED:
            raise NotAllowed("This order cannot be refunded from here any more.")
        if not refunds.in_refund_window(order, now):
            raise NotAllowed("The refund window closed; nothing was changed.")
        refunds.request(order, "customer_refund", refunds.GUARANTEE, reason=reason.strip()[:1000], now=now)
        staff_tasks.for_refund(order, now=now)
        automatic = order.refund_automatic
        if not automatic:
            guarantee_emails.queue_staff_alert(order, "Refund awaiting your approval", reason)
    if automatic:
        order = _refund_after_request(order)
    return order, True


def withdraw(order_pk, *, now=None):
    """The statutory withdrawal: a receipt with date and time, a full refund without approval. Returns (order, changed)."""
    now = now or timezone.now()
    with transaction.atomic():
        order = _lock(order_pk)
        if order.withdrawn_at:
            return order, False
        if not refunds.can_withdraw(order, now):
            raise NotAllowed("The right of withdrawal has ended for this order; nothing was changed.")
        refunds.request(
            order, "withdrawal", refunds.WITHDRAWAL, reason="statutory withdrawal from the contract", now=now
        )
        order.withdrawn_at = now
        order.save(update_fields=["withdrawn_at"])
        staff_tasks.for_refund(order, now=now)
        guarantee_emails.queue_withdrawal_receipt(order)
        guarantee_emails.queue_staff_alert(order, "Customer withdrew from the contract", "full refund under way")
    return _refund_after_request(order), True


def claim_missed_deadline(order_pk, *, now=None):
    """The delivery deadline passed without delivery: a full refund, always. Returns (order, changed)."""
    now = now or timezone.now()
    with transaction.atomic():
        order = _lock(order_pk)
        if order.refund_kind == refunds.MISSED_DEADLINE:
            return order, False
        if not refunds.deadline_missed(order, now):
            raise NotAllowed("The delivery deadline has not passed; nothing was changed.")
        refunds.request(order, "missed_deadline", refunds.MISSED_DEADLINE, reason="delivery deadline missed", now=now)
        guarantee_emails.queue_staff_alert(order, "Missed deadline: full refund claimed")
    return _refund_after_request(order), True
