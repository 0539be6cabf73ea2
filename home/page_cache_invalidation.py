"""When to drop cached pages: every change to something a cached page shows.

Pages (published, unpublished, moved, deleted), offer banners and their
targeting, packages, refund policies, the agency and calendar settings, images,
topics and sites. Each starts a new page-cache generation (home.page_cache) and,
when a CDN is configured (WAGTAILFRONTENDCACHE), purges pages from it through
Wagtail's frontend cache, in a task after the change commits (never in the
editor's request): publishing or unpublishing a page purges only the URLs it
shows on (the page, the pages above it that list it, the feed and the
sitemaps); anything else (a banner, settings, a move or a deletion) purges every
cacheable page. Other articles that link the page (related, previous and next)
keep their CDN copy until it expires (PAGE_CACHE_SECONDS); the origin serves
them fresh at once.

Orders and seat holds are deliberately absent: availability is not in cached
HTML (offers.availability_views serves it fresh).
"""

import logging

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.tasks import task
from django.urls import NoReverseMatch, reverse
from wagtail.contrib.frontend_cache.utils import PurgeBatch
from wagtail.contrib.settings.models import BaseSiteSetting
from wagtail.models import DraftStateMixin, Page
from wagtail.signals import page_published, page_unpublished, post_page_move, published, unpublished

from home import page_cache, sitemaps

logger = logging.getLogger(__name__)

WATCHED_MODELS = [
    "offers.OfferBanner",
    "offers.BannerSection",
    "offers.BannerExclusion",
    "offers.DemoPackage",
    "offers.RefundPolicy",
    "offers.WorkingCalendar",
    "offers.PublicHoliday",
    "home.AgencySettings",
    "wagtailcore.Site",
    "taggit.Tag",
]
# Saving a draft revision or a lock touches only these fields: nothing visitors see.
DRAFT_BOOKKEEPING_FIELDS = {
    "latest_revision",
    "latest_revision_created_at",
    "has_unpublished_changes",
    "draft_title",
    "locked",
    "locked_at",
    "locked_by",
}


def content_changed(sender=None, instance=None, **kwargs):
    update_fields = kwargs.get("update_fields")
    if update_fields and set(update_fields) <= DRAFT_BOOKKEEPING_FIELDS:
        return
    # Site settings are created with their defaults on first read, which is what pages already showed.
    if kwargs.get("created") and isinstance(instance, BaseSiteSetting):
        return
    reason = f"{sender._meta.label if sender else 'content'} changed"
    # Now, so this process's next request sees it; and again after commit, so a
    # request on another server that read the old rows before the commit cannot
    # leave its stale render under the current generation.
    page_cache.invalidate(reason)
    transaction.on_commit(lambda: page_cache.invalidate(reason), robust=True)
    # Pages and snippets with drafts are purged on their publish signal only: the save that
    # comes with every publish would send the CDN the same purge twice.
    saved_with_drafts = kwargs.get("signal") is post_save and isinstance(instance, DraftStateMixin)
    if getattr(settings, "WAGTAILFRONTENDCACHE", None) and not saved_with_drafts:
        if kwargs.get("signal") in (page_published, page_unpublished):
            urls = sorted(affected_urls(instance))
            transaction.on_commit(lambda: purge_urls.enqueue(urls), robust=True)
        else:
            transaction.on_commit(purge_every_page.enqueue, robust=True)


def page_saved(sender, instance, **kwargs):
    # A draft of a page nobody sees yet changes nothing on the site.
    if kwargs.get("created") and not instance.live:
        return
    content_changed(sender, instance, **kwargs)


def cacheable_pages():
    """Live pages the page cache (and so a CDN) may hold."""
    models = [apps.get_model(label) for label in page_cache.CACHEABLE_PAGE_TYPES]
    return Page.objects.live().public().type(*models)


def affected_urls(page) -> set[str]:
    """Where a published or unpublished page shows: itself, the pages above it (the learn index and
    home page list articles), the feed and the sitemaps."""
    batch = PurgeBatch()
    cacheable = {label.split(".")[1] for label in page_cache.CACHEABLE_PAGE_TYPES}
    above = page.get_ancestors().filter(depth__gt=1).specific()
    batch.add_pages([page, *(ancestor for ancestor in above if ancestor._meta.model_name in cacheable)])
    site = page.get_site()
    if site is not None:
        for name in ("learn_feed", "sitemap"):
            try:
                batch.add_url(site.root_url + reverse(name))
            except NoReverseMatch:
                continue
        section = reverse(sitemaps.SECTION_URL_NAME, kwargs={"section": sitemaps.section_name(page.specific_class)})
        batch.add_url(site.root_url + section)
    return batch.urls


@task
def purge_urls(urls):
    """Ask the CDN to drop these URLs (a task: a CDN's answer never delays the editor)."""
    PurgeBatch(urls).purge()


@task
def purge_every_page():
    """Ask the CDN to drop every cacheable page: a banner, package or settings change shows on many."""
    purge_frontend_cache()


def purge_frontend_cache():
    batch = PurgeBatch()
    batch.add_pages(cacheable_pages())
    batch.purge()


def connect():
    for name, signal in (("published", page_published), ("unpublished", page_unpublished), ("moved", post_page_move)):
        signal.connect(content_changed, dispatch_uid=f"page_cache_page_{name}")
    for model in apps.get_models():
        if issubclass(model, Page):
            post_save.connect(page_saved, sender=model, dispatch_uid=f"page_cache_saved_{model._meta.label}")
            post_delete.connect(content_changed, sender=model, dispatch_uid=f"page_cache_deleted_{model._meta.label}")
    from wagtail.images import get_image_model

    watched = [apps.get_model(label) for label in WATCHED_MODELS] + [get_image_model()]
    for model in watched:
        label = model._meta.label
        post_save.connect(content_changed, sender=model, dispatch_uid=f"page_cache_saved_{label}")
        post_delete.connect(content_changed, sender=model, dispatch_uid=f"page_cache_deleted_{label}")
        published.connect(content_changed, sender=model, dispatch_uid=f"page_cache_published_{label}")
        unpublished.connect(content_changed, sender=model, dispatch_uid=f"page_cache_unpublished_{label}")
