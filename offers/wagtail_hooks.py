"""Admin for the offers catalogue: packages, refund policies and banners as snippets."""

from wagtail.admin.ui.tables import BooleanColumn, Column, UpdatedAtColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from offers import order_admin  # noqa: F401 (registers the orders and Stripe events admin)
from offers.models import DemoPackage, OfferBanner, RefundPolicy


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
