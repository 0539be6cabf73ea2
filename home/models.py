from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Subquery
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.html import strip_tags
from django.utils.text import Truncator
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from config import page_cache

from .blocks import INLINE_FEATURES, ContentBlock, ReasonBlock

# Resolved at runtime: the learn app defines it and may not be migrated yet.
ARTICLE_MODEL = "learn.ArticlePage"
FEATURED_ARTICLE_COUNT = 3
# Created by the offers app; the home page shows no offer until it exists.
FEATURED_OFFER_TEMPLATE = "offers/includes/featured_offer.html"
# Resolved at runtime like ARTICLE_MODEL: the only page type the home page features as its offer.
OFFER_PAGE_MODEL = "offers.OfferPage"


@register_setting(icon="site")
class AgencySettings(BaseSiteSetting):
    """The agency's name, contact and legal details: shown in the header, footer, imprint and invoices."""

    name = models.CharField(max_length=100, default="Brightside Web Studio")
    tagline = models.CharField(
        max_length=200, blank=True, help_text="One sentence: used as the meta description where a page has none."
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    street_address = models.CharField(max_length=200, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=100, blank=True)
    legal_name = models.CharField(max_length=200, blank=True, help_text="The registered name, e.g. on the imprint.")
    register_details = models.CharField(
        max_length=200, blank=True, help_text="Commercial register and number, or the owner's name for a sole trader."
    )
    vat_id = models.CharField("VAT ID", max_length=40, blank=True)
    vat_exempt = models.BooleanField(
        "VAT exempt", default=False, help_text="Tick for the small-business exemption: prices then carry no VAT."
    )
    vat_rate = models.DecimalField("VAT rate (%)", max_digits=5, decimal_places=2, default=19)
    vat_exemption_note = models.CharField(
        max_length=250, blank=True, help_text="Printed on invoices when VAT exempt, e.g. the legal basis."
    )
    mastodon_url = models.URLField(blank=True)
    linkedin_url = models.URLField("LinkedIn URL", blank=True)
    github_url = models.URLField("GitHub URL", blank=True)
    contact_page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imprint_page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    privacy_page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    terms_page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    refund_policy_page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    refund_policy_url = models.CharField(
        "refund policy link",
        max_length=200,
        blank=True,
        help_text="Used when no refund policy page is chosen, e.g. /offers/refund-policy/money-back/.",
    )

    select_related = ["contact_page", "imprint_page", "privacy_page", "terms_page", "refund_policy_page"]

    @classmethod
    def for_site(cls, site):
        """Read on every page; kept in the cache until the next content change (config.page_cache)."""
        return page_cache.remember(f"agency-settings:{site.pk}", lambda: super(AgencySettings, cls).for_site(site))

    panels = [
        MultiFieldPanel([FieldPanel("name"), FieldPanel("tagline")], heading="Agency"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("email"), FieldPanel("phone")]),
                FieldPanel("street_address"),
                FieldRowPanel([FieldPanel("postal_code"), FieldPanel("city")]),
                FieldPanel("country"),
            ],
            heading="Contact",
        ),
        MultiFieldPanel(
            [
                FieldPanel("legal_name"),
                FieldPanel("register_details"),
                FieldPanel("vat_id"),
                FieldRowPanel([FieldPanel("vat_rate"), FieldPanel("vat_exempt")]),
                FieldPanel("vat_exemption_note"),
            ],
            heading="Legal and VAT",
        ),
        MultiFieldPanel(
            [FieldPanel("mastodon_url"), FieldPanel("linkedin_url"), FieldPanel("github_url")], heading="Social links"
        ),
        MultiFieldPanel(
            [
                FieldPanel("contact_page"),
                FieldPanel("imprint_page"),
                FieldPanel("privacy_page"),
                FieldPanel("terms_page"),
                FieldPanel("refund_policy_page"),
                FieldPanel("refund_policy_url"),
            ],
            heading="Pages linked in the header and footer",
        ),
    ]

    class Meta:
        verbose_name = "agency settings"
        verbose_name_plural = "agency settings"

    def __str__(self):
        return self.name

    @property
    def address_lines(self):
        """The postal address as lines, empty parts left out."""
        city_line = " ".join(part for part in (self.postal_code, self.city) if part)
        return [line for line in (self.street_address, city_line, self.country) if line]

    @property
    def social_links(self):
        """(label, url) pairs for the social profiles that are filled in."""
        pairs = [("Mastodon", self.mastodon_url), ("LinkedIn", self.linkedin_url), ("GitHub", self.github_url)]
        return [(label, url) for label, url in pairs if url]


