"""Per-visitor request limits in the cache, keyed on config.client_address, with the wait a 429 should announce.

Windows are fixed (each `window` seconds long, aligned to the clock), so the
moment the limit lifts is known exactly and goes into Retry-After and the page.
The cache fails open: with Redis unreachable nothing is counted and nobody is
refused; what must hold without the cache (seats held without paying) is
counted in the database by the service that makes them.
"""

import time
from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import cache
from django.template.response import TemplateResponse
from django.utils import timezone

from config.client_address import client_address


@dataclass(frozen=True)
class Limit:
    scope: str
    count: int  # requests allowed per window and visitor
    window: int  # seconds


def _key_and_wait(request, limit, now):
    bucket = int(now // limit.window)
    wait = (bucket + 1) * limit.window - now
    return f"ratelimit:{limit.scope}:{client_address(request)}:{bucket}", max(1, int(wait + 0.999))


def retry_after(request, limit, now=None):
    """Seconds until this visitor may try again, 0 when they may now (counts nothing)."""
    key, wait = _key_and_wait(request, limit, time.time() if now is None else now)
    return wait if (cache.get(key) or 0) >= limit.count else 0


def count(request, limit, now=None):
    """Counts one request of `limit.scope` for this visitor."""
    key, wait = _key_and_wait(request, limit, time.time() if now is None else now)
    if not cache.add(key, 1, wait + 1):
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, wait + 1)


def rate_limited(request, limit):
    """Counts this request; the seconds to wait once the visitor went over the limit, else 0."""
    count(request, limit)
    key, wait = _key_and_wait(request, limit, time.time())
    return wait if (cache.get(key) or 0) > limit.count else 0


def too_many_requests(request, wait, template="too_many_requests.html", context=None):
    """The styled 429: says at what time to try again, and sends Retry-After for clients and crawlers."""
    try_again_at = timezone.localtime(timezone.now() + timedelta(seconds=wait))
    response = TemplateResponse(
        request, template, {**(context or {}), "try_again_at": try_again_at, "wait_minutes": -(-wait // 60)}, status=429
    )
    response["Retry-After"] = str(int(wait))
    return response
