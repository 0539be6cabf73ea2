"""Stripe keys and events never cross databases: a restored backup or a staging site on the same Stripe account
repeats our order references, so neither an idempotency key nor an event may rest on a reference."""

import uuid

import pytest

from offers.models import Order, StripeEvent
from offers.payments import stripe_client
from tests.checkout_helpers import deliver, only_order, post_buy
from tests.factories import offer_page

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]


@pytest.fixture
def pending(client, stripe_api):
    post_buy(client, offer_page())
    return only_order()


def other_databases_session(stripe_api, order, token):
    """A paid session that another database made for an order with the same reference as `order`."""
    from offers.checkout import start

    params = start.session_params(order, order.offer_page)
    params["metadata"] = {**params["metadata"], "order_token": str(token)}
    session = stripe_client.create_checkout_session(params, f"{token}:checkout-session:1")
    return stripe_api.complete_session(session["id"])


def test_every_key_starts_with_the_orders_random_token_never_its_reference(client, pending, stripe_api):
    post_buy(client, pending.offer_page, email="grace@example.com", ip="198.51.100.2")
    first, second = Order.objects.order_by("pk")
    keys = [call["headers"]["Idempotency-Key"] for call in stripe_api.calls("POST")]
    assert keys == [f"{first.payment_token}:checkout-session:1", f"{second.payment_token}:checkout-session:1"]
    assert first.payment_token != second.payment_token
    assert not any(order.reference in key for key in keys for order in (first, second))


def test_the_session_carries_the_random_order_token_for_events_to_match(pending, stripe_api):
    metadata = stripe_api.session_params[pending.stripe_session_id]["metadata"]
    assert metadata["order_token"] == str(pending.payment_token)
    assert "order_id" not in metadata  # a sequential number repeats on the other database too


def test_an_event_of_another_database_with_our_reference_changes_nothing_here(client, pending, stripe_api):
    Order.objects.filter(pk=pending.pk).update(stripe_session_id=None)  # as if our process died before storing it
    session = other_databases_session(stripe_api, pending, uuid.uuid4())
    assert session["client_reference_id"] == pending.reference
    event = stripe_api.make_event("checkout.session.completed", session)
    assert deliver(client, event).status_code == 200
    order = Order.objects.get(pk=pending.pk)
    assert order.status == Order.Status.PENDING
    assert order.stripe_session_id is None
    assert StripeEvent.objects.get(stripe_id=event["id"]).outcome.startswith("no order for")


def test_an_event_with_our_token_finds_the_order_whose_session_id_was_never_stored(client, pending, stripe_api):
    Order.objects.filter(pk=pending.pk).update(stripe_session_id=None)
    session = other_databases_session(stripe_api, pending, pending.payment_token)
    assert deliver(client, stripe_api.make_event("checkout.session.completed", session)).status_code == 200
    order = Order.objects.get(pk=pending.pk)
    assert order.status == Order.Status.PAID
    assert order.stripe_session_id == session["id"]


def test_a_forged_token_is_no_match_and_no_error(client, pending, stripe_api):
    Order.objects.filter(pk=pending.pk).update(stripe_session_id=None)
    session = other_databases_session(stripe_api, pending, uuid.uuid4())
    session["metadata"]["order_token"] = "not-a-uuid"
    assert deliver(client, stripe_api.make_event("checkout.session.completed", session)).status_code == 200
    assert Order.objects.get(pk=pending.pk).status == Order.Status.PENDING
