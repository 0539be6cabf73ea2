"""The sales panel on the admin home: staff who may see orders see this month and last, refunds, open orders
and the last 12 weeks, counted in Berlin time, from a fixed number of queries."""

import datetime
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from offers.models import Order, Refund
from offers.reports import sales as dashboard
from tests.checkout_helpers import staff_user
from tests.factories import DemoPackageFactory, OrderFactory, RefundPolicyFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]

BERLIN = ZoneInfo("Europe/Berlin")
S = Order.Status
TODAY = datetime.date(2026, 11, 25)  # a Wednesday


def berlin(year, month, day, hour=12, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=BERLIN)


@pytest.fixture
def package():
    return DemoPackageFactory()


@pytest.fixture
def policy():
    return RefundPolicyFactory()


@pytest.fixture
def paid(package, policy):
    """paid(when, ...) -> an order paid at `when` (a seat is not needed for past figures)."""

    def make(when, amount="90.00", currency="EUR", status=S.PAID, **fields):
        return OrderFactory(
            package=package,
            refund_policy=policy,
            paid=True,
            status=status,
            paid_at=when,
            created_at=when - datetime.timedelta(minutes=5),
            amount=Decimal(amount),
            currency=currency,
            seat=False,
            **fields,
        )

    return make


def refund(order, when, amount="90.00", status="succeeded"):
    order.amount_refunded = Decimal(amount)
    order.status = S.REFUNDED if Decimal(amount) >= order.amount else S.PARTIALLY_REFUNDED
    order.save(update_fields=["amount_refunded", "status"])
    return Refund.objects.create(
        order=order,
        stripe_refund_id=f"re_test_{order.pk}_{status}",
        amount=Decimal(amount),
        currency=order.currency,
        status=status,
        created_at=when,
    )


def test_month_boundaries_are_midnight_in_berlin(paid):
    paid(berlin(2026, 11, 1, 0, 30))  # 31 October 23:30 UTC: November in Berlin
    paid(berlin(2026, 10, 31, 23, 59))  # 22:59 UTC: still October
    paid(berlin(2026, 10, 1, 0, 10))  # first minutes of October (CEST)
    paid(berlin(2026, 9, 30, 23, 50))  # September: in neither month
    paid(berlin(2026, 12, 1, 0, 0))  # next month

    summary = dashboard.sales_summary(TODAY)

    assert (summary.this_month.label, summary.this_month.paid_orders) == ("November 2026", 1)
    assert (summary.last_month.label, summary.last_month.paid_orders) == ("October 2026", 2)


def test_months_across_the_summer_time_change(paid):
    paid(berlin(2026, 7, 1, 0, 5))  # 30 June 22:05 UTC
    paid(berlin(2026, 6, 30, 23, 55))

    summary = dashboard.sales_summary(datetime.date(2026, 7, 10))

    assert summary.this_month.paid_orders == 1
    assert summary.last_month.paid_orders == 1


def test_revenue_is_summed_per_currency_and_refunds_are_shown_separately(paid):
    paid(berlin(2026, 11, 2))
    refunded = paid(berlin(2026, 11, 3))
    paid(berlin(2026, 11, 4), amount="120.00", currency="CHF")
    paid(berlin(2026, 11, 5), status=S.DELIVERED)
    refund(refunded, berlin(2026, 11, 20))
    october = paid(berlin(2026, 10, 10))
    refund(october, berlin(2026, 11, 1, 9), amount="45.00")  # October's order, refunded in November
    failed = paid(berlin(2026, 10, 11))
    Refund.objects.create(
        order=failed, stripe_refund_id="re_failed", amount=Decimal(90), currency="EUR", status="failed"
    )
    OrderFactory(created_at=berlin(2026, 11, 6), seat=False)  # pending: not revenue
    OrderFactory(created_at=berlin(2026, 11, 6), status=S.EXPIRED, seat=False)

    summary = dashboard.sales_summary(TODAY)

    november = summary.this_month
    assert november.paid_orders == 4
    assert november.revenue == {"EUR": Decimal("270.00"), "CHF": Decimal("120.00")}
    assert november.refunds == {"EUR": Decimal("135.00")}
    assert november.net == {"EUR": Decimal("135.00"), "CHF": Decimal("120.00")}
    assert november.revenue_display == ["€270.00", "CHF120.00"]
    assert (november.refunded_orders, november.refund_rate) == (1, Decimal("25.0"))
    october_figures = summary.last_month
    assert october_figures.paid_orders == 2
    assert october_figures.refunds == {}
    assert (october_figures.refunded_orders, october_figures.refund_rate) == (1, Decimal("50.0"))


