from django.apps import AppConfig


class PageCacheConfig(AppConfig):
    """The page cache as an app of its own: its signals, its Wagtail hook and its clear_page_cache command."""

    name = "config.page_cache"
    label = "page_cache"
    verbose_name = "Page cache"

    def ready(self):
        # Imported here: connecting signals needs every app's models loaded, which ready() guarantees.
        from config.page_cache import invalidation

        invalidation.connect()
