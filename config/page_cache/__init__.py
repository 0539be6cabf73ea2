"""Full-page cache for anonymous visitors to the site's content pages.

Infrastructure: it names no app. Apps register from `AppConfig.ready()` the page
types it may cache (`register_page_types`), the models whose changes drop it
(`invalidation.watch`) and the sources of scheduled changes that cut an entry's
life short (`register_schedule_source`).

What is cached: a GET without a query string (campaign tracking parameters
aside: they are stripped before the page is looked up or rendered) and without a session cookie, of a
registered page type (its main view, not a sub-route such as the buy form),
answered 200 as HTML without setting a cookie. Pages with a CSRF-protected form, a session or personal data never
qualify: they set a cookie, carry a session cookie, are not page types listed
here, or mark the request with `do_not_cache()`.

Lifetime: at most PAGE_CACHE_SECONDS, and never past the next moment a
registered schedule source names (an offer banner going live or expiring:
banners are chosen by their dates at request time, so a scheduled change shows
on time without any signal).

Invalidation: every change that can show on a page (see
config.page_cache.invalidation) replaces one site-wide generation token; entries
stored under an older token are never served again. This was chosen over
deleting entries page by page because a banner, package, policy or settings
change shows on many pages, and working out which is error-prone; edits are
rare next to reads; and one key in the shared cache is seen at once by every
app server, with no list of keys to keep consistent across them.
"""

import contextvars
import hashlib
import logging
import uuid
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, QueryDict
from django.utils import timezone
from django.utils.cache import patch_cache_control

logger = logging.getLogger(__name__)

# Filled from the apps' AppConfig.ready(): lower-cased model labels, and callables now -> datetime | None.
CACHEABLE_PAGE_TYPES: set[str] = set()
SCHEDULE_SOURCES: list = []
GENERATION_KEY = "pagecache:generation"
SCHEDULE_KEY = "pagecache:next-change:{generation}"
ENTRY_KEY = "pagecache:page:{digest}"
MEMO_KEY = "pagecache:memo:{generation}:{name}"
MISSING = object()
# The generation an anonymous page request started with: its memo reads then cost one cache
# round trip each, not two (with the database cache, a query each).
_request_generation = contextvars.ContextVar("page_cache_generation", default=None)
# Headers that belong to one response only and must not be replayed.
UNSTORED_HEADERS = {"set-cookie", "date", "age", "x-cache", "cache-control", "content-length"}


def max_age() -> int:
    return int(getattr(settings, "PAGE_CACHE_SECONDS", 600))


def mark_cacheable(request, page, serve_args) -> None:
    """Called for every page Wagtail serves: remember the page if its type and route may be cached."""
    if page.specific_class is None or page.specific_class._meta.label_lower not in CACHEABLE_PAGE_TYPES:
        return
    # A routable page's sub-routes (the offer page's buy form) are views of their own.
    if serve_args and getattr(serve_args[0], "__name__", "index_route") != "index_route":
        return
    request.page_cache_page = page


def do_not_cache(request, reason: str) -> None:
    """Keep this response out of the page cache (e.g. it shows something that changes with every order)."""
    if request is not None:
        request.page_cache_refused = reason


def invalidate(reason: str = "") -> None:
    """Make every stored page stale for every app server sharing this cache."""
    try:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:
        logger.exception("page cache invalidation failed", extra={"reason": reason})
        return
    logger.debug("page cache invalidated", extra={"reason": reason})


def register_page_types(*labels: str) -> None:
    """Lets pages of these types ("app.Model") be cached; called from the app's AppConfig.ready()."""
    CACHEABLE_PAGE_TYPES.update(label.lower() for label in labels)


def register_schedule_source(next_change) -> None:
    """`next_change(now)` names the next moment cached pages may change by themselves (or None)."""
    if next_change not in SCHEDULE_SOURCES:
        SCHEDULE_SOURCES.append(next_change)


def next_schedule_change(now: datetime) -> datetime | None:
    """The earliest moment any registered source says pages change on their own (a banner going live)."""
    upcoming = [moment for source in SCHEDULE_SOURCES if (moment := source(now)) is not None]
    return min(upcoming) if upcoming else None