class HomePage(Page):
    """The site's front page: the promise, reasons to trust it, featured explainers and offer."""

    hero_headline = models.CharField(max_length=120, default="A demo website in one workday.")
    hero_text = RichTextField(features=INLINE_FEATURES, blank=True)
    cta_text = models.CharField("Call to action text", max_length=60, blank=True)
    cta_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name="Call to action page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    promise_price = models.CharField(
        max_length=20, blank=True, default="90 €", help_text="Shown large beside the headline. Empty hides the box."
    )
    promise_price_note = models.CharField(max_length=60, blank=True, default="for a demo website")
    promise_points = models.TextField(
        blank=True,
        default="Ready at the end of one workday.\nLike it? It becomes part of your full project.\n"
        "Don’t? You get all your money back.",
        help_text="One short point a line.",
    )
    reasons = StreamField([("reason", ReasonBlock())], blank=True, max_num=3)
    featured_offer = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Shown below the explainers. Leave empty to show no offer.",
    )
    closing_heading = models.CharField(max_length=120, blank=True)
    closing_text = models.TextField(max_length=400, blank=True)
    closing_link_text = models.CharField(max_length=60, blank=True)
    closing_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The last section of the page, e.g. the quote request form. Leave empty to hide the section.",
    )

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [FieldPanel("hero_headline"), FieldPanel("hero_text"), FieldPanel("cta_text"), FieldPanel("cta_page")],
            heading="Hero",
        ),
        MultiFieldPanel(
            [FieldPanel("promise_price"), FieldPanel("promise_price_note"), FieldPanel("promise_points")],
            heading="Promise box",
        ),
        FieldPanel("reasons"),
        InlinePanel(
            "featured_articles",
            label="Featured explainers",
            max_num=FEATURED_ARTICLE_COUNT,
            help_text="Leave empty to show the newest explainers.",
        ),
        PageChooserPanel("featured_offer", OFFER_PAGE_MODEL),
        MultiFieldPanel(
            [
                FieldPanel("closing_heading"),
                FieldPanel("closing_text"),
                FieldPanel("closing_link_text"),
                FieldPanel("closing_page"),
            ],
            heading="Closing call to action",
        ),
    ]
    search_fields = [*Page.search_fields, index.SearchField("hero_headline"), index.SearchField("hero_text")]

    max_count = 1
    parent_page_types = ["wagtailcore.Page"]

    @property
    def promise_point_list(self):
        return [line.strip() for line in self.promise_points.splitlines() if line.strip()]

    def get_featured_articles(self):
        """The explainers an editor chose, or else the newest published ones (one query either way)."""
        try:
            article_model = apps.get_model(ARTICLE_MODEL)
        except LookupError:
            return []
        if "featured_articles" in getattr(self, "_cluster_related_objects", {}):
            # A preview or revision: the choices live in memory, not yet in the database.
            chosen = [item.page.specific for item in self.featured_articles.all() if item.page and item.page.live]
            if chosen:
                return chosen
        choices = HomePageFeaturedArticle.objects.filter(home_page=self, page=OuterRef("pk"))

        def chosen_of(model):
            return (
                model.objects.live()
                .filter(Exists(choices))
                .annotate(featured_order=Subquery(choices.values("sort_order")[:1]))
                .order_by("featured_order", "pk")
            )

        # Editors choose articles (the chooser allows only those): one query. Other pages cost one more.
        chosen = list(chosen_of(article_model)) or list(chosen_of(Page).specific())
        if chosen:
            return chosen
        newest = article_model.objects.live().public()
        ordering = ("-date", "-pk") if hasattr(article_model, "date") else ("-first_published_at", "-pk")
        return list(newest.order_by(*ordering)[:FEATURED_ARTICLE_COUNT])

    def clean(self):
        super().clean()
        # The chooser offers only offer pages; this also refuses a tampered form.
        offer = self.featured_offer
        if offer is not None and offer.specific_class._meta.label != OFFER_PAGE_MODEL:
            raise ValidationError({"featured_offer": "Choose an offer page."})

    def get_featured_offer(self):
        """The chosen offer page with its package and refund policy, in one query (None when not live).

        The home page shows whatever page is chosen; any other type than an offer page costs a second query.
        """
        if self.featured_offer_id is None:
            return None
        try:
            offer_model = apps.get_model(OFFER_PAGE_MODEL)
        except LookupError:
            return None
        offer = offer_model.objects.live().filter(pk=self.featured_offer_id).select_related("package", "refund_policy")
        return offer.first() or Page.objects.live().filter(pk=self.featured_offer_id).specific().first()

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["featured_articles"] = self.get_featured_articles()
        offer = self.get_featured_offer()
        if offer is not None:
            try:
                get_template(FEATURED_OFFER_TEMPLATE)
            except TemplateDoesNotExist:
                offer = None
        context["featured_offer"] = offer
        context["featured_offer_template"] = FEATURED_OFFER_TEMPLATE
        return context


class HomePageFeaturedArticle(Orderable):
    home_page = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="featured_articles")
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")

    panels = [PageChooserPanel("page", page_type=ARTICLE_MODEL)]


class ContentPage(Page):
    """A plain page of text and images: About, Contact, Imprint, Privacy, Terms of sale."""

    intro = RichTextField(features=INLINE_FEATURES, blank=True)
    body = StreamField(ContentBlock(), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = ["home.HomePage", "home.ContentPage"]

    @property
    def summary(self):
        return self.search_description or Truncator(strip_tags(self.intro)).words(30)
