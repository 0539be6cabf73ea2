"""Offer banners: scheduled, targeted calls to action shown around the site's pages."""

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import CharField, Exists, OuterRef, Q
from django.db.models.functions import Cast
from django.utils import timezone
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, PublishingPanel
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    Orderable,
    Page,
    PreviewableMixin,
    Revision,
    RevisionMixin,
)
from wagtail.search import index

# How many candidate banners one request may load; one wins per placement.
MAX_CANDIDATES = 20


class OfferBannerForm(WagtailAdminModelForm):
    """Refuses to publish a banner whose offer cannot be bought; drafts may be saved anyway."""

    def clean(self):
        cleaned = super().clean()
        if not self.is_deferred_validation:
            offer_page = cleaned.get("offer_page")
            for message in OfferBanner.publish_problems_for(offer_page):
                self.add_error("offer_page", message)
        return cleaned


class OfferBannerQuerySet(models.QuerySet):
    def live_at(self, moment: datetime):
        """Banners visitors see at `moment`: published (or scheduled and due) and inside go-live and expiry.

        Decided from the dates at request time, so no scheduled job has to run
        for a banner to appear or to disappear.
        """
        due_schedule = Revision.objects.filter(
            base_content_type=ContentType.objects.get_for_model(OfferBanner),
            object_id=Cast(OuterRef("pk"), CharField()),
            approved_go_live_at__isnull=False,
            approved_go_live_at__lte=moment,
        )
        return self.filter(
            Q(live=True) | Exists(due_schedule),
            Q(go_live_at__isnull=True) | Q(go_live_at__lte=moment),
            Q(expire_at__isnull=True) | Q(expire_at__gt=moment),
        )

    def for_page(self, page, moment: datetime | None = None):
        """Live banners that target `page` (None: a view that is not a page), best first.

        One query: sections and exclusions are matched against the page's
        ancestor paths, computed from its tree path without touching the database.
        """
        queryset = self.live_at(moment or timezone.now()).filter(
            offer_page__live=True, offer_page__package__active=True
        )
        if page is None:
            queryset = queryset.filter(targeting=OfferBanner.Targeting.ALL)
        else:
            steplen = Page.steplen
            ancestor_paths = [page.path[:end] for end in range(steplen, len(page.path) + 1, steplen)]
            in_section = BannerSection.objects.filter(banner=OuterRef("pk"), page__path__in=ancestor_paths)
            excluded = BannerExclusion.objects.filter(banner=OuterRef("pk"), page__path__in=ancestor_paths)
            queryset = (
                queryset.filter(Q(targeting=OfferBanner.Targeting.ALL) | Exists(in_section))
                .exclude(Exists(excluded))
                .exclude(offer_page_id=page.pk)
            )
        return queryset.select_related("offer_page").order_by("-priority", "-last_published_at", "-pk")[:MAX_CANDIDATES]


class OfferBanner(DraftStateMixin, LockableMixin, RevisionMixin, PreviewableMixin, index.Indexed, ClusterableModel):
    class Placement(models.TextChoices):
        BAR = "bar", "Slim bar at the top of every page"
        INLINE = "inline", "Card after an article's intro"
        DIALOG = "dialog", "Dismissible dialog"

    class Style(models.TextChoices):
        ACCENT = "accent", "Accent (warm)"
        CALM = "calm", "Calm (surface)"
        BRAND = "brand", "Brand colour"

    class Targeting(models.TextChoices):
        ALL = "all", "All pages"
        SECTIONS = "sections", "Only pages in the chosen sections"

    headline = models.CharField(max_length=120)
    message = models.TextField(max_length=300, blank=True)
    cta_text = models.CharField("call to action", max_length=40, default="See the offer")
    offer_page = models.ForeignKey("offers.OfferPage", null=True, on_delete=models.SET_NULL, related_name="banners")
    style = models.CharField(max_length=20, choices=Style.choices, default=Style.ACCENT)
    placement = models.CharField(max_length=20, choices=Placement.choices, default=Placement.BAR)
    targeting = models.CharField(max_length=20, choices=Targeting.choices, default=Targeting.ALL)
    priority = models.SmallIntegerField(default=0, help_text="When several banners could show, the highest wins.")

    objects = OfferBannerQuerySet.as_manager()
    base_form_class = OfferBannerForm

    panels = [
        FieldPanel("headline"),
        FieldPanel("message"),
        FieldPanel("cta_text"),
        FieldPanel("offer_page"),
        MultiFieldPanel([FieldPanel("placement"), FieldPanel("style"), FieldPanel("priority")], heading="Display"),
        MultiFieldPanel(
            [
                FieldPanel("targeting"),
                InlinePanel("sections", label="Section", heading="Sections (with all pages below them)"),
                InlinePanel("exclusions", label="Excluded page", heading="Never on (with all pages below them)"),
            ],
            heading="Where it shows",
        ),
        PublishingPanel(),
    ]
    search_fields = [index.SearchField("headline"), index.SearchField("message")]

    class Meta:
        verbose_name = "offer banner"

    def __str__(self):
        return self.headline

    @staticmethod
    def publish_problems_for(offer_page) -> list[str]:
        """Why a banner pointing at `offer_page` must not go live (empty when it may)."""
        if offer_page is None:
            return ["Choose the offer page this banner leads to."]
        problems = []
        if not offer_page.live:
            problems.append(f"The offer page “{offer_page.title}” is not published: publish it first.")
        package = offer_page.package
        if package is None:
            problems.append(f"The offer page “{offer_page.title}” has no package to sell.")
        elif not package.active:
            problems.append(f"The package “{package.name}” is inactive, so this offer cannot be bought.")
        return problems

    def publish_problems(self) -> list[str]:
        return self.publish_problems_for(self.offer_page)

    def is_live_at(self, moment: datetime) -> bool:
        if self.go_live_at and self.go_live_at > moment:
            return False
        if self.expire_at and self.expire_at <= moment:
            return False
        return self.live

    def get_preview_template(self, request, mode_name, extra_context=None):
        return "offers/banner_preview.html"

    def get_preview_context(self, request, mode_name):
        context = super().get_preview_context(request, mode_name)
        context["banner"] = self
        return context


class BannerSection(Orderable):
    banner = ParentalKey(OfferBanner, on_delete=models.CASCADE, related_name="sections")
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")

    panels = [FieldPanel("page")]


class BannerExclusion(Orderable):
    banner = ParentalKey(OfferBanner, on_delete=models.CASCADE, related_name="exclusions")
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")

    panels = [FieldPanel("page")]
