"""How long the test client takes to render the main pages, and how many queries each spends.

Run with `make bench`. Speed targets live here, not in the test suite.
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from benchmarks.conftest import PAGE_FIGURES

pytestmark = pytest.mark.django_db


def first_live(model):
    page = model.objects.live().order_by("path").first()
    assert page is not None, f"the demo content has no live {model.__name__}"
    return page.url


def page_urls():
    from learn.models import ArticlePage, LearnIndexPage

    return {
        "robots.txt (baseline, no database)": "/robots.txt",
        "home": "/",
        "learn index": first_live(LearnIndexPage),
        "article": first_live(ArticlePage),
        "search 'database'": "/search/?query=database",
    }


def render(client, url):
    cache.clear()  # uncached: every round renders from the database
    response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return response


@pytest.mark.parametrize(
    "name", ["robots.txt (baseline, no database)", "home", "learn index", "article", "search 'database'"]
)
def test_render(benchmark, client, demo_content, name):
    url = page_urls()[name]
    render(client, url)  # warm Django's and Wagtail's per-process caches
    with CaptureQueriesContext(connection) as queries:
        response = render(client, url)
    PAGE_FIGURES[name] = (len(queries), len(response.content))
    benchmark.extra_info.update(url=url, queries=len(queries), bytes=len(response.content))
    benchmark.group = "page render (test client, uncached)"
    benchmark(render, client, url)
