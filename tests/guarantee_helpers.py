"""Helpers for the guarantee tests: a paid order through the Stripe test server, its order page, staff users."""

from django.contrib.auth.models import Group, Permission
from django.test import Client

from offers import emails, guarantee
from offers.models import Order
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


def staff_user(django_user_model, *codenames):
    user = django_user_model.objects.create_user(username=f"staff-{'-'.join(codenames) or 'none'}", password="pw")
    group = Group.objects.create(name=f"group-{user.username}")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for codename in codenames:
        group.permissions.add(Permission.objects.get(codename=codename, content_type__app_label="offers"))
    user.groups.add(group)
    return user
