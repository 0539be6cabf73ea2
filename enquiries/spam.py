"""Spam defence without third-party services or cookies.

- A honeypot: a text field hidden from people (off screen, out of the tab
  order, hidden from screen readers); form-filling bots fill it in.
- A minimum time between showing and sending the form: the form carries its
  start time, signed with SECRET_KEY (nothing is stored); a form sent faster
  than ENQUIRY_MIN_SECONDS, or without a valid start time, was not typed by a person.
- A per-visitor limit: at most ENQUIRY_LIMIT_PER_HOUR stored enquiries per
  client address and hour, counted in the cache.

A bot is answered with the normal thank-you page and nothing is stored or
sent, so it learns nothing; a person over the limit is told, with the form
and what they typed kept.
"""

import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache

from config.client_address import client_address

# A name no browser's autofill recognises (as it would "website" or "url"), so a person's browser
# never fills the trap; bots fill every text input they find.
HONEYPOT = "enquiry_reference"
STARTED = "enquiry_started"
STARTED_SALT = "enquiries.form-started"
LIMIT_WINDOW_SECONDS = 3600


def start_token(page, now=None) -> str:
    """The signed moment `page`'s form was shown."""
    return signing.dumps({"page": page.pk, "at": now if now is not None else time.time()}, salt=STARTED_SALT)


def bot_reason(page, data, now=None) -> str:
    """Why the posted `data` looks like a bot's ("" when it looks like a person's)."""
    if data.get(HONEYPOT):
        return "honeypot filled"
    try:
        started = signing.loads(data.get(STARTED, ""), salt=STARTED_SALT)
    except signing.BadSignature:
        return "no valid start time"
    if (
        not isinstance(started, dict)
        or started.get("page") != page.pk
        or not isinstance(started.get("at"), int | float)
    ):
        return "no valid start time"
    now = now if now is not None else time.time()
    if now - started["at"] < settings.ENQUIRY_MIN_SECONDS:
        return "sent too fast"
    return ""


def _limit_key(request) -> str:
    return f"enquiries:sent:{client_address(request)}"


def over_limit(request) -> bool:
    """True when this visitor already sent ENQUIRY_LIMIT_PER_HOUR enquiries in the last hour."""
    return (cache.get(_limit_key(request)) or 0) >= settings.ENQUIRY_LIMIT_PER_HOUR


def count_sent(request) -> None:
    """Counts one stored enquiry against the visitor's hourly limit."""
    key = _limit_key(request)
    cache.add(key, 0, LIMIT_WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, LIMIT_WINDOW_SECONDS)
