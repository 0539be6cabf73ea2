from django.apps import AppConfig


class OffersConfig(AppConfig):
    name = "offers"
    verbose_name = "Offers and orders"

    def ready(self):
        # Wiring that keeps imports one way (README, Layout): the parts register with the
        # layers below them here, instead of being named by them. Imported here because
        # they import models, which exist only once the app registry is ready.
        from django.core.signals import request_finished, request_started

        from config import page_cache
        from config.page_cache import invalidation
        from offers.aftercare import disputes, refunds  # noqa: F401 (register their Stripe event handlers)
        from offers.catalogue import banners, offer_pages
        from offers.checkout import apply_session  # noqa: F401 (registers its Stripe event handlers)
        from offers.checkout import views as checkout_views
        from offers.models.pages import OfferPage
        from offers.payments import stripe_client

        page_cache.register_page_types("offers.OffersIndexPage", "offers.OfferPage")
        page_cache.register_schedule_source(banners.next_banner_change)
        invalidation.watch(
            "offers.OfferBanner",
            "offers.BannerSection",
            "offers.BannerExclusion",
            "offers.DemoPackage",
            "offers.RefundPolicy",
            "offers.WorkingCalendar",
            "offers.PublicHoliday",
        )
        # One deadline for all the Stripe calls a request makes (stripe_client.Budget).
        request_started.connect(stripe_client.start_request_budget, dispatch_uid="offers-stripe-budget-start")
        request_finished.connect(stripe_client.end_request_budget, dispatch_uid="offers-stripe-budget-end")
        OfferPage.connect_services(
            summarise=offer_pages.summarise, site_calendar=offer_pages.site_calendar, buy=checkout_views.buy
        )
