"""Concurrency with real threads and real transactions, on SQLite (file database, IMMEDIATE + WAL) and PostgreSQL.

Twelve simultaneous deliveries of one event fulfil the order once and send one
confirmation; two buyers racing for the last seat get one seat between them.
"""

import threading

import pytest
from django.db import connection
from django.test import Client

from offers.models import Order, OrderEvent, SentEmail, SlotHold, StripeEvent
from tests.checkout_helpers import confirmations_to, deliver, only_order, pay, post_buy
from tests.factories import offer_page

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("private_cache"),
]


def run_together(count, work):
    """Runs work(i) in `count` threads released at the same moment; returns results in order."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def target(index):
        try:
            barrier.wait(timeout=10)
            results[index] = work(index)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def test_twelve_simultaneous_deliveries_fulfil_once_and_send_one_confirmation(stripe_api):
    post_buy(Client(), offer_page())
    order = only_order()
    event = pay(stripe_api, order)

    statuses = run_together(12, lambda i: deliver(Client(), event).status_code)

    assert statuses == [200] * 12
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID
    assert OrderEvent.objects.filter(order=order, to_status=Order.Status.PAID).count() == 1
    assert StripeEvent.objects.count() == 1
    assert SentEmail.objects.filter(order=order, kind="order_confirmation").count() == 1
    assert len(confirmations_to("ada@example.com")) == 1


def test_two_buyers_racing_for_the_last_seat_get_one_seat(stripe_api):
    page = offer_page()
    package = page.package
    package.capacity_per_day = 1
    package.horizon_working_days = 1
    package.save()

    statuses = run_together(
        2,
        lambda i: post_buy(Client(), page, email=f"racer{i}@example.com", ip=f"198.51.100.{10 + i}").status_code,
    )

    assert sorted(statuses) == [303, 409]
    assert SlotHold.objects.count() == 1
    assert Order.objects.count() == 1
    assert len(stripe_api.sessions) == 1


def test_two_events_for_one_session_at_once_fulfil_once(stripe_api):
    post_buy(Client(), offer_page())
    order = only_order()
    event = pay(stripe_api, order)
    twin = stripe_api.make_event("checkout.session.completed", event["data"]["object"])

    run_together(2, lambda i: deliver(Client(), (event, twin)[i]).status_code)

    assert OrderEvent.objects.filter(order=order, to_status=Order.Status.PAID).count() == 1
    assert SentEmail.objects.filter(order=order, kind="order_confirmation").count() == 1


# The two tests below show on PostgreSQL that the guarantees come from the row lock and the
# unique constraint: with either removed, the same race double-fulfils or double-books.
# (SQLite serialises whole write transactions, so there the race cannot happen at all.)


@pytest.mark.postgres
def test_without_the_row_lock_two_events_would_fulfil_twice(stripe_api, monkeypatch):
    from offers.checkout import apply_session as fulfilment

    post_buy(Client(), offer_page())
    order = only_order()
    event = pay(stripe_api, order)
    twin = stripe_api.make_event("checkout.session.completed", event["data"]["object"])
    both_read = threading.Barrier(2)

    def lock_removed(session):
        found = Order.objects.get(stripe_session_id=session["id"])
        both_read.wait(timeout=10)
        return found

    monkeypatch.setattr(fulfilment, "_lock_order", lock_removed)
    run_together(2, lambda i: deliver(Client(), (event, twin)[i]).status_code)

    assert OrderEvent.objects.filter(order=order, to_status=Order.Status.PAID).count() == 2


def one_seat_offer_read_by_both_buyers(monkeypatch):
    """An offer with a single seat, where both buyers read the free seat before either takes it."""
    from offers.checkout import start as checkout

    page = offer_page()
    package = page.package
    package.capacity_per_day = 1
    package.horizon_working_days = 1
    package.save()
    both_read = threading.Barrier(2)
    original = checkout._first_free_seat

    def read_then_wait(*args):
        seats = original(*args)
        both_read.wait(timeout=10)
        return seats

    monkeypatch.setattr(checkout, "_first_free_seat", read_then_wait)
    # The package lock would keep the second buyer from reading at all: these tests show the constraint beneath it.
    monkeypatch.setattr(checkout, "_lock_package", lambda package: None)
    return page


@pytest.mark.postgres
def test_without_the_unique_constraint_two_buyers_would_share_the_last_seat(stripe_api, monkeypatch):
    from django.db import connection as conn

    page = one_seat_offer_read_by_both_buyers(monkeypatch)
    constraint = next(c for c in SlotHold._meta.constraints if c.name == "one_hold_per_seat")
    with conn.schema_editor() as editor:
        editor.remove_constraint(SlotHold, constraint)
    try:
        statuses = run_together(
            2,
            lambda i: post_buy(Client(), page, email=f"racer{i}@example.com", ip=f"198.51.100.{20 + i}").status_code,
        )
        assert statuses == [303, 303]
        assert SlotHold.objects.filter(seat=1).count() == 2
    finally:
        SlotHold.objects.all().delete()
        with conn.schema_editor() as editor:
            editor.add_constraint(SlotHold, constraint)


@pytest.mark.postgres
def test_with_the_unique_constraint_the_same_race_gives_one_seat(stripe_api, monkeypatch):
    page = one_seat_offer_read_by_both_buyers(monkeypatch)
    statuses = run_together(
        2,
        lambda i: post_buy(Client(), page, email=f"racer{i}@example.com", ip=f"198.51.100.{30 + i}").status_code,
    )
    assert sorted(statuses) == [303, 409]
    assert SlotHold.objects.count() == 1
