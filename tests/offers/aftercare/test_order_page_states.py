"""The customer's order page says, in every state, where the order stands and what happens next; find my order."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from offers.aftercare import guarantee
from offers.models import Order
from tests.factories import OrderFactory
from tests.guarantee_helpers import page_path

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]
S = Order.Status


def in_state(status=None, **fields):
    order = OrderFactory(paid=True)
    Order.objects.filter(pk=order.pk).update(**({"status": status} if status else {}), **fields)
    return Order.objects.get(pk=order.pk)


def test_delivered_order_offers_the_decision_as_two_buttons_with_consequences_and_deadline(client):
    order = guarantee.deliver(OrderFactory(paid=True).pk, "https://demo.example/ada/", user=None)
    path = page_path(order)
    html = client.get(path).content.decode()
    buttons = re.findall(
        r'<form class="choice" method="get" action="([^"]+)">.*?<button[^>]*>([^<]+)</button>', html, re.S
    )
    assert buttons == [
        (path + "accept/", "I like it: include it in my website"),
        (path + "refund/", "I don't like it: refund me"),
    ]
    assert "You give up the refund." in html
    assert "You owe us nothing." in html
    assert 'class="decision__deadline"' in html
    assert order.refund_deadline.isoformat() in html


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({}, "What happens next"),
        ({"status": S.IN_PROGRESS}, "We are building your demo"),
        (
            {"status": S.REFUND_REQUESTED, "refund_kind": "guarantee", "refund_automatic": False},
            "We check your request",
        ),
        ({"status": S.REFUND_REQUESTED, "refund_kind": "withdrawal", "withdrawn_at": timezone.now()}, "You withdrew"),
        ({"status": S.REFUNDED, "amount_refunded": "90.00"}, "You have your money back"),
        ({"status": S.PARTIALLY_REFUNDED, "amount_refunded": "45.00"}, "Part of your payment is back"),
        ({"status": S.DISPUTED}, "Your bank is looking into this payment"),
        ({"status": S.NEEDS_REVIEW}, "We are checking your payment"),
        ({"status": S.EXPIRED}, "This order is not paid"),
        ({"delivery_deadline": timezone.now() - timedelta(hours=1)}, "We missed the delivery deadline"),
    ],
)
def test_order_page_says_where_the_order_stands_in_every_state(client, fields, says):
    order = in_state(**fields)
    html = client.get(page_path(order)).content.decode()
    assert says in html
    assert '<dl class="details">' in html
    assert f'status-badge--{order.status}"' in html


def test_refunded_amount_is_shown_as_money(client):
    order = in_state(S.PARTIALLY_REFUNDED, amount_refunded="45.00")
    assert "We refunded €45.00" in client.get(page_path(order)).content.decode()


def test_find_my_order_answers_a_visit_with_its_form(client):
    response = client.get("/orders/resend/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<form class="resend-form" method="post" action="/orders/resend/">' in html
    assert 'type="email" name="email"' in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_find_my_order_is_linked_from_every_page_footer(client):
    assert '<a href="/orders/resend/">Find my order</a>' in client.get("/orders/resend/").content.decode()
    assert '<a href="/orders/resend/">Find my order</a>' in client.get("/no-such-page/").content.decode()


def test_find_my_order_asked_too_often_says_when_to_try_again(client):
    for _ in range(5):
        client.post("/orders/resend/", {"email": "ada@example.com"})
    response = client.post("/orders/resend/", {"email": "ada@example.com"})
    assert response.status_code == 429
    assert "Please try again in an hour" in response.content.decode()
