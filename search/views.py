import re
import unicodedata

from django.core.paginator import Paginator
from django.db.models import Q
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET
from wagtail.contrib.search_promotions.models import Query
from wagtail.models import Page
from wagtail.search.utils import normalise_query_string

from .query import SiteSearch

MAX_QUERY_LENGTH = 200
RESULTS_PER_PAGE = 10
# Control, format (e.g. RTL marks), surrogate, private-use and unassigned characters: never useful in a query.
DROPPED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}
WORD = re.compile(r"\w+")


def clean_query(raw):
    """The visitor's query as safe, searchable text: printable characters only, whitespace collapsed, capped."""
    text = "".join(" " if char.isspace() else char for char in raw[: MAX_QUERY_LENGTH * 4])
    text = "".join(char for char in text if unicodedata.category(char) not in DROPPED_CATEGORIES)
    return " ".join(text.split())[:MAX_QUERY_LENGTH].strip()


def search_terms(query):
    """Plain lower-case words: the backend's query syntax (quotes, AND/OR/NOT, NEAR, *) never reaches it."""
    return " ".join(WORD.findall(query.lower()))


def promoted_for(search_query, visible_pages=None):
    """Editors' picks for this query (Wagtail's search promotions): external links, or pages a visitor may see."""
    if visible_pages is None:
        visible_pages = Page.objects.live().public()
    return list(
        search_query.editors_picks.filter(Q(page__isnull=True) | Q(page__in=visible_pages))
        .select_related("page")
        .order_by("sort_order")
    )


def known_query(terms):
    """The Query row editors already know (one with promotions, or made in the admin), else None.

    Visitors' searches never create rows: each distinct string a script sends
    would otherwise add one, without bound. Hits are counted for known queries only.
    """
    return Query.objects.filter(query_string=normalise_query_string(terms)).first()


@require_GET
def search(request):
    """Full-text search across live public pages and public policies (search.query says how it ranks)."""
    query = clean_query(request.GET.get("query", ""))
    terms = search_terms(query)
    promotions = []
    # public() reads the view restrictions when called: once, for results and promotions.
    visible_pages = Page.objects.live().public()
    if terms:
        search_query = known_query(terms)
        if search_query is not None:
            search_query.add_hit()
            promotions = promoted_for(search_query, visible_pages)
    matches = SiteSearch(terms, visible_pages)
    page = Paginator(matches, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "query": query,
        "results": page,
        "more_than": matches.more_than,
        "promotions": promotions if page.number == 1 else [],
    }
    response = TemplateResponse(request, "search/search.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response
