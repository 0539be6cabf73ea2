"""The sitemap: an index at /sitemap.xml with a section per page type, 1,000 URLs a page.

One flat sitemap of every live page grows with the site (about 1 s and 490 KB at
5,000 articles, and search engines accept at most 50,000 URLs in one). Here
/sitemap.xml lists the sections (`/sitemap-article.xml`, `?p=2` for the next
1,000, ...) with each one's newest `lastmod`; every section page reads only its
own rows, without their StreamField bodies. Responses are kept in the cache
until the next content change (config.page_cache.remember: publishing starts a new
generation), so a crawler reading them all costs the database once per change.
"""

import math

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import EmptyPage
from django.db.models import Count, Max
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import http_date
from django.utils.text import slugify
from django.views.decorators.http import require_GET
from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Page, Site, get_page_models

from config import page_cache

URLS_PER_SITEMAP = 1000
SECTION_URL_NAME = "sitemap_section"


def section_name(model) -> str:
    return slugify(model._meta.verbose_name)


class PageTypeSitemap(Sitemap):
    """Live public pages of one type on the request's site, in tree order, 1,000 a page."""

    limit = URLS_PER_SITEMAP

    def __init__(self, model, request=None):
        super().__init__(request)
        self.model = model

    def items(self):
        root = self.get_wagtail_site().root_page
        # The base page table only: URL and dates are all a sitemap shows.
        pages = Page.objects.live().public().exact_type(self.model).descendant_of(root, inclusive=True)
        return pages.order_by("path").values_list("url_path", "last_published_at", "latest_revision_created_at")

    def entries(self, page_number):
        """(location, lastmod) of one page of the section, as Page.get_full_url() gives the location.

        Worked out from url_path rather than through get_full_url(), which needs a page
        object and looks the site's root paths up for each: ten times the time.
        """
        site = self.get_wagtail_site()
        root_path = site.root_page.url_path
        for url_path, published, revised in self.paginator.page(page_number).object_list:
            if url_path.startswith(root_path):
                yield site.root_url + "/" + url_path[len(root_path) :], published or revised


def wagtail_site(request):
    return Site.find_for_request(request) or Site.objects.select_related("root_page").get(is_default_site=True)


def section_summaries(request):
    """(section name, number of its sitemap pages, newest change) for each page type with live public pages.

    One grouped query (and the view restrictions' one): the index never reads the pages themselves.
    """
    pages = wagtail_site(request).root_page.get_descendants(inclusive=True).live().public()
    rows = (
        pages.order_by()
        .values("content_type_id")
        .annotate(count=Count("pk"), published=Max("last_published_at"), revised=Max("latest_revision_created_at"))
    )
    by_type = {row["content_type_id"]: row for row in rows}
    summaries = []
    for model in get_page_models():
        row = by_type.get(ContentType.objects.get_for_model(model).pk)
        if model is not Page and row is not None:
            summaries.append(
                (section_name(model), math.ceil(row["count"] / URLS_PER_SITEMAP), row["published"] or row["revised"])
            )
    return sorted(summaries)


def section_sitemap(request, name):
    for model in get_page_models():
        if model is not Page and section_name(model) == name:
            return PageTypeSitemap(model, request)
    raise Http404("No such sitemap section")


def _remembered(request, key, render):
    """The rendered XML, from the cache until the next content change; a bad page number stays a 404."""

    def compute():
        response = render()
        return {"content": response.content, "last_modified": response.get("Last-Modified")}

    stored = page_cache.remember(f"sitemap:{request.scheme}://{request.get_host()}:{key}", compute)
    response = HttpResponse(stored["content"], content_type="application/xml")
    if stored["last_modified"]:
        response["Last-Modified"] = stored["last_modified"]
    response["X-Robots-Tag"] = "noindex, noodp, noarchive"
    return response


@require_GET
def index(request):
    def render():
        parts = [
            '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        ]
        summaries = section_summaries(request)
        for name, page_count, lastmod in summaries:
            location = request.build_absolute_uri(reverse(SECTION_URL_NAME, kwargs={"section": name}))
            modified = f"<lastmod>{lastmod.isoformat()}</lastmod>" if lastmod else ""
            for number in range(1, page_count + 1):
                page_location = location if number == 1 else f"{location}?p={number}"
                parts.append(f"<sitemap><loc>{escape(page_location)}</loc>{modified}</sitemap>\n")
        parts.append("</sitemapindex>\n")
        response = HttpResponse("".join(parts), content_type="application/xml")
        lastmods = [lastmod for _name, _count, lastmod in summaries if lastmod]
        if lastmods:
            response["Last-Modified"] = http_date(max(lastmods).timestamp())
        return response

    return _remembered(request, "index", render)


@require_GET
def section(request, section):
    page_number = request.GET.get("p", "1")
    # One cache entry per real page: "?p=01" or "?p=1&x" are not new pages.
    if not page_number.isdigit() or page_number != str(int(page_number)):
        raise Http404("No such sitemap page")
    sitemap = section_sitemap(request, section)

    def render():
        try:
            entries = list(sitemap.entries(int(page_number)))
        except EmptyPage as error:
            raise Http404("No such sitemap page") from error
        return render_urlset(entries)

    return _remembered(request, f"{section}:{page_number}", render)


def render_urlset(entries):
    """A sitemap's XML, written directly: Django's sitemap template takes about 0.3 ms a URL."""
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n']
    for location, lastmod in entries:
        modified = f"<lastmod>{timezone.localdate(lastmod).isoformat()}</lastmod>" if lastmod else ""
        parts.append(f"<url><loc>{escape(location)}</loc>{modified}</url>\n")
    parts.append("</urlset>\n")
    response = HttpResponse("".join(parts), content_type="application/xml")
    lastmods = [lastmod for _location, lastmod in entries if lastmod]
    if lastmods:
        response["Last-Modified"] = http_date(max(lastmods).timestamp())
    return response


def paths_showing(page) -> list[str]:
    """The sitemap index and the section that list `page` (the page cache's CDN purge asks on publish)."""
    return [reverse("sitemap"), reverse(SECTION_URL_NAME, kwargs={"section": section_name(page.specific_class)})]
