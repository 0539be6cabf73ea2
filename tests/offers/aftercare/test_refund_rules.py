"""The refund rules with the dates and amounts written out: the guarantee's window, the statutory withdrawal
period counted from payment, a missed delivery deadline, and what each kind of refund returns."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from offers.aftercare import refunds
from offers.models.orders import Order

BERLIN = ZoneInfo("Europe/Berlin")
UTC = ZoneInfo("UTC")


def berlin(*args):
    return datetime(*args, tzinfo=BERLIN)


def order(**fields):
    defaults = {
        "amount": Decimal("90.00"),
        "currency": "EUR",
        "status": "paid",
        "refund_percentage": 100,
        "created_at": berlin(2026, 11, 20, 12, 0),
        "paid_at": berlin(2026, 12, 1, 9, 0),
        "delivery_deadline": berlin(2026, 12, 2, 17, 0),
    }
    return Order(**{**defaults, **fields})


def test_the_guarantee_window_ends_at_midnight_berlin_n_calendar_days_after_delivery():
    assert refunds.refund_deadline(berlin(2026, 12, 1, 10, 0), 14) == berlin(2026, 12, 15, 23, 59, 59)
    # Delivered at 00:30 Berlin on 1 December (still 30 November in UTC): counted from 1 December.
    assert refunds.refund_deadline(datetime(2026, 11, 30, 23, 30, tzinfo=UTC), 7) == berlin(2026, 12, 8, 23, 59, 59)
    # Across the change to summer time the deadline is still 23:59:59 local, now at +02:00.
    deadline = refunds.refund_deadline(berlin(2026, 3, 20, 16, 0), 14)
    assert deadline == berlin(2026, 4, 3, 23, 59, 59)
    assert deadline.utcoffset() == timedelta(hours=2)


def test_a_refund_may_be_asked_for_until_the_last_second_of_the_window():
    deadline = berlin(2026, 12, 15, 23, 59, 59)
    delivered = order(status="delivered", refund_deadline=deadline)
    assert refunds.in_refund_window(delivered, now=deadline)
    assert not refunds.in_refund_window(delivered, now=deadline + timedelta(seconds=1))
    assert not refunds.in_refund_window(order(refund_deadline=None), now=deadline)


def test_the_withdrawal_period_is_fourteen_days_from_the_payment_not_from_the_order_or_delivery():
    paid = order(created_at=berlin(2026, 11, 20, 12, 0), paid_at=berlin(2026, 12, 1, 9, 0))
    assert refunds.withdrawal_deadline(paid) == berlin(2026, 12, 15, 23, 59, 59)
    # An order without a payment time (an old record) counts from its creation.
    assert refunds.withdrawal_deadline(order(paid_at=None)) == berlin(2026, 12, 4, 23, 59, 59)


def test_withdrawal_is_open_until_the_deadline_while_work_has_not_been_delivered():
    last_second = berlin(2026, 12, 15, 23, 59, 59)
    assert refunds.can_withdraw(order(status="paid"), now=last_second)
    assert refunds.can_withdraw(order(status="in_progress"), now=last_second)
    assert not refunds.can_withdraw(order(status="paid"), now=last_second + timedelta(seconds=1))
    assert not refunds.can_withdraw(order(status="delivered", delivered_at=berlin(2026, 12, 2, 12, 0)), now=last_second)
    # Delivered while the status has not moved yet: the right has ended all the same.
    assert not refunds.can_withdraw(
        order(status="in_progress", delivered_at=berlin(2026, 12, 2, 12, 0)), now=last_second
    )
    for status in ("pending", "accepted", "refund_requested", "refunded", "disputed"):
        assert not refunds.can_withdraw(order(status=status), now=berlin(2026, 12, 2, 9, 0)), status


def test_a_delivery_deadline_counts_as_missed_only_once_it_has_passed_undelivered():
    deadline = berlin(2026, 12, 2, 17, 0)
    assert not refunds.deadline_missed(order(status="paid"), now=deadline)
    assert refunds.deadline_missed(order(status="paid"), now=deadline + timedelta(seconds=1))
    assert refunds.deadline_missed(order(status="in_progress"), now=deadline + timedelta(seconds=1))
    late = deadline + timedelta(hours=1)
    assert not refunds.deadline_missed(order(status="delivered", delivered_at=berlin(2026, 12, 2, 16, 0)), now=late)
    assert not refunds.deadline_missed(order(status="in_progress", delivered_at=berlin(2026, 12, 2, 16, 0)), now=late)
    assert not refunds.deadline_missed(order(status="accepted"), now=late)


def test_what_is_left_to_refund_after_partial_and_full_refunds():
    assert refunds.amount_left(order()) == Decimal("90.00")
    assert refunds.amount_left(order(amount_refunded=Decimal("30.00"))) == Decimal("60.00")
    assert refunds.amount_left(order(amount_refunded=Decimal("90.00"))) == Decimal("0")
    # Stripe took a different amount (an order in review): what it took is what can go back.
    assert refunds.amount_paid(order(amount_paid=Decimal("100.00"))) == Decimal("100.00")
    assert refunds.amount_left(order(amount_paid=Decimal("100.00"), amount_refunded=Decimal("90.00"))) == Decimal(
        "10.00"
    )
    # Never negative, even when more came back (a dispute lost on top of a refund).
    assert refunds.amount_left(order(amount_refunded=Decimal("120.00"))) == Decimal("0")


@pytest.mark.parametrize(
    ("percentage", "amount", "refunded", "expected"),
    [
        (100, "90.00", "0", "90.00"),
        (50, "90.00", "0", "45.00"),
        (33, "90.01", "0", "29.70"),  # 29.7033 rounded down: never more than the policy says
        (50, "90.00", "60.00", "30.00"),  # no more than is left
        (0, "90.00", "0", "0.00"),
    ],
)
def test_a_guarantee_refund_returns_the_policys_share_rounded_down(percentage, amount, refunded, expected):
    guarantee = order(refund_percentage=percentage, amount=Decimal(amount), amount_refunded=Decimal(refunded))
    assert refunds.policy_amount(guarantee, refunds.GUARANTEE) == Decimal(expected)


def test_a_withdrawal_or_a_missed_deadline_returns_everything_left_whatever_the_policy():
    half_policy = order(refund_percentage=50, amount_refunded=Decimal("10.00"))
    assert refunds.policy_amount(half_policy, refunds.WITHDRAWAL) == Decimal("80.00")
    assert refunds.policy_amount(half_policy, refunds.MISSED_DEADLINE) == Decimal("80.00")
    assert refunds.policy_amount(half_policy, refunds.STAFF) == Decimal("45.00")
    assert refunds.policy_amount(half_policy, refunds.STAFF, full=True) == Decimal("80.00")
