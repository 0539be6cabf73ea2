"""When to drop cached pages: every change to something a cached page shows.

Pages (published, unpublished, moved, deleted, their view restrictions), images and sites, and the
models the apps register with `watch()` from their AppConfig.ready() (offer
banners, packages, policies, settings, topics). Each starts a new page-cache
generation (config.page_cache) and, when a CDN is configured
(WAGTAILFRONTENDCACHE), purges pages from it through Wagtail's frontend cache,
in a task after the change commits (never in the editor's request): publishing
or unpublishing a page purges only the URLs it shows on (the page, the pages
above it that list it, and what the apps register with `purge_also()`: the feed
and the sitemaps); anything else (a banner, settings, a move or a deletion)
purges every cacheable page. Other articles that link the page (related,
previous and next) keep their CDN copy until it expires (PAGE_CACHE_SECONDS);
the origin serves them fresh at once.

Orders and seat holds are deliberately absent: availability is not in cached
HTML (offers.catalogue.availability_views serves it fresh).
"""

import logging

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.tasks import task
from wagtail.contrib.frontend_cache.utils import PurgeBatch
from wagtail.contrib.settings.models import BaseSiteSetting
from wagtail.images import get_image_model
from wagtail.models import DraftStateMixin, Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move, published, unpublished

from config import page_cache

logger = logging.getLogger(__name__)

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


# Callables page -> site-relative paths that also show a published page (the feed, its sitemap section),
# registered by the apps that serve them.
PURGE_ALSO: list = []


def purge_also(paths_for_page) -> None:
    """Registers `paths_for_page(page)`: more paths a CDN must drop when that page is published or unpublished."""
    if paths_for_page not in PURGE_ALSO:
        PURGE_ALSO.append(paths_for_page)


def affected_urls(page) -> set[str]:
    """Where a published or unpublished page shows: itself, the pages above it (the learn index and
    home page list articles), the feed and the sitemaps."""
    batch = PurgeBatch()
    cacheable = {label.split(".")[1] for label in page_cache.CACHEABLE_PAGE_TYPES}
    above = page.get_ancestors().filter(depth__gt=1).specific()
    batch.add_pages([page, *(ancestor for ancestor in above if ancestor._meta.model_name in cacheable)])
    site = page.get_site()
    if site is not None:
        for source in PURGE_ALSO:
            for path in source(page):
                batch.add_url(site.root_url + path)
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


def restriction_changed(sender=None, instance=None, **kwargs):
    """A page made private (password, login, groups), changed or made public again: drop it everywhere.

    The CDN purge names the restricted pages themselves: the site-wide purge
    lists public pages only, which a page just made private no longer is.
    """
    if kwargs.get("action", "post_") and not kwargs.get("action", "post_").startswith("post_"):
        return  # m2m_changed fires before and after; after is enough
    page_cache.invalidate("view restriction changed")
    transaction.on_commit(lambda: page_cache.invalidate("view restriction changed"), robust=True)
    page_id = instance.page_id
    if getattr(settings, "WAGTAILFRONTENDCACHE", None):
        transaction.on_commit(lambda: purge_restricted(page_id), robust=True)


def purge_restricted(page_id):
    from wagtail.contrib.frontend_cache.utils import PurgeBatch

    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        return
    batch = PurgeBatch()
    batch.add_pages(page.get_descendants(inclusive=True).live())
    batch.purge()


def watch(*labels: str) -> None:
    """Drop cached pages whenever a model of these ("app.Model") is saved, deleted, published or unpublished."""
    for label in labels:
        model = apps.get_model(label)
        post_save.connect(content_changed, sender=model, dispatch_uid=f"page_cache_saved_{label}")
        post_delete.connect(content_changed, sender=model, dispatch_uid=f"page_cache_deleted_{label}")
        published.connect(content_changed, sender=model, dispatch_uid=f"page_cache_published_{label}")
        unpublished.connect(content_changed, sender=model, dispatch_uid=f"page_cache_unpublished_{label}")


def connect():
    """Every page type, images and sites: what any Wagtail site shows. Apps add their own with watch()."""
    for name, signal in (("published", page_published), ("unpublished", page_unpublished), ("moved", post_page_move)):
        signal.connect(content_changed, dispatch_uid=f"page_cache_page_{name}")
    for model in apps.get_models():
        if issubclass(model, Page):
            post_save.connect(page_saved, sender=model, dispatch_uid=f"page_cache_saved_{model._meta.label}")
            post_delete.connect(content_changed, sender=model, dispatch_uid=f"page_cache_deleted_{model._meta.label}")
    for signal in (post_save, post_delete):
        signal.connect(restriction_changed, sender=PageViewRestriction, dispatch_uid=f"page_cache_restriction_{signal}")
    m2m_changed.connect(
        restriction_changed, sender=PageViewRestriction.groups.through, dispatch_uid="page_cache_restriction_groups"
    )
    watch("wagtailcore.Site", get_image_model()._meta.label)
