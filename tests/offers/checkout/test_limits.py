"""Limits that stop a bot holding every seat without turning real buyers away."""

import pytest

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
    assert statuses == [303] * 5 + [429]


def test_the_limit_page_says_when_to_try_again(client, offer, stripe_api):
    for n in range(5):
        post_buy_direct(client, offer, email=f"buyer{n}@example.com")
    response = post_buy_direct(client, offer, email="late@example.com")
    html = response.content.decode()
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 600
    assert "try again after" in html
    assert "Nothing was charged" in html
