"""The Stripe-compatible test server behaves like Stripe where our code depends on it.

Driven through the official `stripe` library over real HTTP, as the site does.
"""

import json
import time

import pytest
import requests
import stripe

from tests.fakes.stripe_server import sign_webhook


def client_for(server, timeout=2, retries=0, key=None):
    return stripe.StripeClient(
        key or server.api_key,
        base_addresses={"api": server.base_url},
        max_network_retries=retries,
        http_client=stripe.RequestsClient(timeout=timeout),
    )


def session_params(server, **overrides):
    params = {
        "mode": "payment",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {"currency": "eur", "unit_amount": 9000, "product_data": {"name": "Demo website"}},
            }
        ],
        "customer_email": "ada@example.com",
        "client_reference_id": "DEMO-2026-000001",
        "metadata": {"order": "DEMO-2026-000001"},
        "expires_at": server.now() + 32 * 60,
        "success_url": "http://testserver/checkout/return/?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": "http://testserver/offers/demo/?cancelled=1",
        "billing_address_collection": "required",
        "tax_id_collection": {"enabled": True},
        "invoice_creation": {"enabled": True, "invoice_data": {"footer": "VAT exempt"}},
        "allowed_payment_method_types": ["card"],
    }
    params.update(overrides)
    return params


def test_session_is_created_with_amount_currency_metadata_and_kept(stripe_server):
    client = client_for(stripe_server)
    session = client.v1.checkout.sessions.create(session_params(stripe_server))
    assert session.id.startswith("cs_test_")
    assert session.amount_total == 9000
    assert session.currency == "eur"
    assert session.metadata["order"] == "DEMO-2026-000001"
    assert session.status == "open"
    assert session.url.endswith(session.id)
    again = client.v1.checkout.sessions.retrieve(session.id)
    assert again.id == session.id
    assert stripe_server.session_params[session.id]["line_items"][0]["price_data"]["unit_amount"] == "9000"


def test_unknown_parameter_is_refused_like_stripe(stripe_server):
    client = client_for(stripe_server)
    with pytest.raises(stripe.InvalidRequestError) as top:
        client.v1.checkout.sessions.create(session_params(stripe_server, colour="red"))
    assert top.value.code == "parameter_unknown"
    assert top.value.param == "colour"
    assert top.value.http_status == 400
    nested = session_params(stripe_server)
    nested["line_items"][0]["price_data"]["discount"] = 5
    with pytest.raises(stripe.InvalidRequestError) as inner:
        client.v1.checkout.sessions.create(nested)
    assert inner.value.code == "parameter_unknown"
    assert inner.value.param == "line_items[0][price_data][discount]"
    assert not stripe_server.sessions


def test_missing_required_nested_parameter_is_refused(stripe_server):
    params = session_params(stripe_server)
    del params["line_items"][0]["price_data"]["currency"]
    with pytest.raises(stripe.InvalidRequestError) as error:
        client_for(stripe_server).v1.checkout.sessions.create(params)
    assert error.value.code == "parameter_missing"


def test_expires_at_must_be_between_30_minutes_and_24_hours(stripe_server):
    client = client_for(stripe_server)
    for expires_at in (stripe_server.now() + 29 * 60, stripe_server.now() + 24 * 3600 + 60):
        with pytest.raises(stripe.InvalidRequestError) as error:
            client.v1.checkout.sessions.create(session_params(stripe_server, expires_at=expires_at))
        assert error.value.param == "expires_at"
    assert client.v1.checkout.sessions.create(session_params(stripe_server, expires_at=stripe_server.now() + 31 * 60))


def test_repeated_idempotency_key_replays_the_first_session(stripe_server):
    client = client_for(stripe_server)
    params = session_params(stripe_server)
    first = client.v1.checkout.sessions.create(params, {"idempotency_key": "order-1-attempt-1"})
    second = client.v1.checkout.sessions.create(params, {"idempotency_key": "order-1-attempt-1"})
    assert first.id == second.id
    assert len(stripe_server.sessions) == 1
    assert stripe_server.calls("POST")[-1]["headers"]["Idempotency-Key"] == "order-1-attempt-1"


def test_idempotency_key_reused_with_other_parameters_is_refused(stripe_server):
    client = client_for(stripe_server)
    client.v1.checkout.sessions.create(session_params(stripe_server), {"idempotency_key": "k1"})
    with pytest.raises(stripe.IdempotencyError):
        client.v1.checkout.sessions.create(
            session_params(stripe_server, customer_email="eve@example.com"), {"idempotency_key": "k1"}
        )
    assert len(stripe_server.sessions) == 1


def test_wrong_or_missing_key_is_refused(stripe_server):
    with pytest.raises(stripe.AuthenticationError):
        client_for(stripe_server, key="sk_test_wrong").v1.checkout.sessions.create(session_params(stripe_server))
    response = requests.post(f"{stripe_server.base_url}/v1/checkout/sessions", data={"mode": "payment"}, timeout=2)
    assert response.status_code == 401
    assert response.json()["error"]["type"] == "invalid_request_error"


