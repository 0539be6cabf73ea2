"""Helpers shared by the checkout tests: buying through the form, delivering signed webhook events."""

import json

from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.test import Client

from offers.demo import DEMO_TERMS_VERSION
from offers.models import Order
from tests.conftest_stripe import WEBHOOK_SECRET
from tests.fakes.stripe_server import sign_webhook

BUYER = {
    "name": "Ada Lovelace",
    "email": "ada@example.com",
    "company": "Analytical Engines Ltd",
    "brief_business": "We build engines that compute.",
    "brief_existing_site": "https://engines.example",
    "brief_goals": "A home page and a contact page.",
    "brief_style": "Calm, lots of white space.",
    "accept_terms": "on",
    "express_start": "on",
    "website": "",
}


def buy_url(page):
    return page.url + "buy/"


def post_buy(client, page, ip="203.0.113.7", **overrides):
    data = {**BUYER, **overrides}
    data = {key: value for key, value in data.items() if value is not None}
    return client.post(buy_url(page), data, REMOTE_ADDR=ip)


def deliver(client, event, secret=WEBHOOK_SECRET, timestamp=None):
    """POSTs `event` to the webhook signed as Stripe signs it."""
    payload = json.dumps(event).encode()
    return client.post(
        "/stripe/webhook/",
        payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign_webhook(payload, secret, timestamp=timestamp),
    )


def pay(stripe_server, order, **kwargs):
    """The buyer pays at Stripe; returns the `checkout.session.completed` event Stripe would send."""
    session = stripe_server.complete_session(order.stripe_session_id, **kwargs)
    return stripe_server.make_event("checkout.session.completed", session)


def confirmations_to(address):
    return [m for m in mail.outbox if address in m.to and "Your order" in m.subject]


def fresh_client():
    return Client(REMOTE_ADDR="198.51.100.1")


def orders_made_here():
    """Orders the test made: the demo content's invented sales (when a test loads it) left out."""
    return Order.objects.exclude(terms_version=DEMO_TERMS_VERSION)


def only_order():
    orders = list(orders_made_here())
    assert len(orders) == 1, orders
    return orders[0]


def staff_user(django_user_model, *codenames):
    """A Wagtail admin user holding exactly the given offers permissions."""
    user = django_user_model.objects.create_user(username=f"staff-{'-'.join(codenames) or 'none'}", password="pw")
    group = Group.objects.create(name=f"group-{user.username}")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for codename in codenames:
        group.permissions.add(Permission.objects.get(codename=codename, content_type__app_label="offers"))
    user.groups.add(group)
    return user
