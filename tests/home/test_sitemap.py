"""The sitemap index and its sections: what search engines read, at any number of pages."""

import re

import pytest
from django.utils import timezone
from wagtail.models import PageViewRestriction

from home import sitemaps
from tests.factories import ContentPageFactory, make_site_with_home

pytestmark = pytest.mark.django_db

LOCATIONS = re.compile(r"<loc>([^<]*)</loc>")


@pytest.fixture
def site():
    return make_site_with_home()


def locations(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    assert response["Content-Type"] == "application/xml"
    return LOCATIONS.findall(response.content.decode())


@pytest.fixture
def two_per_sitemap(monkeypatch):
    monkeypatch.setattr(sitemaps, "URLS_PER_SITEMAP", 2)
    monkeypatch.setattr(sitemaps.PageTypeSitemap, "limit", 2)


def test_the_index_lists_a_section_per_page_type_with_live_pages(client, site):
    ContentPageFactory(parent=site.root_page, title="About", slug="about")
    ContentPageFactory(parent=site.root_page, title="Draft", slug="draft", live=False)
    assert locations(client, "/sitemap.xml") == [
        "http://testserver/sitemap-content-page.xml",
        "http://testserver/sitemap-home-page.xml",
    ]
    assert locations(client, "/sitemap-content-page.xml") == ["http://testserver/about/"]


def test_a_section_is_paged_and_the_index_lists_every_page(client, site, two_per_sitemap):
    for slug in ("a", "b", "c"):
        ContentPageFactory(parent=site.root_page, title=slug.upper(), slug=slug)
    assert locations(client, "/sitemap.xml") == [
        "http://testserver/sitemap-content-page.xml",
        "http://testserver/sitemap-content-page.xml?p=2",
        "http://testserver/sitemap-home-page.xml",
    ]
    assert locations(client, "/sitemap-content-page.xml") == ["http://testserver/a/", "http://testserver/b/"]
    assert locations(client, "/sitemap-content-page.xml?p=2") == ["http://testserver/c/"]


@pytest.mark.parametrize(
    "path",
    [
        "/sitemap-content-page.xml?p=3",
        "/sitemap-content-page.xml?p=0",
        "/sitemap-content-page.xml?p=01",
        "/sitemap-content-page.xml?p=x",
        "/sitemap-no-such-type.xml",
    ],
)
def test_pages_and_sections_that_do_not_exist_are_404s(client, site, path):
    ContentPageFactory(parent=site.root_page, title="About", slug="about")
    assert client.get(path).status_code == 404


def test_lastmod_is_when_the_page_was_last_published(client, site):
    page = ContentPageFactory(parent=site.root_page, title="About", slug="about")
    page.save_revision().publish()
    page.refresh_from_db()
    xml = client.get("/sitemap-content-page.xml").content.decode()
    published = timezone.localdate(page.last_published_at).isoformat()
    assert f"<url><loc>http://testserver/about/</loc><lastmod>{published}</lastmod></url>" in xml
    index = client.get("/sitemap.xml")
    assert "<lastmod>" in index.content.decode()
    assert index["Last-Modified"]


def test_private_pages_are_left_out(client, site):
    private = ContentPageFactory(parent=site.root_page, title="Team only", slug="team")
    ContentPageFactory(parent=private, title="Team notes", slug="notes")
    PageViewRestriction.objects.create(page=private, restriction_type="password", password="x")
    ContentPageFactory(parent=site.root_page, title="About", slug="about")
    assert locations(client, "/sitemap-content-page.xml") == ["http://testserver/about/"]


def test_sitemaps_are_kept_until_the_next_publish(client, site, django_assert_num_queries):
    ContentPageFactory(parent=site.root_page, title="About", slug="about")
    locations(client, "/sitemap.xml")
    locations(client, "/sitemap-content-page.xml")
    with django_assert_num_queries(0):
        locations(client, "/sitemap.xml")
        assert locations(client, "/sitemap-content-page.xml") == ["http://testserver/about/"]
    ContentPageFactory(parent=site.root_page, title="Contact", slug="contact")
    assert "http://testserver/contact/" in locations(client, "/sitemap-content-page.xml")


def test_a_section_costs_the_same_queries_for_few_or_many_pages(client, site, django_assert_max_num_queries):
    ContentPageFactory(parent=site.root_page, title="About", slug="about")
    with django_assert_max_num_queries(5):
        locations(client, "/sitemap-content-page.xml")
    for number in range(20):
        ContentPageFactory(parent=site.root_page, title=f"Note {number}", slug=f"note-{number}")
    with django_assert_max_num_queries(5):
        assert len(locations(client, "/sitemap-content-page.xml")) == 21
    with django_assert_max_num_queries(5):
        locations(client, "/sitemap.xml")
