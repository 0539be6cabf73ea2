"""Sales figures for the admin home panel: this month and last, open orders, paid orders per week.

Everything is counted in TIME_ZONE (an order paid at 00:30 on the 1st in
Berlin belongs to the new month) and aggregated in the database: three queries,
whatever the number of orders. Money is summed per currency and never mixed.

Definitions, shown to staff in the panel too:
- paid orders: orders in a paid state, dated by when they were paid (orders that
  needed review first are dated by their creation);
- revenue: what Stripe took for those orders (their amount when no payment was
  recorded), before refunds; refunds: money returned in the period, dated by the
  refund, shown separately; net: revenue minus refunds;
- refund rate: of the orders paid in the period, the share refunded (fully or partly) so far.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.dateformat import format as format_date
from wagtail.permissions import policy_registry

from offers import money
from offers.aftercare.refunds import COUNTED as REFUND_COUNTED
from offers.models.orders import Order
from offers.models.refunds import Refund
from offers.orders.transitions import PAID_STATES

S = Order.Status
WEEKS = 12
# Orders someone still has to act on or wait for, in the order they move through.
OPEN_STATES = (
    S.PENDING,
    S.NEEDS_REVIEW,
    S.PAID,
    S.IN_PROGRESS,
    S.DELIVERED,
    S.REFUND_REQUESTED,
    S.DISPUTED,
)
# Refunded orders: money went back (fully or partly), or a lost dispute took it.
REFUNDED = Q(amount_refunded__gt=0) | Q(status=S.REFUNDED)


def may_see_sales(user) -> bool:
    """Staff who may see orders in the admin (the orders admin's own "view" permission) may see sales figures."""
    return policy_registry.get_by_type(Order).user_has_permission(user, "view")


def _add(totals: dict[str, Decimal], currency: str, amount) -> None:
    totals[currency] = totals.get(currency, Decimal(0)) + Decimal(amount or 0)


def formatted(totals: dict[str, Decimal]) -> list[str]:
    """Amounts per currency as staff read them, largest first: ["€270.00", "CHF90.00"]."""
    return [money.format_money(amount, currency) for currency, amount in sorted(totals.items(), key=lambda i: -i[1])]


@dataclass
class Period:
    label: str
    start: date
    end: date  # exclusive
    paid_orders: int = 0
    refunded_orders: int = 0
    revenue: dict[str, Decimal] = field(default_factory=dict)
    refunds: dict[str, Decimal] = field(default_factory=dict)

    def __contains__(self, day: date) -> bool:
        return self.start <= day < self.end

    @property
    def net(self) -> dict[str, Decimal]:
        totals = dict(self.revenue)
        for currency, amount in self.refunds.items():
            _add(totals, currency, -amount)
        return totals

    @property
    def refund_rate(self) -> Decimal | None:
        """Percentage with one decimal; None when nothing was paid."""
        if not self.paid_orders:
            return None
        return (Decimal(self.refunded_orders) * 100 / self.paid_orders).quantize(Decimal("0.1"))

    @property
    def revenue_display(self):
        return formatted(self.revenue)

    @property
    def refunds_display(self):
        return formatted(self.refunds)

    @property
    def net_display(self):
        return formatted(self.net)


@dataclass
class Bar:
    """One bar of a chart, in the SVG's own units."""

    label: str
    value_label: str
    x: float
    y: float
    width: float
    height: float

    @property
    def center(self) -> float:
        return round(self.x + self.width / 2, 1)

    @property
    def value_y(self) -> float:
        """Baseline of the value written just above the bar."""
        return round(self.y - 3, 1)


@dataclass
class Chart:
    title: str
    description: str
    bars: list[Bar]
    width: int
    height: int
    baseline: float
    top_label: str


@dataclass
class SalesSummary:
    this_month: Period
    last_month: Period
    weeks: list[Period]
    open_orders: list[tuple[str, int]]
    chart_currency: str
    order_chart: Chart
    revenue_chart: Chart

    @property
    def months(self):
        return [self.this_month, self.last_month]

    @property
    def open_total(self):
        return sum(count for _, count in self.open_orders)


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


def periods(today: date) -> tuple[Period, Period, list[Period]]:
    """This month, last month and the last 12 weeks (Monday to Sunday, this week last) around `today`."""
    this_start = _month_start(today)
    last_start = _month_start(this_start - timedelta(days=1))
    this_month = Period(format_date(this_start, "F Y"), this_start, _next_month(this_start))
    last_month = Period(format_date(last_start, "F Y"), last_start, this_start)
    monday = today - timedelta(days=today.weekday())
    weeks = []
    for back in range(WEEKS - 1, -1, -1):
        start = monday - timedelta(weeks=back)
        weeks.append(Period(format_date(start, "j M"), start, start + timedelta(days=7)))
    return this_month, last_month, weeks


def sales_summary(today: date | None = None) -> SalesSummary:
    """The panel's figures for `today` (TIME_ZONE's today by default)."""
    today = today or timezone.localdate()
    this_month, last_month, weeks = periods(today)
    buckets = [this_month, last_month, *weeks]
    since = _midnight(min(last_month.start, weeks[0].start))
    tz = timezone.get_default_timezone()

    paid_by_day = (
        Order.objects.filter(status__in=PAID_STATES)
        .annotate(paid_on=Coalesce("paid_at", "created_at"))
        .filter(paid_on__gte=since)
        .annotate(day=TruncDate("paid_on", tzinfo=tz))
        .values("day", "currency")
        .annotate(
            orders=Count("pk"), revenue=Sum(Coalesce("amount_paid", "amount")), refunded=Count("pk", filter=REFUNDED)
        )
        .order_by()
    )
    for row in paid_by_day:
        for period in buckets:
            if row["day"] in period:
                period.paid_orders += row["orders"]
                period.refunded_orders += row["refunded"]
                _add(period.revenue, row["currency"], row["revenue"])

    refunds_by_day = (
        Refund.objects.filter(status__in=REFUND_COUNTED, created_at__gte=since)
        .annotate(day=TruncDate("created_at", tzinfo=tz))
        .values("day", "currency")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in refunds_by_day:
        for period in buckets:
            if row["day"] in period:
                _add(period.refunds, row["currency"], row["total"])

    by_status = dict(
        Order.objects.filter(status__in=OPEN_STATES)
        .values("status")
        .annotate(count=Count("pk"))
        .order_by()
        .values_list("status", "count")
    )
    open_orders = [(S(status).label, by_status[status]) for status in OPEN_STATES if by_status.get(status)]

    currency = _chart_currency(weeks)
    return SalesSummary(
        this_month=this_month,
        last_month=last_month,
        weeks=weeks,
        open_orders=open_orders,
        chart_currency=currency,
        order_chart=bar_chart(
            "Paid orders per week",
            f"Paid orders in each of the last {WEEKS} weeks, from the week of {weeks[0].label} to this week.",
            [(week.label, week.paid_orders, str(week.paid_orders)) for week in weeks],
        ),
        revenue_chart=bar_chart(
            f"Revenue per week ({currency})",
            f"Revenue in {currency} before refunds in each of the last {WEEKS} weeks, "
            f"from the week of {weeks[0].label} to this week.",
            [
                (
                    week.label,
                    week.revenue.get(currency, Decimal(0)),
                    money.format_money(week.revenue.get(currency, Decimal(0)), currency),
                )
                for week in weeks
            ],
            format_top=lambda value: money.format_money(value, currency),
        ),
    )


def _chart_currency(weeks: list[Period]) -> str:
    """The currency that brought the most revenue in the weeks (the shop's default when there was none)."""
    totals: dict[str, Decimal] = {}
    for week in weeks:
        for currency, amount in week.revenue.items():
            _add(totals, currency, amount)
    return max(totals, key=totals.get) if totals else money.DEFAULT_CURRENCY


CHART_WIDTH, CHART_HEIGHT = 480, 160
LABEL_SPACE, VALUE_SPACE = 18, 14


def bar_chart(title, description, points, format_top=str) -> Chart:
    """Bars for `points` [(label, value, value label)], scaled so the largest fills the plot height."""
    plot_height = CHART_HEIGHT - LABEL_SPACE - VALUE_SPACE
    baseline = CHART_HEIGHT - LABEL_SPACE
    largest = max((value for _, value, _ in points), default=0)
    scale = float(largest) or 1.0
    slot = CHART_WIDTH / max(len(points), 1)
    bars = []
    for index, (label, value, value_label) in enumerate(points):
        height = round(float(value) / scale * plot_height, 1)
        bars.append(
            Bar(
                label=label,
                value_label=value_label,
                x=round(index * slot + slot * 0.15, 1),
                y=round(baseline - height, 1),
                width=round(slot * 0.7, 1),
                height=height,
            )
        )
    return Chart(title, description, bars, CHART_WIDTH, CHART_HEIGHT, baseline, format_top(largest))
