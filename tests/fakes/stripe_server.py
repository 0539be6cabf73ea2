"""A Stripe-compatible HTTP server for tests.

It speaks the v1 wire format the official `stripe` library uses (form-encoded
bodies with bracketed nested keys, Bearer key auth, Stripe's error shape) and
is strict where Stripe is, from Stripe's documentation and stripe-python's
typed params, never from what our code happens to send: unknown parameters,
enum values outside the documented ones, booleans other than true/false and
text past the documented lengths are refused; errors carry only codes Stripe
has (the `code` values stripe-python 16 lists); lists are paged with `limit`,
`starting_after` and `ending_before`; `expires_at` must lie between 30 minutes
and 24 hours ahead; refunds never exceed what is left. A repeated
`Idempotency-Key` replays the stored result, errors included, or is refused
with different parameters; keys are forgotten after 24 hours (`advance()`).

Tests drive what a buyer or Stripe would do with `complete_session()`,
`expire_session()`, `create_dispute()`, `close_dispute()`, `fail_refund()`,
`create_tax_rate()`, and inject trouble with `fail_next()` (before or after the
request did its work) and `hang_next()`. `sign_webhook()` builds a
`Stripe-Signature` header the way Stripe does, with `hmac`.
"""

import hashlib
import hmac
import inspect
import itertools
import json
import re
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import get_args
from urllib.parse import parse_qsl, urlsplit

import stripe
from stripe._payment_intent import PaymentIntent
from stripe._request_options import RequestOptions
from stripe.params import (
    ChargeRetrieveParams,
    DisputeCloseParams,
    DisputeRetrieveParams,
    DisputeUpdateParams,
    EventRetrieveParams,
    PaymentIntentRetrieveParams,
    RefundCreateParams,
    RefundListParams,
    RefundRetrieveParams,
    TaxRateRetrieveParams,
)
from stripe.params._dispute_update_params import DisputeUpdateParamsEvidence
from stripe.params.checkout import (
    SessionCreateParams,
    SessionExpireParams,
    SessionListLineItemsParams,
    SessionRetrieveParams,
)
from typing_extensions import is_typeddict

API_KEY = "sk_test_fake_stripe_server"
REQUEST_OPTION_NAMES = frozenset(RequestOptions.__annotations__)
MIN_EXPIRY = 30 * 60
MAX_EXPIRY = 24 * 60 * 60
DEFAULT_EXPIRY = MAX_EXPIRY
# Stripe keeps an idempotent result for at least 24 hours, then may forget the key.
IDEMPOTENCY_KEPT = 24 * 60 * 60
LIST_LIMIT_DEFAULT, LIST_LIMIT_MAX = 10, 100
# Every error `code` Stripe has: stripe-python 16 lists them for PaymentIntent.last_payment_error.code.
STRIPE_ERROR_CODES = frozenset(
    value for part in get_args(PaymentIntent.LastPaymentError.__annotations__["code"]) for value in get_args(part)
)


def sign_webhook(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """A `Stripe-Signature` header value: `t=<time>,v1=<HMAC-SHA256 of "t.payload">`."""
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class StripeAPIError(Exception):
    """An error answered in Stripe's shape: {"error": {type, code, message, param}}."""

    def __init__(self, status, message, *, type="invalid_request_error", code=None, param=None, store=True):
        super().__init__(message)
        self.status = status
        self.body = {"error": {"type": type, "message": message}}
        if code and code not in STRIPE_ERROR_CODES:
            raise ValueError(f"{code!r} is not an error code Stripe has")
        if code:
            self.body["error"]["code"] = code
            self.body["error"]["doc_url"] = f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}"
        if param:
            self.body["error"]["param"] = param
        # Stripe saves an idempotent result only once the endpoint started executing.
        self.store = store


# --- form decoding and parameter checking ---------------------------------------------


def decode_form(pairs):
    """Nested dicts and lists from Stripe's bracket syntax (`a[b][0][c]=v`, `a[]=v`)."""
    root = {}
    for key, value in pairs:
        if not re.fullmatch(r"[^\[\]]+(\[[^\[\]]*\])*", key):
            raise StripeAPIError(400, f"Invalid parameter name: {key}", param=key, store=False)
        parts = [key.split("[", 1)[0], *re.findall(r"\[([^\[\]]*)\]", key)]
        node = root
        for index, part in enumerate(parts):
            if part == "":
                part = str(sum(1 for k in node if k.isdigit()))
            if index == len(parts) - 1:
                node[part] = value
            else:
                node = node.setdefault(part, {})
                if not isinstance(node, dict):
                    raise StripeAPIError(400, f"Invalid parameter: {key}", param=key, store=False)
    return _listify(root)


