"""Helpers for the guarantee tests: a paid order through the Stripe test server, its order page, staff users."""

from django.test import Client

from offers.aftercare import guarantee
from offers.models import Order
from offers.orders import emails
from tests.checkout_helpers import deliver, only_order, pay, post_buy
from tests.factories import offer_page


def buy_and_pay(stripe_api, capture, **page_kwargs):
    """A paid order: bought through the form, paid at the Stripe test server, fulfilled by the signed webhook."""
    client = Client()
    post_buy(client, offer_page(**page_kwargs))
    order = only_order()
    with capture(execute=True):
        assert deliver(client, pay(stripe_api, order)).status_code == 200
    order = Order.objects.get(pk=order.pk)
    assert order.status == Order.Status.PAID
    return order


def page_path(order):
    """/orders/<signed token>/ of the order."""
    url = emails.order_page_url(order)
    return url[url.index("/orders/") :]


def delivered(order, staff=None, now=None, url="https://demo.example/ada/"):
    return guarantee.deliver(order.pk, url, user=staff, now=now)


def offline_paid_and_delivered(client, settings, capture):
    """Offline payment mode (as in `make run`): an order bought, paid on the stand-in page and delivered."""
    from tests.checkout_helpers import only_order, post_buy

    settings.STRIPE_OFFLINE = True
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = ""
    post_buy(client, offer_page())
    order = only_order()
    with capture(execute=True):
        client.post(f"/checkout/offline/{order.stripe_session_id}/")
    return delivered(Order.objects.get(pk=order.pk))


def send(client, stripe_api, type, obj, capture):
    """Stripe sends a signed `type` event about `obj`; its after-commit work runs. Returns (response, event)."""
    from tests.checkout_helpers import deliver as deliver_event

    event = stripe_api.make_event(type, obj)
    with capture(execute=True):
        response = deliver_event(client, event)
    return response, event
