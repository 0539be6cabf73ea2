"""The offline payment backend: Stripe's behaviour without Stripe, for `make run` and browser tests.

Same interface as `stripe_client.StripeBackend`. Sessions, payment intents and
refunds live in the cache; the "checkout page" is `/checkout/offline/<id>/`,
clearly marked as a test. What Stripe would announce by webhook is emitted as
a correctly signed event and posted through the site's own webhook
verification and dispatch (`offers.payments.webhooks.receive`), so offline mode
exercises the same fulfilment path as production. Production settings refuse
`STRIPE_OFFLINE`.
"""

import hashlib
import hmac
import json
import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from offers.payments import stripe_client, webhooks

PREFIX = "offline-stripe:"
KEEP_FOR = 2 * 24 * 3600
MIN_EXPIRY, MAX_EXPIRY = 30 * 60, 24 * 3600


def _new_id(prefix):
    return f"{prefix}_offline_{secrets.token_hex(12)}"


def _get(kind, object_id):
    return cache.get(f"{PREFIX}{kind}:{object_id}")


def _put(kind, obj):
    cache.set(f"{PREFIX}{kind}:{obj['id']}", obj, KEEP_FOR)
    return obj


def _missing(kind, object_id):
    return stripe_client.PaymentProviderError(
        f"No such {kind}: '{object_id}'", code="resource_missing", http_status=404
    )


def _idempotent(key, params, create):
    """Replays the first result for a key with the same params, refuses it with others (as Stripe does)."""
    fingerprint = hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()
    saved = cache.get(f"{PREFIX}idempotency:{key}")
    if saved:
        if saved["fingerprint"] != fingerprint:
            raise stripe_client.PaymentProviderError(
                "Keys for idempotent requests can only be used with the same parameters.", code="idempotency_error"
            )
        return saved["result"]
    result = create()
    cache.set(f"{PREFIX}idempotency:{key}", {"fingerprint": fingerprint, "result": result}, KEEP_FOR)
    return result


def emit(event_type, obj):
    """Signs an event for `obj` and posts it through the webhook path; returns the HTTP status it got."""
    event = {
        "id": _new_id("evt"),
        "object": "event",
        "api_version": "offline",
        "created": int(time.time()),
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }
    payload = json.dumps(event).encode()
    timestamp = int(time.time())
    digest = hmac.new(
        stripe_client.webhook_secret().encode(), f"{timestamp}.".encode() + payload, hashlib.sha256
    ).hexdigest()
    return webhooks.receive(payload, f"t={timestamp},v1={digest}")


class OfflineBackend:
    def create_session(self, params, key):
        return _idempotent(key, params, lambda: self._create_session(params))

    def _create_session(self, params):
        now = int(time.time())
        expires_at = int(params.get("expires_at", now + MAX_EXPIRY))
        if not now + MIN_EXPIRY <= expires_at <= now + MAX_EXPIRY:
            raise stripe_client.PaymentProviderError(
                "expires_at must be between 30 minutes and 24 hours ahead.", code="parameter_invalid_integer"
            )
        items = params["line_items"]
        total = sum(int(item["price_data"]["unit_amount"]) * int(item.get("quantity", 1)) for item in items)
        session_id = _new_id("cs")
        return _put(
            "session",
            {
                "id": session_id,
                "object": "checkout.session",
                "amount_total": total,
                "amount_subtotal": total,
                "currency": items[0]["price_data"]["currency"].lower(),
                "client_reference_id": params.get("client_reference_id"),
                "customer_email": params.get("customer_email"),
                "customer_details": None,
                "expires_at": expires_at,
                "created": now,
                "metadata": dict(params.get("metadata", {})),
                "mode": "payment",
                "payment_intent": None,
                "invoice": None,
                "payment_status": "unpaid",
                "status": "open",
                "livemode": False,
                "success_url": params.get("success_url"),
                "cancel_url": params.get("cancel_url"),
                "line_items": [
                    {
                        "description": item["price_data"].get("product_data", {}).get("name", ""),
                        "quantity": int(item.get("quantity", 1)),
                        "amount_total": int(item["price_data"]["unit_amount"]) * int(item.get("quantity", 1)),
                    }
                    for item in items
                ],
                "url": settings.SITE_BASE_URL + reverse("checkout_offline", args=[session_id]),
            },
        )

    def retrieve_session(self, session_id):
        session = _get("session", session_id)
        if session is None:
            raise _missing("checkout session", session_id)
        if session["status"] == "open" and session["expires_at"] <= time.time():
            session.update(status="expired", url=None)
            _put("session", session)
        return session

    def expire_session(self, session_id, key):
        session = self.retrieve_session(session_id)
        if session["status"] != "open":
            raise stripe_client.PaymentProviderError(
                f"Only open Checkout Sessions can be expired; this one is {session['status']}."
            )
        session.update(status="expired", url=None)
        _put("session", session)
        transaction.on_commit(lambda: emit("checkout.session.expired", session))
        return session

    def retrieve_payment_intent(self, payment_intent_id):
        intent = _get("payment_intent", payment_intent_id)
        if intent is None:
            raise _missing("payment_intent", payment_intent_id)
        return intent

    def create_refund(self, params, key):
        return _idempotent(key, params, lambda: self._create_refund(params))

    def _create_refund(self, params):
        intent = self.retrieve_payment_intent(params["payment_intent"])
        dispute = _get("dispute", intent.get("disputed") or "")
        if dispute and dispute["status"] != "won":
            raise stripe_client.PaymentProviderError(
                f"Charge {intent['latest_charge']} has been charged back; cannot issue a refund.",
                code="charge_disputed",
            )
        left = intent["amount_received"] - intent["amount_refunded"]
        amount = int(params.get("amount", left))
        if left <= 0:
            raise stripe_client.PaymentProviderError(
                "This payment has already been refunded.", code="charge_already_refunded"
            )
        if not 0 < amount <= left:
            raise stripe_client.PaymentProviderError(
                f"Refund amount ({amount}) is greater than what is left ({left}).", code="amount_too_large"
            )
        refund = {
            "id": _new_id("re"),
            "object": "refund",
            "amount": amount,
            "currency": intent["currency"],
            "charge": intent["latest_charge"],
            "payment_intent": intent["id"],
            "reason": params.get("reason"),
            "metadata": dict(params.get("metadata", {})),
            "status": "succeeded",
            "failure_reason": None,
            "created": int(time.time()),
        }
        intent["amount_refunded"] += amount
        intent["refunds"].append(refund["id"])
        _put("refund", refund)
        _put("payment_intent", intent)
        charge = {
            "id": intent["latest_charge"],
            "object": "charge",
            "amount": intent["amount_received"],
            "amount_refunded": intent["amount_refunded"],
            "refunded": intent["amount_refunded"] >= intent["amount_received"],
            "currency": intent["currency"],
            "payment_intent": intent["id"],
        }
        transaction.on_commit(lambda: emit("refund.created", refund))
        transaction.on_commit(lambda: emit("charge.refunded", charge))
        return refund

    def list_refunds(self, payment_intent_id):
        intent = self.retrieve_payment_intent(payment_intent_id)
        return [_get("refund", refund_id) for refund_id in reversed(intent["refunds"])]

    def retrieve_dispute(self, dispute_id):
        dispute = _get("dispute", dispute_id)
        if dispute is None:
            raise _missing("dispute", dispute_id)
        return dispute

    def update_dispute(self, dispute_id, params, key):
        return _idempotent(key, {"dispute": dispute_id, **params}, lambda: self._update_dispute(dispute_id, params))

    def _update_dispute(self, dispute_id, params):
        dispute = self.retrieve_dispute(dispute_id)
        if dispute["status"] not in OPEN_DISPUTE:
            raise stripe_client.PaymentProviderError(
                f"This dispute is {dispute['status']}: its evidence can no longer be changed."
            )
        dispute["evidence"].update(params.get("evidence") or {})
        if params.get("submit"):
            dispute["status"] = "under_review"
            dispute["evidence_details"]["submission_count"] += 1
        return _put("dispute", dispute)

    def close_dispute(self, dispute_id, key):
        return _idempotent(key, {"dispute": dispute_id, "close": True}, lambda: self._close_dispute(dispute_id))

    def _close_dispute(self, dispute_id):
        dispute = self.retrieve_dispute(dispute_id)
        if dispute["status"] not in OPEN_DISPUTE:
            raise stripe_client.PaymentProviderError(f"This dispute cannot be closed: it is {dispute['status']}.")
        dispute["status"] = "lost"
        _put("dispute", dispute)
        transaction.on_commit(lambda: emit("charge.dispute.closed", dispute))
        return dispute