def test_revenue_counts_what_stripe_took_when_a_payment_differed_from_the_order(paid):
    """A wrong-amount payment refunded in full nets to nothing, not to the order's price minus the refund."""
    mismatch = paid(berlin(2026, 11, 2), status=S.NEEDS_REVIEW, amount_paid=Decimal("50.00"))
    refund(mismatch, berlin(2026, 11, 3), amount="50.00")

    november = dashboard.sales_summary(TODAY).this_month

    assert november.revenue == {"EUR": Decimal("50.00")}
    assert november.net == {"EUR": Decimal("0.00")}


def test_no_sales_gives_no_refund_rate_rather_than_an_error():
    summary = dashboard.sales_summary(TODAY)

    assert summary.this_month.refund_rate is None
    assert summary.this_month.revenue_display == []
    assert all(bar.height == 0 for bar in summary.order_chart.bars)


def test_open_orders_are_counted_by_status(paid):
    OrderFactory(seat=False)
    OrderFactory(seat=False)
    paid(berlin(2026, 11, 2))
    paid(berlin(2026, 11, 3), status=S.IN_PROGRESS)
    paid(berlin(2026, 11, 3), status=S.REFUND_REQUESTED)
    paid(berlin(2026, 11, 3), status=S.ACCEPTED)
    OrderFactory(status=S.EXPIRED, seat=False)

    summary = dashboard.sales_summary(TODAY)

    assert summary.open_orders == [
        ("Pending payment", 2),
        ("Paid", 1),
        ("In progress", 1),
        ("Refund requested", 1),
    ]
    assert summary.open_total == 5


def test_the_chart_has_twelve_weekly_bars_from_monday_in_berlin(paid):
    # This week starts on Monday 23 November; twelve weeks back is Monday 7 September.
    paid(berlin(2026, 11, 23, 0, 15))  # this week
    paid(berlin(2026, 11, 22, 23, 45))  # Sunday night: the week before
    paid(berlin(2026, 11, 16, 9))
    paid(berlin(2026, 11, 16, 10), amount="180.00")
    paid(berlin(2026, 9, 7, 0, 5))  # first minutes of the oldest week
    paid(berlin(2026, 9, 6, 23, 55))  # just before the chart
    paid(berlin(2026, 10, 5), amount="50.00", currency="CHF")

    summary = dashboard.sales_summary(TODAY)

    assert [week.start for week in summary.weeks][0::11] == [datetime.date(2026, 9, 7), datetime.date(2026, 11, 23)]
    assert [week.paid_orders for week in summary.weeks] == [1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 3, 1]
    assert summary.chart_currency == "EUR"
    assert [bar.value_label for bar in summary.revenue_chart.bars][-2:] == ["€360.00", "€90.00"]
    assert summary.weeks[4].revenue == {"CHF": Decimal("50.00")}
    orders = summary.order_chart
    heights = [bar.height for bar in orders.bars]
    tallest = max(heights)
    third = pytest.approx(tallest / 3, abs=0.1)
    assert heights == [third, 0, 0, 0, third, 0, 0, 0, 0, 0, tallest, third]
    assert all(bar.y + bar.height == pytest.approx(orders.baseline) for bar in orders.bars)
    assert orders.top_label == "3"


def test_figures_come_from_three_queries_however_many_orders(paid, django_assert_num_queries):
    for day in range(1, 25):
        paid(berlin(2026, 11, day))

    with django_assert_num_queries(3):
        summary = dashboard.sales_summary(TODAY)

    assert summary.this_month.paid_orders == 24


# The panel in the admin


def admin_client(user):
    client = Client()
    client.force_login(user)
    return client


