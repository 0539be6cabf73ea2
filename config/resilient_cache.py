"""Django's Redis cache, except that a Redis that fails is a cache miss, not an error page.

Redis holds only cache here (pages, rate-limit counters), so while it is down,
restarting, out of memory or left a read-only replica after a failover, every
request should still be served from the database, just slower. Django's
RedisCache raises redis' errors into the view; this backend logs them (at most
once per LOG_EVERY seconds per process, so an outage does not flood the logs)
and answers as if the key were absent.

A Redis that hangs (a paused VM, a full network path) costs a timeout per call,
and a page makes a dozen: after a connection failure or timeout the process
leaves Redis alone for RETRY_AFTER seconds, so a page pays one timeout, not twelve.
"""

import functools
import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# Not only ConnectionError and TimeoutError: a READONLY or OOM answer (ResponseError) on a
# write would otherwise fail every page, since Wagtail writes its site root paths on a miss.
UNAVAILABLE = RedisError
LOG_EVERY = 30  # seconds
# Failures that cost time (connect or read timeouts); an error answer (READONLY, OOM) comes back at once.
SLOW_FAILURES = (RedisConnectionError, RedisTimeoutError)
# Short, because writes in this window are dropped too: a publish's invalidation among them.
RETRY_AFTER = 2  # seconds


class ResilientRedisCache(RedisCache):
    """RedisCache whose reads miss and whose writes are dropped while Redis cannot serve them."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._log_lock = threading.Lock()
        self._last_logged = None
        self._suppressed = 0
        self._retry_at = 0.0

    def _resting(self):
        """True while a recent connection failure says the next call would only wait for a timeout."""
        return time.monotonic() < self._retry_at

    def _unavailable(self, operation, exc):
        if isinstance(exc, SLOW_FAILURES):
            self._retry_at = time.monotonic() + RETRY_AFTER
        with self._log_lock:
            now = time.monotonic()
            if self._last_logged is not None and now - self._last_logged < LOG_EVERY:
                self._suppressed += 1
                return
            suppressed, self._suppressed, self._last_logged = self._suppressed, 0, now
        logger.warning(
            "cache unavailable, serving without it",
            extra={"cache_operation": operation, "error": f"{exc.__class__.__name__}: {exc}", "suppressed": suppressed},
        )

    def incr(self, key, delta=1, version=None):
        if self._resting():
            raise ValueError(f"Key {key!r} not found (cache unavailable)")
        try:
            return super().incr(key, delta, version)
        except UNAVAILABLE as exc:
            self._unavailable("incr", exc)
            # What Django raises for a missing key: callers already handle it.
            raise ValueError(f"Key {key!r} not found (cache unavailable)") from exc


def _resilient(name, answer_when_down):
    """RedisCache's method `name`, answering `answer_when_down(*args, **kwargs)` when Redis is unreachable."""
    method = getattr(RedisCache, name)

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if self._resting():
            return answer_when_down(*args, **kwargs)
        try:
            return method(self, *args, **kwargs)
        except UNAVAILABLE as exc:
            self._unavailable(name, exc)
            return answer_when_down(*args, **kwargs)

    return wrapper


def _default(key, default=None, *args, **kwargs):
    return default


ANSWERS_WHEN_DOWN = {
    "get": _default,  # a miss: the caller's default
    "get_many": lambda *a, **k: {},
    "has_key": lambda *a, **k: False,
    "add": lambda *a, **k: False,  # not stored
    "set": lambda *a, **k: None,
    "set_many": lambda data, *a, **k: list(data),  # the keys that were not stored
    "touch": lambda *a, **k: False,
    "delete": lambda *a, **k: False,
    "delete_many": lambda *a, **k: None,
    "clear": lambda *a, **k: False,
}
for _name, _answer in ANSWERS_WHEN_DOWN.items():
    setattr(ResilientRedisCache, _name, _resilient(_name, _answer))
