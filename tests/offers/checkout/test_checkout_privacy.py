"""No personal data to a stranger: a pending checkout belongs to the browser that started it."""

import pytest
from django.test import Client

from offers.models import Order
from tests.checkout_helpers import BUYER, deliver, pay, post_buy
from tests.factories import offer_page

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]


@pytest.fixture
def offer():
    return offer_page()


def test_someone_else_typing_the_buyers_email_gets_a_checkout_of_their_own(offer, stripe_api):
    buyer, stranger = Client(), Client()
    first = post_buy(buyer, offer)
    second = post_buy(stranger, offer, ip="198.51.100.66")
    assert first.status_code == second.status_code == 303
    assert first["Location"] != second["Location"]
    assert Order.objects.count() == 2


def test_the_same_browser_submitting_again_keeps_its_checkout(offer, stripe_api):
    buyer = Client()
    first, second = post_buy(buyer, offer), post_buy(buyer, offer)
    assert first["Location"] == second["Location"]
    assert Order.objects.count() == 1


def test_the_marker_is_sent_only_to_the_checkout_paths(offer, stripe_api):
    response = post_buy(Client(), offer)
    paths = {name: response.cookies[name]["path"] for name in ("checkout_started", "checkout_return")}
    assert paths == {"checkout_started": offer.url + "buy/", "checkout_return": "/checkout/return/"}
    assert response.cookies["checkout_return"]["httponly"]
    # What it holds is signed order ids, nothing a person could be recognised by.
    assert BUYER["email"] not in response.cookies["checkout_return"].value


def test_return_page_in_another_browser_shows_nothing_personal(offer, stripe_api):
    buyer = Client()
    post_buy(buyer, offer)
    order = Order.objects.get()
    deliver(Client(), pay(stripe_api, order))
    url = f"/checkout/return/?session_id={order.stripe_session_id}"

    own = buyer.get(url).content.decode()
    assert order.reference in own
    assert BUYER["email"] in own

    other = Client(REMOTE_ADDR="198.51.100.77").get(url)
    html = other.content.decode()
    assert other.status_code == 200
    assert "Payment received" in html
    assert "The link to your order is in your e-mail" in html
    for personal in (order.reference, BUYER["email"], "Ada", f"{order.slot_date:%B}"):
        assert personal not in html, personal


def test_a_tampered_marker_counts_as_no_marker(offer, stripe_api):
    buyer = Client()
    post_buy(buyer, offer)
    order = Order.objects.get()
    stranger = Client()
    stranger.cookies["checkout_return"] = buyer.cookies["checkout_return"].value[:-2] + "xx"
    html = stranger.get(f"/checkout/return/?session_id={order.stripe_session_id}").content.decode()
    assert order.reference not in html
