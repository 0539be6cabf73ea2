"""When to drop cached pages: every change to something a cached page shows.

Pages (published, unpublished, moved, deleted), images and sites, and the
models the apps register with `watch()` from their AppConfig.ready() (offer
banners, packages, policies, settings, topics). Each starts a new page-cache
generation (config.page_cache) and,
when a CDN is configured (WAGTAILFRONTENDCACHE), purges the cacheable pages
from it through Wagtail's frontend cache.

Orders and seat holds are deliberately absent: availability is not in cached
HTML (offers.catalogue.availability_views serves it fresh).
"""

import logging

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.contrib.frontend_cache.utils import PurgeBatch
from wagtail.contrib.settings.models import BaseSiteSetting
from wagtail.images import get_image_model
from wagtail.models import DraftStateMixin, Page
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
        transaction.on_commit(purge_frontend_cache, robust=True)


def page_saved(sender, instance, **kwargs):
    # A draft of a page nobody sees yet changes nothing on the site.
    if kwargs.get("created") and not instance.live:
        return
    content_changed(sender, instance, **kwargs)


def cacheable_pages():
    """Live pages the page cache (and so a CDN) may hold."""
    models = [apps.get_model(label) for label in page_cache.CACHEABLE_PAGE_TYPES]
    return Page.objects.live().public().type(*models)


def purge_frontend_cache():
    """Ask the CDN to drop every cacheable page: a banner, package or settings change shows on many."""
    batch = PurgeBatch()
    batch.add_pages(cacheable_pages())
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
    watch("wagtailcore.Site", get_image_model()._meta.label)
