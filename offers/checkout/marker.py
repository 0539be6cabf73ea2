"""Which orders this browser started: a signed cookie, sent only to the checkout's own paths.

The buy form reuses a pending order only for the browser that started it, and
the thank-you page shows the buyer's details only to that browser; anyone else
who knows or guesses an e-mail address or a session id learns nothing. The
cookie is scoped to the buy path and /checkout/, so every other page stays
free of it and cacheable. It holds order ids, signed; no personal data.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

BUY_COOKIE = "checkout_started"
RETURN_COOKIE = "checkout_return"
SALT = "offers.checkout.marker"
MAX_AGE = 2 * 60 * 60  # seconds: longer than a Checkout Session lives
KEEP = 3  # most recent orders remembered


def own_orders(request, cookie=BUY_COOKIE) -> tuple[int, ...]:
    """The order ids this browser started, from its marker (empty when absent, tampered or old)."""
    value = request.COOKIES.get(cookie, "")
    if not value:
        return ()
    try:
        ids = signing.loads(value, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return ()
    return tuple(i for i in ids if isinstance(i, int)) if isinstance(ids, list) else ()


def mark(response, request, order_id):
    """Adds `order_id` to the browser's marker, on the buy path it came from and on the return page."""
    ids = [i for i in own_orders(request) if i != order_id][-(KEEP - 1) :] + [order_id]
    value = signing.dumps(ids, salt=SALT)
    for name, path in ((BUY_COOKIE, request.path), (RETURN_COOKIE, reverse("checkout_return"))):
        response.set_cookie(
            name,
            value,
            max_age=MAX_AGE,
            path=path,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",  # sent on Stripe's redirect back (a top-level GET)
        )
    return response
