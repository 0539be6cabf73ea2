"""The guarantee's races with real threads and real transactions, on SQLite (file database) and PostgreSQL.

Two staff clicks on Refund at the same moment make one refund at Stripe; a
customer who accepts and asks for the refund at the same moment (two tabs)
gets exactly one of the two.
"""

import pytest
from django.test import Client

from offers.models import Order, OrderEvent, SentEmail
from tests.checkout_helpers import deliver, only_order, pay, post_buy, staff_user
from tests.factories import offer_page
from tests.guarantee_helpers import delivered, page_path
from tests.offers.checkout.test_checkout_concurrency import run_together

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("private_cache"),
]
S = Order.Status


def paid_order(stripe_api):
    post_buy(Client(), offer_page())
    order = only_order()
    assert deliver(Client(), pay(stripe_api, order)).status_code == 200
    return Order.objects.get(pk=order.pk)


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def two_staff_clicks_refund_once(stripe_api, django_user_model):
    order = delivered(paid_order(stripe_api))
    staff = staff_user(django_user_model, "view_order", "refund_order")
    clients = [logged_in(staff), logged_in(staff)]

    statuses = run_together(
        2, lambda i: clients[i].post(f"/admin/order/refund/{order.pk}/", {"amount": "full"}).status_code
    )

    assert statuses == [302, 302]
    order.refresh_from_db()
    assert order.status == S.REFUNDED
    assert [refund["amount"] for refund in stripe_api.refunds.values()] == [9000]
    assert order.amount_refunded == order.amount
    assert OrderEvent.objects.filter(order=order, to_status=S.REFUNDED).count() == 1
    assert SentEmail.objects.filter(order=order, kind="refund_issued").count() == 1


def accept_and_refund_at_once(stripe_api):
    order = delivered(paid_order(stripe_api))
    path = page_path(order)
    actions = ["accept", "refund"]

    statuses = run_together(2, lambda i: Client().post(path + f"{actions[i]}/", {"confirm": "yes"}).status_code)

    assert sorted(statuses) == [302, 409]
    order.refresh_from_db()
    winner = actions[statuses.index(302)]
    if winner == "accept":
        assert order.status == S.ACCEPTED
        assert stripe_api.refunds == {}
        assert not OrderEvent.objects.filter(order=order, to_status=S.REFUND_REQUESTED).exists()
    else:
        assert order.status == S.REFUNDED
        assert len(stripe_api.refunds) == 1
        assert not OrderEvent.objects.filter(order=order, to_status=S.ACCEPTED).exists()
        assert order.accepted_at is None


def test_two_staff_clicks_at_once_refund_once(stripe_api, django_user_model):
    two_staff_clicks_refund_once(stripe_api, django_user_model)


def test_accept_and_refund_at_once_exactly_one_wins(stripe_api):
    accept_and_refund_at_once(stripe_api)


# On PostgreSQL the writers really run side by side (SQLite serialises write transactions), and the
# test below shows that the row lock is what makes one of the two decisions lose there.


@pytest.mark.postgres
def test_without_the_row_lock_accept_and_refund_would_both_win(stripe_api, monkeypatch):
    import threading

    from offers.aftercare import guarantee

    order = delivered(paid_order(stripe_api))
    both_read = threading.Barrier(2)

    def lock_removed(order_pk):
        found = Order.objects.get(pk=order_pk)
        both_read.wait(timeout=10)
        return found

    monkeypatch.setattr(guarantee, "_lock", lock_removed)
    path = page_path(order)
    actions = ["accept", "refund"]
    statuses = run_together(2, lambda i: Client().post(path + f"{actions[i]}/", {"confirm": "yes"}).status_code)

    assert statuses == [302, 302]
    triggers = set(OrderEvent.objects.filter(order=order).values_list("trigger", flat=True))
    assert {"customer_accept", "customer_refund"} <= triggers
