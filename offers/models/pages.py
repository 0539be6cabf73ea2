"""The offers index at /offers/ and the offer pages under it."""

from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, Site
from wagtail.search import index

from home import page_cache
from offers.blocks import OfferBodyBlock
from offers.catalogue import availability as seats
from offers.catalogue import workdays
from offers.catalogue.vat import agency_vat
from offers.payments import stripe_client

from .catalogue import DemoPackage, RefundPolicy


class OfferPageForm(WagtailAdminPageForm):
    """Publishing needs a published package and refund policy; drafts may point at drafts."""

    def clean(self):
        cleaned = super().clean()
        if not self.is_deferred_validation:
            for field, what in (("package", "package"), ("refund_policy", "refund policy")):
                chosen = cleaned.get(field)
                if chosen is not None and not chosen.live:
                    self.add_error(field, f"The {what} “{chosen}” is a draft: publish it before this page.")
        return cleaned


class OffersIndexPage(Page):
    intro = RichTextField(blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["offers.OfferPage"]
    max_count = 1

    class Meta:
        verbose_name = "offers index"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        offers = OfferPage.objects.child_of(self).live().public().select_related("package", "refund_policy")
        calendar = workdays.get_calendar(Site.find_for_request(request) or self.get_site())
        context["offers"] = [(offer, offer.offer_summary(request, calendar=calendar)) for offer in offers]
        return context


@dataclass(frozen=True)
class OfferSummary:
    """What any page shows about an offer: all of it read from the package, policy, settings and calendar."""

    page: "OfferPage"
    package: DemoPackage | None
    policy: RefundPolicy | None
    vat_line: str
    availability: seats.Availability | None

    @property
    def price_display(self):
        return self.package.price_display if self.package else ""

    @property
    def delivery_text(self):
        return self.package.delivery_text if self.package else ""

    @property
    def next_free_slot(self):
        return self.availability.next_free_slot if self.availability else None

    @property
    def next_free_slot_text(self):
        slot = self.next_free_slot
        return seats.format_day(slot) if slot else ""

    @property
    def closed_reason(self):
        """Why the offer is not on sale at all, whatever the free seats (empty when it is on sale)."""
        if self.package is None or self.policy is None or not self.package.live or not self.policy.live:
            return "This offer is not on sale yet."
        if not self.package.active:
            return "This package is not on sale at the moment."
        if not stripe_client.is_configured():
            return "Online booking is not open at the moment. Please write to us to book."
        return ""

    @property
    def on_sale(self):
        return not self.closed_reason

    @property
    def unavailable_reason(self):
        if self.closed_reason:
            return self.closed_reason
        if self.availability is None or self.availability.fully_booked:
            days = self.package.horizon_working_days
            return f"We are fully booked for the next {days} working days. Please check back in a few days."
        return ""

    @property
    def can_buy(self):
        return not self.unavailable_reason

    @property
    def schema_availability(self):
        if self.package is None or not self.package.active or not self.package.live:
            return "https://schema.org/Discontinued"
        return "https://schema.org/InStock" if self.can_buy else "https://schema.org/SoldOut"

    @property
    def like_it_text(self):
        if self.package and self.package.credited_toward_full_site:
            return f"Like it? The {self.price_display} are credited toward your full website."
        return "Like it? The demo is yours to keep and build on."

    @property
    def dont_like_it_text(self):
        if self.policy is None:
            return ""
        return f"Don't like it? You get {self.policy.refund_text}."

    @property
    def buy_url(self):
        return self.page.url + "buy/" if self.page.url else ""

    @property
    def availability_message(self):
        """The next free slot in one sentence, or why the offer cannot be bought now."""
        return f"Next free slot: {self.next_free_slot_text}" if self.can_buy else self.unavailable_reason

    @property
    def availability_url(self):
        """Where the current availability is read fresh: cached pages leave it out of their HTML."""
        return reverse("offers:availability", args=[self.page.pk])


class OfferPage(RoutablePageMixin, Page):
    """A sellable offer: its package (price, capacity) and refund policy drive everything shown."""

    hero_text = models.TextField(max_length=400, help_text="The promise in one or two sentences.")
    hero_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = StreamField(OfferBodyBlock(), blank=True)
    # null=True with blank=False: drafts may leave them empty, publishing needs both.
    package = models.ForeignKey(DemoPackage, null=True, on_delete=models.PROTECT, related_name="offer_pages")
    refund_policy = models.ForeignKey(RefundPolicy, null=True, on_delete=models.PROTECT, related_name="offer_pages")

    content_panels = Page.content_panels + [
        FieldPanel("hero_text"),
        FieldPanel("hero_image"),
        MultiFieldPanel(
            [FieldPanel("package"), FieldPanel("refund_policy")],
            heading="What is sold",
            help_text="Price, delivery time, availability and refund terms shown on the page come from these.",
        ),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("hero_text"), index.SearchField("body")]
    base_form_class = OfferPageForm
    parent_page_types = ["offers.OffersIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "offer page"

    def offer_summary(self, request=None, moment: datetime | None = None, calendar=None) -> OfferSummary:
        package = self.package
        available = None
        if package is not None and package.active and package.live:
            available = seats.availability(package, moment or timezone.now(), calendar=calendar)
            if available.fully_booked:
                # The page would have no Buy button; it must not stay like that once a seat frees up.
                page_cache.do_not_cache(request, "fully booked")
        return OfferSummary(
            page=self,
            package=package,
            policy=self.refund_policy,
            vat_line=agency_vat(request=request).line,
            availability=available,
        )

    def json_ld(self, request=None, summary: OfferSummary | None = None) -> dict:
        """schema.org Product with its Offer and return policy, for search engines."""
        summary = summary or self.offer_summary(request)
        package, policy = summary.package, summary.policy
        full_url = self.get_full_url(request)
        data = {
            "@context": "https://schema.org",
            "@type": "Product",
            "name": package.name if package else self.title,
            "description": self.search_description or self.hero_text,
            "url": full_url,
        }
        if package is None:
            return data
        offer = {
            "@type": "Offer",
            "price": package.price_plain,
            "priceCurrency": package.currency,
            "availability": summary.schema_availability,
            "url": full_url,
        }
        if policy is not None:
            offer["hasMerchantReturnPolicy"] = {
                "@type": "MerchantReturnPolicy",
                "returnPolicyCategory": "https://schema.org/MerchantReturnFiniteReturnWindow",
                "merchantReturnDays": policy.refund_window_days,
                "returnFees": "https://schema.org/FreeReturn",
                "merchantReturnLink": request.build_absolute_uri(policy.get_absolute_url())
                if request is not None
                else policy.get_absolute_url(),
            }
            if policy.refund_percentage == 100:
                offer["hasMerchantReturnPolicy"]["refundType"] = "https://schema.org/FullRefund"
        data["offers"] = offer
        return data

    @path("buy/", name="buy")
    def buy(self, request):
        """The buy form (GET) and the start of checkout (POST); see offers.checkout.views."""
        from offers.checkout.views import buy

        return buy(request, self)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        summary = self.offer_summary(request)
        context["offer"] = summary
        context["json_ld"] = self.json_ld(request, summary)
        context["cancelled"] = request.GET.get("cancelled") == "1"
        # A visitor who came through a banner keeps that attribution on the buy form.
        via = request.GET.get("via", "")
        context["via"] = via if via.isdigit() else ""
        return context
