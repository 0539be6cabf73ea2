"""The learn hub's pages as readers see them: article, index, topic filter and pagination."""

import json
import re
from unittest import mock

import pytest
import wagtail_factories
from django.core.management import call_command
from django.urls import reverse
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from learn.models import ArticlePage, LearnIndexPage
from tests.factories import ArticlePageFactory, LearnIndexPageFactory, make_site_with_home


@pytest.fixture
def demo_site(db):
    call_command("load_demo_content", verbosity=0)


@pytest.fixture
def learn_index(db):
    site = make_site_with_home()
    return LearnIndexPageFactory(parent=site.root_page)


def test_back_end_article_shows_title_intro_meta_and_eleven_numbered_key_points(client, demo_site):
    response = client.get("/learn/back-end-development/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 id="article-title">Back-end development</h1>' in html
    assert "The back end is the part of a website you never see" in html
    assert "By Brightside Web Studio" in html
    assert '<time datetime="2026-10-21">21 October 2026</time>' in html
    assert re.search(r"\d+ min read", html)
    assert 'href="/learn/?topic=databases">Databases</a>' in html
    key_points = re.search(r'<ol class="key-points__list">(.*?)</ol>', html, re.S).group(1)
    assert len(re.findall(r'<li class="key-point" id="[\w-]+">', key_points)) == 11
    assert '<li class="key-point" id="database-management">' in key_points
    assert 'href="#database-management"' in key_points


def test_every_table_of_contents_link_points_at_an_element_on_the_page(client, demo_site):
    html = client.get("/learn/back-end-development/").content.decode()

    toc = re.search(r'<details class="toc toc--compact">(.*?)</details>', html, re.S).group(1)
    targets = re.findall(r'href="#([\w-]+)"', toc)
    ids = re.findall(r'\bid="([\w-]+)"', html)

    assert targets[:2] == ["introduction", "eleven-key-aspects-of-back-end-development"]
    assert len(targets) == 14
    assert set(targets) <= set(ids)
    assert len(ids) == len(set(ids)), "duplicate ids on the page"


def test_article_page_links_related_articles_neighbours_feed_and_structured_data(client, demo_site):
    html = client.get("/learn/back-end-development/").content.decode()

    related = re.search(r'<section class="related.*?</section>', html, re.S).group(0)
    assert related.count('class="article-card"') == 3
    assert (
        '<a class="article-nav__link article-nav__link--previous" rel="prev" href="/learn/front-end-development/">'
        in html
    )
    assert re.search(r'<link rel="alternate" type="application/atom\+xml"[^>]*href="/learn/feed/">', html)
    assert '<link rel="stylesheet" href="/static/css/learn.css">' in html
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["headline"] == "Back-end development"
    assert data["@type"] == "Article"


def test_learn_index_shows_articles_and_topic_filter(client, demo_site):
    response = client.get("/learn/")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="article-card"') == 4
    assert "· 3 min read</p>" in html
    assert html.index("Back-end development") < html.index("What a CMS does")
    assert 'href="/learn/?topic=hosting"' in html

    filtered = client.get("/learn/?topic=hosting").content.decode()
    assert filtered.count('class="article-card"') == 1
    assert "Web hosting, explained" in filtered
    assert 'aria-current="page">Hosting</a>' in filtered


def test_learn_index_pagination_links_keep_the_topic(client, learn_index):
    for _ in range(LearnIndexPage.articles_per_page + 1):
        ArticlePageFactory(parent=learn_index, topics=["Hosting"])

    html = client.get("/learn/?topic=hosting").content.decode()

    assert 'href="?topic=hosting&amp;page=2"' in html
    assert "Page 1 of 2" in html


def test_learn_index_with_an_unknown_topic_explains_there_is_nothing(client, demo_site):
    response = client.get("/learn/?topic=knitting")

    assert response.status_code == 200
    assert "There are no articles on this topic yet." in response.content.decode()


def test_images_come_in_modern_formats_with_dimensions_and_lazy_below_the_fold(client, learn_index):
    image = wagtail_factories.ImageFactory(title="Server room")
    body = [
        {"type": "paragraph", "value": "<p>Where websites live.</p>"},
        {
            "type": "image",
            "value": {
                "image": image.pk,
                "alt_text": "Racks of servers",
                "decorative": False,
                "caption": "A data centre",
            },
        },
    ]
    ArticlePageFactory(parent=learn_index, slug="pictures", hero_image=image, body=body)

    html = client.get("/learn/pictures/").content.decode()

    hero = re.search(r'<figure class="article-hero">(.*?)</figure>', html, re.S).group(1)
    figure = re.search(r'<figure class="article-figure">(.*?)</figure>', html, re.S).group(1)
    for picture in (hero, figure):
        assert 'type="image/avif"' in picture and 'type="image/webp"' in picture
        assert re.search(r'<img [^>]*width="\d+"', picture) and re.search(r'<img [^>]*height="\d+"', picture)
    assert 'loading="lazy"' not in hero
    assert 'loading="lazy"' in figure
    assert 'alt="Racks of servers"' in figure
    assert "<figcaption>A data centre</figcaption>" in figure


def test_code_is_shown_as_text_never_run(client, learn_index):
    body = [{"type": "code", "value": {"language": "html", "code": "<script>alert(1)</script>", "caption": ""}}]
    ArticlePageFactory(parent=learn_index, slug="code", body=body)

    html = client.get("/learn/code/").content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" not in html


def test_callouts_and_quotes_say_what_they_are(client, demo_site):
    hosting = client.get("/learn/web-hosting/").content.decode()
    front_end = client.get("/learn/front-end-development/").content.decode()

    assert '<div class="callout callout--warning" role="note">' in hosting
    assert '<span class="callout__tone">Warning</span> Check where backups go' in hosting
    assert '<figure class="pull-quote">' in front_end
    assert "<figcaption>A principle we design by</figcaption>" in front_end


class EditorPreviewTests(WagtailPageTestCase):
    def setUp(self):
        call_command("load_demo_content", verbosity=0)
        self.article = ArticlePage.objects.get(slug="back-end-development")

    def test_article_preview_renders(self):
        # Wagtail's helper logs in through the first backend, which is axes' lockout check (not a login backend).
        with mock.patch("wagtail.test.utils.page_tests.AUTH_BACKEND", "django.contrib.auth.backends.ModelBackend"):
            self.assertPageIsPreviewable(self.article, post_data=self.form_data())

    def form_data(self):
        points = [("item", {"title": "Server-side languages", "body": rich_text("<p>Python or PHP.</p>")})]
        return nested_form_data(
            {
                "title": self.article.title,
                "slug": self.article.slug,
                "intro": rich_text(self.article.intro),
                "date": "2026-10-21",
                "author": "Ada Example",
                "topics": "Back end",
                "body": streamfield(
                    [
                        ("heading", {"text": "Introduction", "anchor": ""}),
                        ("key_points", {"heading": "Key aspects", "items": streamfield(points)}),
                    ]
                ),
            }
        )

    def test_every_body_block_has_a_styled_preview_for_the_block_picker(self):
        self.login()
        stream_block = ArticlePage._meta.get_field("body").stream_block
        learn_blocks = {
            name: block for name, block in stream_block.child_blocks.items() if block.__module__ == "learn.blocks"
        }
        assert set(learn_blocks) >= {"heading", "paragraph", "key_points", "callout", "quote", "image", "code"}
        for name, block in learn_blocks.items():
            with self.subTest(block=name):
                assert block.is_previewable
                assert block.get_description()
                response = self.client.get(reverse("wagtailadmin_block_preview"), {"id": block.definition_prefix})
                assert response.status_code == 200
                assert "/static/css/learn.css" in response.content.decode()


def test_sitemap_lists_every_published_article(client, demo_site):
    xml = client.get("/sitemap-article.xml").content.decode()

    for slug in ("back-end-development", "front-end-development", "web-hosting", "what-a-cms-does"):
        assert f"/learn/{slug}/</loc>" in xml
