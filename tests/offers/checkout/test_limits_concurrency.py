"""The unpaid-hold limits under simultaneous submissions, with real threads and transactions on PostgreSQL."""

import pytest
from django.test import Client

from offers.models import Order, SlotHold
from tests.checkout_helpers import post_buy
from tests.factories import offer_page
from tests.offers.checkout.test_checkout_concurrency import run_together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("private_cache"),
]


def test_six_simultaneous_submissions_from_one_visitor_hold_three_seats(stripe_api):
    page = offer_page()
    page.package.capacity_per_day = 50
    page.package.save()

    statuses = run_together(6, lambda i: post_buy(Client(), page, email=f"bot{i}@example.com").status_code)

    assert sorted(statuses) == [303] * 3 + [429] * 3
    assert SlotHold.objects.count() == 3


def test_simultaneous_buyers_hold_at_most_half_of_a_day_unpaid(stripe_api):
    page = offer_page()
    page.package.capacity_per_day = 4
    page.package.horizon_working_days = 1
    page.package.save()

    statuses = run_together(
        5,
        lambda i: post_buy(Client(), page, email=f"buyer{i}@example.com", ip=f"198.51.100.{40 + i}").status_code,
    )

    assert sorted(statuses) == [303] * 2 + [409] * 3
    assert Order.objects.filter(slot_hold__isnull=False).count() == 2
