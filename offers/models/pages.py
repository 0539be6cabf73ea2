"""The offers index at /offers/ and the offer pages under it."""

from datetime import datetime
from urllib.parse import urljoin

from django.db import models
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from offers.blocks import OfferBodyBlock

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
        context["offers"] = OfferPage.services.summarise_all(self, offers, request)
        return context


class OfferPageServices:
    """What an offer page needs from the parts above the models: plugged in by OffersConfig.ready().

    Models import no services (README, Layout): what an offer shows (price, free seats, VAT line)
    is worked out in offers.catalogue.offer_pages and its buy form is a checkout view, so the page
    holds these two callables instead of importing them.
    """

    def __init__(self, summarise=None, site_calendar=None, buy=None):
        self._summarise, self._site_calendar, self._buy = summarise, site_calendar, buy

    def summarise(self, page, request=None, *, moment=None, calendar=None):
        return self._summarise(page, request, moment=moment, calendar=calendar)

    def summarise_all(self, index_page, offers, request):
        """(offer, summary) for each offer, reading the site's calendar once."""
        calendar = self._site_calendar(index_page, request)
        return [(offer, self.summarise(offer, request, calendar=calendar)) for offer in offers]

    def buy(self, request, page):
        return self._buy(request, page)


class OfferPage(RoutablePageMixin, Page):
    """A sellable offer: its package (price, capacity) and refund policy drive everything shown."""

    services = OfferPageServices()

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

    @classmethod
    def connect_services(cls, *, summarise, site_calendar, buy):
        cls.services = OfferPageServices(summarise=summarise, site_calendar=site_calendar, buy=buy)

    def offer_summary(self, request=None, moment: datetime | None = None, calendar=None):
        """What any page shows about this offer now (an offers.catalogue.offer_pages.OfferSummary)."""
        return self.services.summarise(self, request, moment=moment, calendar=calendar)

    def json_ld(self, request=None, summary=None) -> dict:
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
                # From the Site's root URL, never the request's Host: the page cache shares this HTML across hosts.
                "merchantReturnLink": urljoin(full_url, policy.get_absolute_url())
                if full_url
                else policy.get_absolute_url(),
            }
            if policy.refund_percentage == 100:
                offer["hasMerchantReturnPolicy"]["refundType"] = "https://schema.org/FullRefund"
        data["offers"] = offer
        return data

    @path("buy/", name="buy")
    def buy(self, request):
        """The buy form (GET) and the start of checkout (POST); see offers.checkout.views."""
        return self.services.buy(request, self)

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