def _listify(node):
    if not isinstance(node, dict):
        return node
    items = {key: _listify(value) for key, value in node.items()}
    if items and all(key.isdigit() for key in items):
        return [items[key] for key in sorted(items, key=int)]
    return items


def _referenced_typeddicts(annotation, module):
    text = annotation if isinstance(annotation, str) else repr(annotation)
    found = []
    for name in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text):
        candidate = getattr(module, name, None)
        if isinstance(candidate, type) and is_typeddict(candidate) and candidate not in found:
            found.append(candidate)
    return found


def _is_free_mapping(annotation):
    text = annotation if isinstance(annotation, str) else repr(annotation)
    return "Dict[" in text or "UntypedStripeObject" in text


def _is_plain_int(annotation):
    text = (annotation if isinstance(annotation, str) else repr(annotation)).replace("typing.", "")
    return text in {"int", "<class 'int'>", "NotRequired[int]", "Required[int]"}


def check_params(params, schema, prefix=""):
    """Refuse names that `schema` (a stripe-python params TypedDict) does not list, recursively."""
    module = sys.modules[schema.__module__]
    fields = {k: v for k, v in schema.__annotations__.items() if not (prefix == "" and k in REQUEST_OPTION_NAMES)}
    required = {k for k in getattr(schema, "__required_keys__", ()) if k in fields}
    for name in required:
        if name not in params:
            full = f"{prefix}[{name}]" if prefix else name
            raise StripeAPIError(
                400, f"Missing required param: {full}.", code="parameter_missing", param=full, store=False
            )
    for name, value in params.items():
        full = f"{prefix}[{name}]" if prefix else name
        if name not in fields:
            raise StripeAPIError(
                400, f"Received unknown parameter: {full}", code="parameter_unknown", param=full, store=False
            )
        _check_value(value, fields[name], module, full)


def _check_value(value, annotation, module, full):
    if isinstance(value, list):
        for index, item in enumerate(value):
            _check_value(item, annotation, module, f"{full}[{index}]")
        return
    if isinstance(value, dict):
        if _is_free_mapping(annotation):
            return
        nested = _referenced_typeddicts(annotation, module)
        if not nested:
            raise StripeAPIError(400, f"Invalid value for {full}.", param=full, store=False)
        # A union of objects: the keys must fit one of them.
        errors = []
        for candidate in nested:
            try:
                check_params(value, candidate, full)
                return
            except StripeAPIError as exc:
                errors.append(exc)
        raise errors[0]
    if _is_plain_int(annotation) and not re.fullmatch(r"-?\d+", str(value)):
        raise StripeAPIError(
            400, f"Invalid integer: {value}", code="parameter_invalid_integer", param=full, store=False
        )
    if _is_bool(annotation) and value not in ("true", "false"):
        raise StripeAPIError(400, f"Invalid boolean: {value}", param=full, store=False)
    choices = _enum_values(annotation)
    if choices and value not in choices:
        raise StripeAPIError(
            400, f"Invalid {full}: must be one of {', '.join(sorted(choices))}", param=full, store=False
        )


def _is_bool(annotation):
    text = (annotation if isinstance(annotation, str) else repr(annotation)).replace("typing.", "")
    return text in {"bool", "<class 'bool'>", "NotRequired[bool]", "Required[bool]"}


def _enum_values(annotation):
    """The documented values of an enum parameter (`Literal[...]`, even where the library adds `|str`)."""
    text = annotation if isinstance(annotation, str) else repr(annotation)
    if "Literal[''" in text.replace('"', "'") and text.count("Literal[") == 1 and "Params" in text:
        return set()  # an object that may also be sent as "" (unset): checked as an object
    found = re.findall(r"Literal\[([^\]]*)\]", text)
    values = set()
    for group in found:
        values.update(re.findall(r"'([^']*)'", group))
    return values


# Disputes: evidence fields that take an uploaded file's id rather than text, and Stripe's length limits.
OPEN_DISPUTE_STATUSES = frozenset({"needs_response", "warning_needs_response"})
EVIDENCE_FILE_FIELDS = frozenset(
    {
        "cancellation_policy",
        "customer_communication",
        "customer_signature",
        "duplicate_charge_documentation",
        "receipt",
        "refund_policy",
        "service_documentation",
        "shipping_documentation",
        "uncategorized_file",
    }
)
EVIDENCE_TOTAL_MAX = 150_000
# Stripe's API strings are at most 5,000 characters unless documented otherwise; stripe-python documents
# the evidence fields that take 20,000 ("Has a maximum character count of 20,000").
STRING_MAX = 5_000


