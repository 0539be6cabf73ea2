"""The banner funnel: clicks on a banner's call to action, then checkouts, payments and refunds it led to.

Clicks are counted per banner per day (`BannerClickDay`), nothing about the
visitor; orders carry the banner they came through (`Order.banner`, from
`?via=`). A report counts, for a range of days in TIME_ZONE, each banner's
clicks and the orders created in that range, in a fixed number of queries.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from offers.models.banners import OfferBanner
from offers.models.funnel import BannerClickDay
from offers.models.orders import Order
from offers.orders.transitions import PAID_STATES
from offers.reports.sales import REFUNDED

DEFAULT_RANGE_DAYS = 30
# Longest range the report accepts: enough for a year-on-year look, small enough to stay a quick query.
MAX_RANGE_DAYS = 800


def default_range(today: date | None = None) -> tuple[date, date]:
    """The last 30 days up to and including today (TIME_ZONE)."""
    today = today or timezone.localdate()
    return today - timedelta(days=DEFAULT_RANGE_DAYS - 1), today


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) in TIME_ZONE, as aware datetimes (exact across DST changes)."""
    tz = timezone.get_default_timezone()
    return datetime.combine(start, time.min, tzinfo=tz), datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)


def conversion_rate(paid: int, clicks: int) -> Decimal | None:
    """Paid orders per click, as a percentage with one decimal; None when there were no clicks."""
    if not clicks:
        return None
    return (Decimal(paid) * 100 / Decimal(clicks)).quantize(Decimal("0.1"))


@dataclass
class FunnelRow:
    label: str
    banner: OfferBanner | None = None
    clicks: int = 0
    started: int = 0
    paid: int = 0
    refunded: int = 0

    @property
    def conversion(self) -> Decimal | None:
        return conversion_rate(self.paid, self.clicks)


@dataclass
class FunnelReport:
    start: date
    end: date
    rows: list[FunnelRow] = field(default_factory=list)
    total: FunnelRow = field(default_factory=lambda: FunnelRow("All banners"))
    without_banner: FunnelRow = field(default_factory=lambda: FunnelRow("Not through a banner"))


def report(start: date, end: date) -> FunnelReport:
    """Per banner, for the days start..end inclusive (TIME_ZONE): clicks, and the orders created then.

    Orders count by the day their checkout started, so "paid" and "refunded" are
    what became of those checkouts so far. Three queries whatever the volume.
    """
    begin, finish = day_bounds(start, end)
    clicks = dict(
        BannerClickDay.objects.filter(day__gte=start, day__lte=end)
        .values("banner_id")
        .annotate(total=Sum("clicks"))
        .order_by()
        .values_list("banner_id", "total")
    )
    orders = (
        Order.objects.filter(created_at__gte=begin, created_at__lt=finish)
        .values("banner_id")
        .annotate(
            started=Count("pk"),
            paid=Count("pk", filter=Q(status__in=PAID_STATES)),
            refunded=Count("pk", filter=Q(status__in=PAID_STATES) & REFUNDED),
        )
        .order_by()
    )
    by_banner = {row["banner_id"]: row for row in orders}
    ids = (set(clicks) | set(by_banner)) - {None}
    banners = {banner.pk: banner for banner in OfferBanner.objects.filter(pk__in=ids)}
    result = FunnelReport(start, end)
    for banner_id in ids:
        banner = banners.get(banner_id)
        counts = by_banner.get(banner_id, {})
        result.rows.append(
            FunnelRow(
                label=banner.headline if banner else f"Deleted banner {banner_id}",
                banner=banner,
                clicks=clicks.get(banner_id, 0),
                started=counts.get("started", 0),
                paid=counts.get("paid", 0),
                refunded=counts.get("refunded", 0),
            )
        )
    result.rows.sort(key=lambda row: (-row.clicks, -row.paid, row.label))
    for row in result.rows:
        for name in ("clicks", "started", "paid", "refunded"):
            setattr(result.total, name, getattr(result.total, name) + getattr(row, name))
    direct = by_banner.get(None, {})
    for name in ("started", "paid", "refunded"):
        setattr(result.without_banner, name, direct.get(name, 0))
    return result
