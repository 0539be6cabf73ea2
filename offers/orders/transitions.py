"""The order state table, as data, and the one function that moves an order.

Each row says which statuses an order may leave, where it goes and what
triggers the move. `move()` refuses anything not in the table and writes the
OrderEvent history row in the same transaction. Facts Stripe reports (a
refund that succeeded, a dispute opened or closed) are allowed from every
paid state, `accepted` and `refunded` included, so a webhook never fails on a fact.
"""

from dataclasses import dataclass

from django.utils import timezone

from offers.models.orders import Order, OrderEvent

S = Order.Status

# The states in which money has been taken (needs_review only ever follows a payment).
PAID_STATES = frozenset(
    {
        S.PAID,
        S.IN_PROGRESS,
        S.DELIVERED,
        S.ACCEPTED,
        S.REFUND_REQUESTED,
        S.PARTIALLY_REFUNDED,
        S.REFUNDED,
        S.DISPUTED,
        S.NEEDS_REVIEW,
    }
)
UNPAID_STATES = frozenset({S.PENDING, S.EXPIRED, S.CANCELLED})


@dataclass(frozen=True)
class Move:
    sources: frozenset
    target: str
    trigger: str
    meaning: str


def _row(sources, target, trigger, meaning):
    return Move(frozenset(sources), target, trigger, meaning)


TABLE = (
    # Checkout (issue 4).
    _row({S.PENDING}, S.PAID, "payment_received", "session completed and paid with the order's amount and currency"),
    _row({S.PENDING}, S.NEEDS_REVIEW, "payment_mismatch", "paid amount or currency differs from the order"),
    _row({S.PENDING}, S.NEEDS_REVIEW, "no_seat", "paid after its hold lapsed and the day is full"),
    _row({S.PENDING}, S.EXPIRED, "session_expired", "the Checkout Session expired unpaid"),
    _row({S.PENDING}, S.EXPIRED, "payment_unavailable", "Stripe did not open a Checkout Session: the seat went back"),
    _row({S.PENDING}, S.CANCELLED, "staff_cancel", "staff cancelled an unpaid order"),
    _row({S.EXPIRED, S.CANCELLED}, S.NEEDS_REVIEW, "late_payment", "a payment arrived for a closed order"),
    _row({S.NEEDS_REVIEW}, S.PAID, "staff_resolve", "staff honour the payment"),
    _row({S.NEEDS_REVIEW}, S.REFUNDED, "staff_resolve", "staff refunded the payment"),
    # Guarantee (issue 5).
    _row({S.PAID}, S.IN_PROGRESS, "staff_start", "staff started work"),
    _row({S.PAID, S.IN_PROGRESS}, S.DELIVERED, "staff_deliver", "staff delivered the demo"),
    _row({S.DELIVERED}, S.ACCEPTED, "customer_accept", "the customer includes the demo in their website"),
    _row({S.DELIVERED}, S.REFUND_REQUESTED, "customer_refund", "the customer asked for the refund in the window"),
    _row({S.PAID, S.IN_PROGRESS}, S.REFUND_REQUESTED, "missed_deadline", "delivery deadline missed, customer asked"),
    _row({S.PAID, S.IN_PROGRESS}, S.REFUND_REQUESTED, "withdrawal", "the consumer withdrew from the contract"),
    _row(
        {S.PAID, S.IN_PROGRESS, S.DELIVERED, S.ACCEPTED, S.PARTIALLY_REFUNDED, S.NEEDS_REVIEW},
        S.REFUND_REQUESTED,
        "staff_refund",
        "staff refund the order",
    ),
    _row(
        {S.DISPUTED},
        S.REFUND_REQUESTED,
        "staff_refund_disputed",
        "staff refund a disputed payment that Stripe says is still refundable (is_charge_refundable)",
    ),
    _row(
        {S.REFUNDED, S.PARTIALLY_REFUNDED},
        S.REFUND_REQUESTED,
        "refund_failed",
        "Stripe reports a refund failed: the money is not back yet",
    ),
    _row(PAID_STATES, S.REFUNDED, "refund_succeeded", "Stripe reports the payment fully refunded"),
    _row(PAID_STATES, S.PARTIALLY_REFUNDED, "refund_succeeded", "Stripe reports part of the payment refunded"),
    _row(PAID_STATES, S.DISPUTED, "dispute_opened", "the buyer's bank opened a dispute"),
    _row({S.DISPUTED}, S.REFUNDED, "dispute_closed", "dispute lost: the money is gone"),
    _row({S.DISPUTED}, S.REFUNDED, "dispute_accepted", "staff refunded instead: the dispute is accepted"),
    *(
        _row({S.DISPUTED}, state, "dispute_closed", "dispute won: back where it was")
        for state in sorted(PAID_STATES - {S.DISPUTED, S.REFUNDED})
    ),
)


class TransitionNotAllowed(Exception):
    """The state table has no such move for this order."""


def allowed(current, target, trigger):
    return any(current in row.sources and row.target == target and row.trigger == trigger for row in TABLE)


def targets(current):
    """(target, trigger) pairs the table allows from `current`: what the admin may offer."""
    return sorted({(row.target, row.trigger) for row in TABLE if current in row.sources})


def move(order, target, *, trigger, reason="", user=None, stripe_event=None, now=None):
    """Moves `order` to `target` if the table allows it, and records who, why and when.

    The caller holds the order row (select_for_update inside a transaction).
    Moving to the state the order is already in records the fact without a change,
    when the table allows that move.
    """
    current = order.status
    if not allowed(current, target, trigger):
        raise TransitionNotAllowed(f"{order}: {current} → {target} by {trigger} is not in the state table")
    now = now or timezone.now()
    fields = ["status", "updated_at"]
    if target == S.DISPUTED and current != S.DISPUTED:
        order.status_before_dispute = current
        fields.append("status_before_dispute")
    if target == S.PAID and order.paid_at is None:
        order.paid_at = now
        fields.append("paid_at")
    order.status = target
    order.save(update_fields=fields)
    return OrderEvent.objects.create(
        order=order,
        from_status=current,
        to_status=target,
        trigger=trigger,
        reason=reason,
        user=user,
        stripe_event=stripe_event,
        created_at=now,
    )


def record_created(order, reason="buy form accepted, seat held", now=None):
    """The first history row of a new pending order."""
    return OrderEvent.objects.create(
        order=order,
        from_status="",
        to_status=order.status,
        trigger="checkout_started",
        reason=reason,
        created_at=now or timezone.now(),
    )


def note(order, reason, *, trigger="note", user=None, stripe_event=None):
    """A fact in the history without a status change (e.g. a refund that failed at Stripe)."""
    return OrderEvent.objects.create(
        order=order,
        from_status=order.status,
        to_status=order.status,
        trigger=trigger,
        reason=reason,
        user=user,
        stripe_event=stripe_event,
    )