def _documented_evidence_limits():
    source = inspect.getsource(DisputeUpdateParamsEvidence)
    limits = {}
    for name, doc in re.findall(r"\n    (\w+): [^\n]+\n    \"\"\"(.*?)\"\"\"", source, flags=re.S):
        match = re.search(r"maximum character count of ([\d,]+)", doc)
        limits[name] = int(match.group(1).replace(",", "")) if match else STRING_MAX
    return limits


EVIDENCE_FIELD_LIMITS = _documented_evidence_limits()


def _check_evidence(evidence):
    total = 0
    for name, value in evidence.items():
        if not isinstance(value, str):
            continue  # nested objects (appeal, enhanced_evidence) were checked against their schema
        full = f"evidence[{name}]"
        if name in EVIDENCE_FILE_FIELDS and value and not value.startswith("file_"):
            raise StripeAPIError(400, f"No such file upload: '{value}'", code="resource_missing", param=full)
        limit = EVIDENCE_FIELD_LIMITS.get(name, STRING_MAX)
        if len(value) > limit:
            raise StripeAPIError(400, f"Invalid {full}: must be at most {limit} characters", param=full, store=False)
        total += len(value)
    if total > EVIDENCE_TOTAL_MAX:
        raise StripeAPIError(
            400, f"The evidence may have at most {EVIDENCE_TOTAL_MAX} characters in all.", param="evidence", store=False
        )


def page(items, params, url):
    """A Stripe list object: newest first, `limit` (1-100, default 10) after `starting_after` or before
    `ending_before`, with `has_more`."""
    raw_limit = params.get("limit", LIST_LIMIT_DEFAULT)
    limit = int(raw_limit)
    if not 1 <= limit <= LIST_LIMIT_MAX:
        raise StripeAPIError(
            400,
            f"Invalid limit: must be between 1 and {LIST_LIMIT_MAX}",
            code="parameter_invalid_integer",
            param="limit",
            store=False,
        )
    ids = [item["id"] for item in items]
    for name in ("starting_after", "ending_before"):
        cursor = params.get(name)
        if cursor is not None and cursor not in ids:
            raise StripeAPIError(400, f"No such object: '{cursor}'", code="resource_missing", param=name, store=False)
    if params.get("starting_after"):
        rest = items[ids.index(params["starting_after"]) + 1 :]
        data, has_more = rest[:limit], len(rest) > limit
    elif params.get("ending_before"):
        before = items[: ids.index(params["ending_before"])]
        data, has_more = before[-limit:], len(before) > limit
    else:
        data, has_more = items[:limit], len(items) > limit
    return {"object": "list", "data": data, "has_more": has_more, "url": url}


# --- the server -------------------------------------------------------------------------