def test_completed_session_has_payment_intent_and_charge(stripe_server):
    client = client_for(stripe_server)
    session = client.v1.checkout.sessions.create(session_params(stripe_server))
    stripe_server.complete_session(session.id)
    paid = client.v1.checkout.sessions.retrieve(session.id)
    assert paid.status == "complete"
    assert paid.payment_status == "paid"
    assert paid.invoice.startswith("in_test_")
    intent = client.v1.payment_intents.retrieve(paid.payment_intent)
    assert intent.amount_received == 9000
    charge = client.v1.charges.retrieve(intent.latest_charge)
    assert charge.amount == 9000


def test_expire_closes_an_open_session_only(stripe_server):
    client = client_for(stripe_server)
    session = client.v1.checkout.sessions.create(session_params(stripe_server))
    assert client.v1.checkout.sessions.expire(session.id).status == "expired"
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.checkout.sessions.expire(session.id)


def test_session_past_its_expiry_reads_as_expired(stripe_server):
    client = client_for(stripe_server)
    session = client.v1.checkout.sessions.create(session_params(stripe_server))
    stripe_server.advance(33 * 60)
    assert client.v1.checkout.sessions.retrieve(session.id).status == "expired"


def test_refunds_never_exceed_what_is_left(stripe_server):
    client = client_for(stripe_server)
    session = client.v1.checkout.sessions.create(session_params(stripe_server))
    paid = stripe_server.complete_session(session.id)
    partial = client.v1.refunds.create({"payment_intent": paid["payment_intent"], "amount": 4500})
    assert partial.status == "succeeded"
    with pytest.raises(stripe.InvalidRequestError) as too_much:
        client.v1.refunds.create({"payment_intent": paid["payment_intent"], "amount": 4501})
    assert too_much.value.code == "amount_too_large"
    rest = client.v1.refunds.create({"payment_intent": paid["payment_intent"]})
    assert rest.amount == 4500
    with pytest.raises(stripe.InvalidRequestError) as done:
        client.v1.refunds.create({"payment_intent": paid["payment_intent"], "amount": 1})
    assert done.value.code == "charge_already_refunded"
    listed = client.v1.refunds.list({"payment_intent": paid["payment_intent"]})
    assert sorted(r.amount for r in listed.data) == [4500, 4500]


def test_failed_refund_gives_the_amount_back(stripe_server):
    client = client_for(stripe_server)
    session = client.v1.checkout.sessions.create(session_params(stripe_server))
    paid = stripe_server.complete_session(session.id)
    refund = client.v1.refunds.create({"payment_intent": paid["payment_intent"]})
    stripe_server.fail_refund(refund.id)
    assert client.v1.refunds.retrieve(refund.id).status == "failed"
    assert client.v1.refunds.create({"payment_intent": paid["payment_intent"]}).amount == 9000


def test_dispute_evidence_is_submitted_and_dispute_closed(stripe_server):
    client = client_for(stripe_server)
    session = client.v1.checkout.sessions.create(session_params(stripe_server))
    paid = stripe_server.complete_session(session.id)
    intent = client.v1.payment_intents.retrieve(paid["payment_intent"])
    dispute = stripe_server.create_dispute(intent.latest_charge)
    updated = client.v1.disputes.update(
        dispute["id"], {"evidence": {"customer_email_address": "ada@example.com"}, "submit": True}
    )
    assert updated.status == "under_review"
    assert updated.evidence["customer_email_address"] == "ada@example.com"
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.disputes.update(dispute["id"], {"evidence": {"shoe_size": "42"}})
    assert stripe_server.close_dispute(dispute["id"], won=False)["status"] == "lost"


def test_a_500_is_retried_with_the_same_idempotency_key(stripe_server):
    client = client_for(stripe_server, retries=2)
    stripe_server.fail_next(500)
    session = client.v1.checkout.sessions.create(session_params(stripe_server), {"idempotency_key": "retry-me"})
    assert len(stripe_server.sessions) == 1
    posts = stripe_server.calls("POST", "/v1/checkout/sessions")
    assert [p["headers"]["Idempotency-Key"] for p in posts] == ["retry-me", "retry-me"]
    assert session.id in stripe_server.sessions


def test_fail_next_answers_500_to_a_client_without_retries(stripe_server):
    stripe_server.fail_next(500)
    with pytest.raises(stripe.APIError):
        client_for(stripe_server).v1.checkout.sessions.create(session_params(stripe_server))
    assert not stripe_server.sessions


def test_hang_next_outlasts_the_client_timeout(stripe_server):
    stripe_server.hang_next()
    started = time.monotonic()
    with pytest.raises(stripe.APIConnectionError):
        client_for(stripe_server, timeout=0.3).v1.checkout.sessions.create(session_params(stripe_server))
    assert time.monotonic() - started < 5
    assert not stripe_server.sessions


def test_webhook_signature_is_accepted_by_the_stripe_library(stripe_server):
    event = stripe_server.make_event("checkout.session.completed", {"id": "cs_test_1", "object": "checkout.session"})
    payload = json.dumps(event).encode()
    header = sign_webhook(payload, "whsec_abc")
    constructed = stripe.Webhook.construct_event(payload, header, "whsec_abc")
    assert constructed.id == event["id"]
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(payload, header, "whsec_other")
    stale = sign_webhook(payload, "whsec_abc", timestamp=int(time.time()) - 3600)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(payload, stale, "whsec_abc")
