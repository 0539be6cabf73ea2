import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.test import override_settings

from tests.factories import AgencySettingsFactory, ContentPageFactory, make_site_with_home

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/ld\+json\")[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)


@pytest.fixture
def site():
    site = make_site_with_home()
    AgencySettingsFactory(site=site, tagline="Fast, plain websites for small businesses.")
    return site


@pytest.fixture
def content_page(site):
    return ContentPageFactory(
        parent=site.root_page, title="About us", slug="about", search_description="Who builds your website."
    )


def test_page_head_has_description_canonical_open_graph_and_twitter_tags(client, content_page):
    html = client.get("/about/").content.decode()
    assert '<meta name="description" content="Who builds your website.">' in html
    assert '<link rel="canonical" href="http://testserver/about/">' in html
    assert '<meta property="og:title" content="About us">' in html
    assert '<meta property="og:url" content="http://testserver/about/">' in html
    assert '<meta property="og:description" content="Who builds your website.">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert '<meta name="twitter:title" content="About us">' in html


def test_link_previews_show_the_site_picture_when_a_page_has_none(client, content_page):
    html = client.get("/about/").content.decode()
    assert '<meta property="og:image" content="http://testserver/static/img/share.png">' in html
    assert '<meta property="og:image:alt" content="About us">' in html
    assert finders.find("img/share.png")


def test_link_previews_show_an_articles_hero_image_cropped_for_sharing(client, site):
    import wagtail_factories

    from tests.factories import ArticlePageFactory, LearnIndexPageFactory

    learn_index = LearnIndexPageFactory(parent=site.root_page, slug="learn")
    image = wagtail_factories.ImageFactory(title="Server room")
    ArticlePageFactory(parent=learn_index, slug="servers", hero_image=image)

    html = client.get("/learn/servers/").content.decode()

    share_image = re.search(r'<meta property="og:image" content="([^"]+)">', html).group(1)
    assert share_image.startswith("http://testserver/media/images/")
    assert ".fill-1200x630.format-jpeg" in share_image


def test_meta_description_falls_back_to_the_agency_tagline(client, site):
    html = client.get("/").content.decode()
    assert '<meta name="description" content="Fast, plain websites for small businesses.">' in html


def test_page_head_links_the_article_feed_and_the_favicon(client, site):
    html = client.get("/").content.decode()
    assert '<link rel="alternate" type="application/atom+xml" title="Explainers" href="/learn/feed/">' in html
    assert 'rel="icon" href="/static/favicon.svg"' in html


def test_canonical_url_ignores_the_query_string(client, content_page):
    html = client.get("/about/?utm_source=newsletter").content.decode()
    assert '<link rel="canonical" href="http://testserver/about/">' in html


@override_settings(DEBUG=False)
def test_missing_page_gets_the_designed_404(client, site):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We could not find that page" in html
    assert 'name="robots" content="noindex"' in html
    assert 'action="/search/"' in html
    assert "Brightside Web Studio" in html


def test_500_page_renders_without_database_or_context(django_assert_num_queries):
    with django_assert_num_queries(0):
        html = render_to_string("500.html")
    assert "Something went wrong on our side" in html
    assert "/static/css/site.css" in html


def test_sitemap_lists_pages_with_full_urls(client, content_page):
    assert client.get("/sitemap.xml").status_code == 200
    assert "<loc>http://testserver/</loc>" in client.get("/sitemap-home-page.xml").content.decode()
    assert "<loc>http://testserver/about/</loc>" in client.get("/sitemap-content-page.xml").content.decode()


def test_robots_txt_allows_pages_and_points_at_the_sitemap(client):
    text = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert "Disallow: /admin/" in text
    assert "Disallow: /\n" not in text


@override_settings(DEBUG=False)
@pytest.mark.parametrize("path", ["/", "/about/", "/search/", "/search/?query=about", "/no-such-page/"])
def test_public_pages_carry_no_inline_script_or_style(client, content_page, path):
    html = client.get(path).content.decode()
    assert "<html" in html
    assert not INLINE_SCRIPT.findall(html), INLINE_SCRIPT.findall(html)
    assert not INLINE_STYLE.findall(html), INLINE_STYLE.findall(html)


def test_site_templates_carry_no_inline_script_or_style():
    """Templates no test renders (e.g. error pages, includes) follow the same CSP rule."""
    templates = Path(settings.BASE_DIR, "templates")
    for path in [*templates.glob("*.html"), *templates.glob("includes/*.html"), *templates.glob("home/**/*.html")]:
        text = path.read_text()
        assert not INLINE_SCRIPT.findall(text), path
        assert not INLINE_STYLE.findall(text), path


def test_favicon_ico_redirects_to_the_svg_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/favicon.svg"


def test_sitemap_leaves_out_drafts(client, site):
    ContentPageFactory(parent=site.root_page, title="Draft", slug="draft", live=False)
    assert "/draft/" not in client.get("/sitemap-content-page.xml").content.decode()
