"""Admin for the offers catalogue (packages, refund policies and banners as snippets) and the sales panel."""

from django.conf import settings
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import BooleanColumn, Column, UpdatedAtColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from offers import order_admin  # noqa: F401 (registers the orders and Stripe events admin)
from offers.models.banners import OfferBanner
from offers.models.catalogue import DemoPackage, RefundPolicy
from offers.reports import funnel_views
from offers.reports import sales as dashboard


class DemoPackageViewSet(SnippetViewSet):
    model = DemoPackage
    icon = "tag"
    menu_label = "Packages"
    list_display = [
        "name",
        Column("price_display", label="Price"),
        Column("delivery_working_days", label="Working days"),
        Column("capacity_per_day", label="Per day"),
        BooleanColumn("active"),
        UpdatedAtColumn(),
    ]
    list_filter = ["active", "currency"]
    search_fields = ["name", "short_description"]


class RefundPolicyViewSet(SnippetViewSet):
    model = RefundPolicy
    icon = "undo"
    menu_label = "Refund policies"
    list_display = [
        "name",
        Column("refund_window_days", label="Window (days)"),
        Column("refund_percentage", label="%"),
        Column("approval"),
        UpdatedAtColumn(),
    ]
    list_filter = ["approval"]
    search_fields = ["name", "summary"]


class OfferBannerViewSet(SnippetViewSet):
    model = OfferBanner
    icon = "pick"
    menu_label = "Banners"
    list_display = [
        "headline",
        Column("placement"),
        Column("offer_page", label="Offer page"),
        Column("priority"),
        Column("go_live_at", label="Goes live"),
        Column("expire_at", label="Expires"),
        UpdatedAtColumn(),
    ]
    list_filter = ["live", "placement", "style", "targeting"]
    search_fields = ["headline", "message"]


class OffersViewSetGroup(SnippetViewSetGroup):
    menu_label = "Offers"
    menu_icon = "tag"
    menu_order = 250
    items = (DemoPackageViewSet, RefundPolicyViewSet, OfferBannerViewSet)


register_snippet(OffersViewSetGroup)


# Sales panel on the admin home and the banner funnel report (issue 8), for staff who may see orders.


class SalesPanel(Component):
    name = "sales"
    template_name = "offers/admin/sales_panel.html"
    order = 50

    class Media:
        css = {"all": ["css/admin-sales.css"]}

    def get_context_data(self, parent_context):
        summary = dashboard.sales_summary()
        # Other apps add a count per month through the "sales_panel_monthly_counts" hook:
        # fn([(first day, first day of the next month), ...]) -> (column heading, [count per month]).
        spans = [(month.start, month.end) for month in summary.months]
        extra = [hook(spans) for hook in hooks.get_hooks("sales_panel_monthly_counts")]
        return {
            "summary": summary,
            "extra_headings": [heading for heading, _ in extra],
            "month_rows": [(month, [counts[i] for _, counts in extra]) for i, month in enumerate(summary.months)],
            "time_zone": settings.TIME_ZONE,
            "orders_url": reverse("order:index"),
            "funnel_url": reverse("banner_funnel_report"),
        }


@hooks.register("construct_homepage_panels")
def add_sales_panel(request, panels):
    if dashboard.may_see_sales(request.user):
        panels.append(SalesPanel())


class SalesMenuItem(MenuItem):
    def is_shown(self, request):
        return dashboard.may_see_sales(request.user)


@hooks.register("register_admin_urls")
def register_funnel_report_url():
    return [path("reports/banner-funnel/", funnel_views.funnel_report, name="banner_funnel_report")]


@hooks.register("register_reports_menu_item")
def register_funnel_report_menu_item():
    return SalesMenuItem(
        "Banner funnel", reverse("banner_funnel_report"), name="banner-funnel", icon_name="pick", order=650
    )
