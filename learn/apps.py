from django.apps import AppConfig


class LearnConfig(AppConfig):
    name = "learn"
    verbose_name = "Learn"

    def ready(self):
        # Imported here: registering needs every app's models loaded, which ready() guarantees.
        from config import page_cache
        from config.page_cache import invalidation

        page_cache.register_page_types("learn.LearnIndexPage", "learn.ArticlePage")
        invalidation.watch("taggit.Tag")  # topics
