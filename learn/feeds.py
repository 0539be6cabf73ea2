"""An Atom feed of the newest explainer articles at /learn/feed/."""

import copy
import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from .models import NEWEST_FIRST, ArticlePage, ArticleTopic, LearnIndexPage, page_public_url, public_url


class LatestArticlesFeed(Feed):
    feed_type = Atom1Feed
    description_template = None
    item_count = 20
    request = None

    def __call__(self, request, *args, **kwargs):
        # One instance serves every request: a copy per request may remember it, so each
        # item's URL reuses the site paths looked up once for the request (a cache read per
        # item otherwise).
        feed = copy.copy(self)
        feed.request = request
        return Feed.__call__(feed, request, *args, **kwargs)

    def get_object(self, request, *args, **kwargs):
        return LearnIndexPage.objects.live().public().first()

    def title(self, index):
        name = settings.WAGTAIL_SITE_NAME
        return f"{index.title} · {name}" if index else f"Articles · {name}"

    def subtitle(self, index):
        return (index.search_description if index else "") or "New explainers about building and running websites."

    def link(self, index):
        return page_public_url(index, self.request) if index else public_url("/")

    def feed_url(self, index):
        return public_url("/learn/feed/")

    def items(self, index):
        articles = ArticlePage.objects.live().public()
        if index:
            articles = articles.descendant_of(index)
        # Topics of all items in one query; the bodies are never shown.
        topics = Prefetch("tagged_items", queryset=ArticleTopic.objects.select_related("tag"))
        return articles.defer_streamfields().prefetch_related(topics).order_by(*NEWEST_FIRST)[: self.item_count]

    def item_title(self, article):
        return article.title

    def item_description(self, article):
        return article.summary

    def item_link(self, article):
        return page_public_url(article, self.request)

    def item_guid(self, article):
        return page_public_url(article, self.request)

    def item_author_name(self, article):
        return article.author or settings.WAGTAIL_SITE_NAME

    def item_pubdate(self, article):
        return timezone.make_aware(datetime.datetime.combine(article.date, datetime.time(9)))

    def item_updateddate(self, article):
        return article.last_published_at or self.item_pubdate(article)

    def item_categories(self, article):
        return sorted(item.tag.name for item in article.tagged_items.all())


def paths_showing(page) -> list[str]:
    """The feed lists the newest articles: a CDN drops it when any page is published (the page cache asks)."""
    return [reverse("learn_feed")]
