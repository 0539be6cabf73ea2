"""The order state table, written out by hand: each move is allowed from exactly the states named here.

The expected rows are not read from offers.orders.transitions, so dropping a state from a
row (or from the paid states) there makes these tests fail.
"""

from datetime import UTC, datetime

import pytest

from offers.models.orders import Order, OrderEvent
from offers.orders import transitions
from tests.factories import OrderFactory

ALL_STATES = {
    "pending",
    "paid",
    "needs_review",
    "expired",
    "cancelled",
    "in_progress",
    "delivered",
    "accepted",
    "refund_requested",
    "partially_refunded",
    "refunded",
    "disputed",
}
# Money has been taken in these (needs_review only ever follows a payment).
PAID = {
    "paid",
    "in_progress",
    "delivered",
    "accepted",
    "refund_requested",
    "partially_refunded",
    "refunded",
    "disputed",
    "needs_review",
}
# (trigger, target): the states it may leave.
EXPECTED = {
    ("payment_received", "paid"): {"pending"},
    ("payment_mismatch", "needs_review"): {"pending"},
    ("no_seat", "needs_review"): {"pending"},
    ("session_expired", "expired"): {"pending"},
    ("payment_unavailable", "expired"): {"pending"},
    ("staff_cancel", "cancelled"): {"pending"},
    ("late_payment", "needs_review"): {"expired", "cancelled"},
    ("staff_resolve", "paid"): {"needs_review"},
    ("staff_resolve", "refunded"): {"needs_review"},
    ("staff_start", "in_progress"): {"paid"},
    ("staff_deliver", "delivered"): {"paid", "in_progress"},
    ("customer_accept", "accepted"): {"delivered"},
    ("customer_refund", "refund_requested"): {"delivered"},
    ("missed_deadline", "refund_requested"): {"paid", "in_progress"},
    ("withdrawal", "refund_requested"): {"paid", "in_progress"},
    ("staff_refund", "refund_requested"): {
        "paid",
        "in_progress",
        "delivered",
        "accepted",
        "partially_refunded",
        "needs_review",
    },
    ("staff_refund_disputed", "refund_requested"): {"disputed"},
    ("refund_failed", "refund_requested"): {"refunded", "partially_refunded"},
    ("refund_succeeded", "refunded"): PAID,
    ("refund_succeeded", "partially_refunded"): PAID,
    ("dispute_opened", "disputed"): PAID,
    ("dispute_closed", "refunded"): {"disputed"},
    ("dispute_accepted", "refunded"): {"disputed"},
    # A won dispute returns the order to where it was: any paid state but disputed itself.
    **{("dispute_closed", state): {"disputed"} for state in PAID - {"disputed", "refunded"}},
}


def test_the_states_are_exactly_these():
    assert {value for value, _ in Order.Status.choices} == ALL_STATES


def test_money_has_been_taken_in_exactly_these_states():
    assert set(transitions.PAID_STATES) == PAID
    assert set(transitions.UNPAID_STATES) == ALL_STATES - PAID


@pytest.mark.parametrize(("trigger", "target"), sorted(EXPECTED))
def test_each_move_is_allowed_from_its_states_and_refused_from_all_others(trigger, target):
    sources = EXPECTED[(trigger, target)]
    for state in sorted(ALL_STATES):
        assert transitions.allowed(state, target, trigger) == (state in sources), (state, target, trigger)


def test_no_move_exists_beyond_those_written_here():
    for state in ALL_STATES:
        expected = sorted((target, trigger) for (trigger, target), sources in EXPECTED.items() if state in sources)
        assert [tuple(pair) for pair in transitions.targets(state)] == expected, state


@pytest.mark.django_db
def test_a_move_changes_the_status_and_writes_who_why_and_when():
    order = OrderFactory(status="delivered")
    Order.objects.filter(pk=order.pk).update(updated_at=datetime(2026, 11, 1, tzinfo=UTC))
    order.refresh_from_db()
    when = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    event = transitions.move(order, "accepted", trigger="customer_accept", reason="likes it", now=when)
    order.refresh_from_db()
    assert order.status == "accepted"
    assert (event.from_status, event.to_status, event.trigger, event.reason) == (
        "delivered",
        "accepted",
        "customer_accept",
        "likes it",
    )
    assert event.created_at == when
    assert order.updated_at > datetime(2026, 11, 1, tzinfo=UTC)  # the admin's "last changed"


@pytest.mark.django_db
def test_a_refused_move_changes_nothing_and_writes_nothing():
    order = OrderFactory(status="pending")
    before = OrderEvent.objects.filter(order=order).count()
    with pytest.raises(transitions.TransitionNotAllowed):
        transitions.move(order, "delivered", trigger="staff_deliver")
    order.refresh_from_db()
    assert order.status == "pending"
    assert OrderEvent.objects.filter(order=order).count() == before


@pytest.mark.django_db
def test_the_payment_time_is_set_by_the_first_payment_only():
    first = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    order = OrderFactory(status="pending", paid_at=None)
    transitions.move(order, "paid", trigger="payment_received", now=first)
    order.refresh_from_db()
    assert order.paid_at == first
    reviewed = OrderFactory(status="needs_review", paid_at=first)
    transitions.move(reviewed, "paid", trigger="staff_resolve", now=datetime(2026, 12, 2, tzinfo=UTC))
    reviewed.refresh_from_db()
    assert reviewed.paid_at == first


@pytest.mark.django_db
def test_a_dispute_remembers_the_state_it_interrupted_once():
    order = OrderFactory(status="delivered")
    transitions.move(order, "disputed", trigger="dispute_opened")
    order.refresh_from_db()
    assert order.status_before_dispute == "delivered"
    # Stripe repeating the fact does not overwrite where the order was.
    transitions.move(order, "disputed", trigger="dispute_opened")
    order.refresh_from_db()
    assert order.status_before_dispute == "delivered"


@pytest.mark.django_db
def test_the_first_history_row_and_notes_keep_the_status():
    order = OrderFactory(status="pending")
    created = transitions.record_created(order)
    assert (created.from_status, created.to_status, created.trigger) == ("", "pending", "checkout_started")
    assert created.reason == "buy form accepted, seat held"
    note = transitions.note(order, "Stripe is slow today")
    assert (note.from_status, note.to_status, note.trigger, note.reason) == (
        "pending",
        "pending",
        "note",
        "Stripe is slow today",
    )
