"""Concurrency with real threads and real transactions, on SQLite (file database, IMMEDIATE + WAL) and PostgreSQL.

Twelve simultaneous deliveries of one event fulfil the order once and send one
confirmation; two buyers racing for the last seat get one seat between them.
"""

import threading

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from offers.models import Order, OrderEvent, SentEmail, SlotHold, StripeEvent
from tests.checkout_helpers import confirmations_to, deliver, only_order, pay, post_buy
from tests.factories import agency_settings_missing, offer_page

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _clean_cache_and_templates(settings):
    cache.clear()
    if agency_settings_missing():
        options = settings.TEMPLATES[0]["OPTIONS"]
        settings.TEMPLATES = [
            {
                **settings.TEMPLATES[0],
                "OPTIONS": {
                    **options,
                    "context_processors": [
                        p for p in options["context_processors"] if not p.startswith("wagtail.contrib.settings")
                    ],
                },
            }
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