def test_staff_who_see_orders_see_the_sales_panel_with_real_numbers(django_user_model, paid):
    now = timezone.now()
    paid(now - datetime.timedelta(minutes=1))
    paid(now - datetime.timedelta(minutes=2), amount="120.00", currency="CHF")
    OrderFactory(seat=False)
    client = admin_client(staff_user(django_user_model, "view_order"))

    html = client.get("/admin/").content.decode()

    panel = html[html.index('id="sales-content"') :]
    month = timezone.localdate().strftime("%B %Y")
    assert re.search(rf"<th scope=\"row\">{month}</th>\s*<td>2</td>", panel)
    assert "€90.00" in panel and "CHF120.00" in panel
    assert "Pending payment: <strong>1</strong>" in panel
    assert "/admin/reports/banner-funnel/" in panel
    assert "css/admin-sales" in html


def test_the_chart_is_an_accessible_svg_with_a_table_and_no_script(django_user_model, paid):
    paid(timezone.now() - datetime.timedelta(minutes=1))
    client = admin_client(staff_user(django_user_model, "view_order"))

    html = client.get("/admin/").content.decode()

    panel = html[html.index('id="sales-content"') : html.index("Banner funnel: clicks")]
    assert panel.count("<svg") == 2
    assert 'role="img" aria-labelledby="sales-chart-orders-title sales-chart-orders-desc"' in panel
    assert '<title id="sales-chart-orders-title">Paid orders per week</title>' in panel
    assert '<desc id="sales-chart-revenue-desc">Revenue in EUR before refunds' in panel
    assert panel.count("<rect") == 24
    assert panel.count("<tr data-week=") == 12
    assert "<script" not in panel
    assert "style=" not in panel


def test_staff_without_the_orders_permission_see_no_sales_panel(django_user_model, paid):
    paid(timezone.now() - datetime.timedelta(minutes=1))
    client = admin_client(staff_user(django_user_model))

    html = client.get("/admin/").content.decode()

    assert 'id="sales-content"' not in html
    assert "Paid orders per week" not in html


def test_the_admin_home_runs_as_many_queries_with_many_orders_as_with_few(django_user_model, paid):
    client = admin_client(staff_user(django_user_model, "view_order"))
    now = timezone.now()
    paid(now - datetime.timedelta(days=1))
    client.get("/admin/")

    with CaptureQueriesContext(connection) as few:
        client.get("/admin/")
    for hours in range(2, 60):
        order = paid(now - datetime.timedelta(hours=hours * 20))
        if hours % 7 == 0:
            refund(order, now - datetime.timedelta(hours=hours * 10), amount="30.00")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/admin/")

    assert "Paid orders per week" in response.content.decode()
    assert len(many) == len(few)


def test_the_demo_site_gives_the_panel_and_the_funnel_real_numbers_once(django_user_model):
    from django.core.management import call_command

    from offers import demo
    from offers.models import BannerClickDay, OfferBanner, OrderEvent
    from offers.reports import funnel

    call_command("load_demo_content", verbosity=0)
    call_command("load_demo_content", verbosity=0)

    orders = Order.objects.filter(terms_version=demo.DEMO_TERMS_VERSION)
    assert orders.count() == len(demo.DEMO_ORDERS) == Order.objects.count()
    assert all(order.customer_email.endswith("@example.com") for order in orders)
    assert sorted(orders.values_list("status", flat=True)) == sorted(outcome for _, _, outcome in demo.DEMO_ORDERS)
    refunded = orders.get(status=S.REFUNDED)
    assert refunded.amount_refunded == refunded.amount and refunded.refunds.get().status == "succeeded"
    assert OrderEvent.objects.filter(order=refunded).count() == 6
    assert not orders.filter(delivered_at__gt=timezone.now()).exists()

    summary = dashboard.sales_summary()
    assert sum(week.paid_orders for week in summary.weeks) == 7
    assert summary.open_orders == [("Delivered", 3)]
    banner = OfferBanner.objects.get()
    assert BannerClickDay.objects.filter(banner=banner).count() == demo.DEMO_CLICK_DAYS
    start, end = funnel.default_range()
    row = funnel.report(start, end).rows[0]
    assert row.banner == banner and row.clicks > 0 and row.started == 3 and row.paid == 2

    client = admin_client(django_user_model.objects.create_superuser("boss", password="pw"))
    html = client.get("/admin/").content.decode()
    assert "Delivered: <strong>3</strong>" in html
    report = client.get("/admin/reports/banner-funnel/").content.decode()
    assert banner.headline in report
