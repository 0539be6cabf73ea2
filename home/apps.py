from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = "Home and site"

    def ready(self):
        # Imported here: registering needs every app's models loaded, which ready() guarantees.
        from config import page_cache
        from config.page_cache import invalidation

        page_cache.register_page_types("home.HomePage", "home.ContentPage")
        invalidation.watch("home.AgencySettings")
