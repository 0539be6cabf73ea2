from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = "Home and site"

    def ready(self):
        from home import page_cache_invalidation

        page_cache_invalidation.connect()
