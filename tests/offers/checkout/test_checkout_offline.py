"""Offline payment mode: the whole purchase without Stripe, through the same signed-webhook path."""

import pytest

from offers.models import Order, StripeEvent
from offers.payments import stripe_client
from tests.checkout_helpers import confirmations_to, only_order, post_buy
from tests.factories import offer_page

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _offline(settings, private_cache):
    settings.STRIPE_OFFLINE = True
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = ""


def test_offline_purchase_end_to_end(client, django_capture_on_commit_callbacks):
    response = post_buy(client, offer_page())
    order = only_order()
    assert response.status_code == 303
    assert response["Location"] == f"http://testserver/checkout/offline/{order.stripe_session_id}/"

    payment_page = client.get(f"/checkout/offline/{order.stripe_session_id}/")
    assert payment_page.status_code == 200
    assert "Test mode" in payment_page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        paid = client.post(f"/checkout/offline/{order.stripe_session_id}/")
    assert paid.status_code == 303
    assert paid["Location"] == f"http://testserver/checkout/return/?session_id={order.stripe_session_id}"

    thanks = client.get(f"/checkout/return/?session_id={order.stripe_session_id}")
    assert "Thank you" in thanks.content.decode()
    order = Order.objects.get(pk=order.pk)
    assert order.status == Order.Status.PAID
    event = StripeEvent.objects.get(type="checkout.session.completed")
    assert event.processed_at is not None
    assert len(confirmations_to("ada@example.com")) == 1


def test_offline_events_are_signed_and_verified_like_stripe_ones(client):
    post_buy(client, offer_page())
    order = only_order()
    forged = client.post(
        "/stripe/webhook/",
        b'{"id": "evt_x", "object": "event", "type": "checkout.session.completed"}',
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE="t=1,v1=00",
    )
    assert forged.status_code == 400
    assert stripe_client.webhook_secret().startswith("whsec_offline_")
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING


def test_offline_refund_never_exceeds_the_payment(client):
    from offers.payments import offline

    post_buy(client, offer_page())
    order = only_order()
    client.post(f"/checkout/offline/{order.stripe_session_id}/")
    order = Order.objects.get(pk=order.pk)
    stripe_client.create_refund(order.stripe_payment_intent_id, 4500, "r1")
    with pytest.raises(stripe_client.PaymentProviderError):
        stripe_client.create_refund(order.stripe_payment_intent_id, 4501, "r2")
    assert [r["amount"] for r in stripe_client.list_refunds(order.stripe_payment_intent_id)] == [4500]
    assert offline.OfflineBackend().retrieve_payment_intent(order.stripe_payment_intent_id)["amount_refunded"] == 4500


def test_offline_page_does_not_exist_when_offline_mode_is_off(client, settings):
    settings.STRIPE_OFFLINE = False
    assert client.get("/checkout/offline/cs_offline_x/").status_code == 404