class FakeStripe:
    """State and behaviour. Every public method is safe to call from tests while serving."""

    def __init__(self, api_key=API_KEY):
        self.api_key = api_key
        self.lock = threading.RLock()
        self.sessions, self.session_params, self.line_items = {}, {}, {}
        self.payment_intents, self.charges, self.refunds, self.disputes = {}, {}, {}, {}
        self.invoices, self.events, self.tax_rates = {}, {}, {}
        self.idempotency = {}
        self.requests = []
        self.clock_offset = 0
        self._failures = []
        self._hangs = 0
        self._trickles = []
        self._hang_seconds = 30.0
        self._release = threading.Event()
        self._counter = itertools.count(1)
        self.httpd = None
        self.thread = None

    # lifecycle

    def start(self):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), name="fake-stripe", daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self._release.set()
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()

    @property
    def base_url(self):
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def now(self):
        return int(time.time()) + self.clock_offset

    def advance(self, seconds):
        """Move the server's clock (expiry checks) forward."""
        self.clock_offset += int(seconds)

    def new_id(self, prefix):
        return f"{prefix}_test_{next(self._counter):06d}{secrets.token_hex(6)}"

    # trouble on demand

    def fail_next(self, status=500, times=1, *, stored=False, after=False, method=None, path=None):
        """The next `times` requests answer `status` with an api_error.

        By default the failure comes before the request reached its endpoint: nothing changes and
        nothing is stored under its key, so a retry with the same key runs it. `stored=True`: the
        endpoint started and failed without changing anything, and Stripe keeps that error under the
        key and replays it. `after=True`: the endpoint did its work (a refund was made), then the
        answer was a 500, which is stored and replayed too. `method` and `path` (a prefix) limit the
        failures to those requests; others pass.
        """
        with self.lock:
            self._failures.extend([(status, stored or after, after, method, path)] * times)

    def _next_failure(self, method, path):
        for index, failure in enumerate(self._failures):
            if (failure[3] is None or failure[3] == method) and (failure[4] is None or path.startswith(failure[4])):
                return self._failures.pop(index)
        return None

    def forget_keys(self):
        """Stripe forgets idempotency keys after 24 hours: a key used again is a new request."""
        with self.lock:
            self.idempotency.clear()

    def create_tax_rate(self, percentage=19, *, inclusive=True, active=True, display_name="VAT"):
        with self.lock:
            rate_id = self.new_id("txr")
            self.tax_rates[rate_id] = {
                "id": rate_id,
                "object": "tax_rate",
                "active": active,
                "country": "DE",
                "created": self.now(),
                "description": None,
                "display_name": display_name,
                "inclusive": inclusive,
                "jurisdiction": None,
                "livemode": False,
                "metadata": {},
                "percentage": float(percentage),
                "rate_type": "percentage",
                "tax_type": "vat",
            }
            return json.loads(json.dumps(self.tax_rates[rate_id]))

    def hang_next(self, times=1, seconds=None):
        """The next `times` requests get no answer for `seconds` (past any client timeout), then a dropped connection."""
        with self.lock:
            self._hangs += times
            if seconds is not None:
                self._hang_seconds = seconds

    def recover(self):
        """Stripe answers normally again: pending hangs, trickles and failures are dropped."""
        with self.lock:
            self._hangs, self._trickles, self._failures = 0, [], []

    def trickle_next(self, seconds_per_byte=0.2, times=1):
        """The next `times` answers arrive one byte at a time: every read is quick, the whole is not."""
        with self.lock:
            self._trickles.extend([seconds_per_byte] * times)

    def calls(self, method=None, path=None):
        """Recorded requests, optionally filtered by method and path prefix."""
        return [
            r
            for r in self.requests
            if (method is None or r["method"] == method) and (path is None or r["path"].startswith(path))
        ]

    # what Stripe's side does

    def complete_session(self, session_id, *, amount_total=None, currency=None, payment_status="paid", customer=None):
        """A buyer pays: the session is complete with a succeeded PaymentIntent, a charge and an invoice."""
        with self.lock:
            session = self.sessions[session_id]
            if session["status"] != "open":
                raise ValueError(f"session {session_id} is {session['status']}")
            amount = session["amount_total"] if amount_total is None else amount_total
            currency = currency or session["currency"]
            details = {
                "email": session["customer_email"] or "buyer@example.com",
                "name": "Test Buyer",
                "phone": None,
                "address": {
                    "city": "Berlin",
                    "country": "DE",
                    "line1": "Teststraße 1",
                    "line2": None,
                    "postal_code": "10115",
                    "state": None,
                },
                "tax_exempt": "none",
                "tax_ids": [],
            }
            details.update(customer or {})
            session.update(status="complete", customer_details=details, amount_total=amount, currency=currency)
            session["url"] = None
            if payment_status == "paid":
                self._take_payment(session, amount, currency, details)
            else:
                session["payment_status"] = payment_status
            return json.loads(json.dumps(session))

    def _take_payment(self, session, amount, currency, details):
        """The money arrives: a succeeded PaymentIntent, its charge and (when asked for) a paid invoice."""
        pi_id, charge_id = self.new_id("pi"), self.new_id("ch")
        self.payment_intents[pi_id] = {
            "id": pi_id,
            "object": "payment_intent",
            "amount": amount,
            "amount_received": amount,
            "currency": currency,
            "status": "succeeded",
            "latest_charge": charge_id,
            "metadata": dict(session["metadata"]),
            "created": self.now(),
            "livemode": False,
        }
        self.charges[charge_id] = {
            "id": charge_id,
            "object": "charge",
            "amount": amount,
            "amount_captured": amount,
            "amount_refunded": 0,
            "refunded": False,
            "captured": True,
            "paid": True,
            "status": "succeeded",
            "currency": currency,
            "payment_intent": pi_id,
            "disputed": False,
            "billing_details": {"email": details["email"], "name": details["name"]},
            "created": self.now(),
            "livemode": False,
        }
        session["payment_intent"] = pi_id
        session["payment_status"] = "paid"
        if session.get("invoice_creation", {}).get("enabled"):
            invoice_id = self.new_id("in")
            self.invoices[invoice_id] = {"id": invoice_id, "object": "invoice", "status": "paid"}
            session["invoice"] = invoice_id

    def pay_later(self, session_id):
        """A delayed payment method settles: the completed, unpaid session becomes paid."""
        with self.lock:
            session = self.sessions[session_id]
            if session["status"] != "complete" or session["payment_status"] == "paid":
                raise ValueError(f"session {session_id} is not waiting for a delayed payment")
            self._take_payment(session, session["amount_total"], session["currency"], session["customer_details"])
            return json.loads(json.dumps(session))

    def expire_session(self, session_id):
        """The session's time ran out (or it was expired by the API)."""
        with self.lock:
            session = self.sessions[session_id]
            if session["status"] != "open":
                raise StripeAPIError(
                    400,
                    f'Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "{session["status"]}".',
                )
            session.update(status="expired", url=None)
            return json.loads(json.dumps(session))

    def create_dispute(self, charge_id, reason="fraudulent", *, inquiry=False):
        """The bank opens a dispute; an inquiry (warning_needs_response) leaves the charge refundable."""
        with self.lock:
            charge = self.charges[charge_id]
            dispute_id = self.new_id("dp")
            self.disputes[dispute_id] = {
                "id": dispute_id,
                "object": "dispute",
                "amount": charge["amount"] - charge["amount_refunded"],
                "currency": charge["currency"],
                "charge": charge_id,
                "payment_intent": charge["payment_intent"],
                "reason": reason,
                "status": "warning_needs_response" if inquiry else "needs_response",
                "is_charge_refundable": inquiry,
                "evidence": {},
                "evidence_details": {"submission_count": 0, "due_by": self.now() + 7 * 86400},
                "metadata": {},
                "created": self.now(),
                "livemode": False,
            }
            charge["disputed"] = True
            return json.loads(json.dumps(self.disputes[dispute_id]))

    def close_dispute(self, dispute_id, won=True, status=None):
        with self.lock:
            dispute = self.disputes[dispute_id]
            dispute["status"] = status or ("won" if won else "lost")
            dispute["is_charge_refundable"] = False
            return json.loads(json.dumps(dispute))

    def fail_refund(self, refund_id, reason="expired_or_canceled_card"):
        """A refund that Stripe could not complete: the money counts as not refunded again."""
        with self.lock:
            refund = self.refunds[refund_id]
            charge = self.charges[refund["charge"]]
            if refund["status"] != "failed":
                charge["amount_refunded"] -= refund["amount"]
                charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
            refund.update(status="failed", failure_reason=reason)
            return json.loads(json.dumps(refund))

    def make_event(self, type, obj, previous_attributes=None):
        """An Event object as Stripe would send it to a webhook endpoint (a snapshot event)."""
        with self.lock:
            event_id = self.new_id("evt")
            data = {"object": json.loads(json.dumps(obj))}
            if previous_attributes is not None:
                data["previous_attributes"] = previous_attributes
            event = {
                "id": event_id,
                "object": "event",
                "api_version": stripe.api_version,
                "created": self.now(),
                "data": data,
                "livemode": False,
                "pending_webhooks": 1,
                "request": {"id": None, "idempotency_key": None},
                "type": type,
            }
            self.events[event_id] = event
            return json.loads(json.dumps(event))

    # the API

    def route_check(self, method, path, params):
        """Checks a request as its endpoint would, without running it (for failures inside the endpoint)."""
        self.route(method, path, params, run=False)

    def route(self, method, path, params, run=True):
        routes = [
            ("POST", r"/v1/checkout/sessions", SessionCreateParams, self._create_session),
            ("GET", r"/v1/checkout/sessions/(?P<id>[^/]+)", SessionRetrieveParams, self._get_session),
            ("GET", r"/v1/checkout/sessions/(?P<id>[^/]+)/line_items", SessionListLineItemsParams, self._line_items),
            ("POST", r"/v1/checkout/sessions/(?P<id>[^/]+)/expire", SessionExpireParams, self._expire_session),
            ("GET", r"/v1/payment_intents/(?P<id>[^/]+)", PaymentIntentRetrieveParams, self._getter("payment_intents")),
            ("GET", r"/v1/charges/(?P<id>[^/]+)", ChargeRetrieveParams, self._getter("charges")),
            ("POST", r"/v1/refunds", RefundCreateParams, self._create_refund),
            ("GET", r"/v1/refunds", RefundListParams, self._list_refunds),
            ("GET", r"/v1/refunds/(?P<id>[^/]+)", RefundRetrieveParams, self._getter("refunds")),
            ("GET", r"/v1/disputes/(?P<id>[^/]+)", DisputeRetrieveParams, self._getter("disputes")),
            ("POST", r"/v1/disputes/(?P<id>[^/]+)", DisputeUpdateParams, self._update_dispute),
            ("POST", r"/v1/disputes/(?P<id>[^/]+)/close", DisputeCloseParams, self._close_dispute),
            ("GET", r"/v1/events/(?P<id>[^/]+)", EventRetrieveParams, self._getter("events")),
            ("GET", r"/v1/tax_rates/(?P<id>[^/]+)", TaxRateRetrieveParams, self._getter("tax_rates")),
        ]
        for route_method, pattern, schema, handler in routes:
            match = re.fullmatch(pattern, path)
            if match and route_method == method:
                check_params(params, schema)
                return handler(params, **match.groupdict()) if run else None
        raise StripeAPIError(404, f"Unrecognized request URL ({method}: {path}).", store=False)

    def _getter(self, collection):
        def get(params, id):
            with self.lock:
                store = getattr(self, collection)
                if id not in store:
                    raise StripeAPIError(
                        404, f"No such {collection[:-1].replace('_', ' ')}: '{id}'", code="resource_missing", param="id"
                    )
                return store[id]

        return get

    def _create_session(self, params):
        if params.get("mode") != "payment":
            raise StripeAPIError(400, "This server supports mode=payment only.", param="mode", store=False)
        items = params.get("line_items") or []
        if not items:
            raise StripeAPIError(400, "You must specify `line_items`.", code="parameter_missing", param="line_items")
        now = self.now()
        expires_at = int(params.get("expires_at", now + DEFAULT_EXPIRY))
        if expires_at < now + MIN_EXPIRY:
            raise StripeAPIError(
                400,
                "The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.",
                code="parameter_invalid_integer",
                param="expires_at",
            )
        if expires_at > now + MAX_EXPIRY:
            raise StripeAPIError(
                400,
                "The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.",
                code="parameter_invalid_integer",
                param="expires_at",
            )
        total, currency, rows = 0, None, []
        for index, item in enumerate(items):
            data = item.get("price_data")
            if not data:
                raise StripeAPIError(400, "This server supports price_data only.", param=f"line_items[{index}][price")
            if "unit_amount" not in data:
                raise StripeAPIError(
                    400,
                    "Missing unit_amount.",
                    code="parameter_missing",
                    param=f"line_items[{index}][price_data][unit_amount]",
                )
            unit, quantity = int(data["unit_amount"]), int(item.get("quantity", 1))
            if unit < 0 or quantity < 1:
                raise StripeAPIError(400, "Invalid amount or quantity.", param=f"line_items[{index}]")
            item_currency = data["currency"].lower()
            if currency and item_currency != currency:
                raise StripeAPIError(400, "All line items must share one currency.", param=f"line_items[{index}]")
            currency = item_currency
            total += unit * quantity
            rows.append(
                {
                    "id": self.new_id("li"),
                    "object": "item",
                    "amount_total": unit * quantity,
                    "currency": currency,
                    "description": data.get("product_data", {}).get("name"),
                    "quantity": quantity,
                    "price": {"unit_amount": unit, "currency": currency},
                }
            )
        session_id = self.new_id("cs")
        invoice_creation = params.get("invoice_creation", {})
        session = {
            "id": session_id,
            "object": "checkout.session",
            "amount_subtotal": total,
            "amount_total": total,
            "billing_address_collection": params.get("billing_address_collection"),
            "cancel_url": params.get("cancel_url"),
            "client_reference_id": params.get("client_reference_id"),
            "created": now,
            "currency": currency,
            "customer": None,
            "customer_details": None,
            "customer_email": params.get("customer_email"),
            "expires_at": expires_at,
            "invoice": None,
            "invoice_creation": {"enabled": invoice_creation.get("enabled") == "true"},
            "livemode": False,
            "locale": params.get("locale"),
            "metadata": params.get("metadata", {}),
            "mode": "payment",
            "payment_intent": None,
            "allowed_payment_method_types": params.get("allowed_payment_method_types"),
            "payment_status": "unpaid",
            "status": "open",
            "success_url": params.get("success_url"),
            "tax_id_collection": {"enabled": params.get("tax_id_collection", {}).get("enabled") == "true"},
            "url": f"https://checkout.stripe.com/c/pay/{session_id}",
        }
        with self.lock:
            self.sessions[session_id] = session
            self.session_params[session_id] = params
            self.line_items[session_id] = rows
        return session

    def _get_session(self, params, id):
        session = self._getter("sessions")(params, id)
        with self.lock:
            if session["status"] == "open" and session["expires_at"] <= self.now():
                session.update(status="expired", url=None)
        return session

    def _line_items(self, params, id):
        self._getter("sessions")(params, id)
        return {
            "object": "list",
            "data": self.line_items[id],
            "has_more": False,
            "url": f"/v1/checkout/sessions/{id}/line_items",
        }

    def _expire_session(self, params, id):
        self._getter("sessions")(params, id)
        return self.expire_session(id)

    def _create_refund(self, params):
        with self.lock:
            if "payment_intent" in params:
                pi = self._getter("payment_intents")(params, params["payment_intent"])
                charge = self.charges[pi["latest_charge"]]
            elif "charge" in params:
                charge = self._getter("charges")(params, params["charge"])
            else:
                raise StripeAPIError(400, "One of `charge` or `payment_intent` is required.", code="parameter_missing")
            if any(
                d["charge"] == charge["id"] and d["status"] != "won" and not d["is_charge_refundable"]
                for d in self.disputes.values()
            ):
                # A charged-back payment is refunded through the dispute (accept it), never twice.
                raise StripeAPIError(
                    400, f"Charge {charge['id']} has been charged back; cannot issue a refund.", code="charge_disputed"
                )
            left = charge["amount"] - charge["amount_refunded"]
            if left <= 0:
                raise StripeAPIError(
                    400, f"Charge {charge['id']} has already been refunded.", code="charge_already_refunded"
                )
            amount = int(params.get("amount", left))
            if amount <= 0:
                raise StripeAPIError(
                    400, "Refund amount must be positive.", code="parameter_invalid_integer", param="amount"
                )
            if amount > left:
                raise StripeAPIError(
                    400,
                    f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})",
                    code="amount_too_large",
                    param="amount",
                )
            refund_id = self.new_id("re")
            charge["amount_refunded"] += amount
            charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
            refund = {
                "id": refund_id,
                "object": "refund",
                "amount": amount,
                "currency": charge["currency"],
                "charge": charge["id"],
                "payment_intent": charge["payment_intent"],
                "reason": params.get("reason"),
                "metadata": params.get("metadata", {}),
                "status": "succeeded",
                "failure_reason": None,
                "created": self.now(),
            }
            self.refunds[refund_id] = refund
            return refund

    def _list_refunds(self, params):
        with self.lock:
            data = [
                r
                for r in reversed(self.refunds.values())
                if (not params.get("payment_intent") or r["payment_intent"] == params["payment_intent"])
                and (not params.get("charge") or r["charge"] == params["charge"])
            ]
        data.sort(key=lambda r: r["created"], reverse=True)  # newest first; stable, so ties stay newest first
        return page(data, params, "/v1/refunds")

    def _update_dispute(self, params, id):
        dispute = self._getter("disputes")(params, id)
        with self.lock:
            if dispute["status"] in {"won", "lost"}:
                raise StripeAPIError(400, "This dispute is already closed.", param="dispute")
            if dispute["status"] not in OPEN_DISPUTE_STATUSES:
                # Once evidence is submitted Stripe takes no further changes: the bank decides.
                raise StripeAPIError(
                    400,
                    f"This dispute's evidence was already submitted (status {dispute['status']}); it cannot be updated.",
                    param="evidence",
                )
            _check_evidence(params.get("evidence", {}))
            dispute["evidence"].update(params.get("evidence", {}))
            dispute["metadata"].update(params.get("metadata", {}))
            if params.get("submit") == "true":
                dispute["status"] = "under_review"
                dispute["evidence_details"]["submission_count"] += 1
            return dispute

    def _close_dispute(self, params, id):
        """Accepting the dispute: the cardholder keeps the money, the dispute is lost."""
        dispute = self._getter("disputes")(params, id)
        with self.lock:
            if dispute["status"] not in OPEN_DISPUTE_STATUSES:
                raise StripeAPIError(
                    400, f"This dispute cannot be closed: its status is {dispute['status']}.", param="dispute"
                )
            dispute["status"] = "lost"
            return dispute

    # HTTP

    def handle(self, method, raw_path, headers, body):
        """(status, headers, body bytes) for one request, or None to drop the connection."""
        url = urlsplit(raw_path)
        record = {"method": method, "path": url.path, "headers": dict(headers), "body": body, "params": None}
        with self.lock:
            self.requests.append(record)
            hang = self._hangs > 0
            if hang:
                self._hangs -= 1
            failure = None if hang else self._next_failure(method, url.path)

        if hang:
            self._release.wait(self._hang_seconds)
            return None
        with self.lock:
            trickle = self._trickles.pop(0) if self._trickles else None
        extra_trickle = {"X-Trickle": str(trickle)} if trickle is not None else {}
        request_id = self.new_id("req")
        extra = {"Request-Id": request_id, **extra_trickle}
        try:
            auth = headers.get("Authorization", "")
            if not auth.startswith("Bearer "):
                raise StripeAPIError(401, "You did not provide an API key.", store=False)
            if auth[len("Bearer ") :] != self.api_key:
                raise StripeAPIError(401, "Invalid API Key provided.", store=False)
            if failure and not failure[1]:
                raise StripeAPIError(
                    failure[0], "An unknown error occurred on Stripe's side.", type="api_error", store=False
                )
            if method == "POST":
                content_type = headers.get("Content-Type", "")
                if not content_type.startswith("application/x-www-form-urlencoded"):
                    raise StripeAPIError(400, "Bodies must be form-encoded.", store=False)
                pairs = parse_qsl(body.decode(), keep_blank_values=True)
            else:
                pairs = parse_qsl(url.query, keep_blank_values=True)
            params = decode_form(pairs)
            record["params"] = params
        except StripeAPIError as exc:
            return exc.status, extra, exc.body
        key = headers.get("Idempotency-Key") if method == "POST" else None
        fingerprint = (method, url.path, json.dumps(params, sort_keys=True))
        if key:
            with self.lock:
                saved = self.idempotency.get(key)
                if saved is not None and self.now() - saved["created"] >= IDEMPOTENCY_KEPT:
                    saved = None  # forgotten: Stripe treats the key as new
                if saved is None:
                    self.idempotency[key] = {"fingerprint": fingerprint, "response": None, "created": self.now()}
            if saved is not None:
                if saved["fingerprint"] != fingerprint:
                    exc = StripeAPIError(
                        400,
                        f"Keys for idempotent requests can only be used with the same parameters they were first used "
                        f"with. Try using a key other than '{key}' if you meant to execute a different request.",
                        type="idempotency_error",
                    )
                    return exc.status, extra, exc.body
                if saved["response"] is None:
                    exc = StripeAPIError(
                        409,
                        "There is currently another in-progress request using this Stripe token (probably the same "
                        "idempotency key). Please try again later.",
                        type="idempotency_error",
                        code="idempotency_key_in_use",
                    )
                    return exc.status, extra, exc.body
                status, body = saved["response"]
                return status, {**extra, "Idempotent-Replayed": "true", "Original-Request": saved["request_id"]}, body
        try:
            if failure and not failure[2]:
                self.route_check(method, url.path, params)
                raise StripeAPIError(failure[0], "An unknown error occurred on Stripe's side.", type="api_error")
            status, payload = 200, json.loads(json.dumps(self.route(method, url.path, params)))
            store = True
            if failure:  # the work is done, the answer is lost: a 500, kept under the key like any result
                error = StripeAPIError(failure[0], "An unknown error occurred on Stripe's side.", type="api_error")
                status, payload = error.status, error.body
        except StripeAPIError as exc:
            status, payload, store = exc.status, exc.body, exc.store
        if key:
            with self.lock:
                if store:
                    self.idempotency[key].update(response=(status, payload), request_id=request_id)
                else:
                    del self.idempotency[key]
        return status, extra, payload


def _make_handler(fake):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self, method):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            result = fake.handle(method, self.path, self.headers, body)
            if result is None:
                self.close_connection = True
                return
            status, headers, payload = result
            data = json.dumps(payload).encode()
            trickle = headers.pop("X-Trickle", None)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            if trickle is None:
                self.wfile.write(data)
                return
            for index in range(len(data)):
                if fake._release.wait(float(trickle)):
                    break
                try:
                    self.wfile.write(data[index : index + 1])
                    self.wfile.flush()
                except OSError:
                    break

        def do_GET(self):
            self._serve("GET")

        def do_POST(self):
            self._serve("POST")

        def do_DELETE(self):
            self._serve("DELETE")

        def log_message(self, format, *args):
            pass

    return Handler