def remember(name: str, compute):
    """compute(), kept in the cache until the next content change (the generation token moves on).

    For what every page reads and only editors change (site settings, the working
    calendar, topic lists): uncached renders then cost the same few queries.
    A cache that fails costs the queries, never the answer.
    """
    try:
        key = MEMO_KEY.format(generation=_generation(), name=name)
        found = cache.get(key, MISSING)
        if found is not MISSING:
            return found
    except Exception:
        logger.exception("page cache memo lookup failed")
        return compute()
    value = compute()
    try:
        cache.set(key, value, timeout=max_age() or 600)
    except Exception:
        logger.exception("page cache memo store failed")
    return value


def _generation() -> str:
    token = _request_generation.get()
    if token is not None:
        return token
    token = cache.get(GENERATION_KEY)
    if token is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        token = cache.get(GENERATION_KEY)
    return token


def _next_change(generation: str, now: datetime) -> datetime | None:
    """next_schedule_change(), worked out once per generation (any edit of a watched model starts a new one)."""
    key = SCHEDULE_KEY.format(generation=generation)
    stored = cache.get(key)
    if stored is not None and (stored == "none" or stored > now):
        return None if stored == "none" else stored
    moment = next_schedule_change(now)
    cache.set(key, moment or "none", timeout=max(int((moment - now).total_seconds()), 1) if moment else max_age())
    return moment


def seconds_to_midnight(now: datetime) -> int:
    local = timezone.localtime(now)
    midnight = datetime.combine(local.date() + timedelta(days=1), time.min, tzinfo=local.tzinfo)
    return int((midnight - local).total_seconds())


def entry_lifetime(generation: str, now: datetime) -> int:
    """Seconds an entry stored now may be served: PAGE_CACHE_SECONDS, cut at the next banner change.

    Also cut at local midnight, when the next free slot moves on: the value a visitor
    without JavaScript reads in the page is then never from the day before.
    """
    lifetime = min(max_age(), seconds_to_midnight(now))
    change = _next_change(generation, now)
    if change is not None:
        lifetime = min(lifetime, int((change - now).total_seconds()))
    return max(lifetime, 0)


# Campaign parameters analytics reads in the browser's address bar; the page is the same without them.
TRACKING_PARAMETERS = {"gclid", "fbclid", "msclkid", "mc_cid", "mc_eid"}
# Host (normalised) and port -> (generation, id of the Wagtail Site serving it). Bounded: hosts come from requests.
_sites: dict[tuple[str, str], tuple[str, int | None]] = {}
SITES_REMEMBERED = 256


def _is_tracking(name: str) -> bool:
    return name.startswith("utm_") or name in TRACKING_PARAMETERS


def strip_tracking(request) -> bool:
    """Drops a query string made only of tracking parameters, so the page is looked up and rendered as the plain URL.

    True when it did: such URLs answer with s-maxage=0, because a CDN keys them
    apart from the plain URL and a purge names only the plain one.
    """
    query = request.META.get("QUERY_STRING", "")
    if not query:
        return False
    names = [part.split("=", 1)[0] for part in query.split("&") if part]
    if not names or not all(_is_tracking(name) for name in names):
        return False
    request.META["QUERY_STRING"] = ""
    request.GET = QueryDict()
    return True


def _host_and_port(request) -> tuple[str, str]:
    """The host as Wagtail matches it: case, a trailing dot and the port do not make another site."""
    return request.get_host().split(":", 1)[0].lower().rstrip("."), request.get_port()


def _find_site_id(request):
    from wagtail.models import Site

    site = Site.find_for_request(request)
    return site.pk if site is not None else None


def _site_id(request, generation) -> int | None:
    """The id of the Site Wagtail serves this request from, worked out once per host, port and generation."""
    address = _host_and_port(request)
    known = _sites.get(address)
    if known is not None and known[0] == generation:
        return known[1]
    site_id = _find_site_id(request)
    if len(_sites) >= SITES_REMEMBERED:
        _sites.clear()
    _sites[address] = (generation, site_id)
    return site_id


def _entry_key(request, site_id) -> str:
    scheme = "https" if request.is_secure() else "http"
    address = f"{scheme}://site-{site_id}{request.path}"
    return ENTRY_KEY.format(digest=hashlib.sha256(address.encode()).hexdigest())


