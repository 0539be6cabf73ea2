"""The learn hub: an index of explainer articles and the articles themselves."""

import json
from collections import Counter

from django.conf import settings
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import Tag, TaggedItemBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from config import page_cache

from .blocks import ArticleBodyBlock
from .toc import body_text, build_outline, count_words, reading_minutes

INTRO_FEATURES = ["bold", "italic", "link"]
# Newest first, everywhere articles are listed; ArticlePage.Meta.indexes serves this order.
NEWEST_FIRST = ("-date", "-pk")
# Related articles are chosen among this many of the newest articles sharing a topic, so a
# cold article render reads a bounded number of rows however many articles share its topics.
RELATED_CANDIDATES = 200
# Characters that could end a <script> data block early, escaped the way Django's json_script does.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def public_url(path: str) -> str:
    """An absolute URL on the public origin (SITE_BASE_URL), for feeds and structured data."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.SITE_BASE_URL.rstrip("/") + "/" + path.lstrip("/")


def page_public_url(page: Page, request=None) -> str:
    """The page's absolute URL on the public origin; pass the request to look the site's paths up once for it."""
    _site_id, _root_url, page_path = page.get_url_parts(request) or (None, None, page.url_path)
    return public_url(page_path or "/")


class LearnIndexPage(Page):
    """/learn/: every published explainer, newest first, filterable by topic."""

    intro = RichTextField(blank=True, features=INTRO_FEATURES)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["learn.ArticlePage"]
    max_count = 1
    articles_per_page = 10

    class Meta:
        verbose_name = "learn index"

    def articles(self):
        """Published, public articles under this index, newest first (the order ArticlePage's index keeps)."""
        return ArticlePage.objects.live().public().child_of(self).select_related("hero_image").order_by(*NEWEST_FIRST)

    def topics(self, articles=None):
        """Topics used by at least one published article here, alphabetically."""
        article_ids = (self.articles() if articles is None else articles).values("pk")
        return Tag.objects.filter(learn_articletopic_items__content_object__in=article_ids).distinct().order_by("name")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # public() reads the view restrictions when called: once here, shared by both lists.
        all_articles = articles = self.articles()
        topic_slug = request.GET.get("topic", "").strip()
        current_topic = None
        if topic_slug:
            current_topic = Tag.objects.filter(slug=topic_slug).first()
            if current_topic is None:
                articles = articles.none()
            else:
                articles = articles.filter(tagged_items__tag=current_topic).distinct()
        # The order of ids changes only when articles are published, moved or deleted: a new
        # cache generation. A render then reads its ten articles by id, whichever page it shows,
        # instead of counting every article and walking past all earlier ones with OFFSET.
        ids = page_cache.remember(
            f"learn-article-ids:{self.pk}:{current_topic.pk if current_topic else ''}",
            lambda: list(articles.values_list("pk", flat=True)),
        )
        paginator = Paginator(ids, self.articles_per_page)
        page = paginator.get_page(request.GET.get("page"))
        by_id = articles.filter(pk__in=page.object_list).in_bulk()
        page.object_list = [by_id[pk] for pk in page.object_list if pk in by_id]
        context.update(
            articles=page,
            paginator=paginator,
            # Only publishing changes the topic list, and publishing starts a new cache generation.
            topics=page_cache.remember(f"learn-topics:{self.pk}", lambda: list(self.topics(all_articles))),
            topic_slug=topic_slug,
            current_topic=current_topic,
        )
        return context


class ArticleTopic(TaggedItemBase):
    """Links an article to a topic tag; topics drive filtering and related articles."""

    content_object = ParentalKey("learn.ArticlePage", related_name="tagged_items", on_delete=models.CASCADE)


class ArticlePage(Page):
    """An explainer: intro, a body of sections and numbered key points, topics and an author."""

    intro = RichTextField(
        blank=True, features=INTRO_FEATURES, help_text="One or two sentences: what the reader will learn."
    )
    hero_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = StreamField(ArticleBodyBlock())
    topics = ClusterTaggableManager(through=ArticleTopic, blank=True)
    author = models.CharField(max_length=100, blank=True)
    date = models.DateField("publication date", default=timezone.localdate)

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("hero_image"),
        FieldPanel("body"),
        MultiFieldPanel([FieldPanel("author"), FieldPanel("date"), FieldPanel("topics")], heading="About this article"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("body"),
        index.FilterField("date"),
        index.RelatedFields("topics", [index.SearchField("name")]),
    ]

    parent_page_types = ["learn.LearnIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "article"
        indexes = [models.Index(fields=["-date", "-page_ptr"], name="learn_article_newest")]

    @property
    def summary(self) -> str:
        """The intro as plain text, for cards, feeds and meta descriptions."""
        return strip_tags(self.intro or "").strip()

    @property
    def meta_description(self) -> str:
        return self.search_description or Truncator(self.summary).chars(160)

    @cached_property
    def outline(self):
        return build_outline(self.body)

    @cached_property
    def word_count(self) -> int:
        return count_words(self.title, self.intro, *body_text(self.body))

    @property
    def reading_time(self) -> int:
        """Minutes to read the article."""
        return reading_minutes(self.word_count)

    @cached_property
    def topic_list(self):
        """The article's topics by name, fetched once per request."""
        return sorted(self.topics.all(), key=lambda topic: topic.name.casefold())

    def related_articles(self, limit=3):
        """Up to `limit` articles sharing the most topics with this one (newest first among equals),
        topped up with the newest.

        Candidates are the RELATED_CANDIDATES newest articles sharing a topic (an index scan
        that stops there), and their shared topics are counted on the topic links alone.
        """
        others = ArticlePage.objects.live().public().exclude(pk=self.pk)
        topic_ids = [topic.pk for topic in self.topic_list if topic.pk]
        chosen = []
        if topic_ids:
            sharing = others.filter(
                Exists(ArticleTopic.objects.filter(content_object=OuterRef("pk"), tag_id__in=topic_ids))
            )
            candidates = list(sharing.order_by(*NEWEST_FIRST).values_list("pk", flat=True)[:RELATED_CANDIDATES])
            shared = Counter(
                ArticleTopic.objects.filter(content_object_id__in=candidates, tag_id__in=topic_ids).values_list(
                    "content_object_id", flat=True
                )
            )
            # candidates are newest first; a stable sort keeps that order among equal counts.
            chosen = sorted(candidates, key=lambda pk: -shared[pk])[:limit]
        if len(chosen) < limit:
            newest = others.exclude(pk__in=chosen).order_by(*NEWEST_FIRST).values_list("pk", flat=True)
            chosen += list(newest[: limit - len(chosen)])
        by_id = ArticlePage.objects.filter(pk__in=chosen).select_related("hero_image").in_bulk()
        return [by_id[pk] for pk in chosen if pk in by_id]

    def sibling_articles(self):
        """The previous (older) and next (newer) published articles in the same index."""
        if not self.pk or not self.path:
            return None, None
        siblings = ArticlePage.objects.live().public().sibling_of(self, inclusive=False)
        older = Q(date__lt=self.date) | Q(date=self.date, pk__lt=self.pk)
        newer = Q(date__gt=self.date) | Q(date=self.date, pk__gt=self.pk)
        previous = siblings.filter(older).order_by("-date", "-pk").first()
        following = siblings.filter(newer).order_by("date", "pk").first()
        return previous, following

    def structured_data(self) -> dict:
        """schema.org Article data for search engines, with absolute URLs on the public origin."""
        url = page_public_url(self)
        data = {
            "@context": "https://schema.org",
            "@type": "Article",
            "headline": Truncator(self.seo_title or self.title).chars(110),
            "description": self.meta_description,
            "url": url,
            "mainEntityOfPage": {"@type": "WebPage", "@id": url},
            "datePublished": self.date.isoformat(),
            "dateModified": (
                timezone.localdate(self.last_published_at) if self.last_published_at else self.date
            ).isoformat(),
            "author": {"@type": "Person", "name": self.author}
            if self.author
            else {"@type": "Organization", "name": settings.WAGTAIL_SITE_NAME},
            "publisher": {"@type": "Organization", "name": settings.WAGTAIL_SITE_NAME, "url": public_url("/")},
            "wordCount": self.word_count,
            "inLanguage": settings.LANGUAGE_CODE,
        }
        topics = [topic.name for topic in self.topic_list]
        if topics:
            data["keywords"] = ", ".join(topics)
        if self.hero_image:
            data["image"] = public_url(self.hero_image.get_rendition("fill-1200x630|format-jpeg").url)
        return data

    def structured_data_json(self) -> str:
        """structured_data() as JSON that is safe inside a <script type="application/ld+json"> element."""
        return mark_safe(json.dumps(self.structured_data(), ensure_ascii=False).translate(_JSON_SCRIPT_ESCAPES))  # noqa: S308

    def navigation(self):
        """Topics, index, previous, next and related articles: what links this article to the others."""
        previous_article, next_article = self.sibling_articles()
        return {
            "topics": self.topic_list,
            "index": self.get_parent(),
            "previous_article": previous_article,
            "next_article": next_article,
            "related_articles": self.related_articles(),
        }

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        if getattr(request, "is_preview", False):
            navigation = self.navigation()  # the draft's own topics, never a stored answer
        else:
            # It changes only when an article is published, moved or deleted: a new cache generation.
            navigation = page_cache.remember(f"article-navigation:{self.pk}", self.navigation)
            self.__dict__["topic_list"] = navigation["topics"]
        previous_article, next_article = navigation["previous_article"], navigation["next_article"]
        context.update(
            outline=self.outline,
            reading_time=self.reading_time,
            article_index=navigation["index"],
            related_articles=navigation["related_articles"],
            previous_article=previous_article,
            next_article=next_article,
        )
        return context
