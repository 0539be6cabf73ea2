"""The one module that talks to Stripe (or to the offline stand-in).

Everything the site asks of the payment provider goes through the functions
below. They return plain dicts shaped like Stripe's objects, whichever backend
answers, and raise `PaymentProviderError` for any failure (unreachable, slow
past the time budget, refused), so callers handle one exception.

Time: every Stripe call of one request draws on one `Budget`
(STRIPE_BUDGET_SECONDS, started when the request starts): each attempt may wait
only what is left of it, however the answer trickles in, and a retry happens only
while enough is left. Outside a request (commands, tasks) each call has a budget
of its own. So a hanging Stripe costs a request at most the budget, well inside
gunicorn's worker timeout (gunicorn.conf.py).

The backend is chosen per call from settings: `STRIPE_OFFLINE` swaps in
`offers.payments.offline`, which has the same interface and signs its own webhook
events with a secret derived locally from `SECRET_KEY`.
"""

import contextvars
import functools
import logging
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

import requests
import stripe
from django.conf import settings
from django.utils.crypto import salted_hmac
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

MAX_NETWORK_RETRIES = 2
# An attempt is not started with less than this left: it could not finish anyway.
MIN_ATTEMPT_SECONDS = 0.5
RETRY_DELAY = 0.5


class Budget:
    """A deadline shared by every Stripe call made for one request."""

    def __init__(self, seconds):
        self.seconds = float(seconds)
        self.deadline = time.monotonic() + self.seconds

    def left(self):
        return max(self.deadline - time.monotonic(), 0.0)


_budget = contextvars.ContextVar("stripe_budget", default=None)


def start_request_budget(**kwargs):
    """Connected to `request_started` (OffersConfig.ready): the request's Stripe calls share one deadline."""
    _budget.set(Budget(settings.STRIPE_BUDGET_SECONDS))


def end_request_budget(**kwargs):
    _budget.set(None)


def current_budget():
    """The request's budget, or a fresh one for a call made outside a request."""
    return _budget.get() or Budget(settings.STRIPE_BUDGET_SECONDS)


class BudgetExceeded(stripe.APIConnectionError):
    """The request's time for Stripe is spent: no attempt is made or waited for any longer."""

    def __init__(self):
        super().__init__("Stripe did not answer within the time budget.", should_retry=False)


class BudgetedHTTPClient(stripe.HTTPClient):
    """stripe-python's HTTP transport with a total deadline per attempt (not a per-read timeout).

    `requests` times each socket read separately, so an answer that trickles in
    could take many timeouts. Here the exchange runs on a small pool and the
    caller waits for it at most until the deadline; an abandoned exchange ends by
    its own read timeout (no longer than the deadline) and frees its thread.
    """

    name = "requests-budgeted"

    def __init__(self, deadline_of, timeout):
        super().__init__()
        self._deadline_of = deadline_of
        self._timeout = timeout
        self._pool = ThreadPoolExecutor(max_workers=16, thread_name_prefix="stripe-http")
        self._sessions = threading.local()

    def _session(self):
        if getattr(self._sessions, "session", None) is None:
            self._sessions.session = requests.Session()
        return self._sessions.session

    def _exchange(self, method, url, headers, post_data, timeout):
        try:
            response = self._session().request(
                method, url, headers=headers, data=post_data, timeout=timeout, verify=stripe.ca_bundle_path
            )
            return response.content, response.status_code, response.headers
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise stripe.APIConnectionError(f"Could not reach Stripe: {exc}", should_retry=True) from exc
        except requests.RequestException as exc:
            raise stripe.APIConnectionError(f"Could not talk to Stripe: {exc}", should_retry=False) from exc

    def request(self, method, url, headers, post_data=None):
        left = self._deadline_of().left()
        if left < MIN_ATTEMPT_SECONDS:
            raise BudgetExceeded()
        timeout = min(left, self._timeout)
        future = self._pool.submit(self._exchange, method, url, headers, post_data, timeout)
        try:
            return future.result(timeout=timeout)
        except FutureTimeout:
            future.cancel()  # never sent later, after the caller gave up, if it is still queued
            raise stripe.APIConnectionError("Stripe did not answer in time.", should_retry=True) from None

    def request_stream(self, method, url, headers, post_data=None):
        raise NotImplementedError("the site reads no streamed Stripe responses")

    def close(self):
        self._pool.shutdown(wait=False)


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
    """Our own key for a request about `order`, so a retry after a crash or timeout repeats, never duplicates.

    It starts with the order's random `payment_token`, never its sequential reference: keys are per Stripe
    account, and a restored backup or a staging site on the same account makes references repeat.
    """
    return f"{order.payment_token}:{action}:{attempt}"


def _order_of(call_args):
    """Which order a failed call was about, for the log: the reference in its metadata, else its key's token."""
    for arg in call_args:
        reference = ((arg or {}).get("metadata") or {}).get("order_reference") if isinstance(arg, dict) else None
        if reference:
            return reference
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
    # Retries are ours (StripeBackend._call), so they stop when the budget does.
    return stripe.StripeClient(
        api_key,
        base_addresses=base_addresses,
        max_network_retries=0,
        http_client=BudgetedHTTPClient(current_budget, timeout),
    )


def _retryable(exc):
    """Whether Stripe (or the network) says the same request may succeed if sent again with the same key."""
    if isinstance(exc, stripe.APIConnectionError):
        return exc.should_retry
    advice = (exc.headers or {}).get("stripe-should-retry")
    if advice in ("true", "false"):
        return advice == "true"
    return exc.http_status == 409 or (exc.http_status or 0) >= 500


class StripeBackend:
    """The real Stripe API (or a Stripe-compatible one at `STRIPE_API_BASE`)."""

    def __init__(self):
        if not settings.STRIPE_SECRET_KEY:
            raise PaymentProviderError("Stripe is not configured (STRIPE_SECRET_KEY is empty).")
        self.client = _client(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE or None, settings.STRIPE_TIMEOUT)

    def _call(self, what, function, *args, read=lambda result: result.to_dict()):
        """`function(*args)` read by `read`, retried with the same arguments (and key) while the budget lasts."""
        budget = current_budget()
        token = _budget.set(budget)  # the same deadline for every page and retry of this call
        try:
            for attempt in range(MAX_NETWORK_RETRIES + 1):
                try:
                    return read(function(*args))
                except stripe.StripeError as exc:
                    delay = RETRY_DELAY * 2**attempt * random.uniform(0.5, 1)
                    if (
                        attempt == MAX_NETWORK_RETRIES
                        or not _retryable(exc)
                        or budget.left() < delay + MIN_ATTEMPT_SECONDS
                    ):
                        self._failed(what, args, exc)
                    time.sleep(delay)
        finally:
            _budget.reset(token)

    def _failed(self, what, args, exc):
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
        """Every refund of the payment, newest first: all pages (stripe-python's auto-pagination)."""
        return self._call(
            "list_refunds",
            self.client.v1.refunds.list,
            {"payment_intent": payment_intent_id},
            read=lambda page: [refund.to_dict() for refund in page.auto_paging_iter()],
        )

    def retrieve_tax_rate(self, tax_rate_id):
        return self._call("retrieve_tax_rate", self.client.v1.tax_rates.retrieve, tax_rate_id)

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
    """Every refund of a payment as Stripe has it now (rather than an event's embedded copy), all pages."""
    return backend().list_refunds(payment_intent_id)


def retrieve_tax_rate(tax_rate_id):
    return backend().retrieve_tax_rate(tax_rate_id)


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