OPEN_DISPUTE = frozenset({"needs_response", "warning_needs_response"})


def open_dispute(payment_intent_id, reason="product_unacceptable"):
    """The buyer's bank opens a dispute (for the demo): `charge.dispute.created` is emitted."""
    intent = OfflineBackend().retrieve_payment_intent(payment_intent_id)
    dispute = _put(
        "dispute",
        {
            "id": _new_id("dp"),
            "object": "dispute",
            "amount": intent["amount_received"] - intent["amount_refunded"],
            "currency": intent["currency"],
            "charge": intent["latest_charge"],
            "payment_intent": intent["id"],
            "reason": reason,
            "status": "needs_response",
            "evidence": {},
            "evidence_details": {"submission_count": 0, "due_by": int(time.time()) + 7 * 86400},
            "metadata": {},
            "created": int(time.time()),
            "livemode": False,
        },
    )
    intent["disputed"] = dispute["id"]
    _put("payment_intent", intent)
    emit("charge.dispute.created", dispute)
    return dispute


def decide_dispute(dispute_id, *, won):
    """The bank decides a dispute under review (for the demo): `charge.dispute.closed` is emitted."""
    dispute = OfflineBackend().retrieve_dispute(dispute_id)
    if dispute["status"] in ("won", "lost"):
        return dispute
    dispute["status"] = "won" if won else "lost"
    _put("dispute", dispute)
    emit("charge.dispute.closed", dispute)
    return dispute


def pay(session_id):
    """The buyer pays on the offline page: the session completes and `checkout.session.completed` is emitted."""
    backend = OfflineBackend()
    session = backend.retrieve_session(session_id)
    if session["status"] != "open":
        return session
    intent_id, charge_id = _new_id("pi"), _new_id("ch")
    _put(
        "payment_intent",
        {
            "id": intent_id,
            "object": "payment_intent",
            "amount": session["amount_total"],
            "amount_received": session["amount_total"],
            "amount_refunded": 0,
            "currency": session["currency"],
            "latest_charge": charge_id,
            "status": "succeeded",
            "refunds": [],
            "metadata": session["metadata"],
        },
    )
    session.update(
        status="complete",
        payment_status="paid",
        payment_intent=intent_id,
        invoice=_new_id("in"),
        url=None,
        customer_details={
            "email": session["customer_email"],
            "name": None,
            "address": {"country": "DE", "city": "Berlin", "line1": "Offline test address 1", "postal_code": "10115"},
            "tax_ids": [],
        },
    )
    _put("session", session)
    emit("checkout.session.completed", session)
    return session
