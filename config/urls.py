from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from home import sitemaps as home_sitemaps
from home import views as home_views
from search import views as search_views

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("healthz", home_views.healthz, name="healthz"),
    path("robots.txt", home_views.robots_txt, name="robots_txt"),
    path("favicon.ico", home_views.favicon, name="favicon"),
    path("sitemap.xml", home_sitemaps.index, name="sitemap"),
    path("sitemap-<slug:section>.xml", home_sitemaps.section, name=home_sitemaps.SECTION_URL_NAME),
    path("search/", search_views.search, name="search"),
    path("", include("learn.urls")),
    path("", include("offers.urls")),
    path("", include("offers.checkout_urls")),
    path("", include("offers.guarantee_urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
