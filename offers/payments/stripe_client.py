"""The one module that talks to Stripe (or to the offline stand-in).

Everything the site asks of the payment provider goes through the functions
below. They return plain dicts shaped like Stripe's objects, whichever backend
answers, and raise `PaymentProviderError` for any failure (unreachable, slow
past `STRIPE_TIMEOUT`, refused), so callers handle one exception.

The backend is chosen per call from settings: `STRIPE_OFFLINE` swaps in
`offers.payments.offline`, which has the same interface and signs its own webhook
events with a secret derived locally from `SECRET_KEY`.
"""

import functools
import logging

import stripe
from django.conf import settings
from django.utils.crypto import salted_hmac
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

MAX_NETWORK_RETRIES = 2


class PaymentProviderError(Exception):
    """Stripe could not be reached in time or refused the request. No money moved because of this call."""

    def __init__(self, message, *, code=None, http_status=None):
        super().__init__(message)
        self.code = code
        self.http_status = http_status


class InvalidWebhook(Exception):
    """A webhook body whose signature is missing, forged or stale, or which is not an event."""


def is_offline():
    return bool(settings.STRIPE_OFFLINE)


def is_configured():
    """Whether the site can take payments at all (offline mode counts in dev and tests)."""
    return is_offline() or bool(settings.STRIPE_SECRET_KEY)


def idempotency_key(order, action, attempt=1):
    """Our own key for a request about `order`, so a retry after a crash or timeout repeats, never duplicates."""
    return f"{order.reference}:{action}:{attempt}"


def _order_of(call_args):
    """The order reference of a keyed call (idempotency_key() starts every key with it), for the failure log."""
    options = call_args[-1] if call_args and isinstance(call_args[-1], dict) else {}
    key = options.get("idempotency_key", "")
    return key.split(":", 1)[0] if key else None


def expandable_id(value):
    """The id of a field Stripe sends as an id or, when expanded, as the object itself ("" when absent)."""
    if isinstance(value, dict):
        return value.get("id") or ""
    return value or ""


def webhook_secret():
    if is_offline():
        return "whsec_offline_" + salted_hmac("offers.payments.offline.webhook", "secret", algorithm="sha1").hexdigest()
    return settings.STRIPE_WEBHOOK_SECRET


@functools.lru_cache(maxsize=8)
def _client(api_key, api_base, timeout):
    base_addresses = {"api": api_base} if api_base else None
    return stripe.StripeClient(
        api_key,
        base_addresses=base_addresses,
        max_network_retries=MAX_NETWORK_RETRIES,
        http_client=stripe.RequestsClient(timeout=timeout),
    )


class StripeBackend:
    """The real Stripe API (or a Stripe-compatible one at `STRIPE_API_BASE`)."""

    def __init__(self):
        if not settings.STRIPE_SECRET_KEY:
            raise PaymentProviderError("Stripe is not configured (STRIPE_SECRET_KEY is empty).")
        self.client = _client(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE or None, settings.STRIPE_TIMEOUT)

    def _call(self, what, function, *args, **kwargs):
        try:
            return function(*args, **kwargs).to_dict()
        except stripe.StripeError as exc:
            logger.warning(
                "stripe call failed",
                extra={
                    "stripe_call": what,
                    "stripe_code": exc.code,
                    "http_status": exc.http_status,
                    "order": _order_of(args),
                },
            )
            raise PaymentProviderError(
                exc.user_message or str(exc) or exc.__class__.__name__, code=exc.code, http_status=exc.http_status
            ) from exc

    def create_session(self, params, key):
        return self._call("create_session", self.client.v1.checkout.sessions.create, params, {"idempotency_key": key})

    def retrieve_session(self, session_id):
        return self._call("retrieve_session", self.client.v1.checkout.sessions.retrieve, session_id)

    def expire_session(self, session_id, key):
        return self._call(
            "expire_session", self.client.v1.checkout.sessions.expire, session_id, None, {"idempotency_key": key}
        )

    def retrieve_payment_intent(self, payment_intent_id):
        return self._call("retrieve_payment_intent", self.client.v1.payment_intents.retrieve, payment_intent_id)

    def create_refund(self, params, key):
        return self._call("create_refund", self.client.v1.refunds.create, params, {"idempotency_key": key})

    def list_refunds(self, payment_intent_id):
        result = self._call("list_refunds", self.client.v1.refunds.list, {"payment_intent": payment_intent_id})
        return result["data"]

    def update_dispute(self, dispute_id, params, key):
        return self._call(
            "update_dispute", self.client.v1.disputes.update, dispute_id, params, {"idempotency_key": key}
        )

    def close_dispute(self, dispute_id, key):
        return self._call("close_dispute", self.client.v1.disputes.close, dispute_id, None, {"idempotency_key": key})


def backend():
    if is_offline():
        return import_string(settings.STRIPE_OFFLINE_BACKEND)()
    return StripeBackend()


# --- what the rest of the site calls ----------------------------------------------------


def create_checkout_session(params, key):
    """A Checkout Session for `params`; the same `key` with the same params returns the same session."""
    return backend().create_session(params, key)


def retrieve_checkout_session(session_id):
    return backend().retrieve_session(session_id)


def expire_checkout_session(session_id, key):
    return backend().expire_session(session_id, key)


def retrieve_payment_intent(payment_intent_id):
    return backend().retrieve_payment_intent(payment_intent_id)


def create_refund(payment_intent_id, amount_minor, key, *, reason=None, metadata=None):
    """Refund `amount_minor` (integer minor units) of a payment; Stripe refuses more than is left."""
    params = {"payment_intent": payment_intent_id, "amount": int(amount_minor), "metadata": dict(metadata or {})}
    if reason:
        params["reason"] = reason
    return backend().create_refund(params, key)


def list_refunds(payment_intent_id):
    """Every refund of a payment as Stripe has it now (rather than an event's embedded copy)."""
    return backend().list_refunds(payment_intent_id)


def submit_dispute_evidence(dispute_id, evidence, key, *, submit=True):
    return backend().update_dispute(dispute_id, {"evidence": dict(evidence), "submit": submit}, key)


def accept_dispute(dispute_id, key):
    """Accepts (closes) a dispute: the cardholder keeps the money. This is how a disputed payment is refunded."""
    return backend().close_dispute(dispute_id, key)


def construct_event(payload: bytes, sig_header: str | None):
    """The verified event as a dict. Raises `InvalidWebhook` for a bad signature or body; checks come first."""
    secret = webhook_secret()
    if not secret:
        raise InvalidWebhook("no webhook secret configured")
    try:
        event = stripe.Webhook.construct_event(payload, sig_header or "", secret)
    except stripe.SignatureVerificationError as exc:
        raise InvalidWebhook(f"signature: {exc}") from exc
    except (ValueError, TypeError, AttributeError, KeyError) as exc:
        raise InvalidWebhook(f"body: {exc}") from exc
    data = event.to_dict()
    if data.get("object") != "event" or not data.get("id") or not data.get("type"):
        raise InvalidWebhook("body is not an event")
    return data
