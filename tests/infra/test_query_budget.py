"""Query budgets: each public page costs a fixed number of queries, close to what Wagtail itself spends.

A page's uncached render must cost the same with 1 or 20 blocks, articles,
topics, images and banners, and at most QUERY_ALLOWANCE more than Wagtail serving a bare page of
its own trivial type at the same depth (site lookup, routing, view restrictions), measured here.
"""

from pathlib import Path

import pytest
import wagtail_factories
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, Site

from home.models import ContentPage, HomePageFeaturedArticle
from offers.models import OfferBanner
from tests.factories import (
    ArticlePageFactory,
    LearnIndexPageFactory,
    OfferBannerFactory,
    article_body,
    default_site,
    offer_page,
)

pytestmark = pytest.mark.django_db

QUERY_ALLOWANCE = 4
BARE_TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


@pytest.fixture(autouse=True)
def bare_page_template(settings):
    """Content pages render a one-line template here: serving one costs only what Wagtail spends."""
    engine = {**settings.TEMPLATES[0], "DIRS": [BARE_TEMPLATES, *settings.TEMPLATES[0]["DIRS"]]}
    settings.TEMPLATES = [engine]
    settings.PAGE_CACHE_SECONDS = 0


def queries_for(client, url, **headers):
    client.get(url, **headers)  # warm what production keeps warm: site root paths, renditions, content types
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    assert response.status_code == 200, url
    return len(captured), [query["sql"] for query in captured.captured_queries]


def bare_page_under(parent):
    """A trivial page beside the measured one: same parent and depth, so the same routing work."""
    return parent.add_child(instance=ContentPage(title="Bare", slug=f"bare-{parent.pk}"))


def bare_site_root():
    """A trivial page as the root of a second site: the baseline for a site's home page."""
    root = Page.get_first_root_node().add_child(instance=ContentPage(title="Bare root", slug="bare-root"))
    Site.objects.create(hostname="bare.testserver", port=80, root_page=root)
    return root


def image():
    return wagtail_factories.ImageFactory(title="Picture")


def many_blocks(count):
    body = []
    for n in range(count):
        body += article_body(key_points=("One", "Two"), headings=(f"Section {n}",))
        body.append({"type": "image", "value": {"image": image().pk, "alt_text": f"Picture {n}", "caption": ""}})
        body.append({"type": "callout", "value": {"kind": "tip", "title": "Tip", "body": "<p>A tip.</p>"}})
        body.append({"type": "quote", "value": {"quote": "A quote.", "source": "Someone"}})
        body.append({"type": "code", "value": {"language": "sql", "code": "SELECT 1;", "caption": ""}})
    return body


class Scene:
    """The site grown to `count` of everything a page could show."""

    def __init__(self):
        self.site = default_site()
        self.home = self.site.root_page.specific
        self.offer = offer_page()
        self.learn = LearnIndexPageFactory(parent=self.home)
        self.article = None
        self.count = 0

    def grow_to(self, count):
        for n in range(self.count, count):
            article = ArticlePageFactory(
                parent=self.learn, slug=f"article-{n}", hero_image=image(), topics=[f"Topic {n}", "Shared"]
            )
            HomePageFeaturedArticle.objects.create(home_page=self.home, page=article, sort_order=n)
            placement = [OfferBanner.Placement.BAR, OfferBanner.Placement.INLINE, OfferBanner.Placement.DIALOG][n % 3]
            OfferBannerFactory(headline=f"Banner {n}", placement=placement, offer_page=self.offer)
        self.count = count
        if self.article is None:
            self.article = ArticlePageFactory(parent=self.learn, slug="long-read", topics=["Shared"])
        self.article.body = many_blocks(count)
        self.article.save_revision().publish()
        self.home.featured_offer = self.offer
        self.home.save_revision().publish()


@pytest.fixture
def scene():
    return Scene()


def measure(client, scene):
    return {
        "home": queries_for(client, "/"),
        "learn index": queries_for(client, scene.learn.url),
        "article": queries_for(client, scene.article.url),
        "offer page": queries_for(client, scene.offer.url),
        "offers index": queries_for(client, "/offers/"),
        "search": queries_for(client, "/search/?query=number"),  # matches the article titles only
    }


def test_pages_cost_the_same_queries_for_one_or_twenty_of_everything(client, scene):
    scene.grow_to(1)
    one = measure(client, scene)
    scene.grow_to(20)
    twenty = measure(client, scene)
    # The pages really show the twenty: blocks, cards, topics, results and a banner.
    assert "Section 19" in client.get(scene.article.url).content.decode()
    learn_html = client.get(scene.learn.url).content.decode()
    assert learn_html.count('class="article-card"') == 10 and "Topic 19" in learn_html
    assert "Explainer number" in client.get("/search/?query=number").content.decode()
    assert "Banner 1" in client.get("/").content.decode()
    for name in one:
        assert twenty[name][0] == one[name][0], (name, one[name][0], twenty[name][0], twenty[name][1])


def test_pages_stay_within_the_allowance_over_a_bare_wagtail_page(client, scene):
    scene.grow_to(3)
    bare_site_root()
    baseline_root, _ = queries_for(client, "/", HTTP_HOST="bare.testserver")
    baseline_depth3, _ = queries_for(client, bare_page_under(scene.home).url)
    baseline_depth4, _ = queries_for(client, bare_page_under(scene.learn).url)
    measured = measure(client, scene)
    budgets = {
        "home": baseline_root,
        "learn index": baseline_depth3,
        "offers index": baseline_depth3,
        "article": baseline_depth4,
        "offer page": baseline_depth4,
        # Search is a view at the first level below the root, served without Wagtail's page routing.
        "search": baseline_depth3,
    }
    report = {name: (measured[name][0], budgets[name]) for name in budgets}
    print(report)
    for name, baseline in budgets.items():
        count, sql = measured[name]
        assert count <= baseline + QUERY_ALLOWANCE, (name, count, baseline, "\n".join(sql))
