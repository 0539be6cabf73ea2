"""Cards only, as a rule: the seat is a booked workday and delayed methods settle days later.

A completed session that is not paid (only a delayed method does that) is never fulfilled silently: staff
are alerted and the order shows it.
"""

import pytest
from django.core import mail

from offers.checkout import start
from offers.models import Order
from tests.checkout_helpers import deliver, only_order, post_buy
from tests.factories import offer_page

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]


@pytest.fixture
def pending(client, stripe_api):
    post_buy(client, offer_page())
    return only_order()


def test_checkout_offers_cards_only(pending, stripe_api):
    assert start.IMMEDIATE_PAYMENT_METHODS == ["card"]
    assert stripe_api.session_params[pending.stripe_session_id]["allowed_payment_method_types"] == ["card"]


def test_a_completed_unpaid_session_alerts_staff_once_and_shows_on_the_order(
    client, pending, stripe_api, django_capture_on_commit_callbacks
):
    session = stripe_api.complete_session(pending.stripe_session_id, payment_status="unpaid")
    event = stripe_api.make_event("checkout.session.completed", session)
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(client, event).status_code == 200
        assert deliver(client, stripe_api.make_event("checkout.session.completed", session)).status_code == 200
    order = Order.objects.get(pk=pending.pk)
    assert order.status == Order.Status.PENDING
    [row] = order.history.filter(trigger="completed_unpaid")
    assert "takes cards only" in row.reason
    alerts = [m for m in mail.outbox if "needs review" in m.subject.lower()]
    assert len(alerts) == 1


def test_a_delayed_payment_that_succeeds_later_is_fulfilled(client, pending, stripe_api):
    session = stripe_api.complete_session(pending.stripe_session_id, payment_status="unpaid")
    deliver(client, stripe_api.make_event("checkout.session.completed", session))
    paid = stripe_api.pay_later(pending.stripe_session_id)
    assert deliver(client, stripe_api.make_event("checkout.session.async_payment_succeeded", paid)).status_code == 200
    assert Order.objects.get(pk=pending.pk).status == Order.Status.PAID


def test_a_delayed_payment_that_fails_is_recorded_for_staff(
    client, pending, stripe_api, django_capture_on_commit_callbacks
):
    session = stripe_api.complete_session(pending.stripe_session_id, payment_status="unpaid")
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, stripe_api.make_event("checkout.session.async_payment_failed", session))
    order = Order.objects.get(pk=pending.pk)
    assert order.status == Order.Status.PENDING
    assert order.history.filter(trigger="async_payment_failed").exists()