def _may_look_up(request) -> bool:
    # Wagtail serves pages only at paths ending in a slash (WAGTAIL_APPEND_SLASH),
    # so /robots.txt, /healthz, /sitemap.xml and the like never pay for a lookup.
    return (
        max_age() > 0
        and request.path_info.endswith("/")
        and request.method == "GET"
        and not request.META.get("QUERY_STRING")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        # A preview is a GET of the page's own URL through this stack (Wagtail's dummy request);
        # it carries the editor's cookies only when the caller passed the editor's request.
        and not getattr(request, "is_dummy", False)
    )


def _refusal(request, response) -> str:
    """Why this response must not be stored (empty when it may be)."""
    if getattr(request, "page_cache_page", None) is None:
        return "not a cacheable page"
    if getattr(request, "page_cache_refused", ""):
        return request.page_cache_refused
    if response.status_code != 200 or response.streaming:
        return "not a 200"
    if response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return "sets a cookie"
    if not response.get("Content-Type", "").startswith("text/html"):
        return "not HTML"
    if response.has_header("Cache-Control"):
        return "the view set its own Cache-Control"
    return ""


class PageCacheMiddleware:
    """Serves stored pages before any other work, and stores qualifying pages on the way out.

    Sits right after WhiteNoise: on a hit nothing below it runs (no session, no
    database). Headers added below it on the miss (CSP, frame options) are stored
    with the page and replayed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tracked = strip_tracking(request)
        if not _may_look_up(request):
            return self._bypass(request, self.get_response(request))
        try:
            known = _sites.get(_host_and_port(request))
            site_id = known[1] if known else _site_id(request, _generation())
            key = _entry_key(request, site_id)
            # One round trip (one query with the database cache) for a hit.
            found = cache.get_many([GENERATION_KEY, key])
            generation = found.get(GENERATION_KEY) or _generation()
            entry = found.get(key)
            if _site_id(request, generation) != site_id:  # sites changed since this host was matched
                site_id = _site_id(request, generation)
                key = _entry_key(request, site_id)
                entry = cache.get(key)
        except Exception:
            # A broken cache costs speed, never the page.
            logger.exception("page cache lookup failed")
            return self._bypass(request, self.get_response(request))
        now = timezone.now()
        if entry and entry["generation"] == generation and entry["expires_at"] > now:
            return self._replay(entry, now, tracked)
        started_with = _request_generation.set(generation)
        try:
            response = self.get_response(request)
        finally:
            _request_generation.reset(started_with)
        if _refusal(request, response):
            return self._bypass(request, response)
        self._store(key, generation, response, now, tracked)
        return response

    @staticmethod
    def _bypass(request, response):
        """A page served fresh: say so, and keep shared caches (a CDN) from storing it."""
        if getattr(request, "page_cache_page", None) is not None:
            response["X-Cache"] = "bypass"
            if not response.has_header("Cache-Control"):
                patch_cache_control(response, private=True, no_cache=True)
        return response

    def _store(self, key, generation, response, now, tracked=False):
        try:
            lifetime = entry_lifetime(generation, now)
            if lifetime > 0:
                entry = {
                    "generation": generation,
                    "status": response.status_code,
                    "headers": [
                        (name, value) for name, value in response.items() if name.lower() not in UNSTORED_HEADERS
                    ],
                    "content": response.content,
                    "stored_at": now,
                    "expires_at": now + timedelta(seconds=lifetime),
                }
                cache.set(key, entry, timeout=lifetime)
        except Exception:
            logger.exception("page cache store failed")
            lifetime = 0
        response["X-Cache"] = "miss"
        self._cache_headers(response, 0 if tracked else lifetime)

    def _replay(self, entry, now, tracked=False):
        response = HttpResponse(entry["content"], status=entry["status"])
        for name, value in entry["headers"]:
            response[name] = value
        response["Age"] = str(int((now - entry["stored_at"]).total_seconds()))
        response["X-Cache"] = "hit"
        self._cache_headers(response, 0 if tracked else int((entry["expires_at"] - now).total_seconds()))
        return response

    @staticmethod
    def _cache_headers(response, lifetime):
        # Browsers revalidate every time (an editor's change shows on reload);
        # a CDN may keep the page as long as this cache does and is purged on change.
        patch_cache_control(response, public=True, max_age=0, s_maxage=max(lifetime, 0))
