"""Limits that stop a bot holding every seat without turning real buyers away."""

import pytest
from django.test import Client

from offers.models import Order
from tests.checkout_helpers import BUYER, buy_url
from tests.checkout_helpers import post_buy as post_buy_direct
from tests.factories import offer_page

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]


@pytest.fixture
def offer():
    page = offer_page()
    page.package.capacity_per_day = 50
    page.package.save()
    return page


def post_buy(client, offer, forwarded, **overrides):
    """A submission through the TLS proxy: nginx connects from loopback and appends the visitor's address."""
    data = {key: value for key, value in {**BUYER, **overrides}.items() if value is not None}
    return client.post(buy_url(offer), data, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


def test_form_errors_do_not_count_against_the_visitor(client, offer, stripe_api):
    for _ in range(8):
        assert post_buy_direct(client, offer, accept_terms=None).status_code == 400
    assert post_buy_direct(client, offer).status_code == 303


def test_eight_visitors_behind_the_proxy_can_each_buy(client, offer, stripe_api, behind_proxy):
    statuses = [
        post_buy(client, offer, f"198.51.100.{n}", email=f"buyer{n}@example.com").status_code for n in range(1, 9)
    ]
    assert statuses == [303] * 8
    assert Order.objects.count() == 8


def test_a_visitor_forging_forwarded_entries_is_still_limited(client, offer, stripe_api, behind_proxy):
    statuses = [
        post_buy(client, offer, f"10.9.9.{n}, 203.0.113.50", email=f"bot{n}@example.com").status_code for n in range(6)
    ]
    assert statuses == [303] * 3 + [429] * 3


def test_the_limit_page_says_when_to_try_again(client, offer, stripe_api):
    for n in range(3):
        post_buy_direct(client, offer, email=f"buyer{n}@example.com")
    response = post_buy_direct(client, offer, email="late@example.com")
    html = response.content.decode()
    assert response.status_code == 429
    # When the first of the visitor's unpaid seats is released (the Checkout Session's lifetime).
    assert 30 * 60 <= int(response["Retry-After"]) <= 33 * 60
    assert "try again after" in html
    assert "Nothing was charged" in html


def test_the_cache_limit_counts_holds_per_visitor_per_window(client, offer, stripe_api, settings):
    """Five holds in ten minutes per visitor, even when earlier ones were paid or released."""
    for n in range(5):
        assert post_buy_direct(client, offer, email=f"buyer{n}@example.com").status_code == 303
        Order.objects.filter(customer_email=f"buyer{n}@example.com").update(status=Order.Status.EXPIRED)
    response = post_buy_direct(client, offer, email="sixth@example.com")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 600


def test_one_email_address_holds_at_most_two_unpaid_seats(offer, stripe_api):
    # Three browsers at three addresses, one e-mail address.
    statuses = [post_buy_direct(Client(), offer, ip=f"198.51.100.{n}").status_code for n in range(1, 4)]
    assert statuses == [303, 303, 429]


def test_a_day_takes_at_most_half_its_seats_in_unpaid_holds(client, offer, stripe_api):
    offer.package.capacity_per_day = 4
    offer.package.save()
    for n in range(1, 4):
        assert post_buy_direct(client, offer, email=f"b{n}@example.com", ip=f"198.51.100.{n}").status_code == 303
    first, second, third = Order.objects.order_by("pk").values_list("slot_date", flat=True)
    assert first == second
    assert third > second  # the other two seats of the first day stay for buyers who pay


def test_when_every_seat_is_held_unpaid_the_offer_says_when_to_try_again(client, offer, stripe_api):
    offer.package.capacity_per_day = 1
    offer.package.horizon_working_days = 2
    offer.package.save()
    for n in range(1, 3):
        assert post_buy_direct(client, offer, email=f"b{n}@example.com", ip=f"198.51.100.{n}").status_code == 303
    html = client.get(offer.url).content.decode()
    assert "try again after" in html
    assert "fully booked" not in html


def test_staff_hear_when_unpaid_holds_pile_up(
    client, offer, stripe_api, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.UNPAID_HOLDS_ALERT = 3
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(1, 5):
            post_buy_direct(client, offer, email=f"b{n}@example.com", ip=f"198.51.100.{n}")
    alerts = [m for m in mailoutbox if "Unpaid holds are piling up" in m.subject]
    assert len(alerts) == 1  # once, not per hold
