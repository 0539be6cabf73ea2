from django.conf import settings
from django.urls import include, path
from django.views.decorators.csp import csp_override
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.utils.urlpatterns import decorate_urlpatterns

from home import views as home_views
from search import views as search_views

urlpatterns = [
    # Wagtail 8's admin needs inline scripts and styles and frames its preview: it alone gets
    # SECURE_CSP_ADMIN (see the setting), through Django's own per-view CSP override.
    path(
        "admin/", include(decorate_urlpatterns(wagtailadmin_urls.urlpatterns, csp_override(settings.SECURE_CSP_ADMIN)))
    ),
    path("documents/", include(wagtaildocs_urls)),
    path("healthz", home_views.healthz, name="healthz"),
    path("robots.txt", home_views.robots_txt, name="robots_txt"),
    path("favicon.ico", home_views.favicon, name="favicon"),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("search/", search_views.search, name="search"),
    path("", include("learn.urls")),
    path("", include("offers.urls")),
    path("", include("offers.checkout.urls")),
    path("", include("offers.aftercare.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
