"""Offer banners as visitors meet them: which is shown now, where its call to action leads, counting its clicks,
and when the next banner goes live or expires (the page cache's schedule source)."""

from datetime import date, datetime

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import F, Min, Q
from django.utils import timezone
from wagtail.models import Revision

from offers.models.banners import OfferBanner
from offers.models.funnel import BannerClickDay
from offers.models.pages import OffersIndexPage


class BannerNotShown(Exception):
    """The banner exists but is not live now (draft, scheduled, expired) or its offer cannot be reached."""


def record_click(banner_id: int, day: date | None = None) -> None:
    """Adds one click to the banner's count for `day` (today in TIME_ZONE by default).

    Safe under concurrency without a lock: the UPDATE with F() is atomic in the
    database; when the day's row does not exist yet, one request creates it under
    the unique constraint and any request that loses that race updates instead.
    """
    day = day or timezone.localdate()
    counts = BannerClickDay.objects.filter(banner_id=banner_id, day=day)
    if counts.update(clicks=F("clicks") + 1):
        return
    try:
        with transaction.atomic():
            BannerClickDay.objects.create(banner_id=banner_id, day=day, clicks=1)
    except IntegrityError:
        counts.update(clicks=F("clicks") + 1)


def banner_destination(banner: OfferBanner, request=None) -> str:
    """The only place a click may lead: the banner's own offer page, marked with the banner for attribution."""
    return f"{banner.offer_page.get_url(request)}?via={banner.pk}"


def shown_banner(banner_id: int, now: datetime | None = None) -> OfferBanner:
    """The banner if visitors can see it now and its offer page is live; raises BannerNotShown otherwise.

    Raises OfferBanner.DoesNotExist for an id that was never a banner.
    """
    banner = OfferBanner.objects.select_related("offer_page").get(pk=banner_id)
    now = now or timezone.now()
    live = OfferBanner.objects.live_at(now).filter(pk=banner.pk, offer_page__live=True).exists()
    if not live:
        raise BannerNotShown(banner)
    return banner


def offers_index_url(request=None) -> str | None:
    """Where a click on a banner that is no longer shown lands instead: the live offers index, if there is one."""
    index = OffersIndexPage.objects.live().first()
    return index.get_url(request) if index else None


def next_banner_change(now: datetime) -> datetime | None:
    """The next moment an offer banner goes live, expires or has a scheduled revision published."""
    moments = OfferBanner.objects.aggregate(
        go_live=Min("go_live_at", filter=Q(go_live_at__gt=now)),
        expire=Min("expire_at", filter=Q(expire_at__gt=now)),
        scheduled=Min(
            Revision.objects.filter(
                base_content_type=ContentType.objects.get_for_model(OfferBanner),
                approved_go_live_at__gt=now,
            )
            .order_by()
            .values("base_content_type")
            .annotate(first=Min("approved_go_live_at"))
            .values("first")[:1]
        ),
    )
    upcoming = [moment for moment in moments.values() if moment is not None]
    return min(upcoming) if upcoming else None


def listing_status(banner: OfferBanner, now: datetime | None = None) -> tuple[str, datetime | None, datetime | None]:
    """(status, go-live, expiry) as the banner listing shows them: "draft", "scheduled", "live" or "expired",
    with the go-live only for a scheduled banner and the expiry only for one that is or will be shown."""
    now = now or timezone.now()
    expire_at = banner.expire_at
    if banner.expired or (expire_at and expire_at <= now):
        return "expired", None, expire_at
    scheduled = banner.scheduled_revision
    go_live_at = scheduled.approved_go_live_at if scheduled is not None else None
    if go_live_at is not None and go_live_at > now:
        return "scheduled", go_live_at, expire_at
    if banner.live and banner.go_live_at and banner.go_live_at > now:
        return "scheduled", banner.go_live_at, expire_at
    if banner.live or go_live_at is not None:
        return "live", None, expire_at
    return "draft", None, None
