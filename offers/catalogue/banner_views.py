"""The banner click redirect `/go/<banner id>/`: counts the click, then leads to the banner's own offer page."""

import hashlib
import hmac
import secrets
from datetime import datetime, time, timedelta

from django.core.cache import cache
from django.http import Http404, HttpResponseRedirect
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.client_address import client_address
from offers.catalogue import banners
from offers.models.banners import OfferBanner


@require_GET
@never_cache
def banner_click(request, banner_id):
    """Counts one click on a live banner's call to action and sends the visitor to that banner's offer page.

    The destination comes only from the banner itself, never from the request,
    so this cannot be used as an open redirect. No cookie is set, and nothing
    about the visitor is stored but a salted hash in the cache until midnight
    (so reloading or a script does not inflate the count: once per visitor,
    banner and day). A banner that is not shown any more (a page
    cached before it expired) leads to the offers index, uncounted; an id that
    was never a banner is a 404.
    """
    try:
        banner = banners.shown_banner(banner_id)
    except OfferBanner.DoesNotExist:
        raise Http404("No such banner") from None
    except banners.BannerNotShown:
        fallback = banners.offers_index_url(request)
        if fallback is None:
            raise Http404("This offer is no longer shown") from None
        return HttpResponseRedirect(fallback)
    if first_click_today(request, banner.pk):
        banners.record_click(banner.pk)
    return HttpResponseRedirect(banners.banner_destination(banner, request))


def _daily_salt(day):
    """A random salt that lives two days in the cache: yesterday's hashes cannot be linked to an address after."""
    key = f"go:salt:{day.isoformat()}"
    cache.add(key, secrets.token_hex(16), 2 * 24 * 60 * 60)
    return cache.get(key) or ""


def first_click_today(request, banner_id) -> bool:
    """True the first time today this visitor follows this banner (and whenever the cache cannot tell)."""
    now = timezone.localtime()
    day = now.date()
    salt = _daily_salt(day)
    if not salt:
        return True  # no cache: count rather than lose clicks
    seen = hmac.new(salt.encode(), f"{banner_id}:{client_address(request)}".encode(), hashlib.sha256).hexdigest()
    key = f"go:seen:{day.isoformat()}:{seen[:32]}"
    midnight = datetime.combine(day + timedelta(days=1), time.min, tzinfo=now.tzinfo)
    return cache.add(key, 1, max(60, int((midnight - now).total_seconds())))
