"""The page cache keys a page by the Site serving it and its plain URL, and forgets a page made private."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import PageViewRestriction

from tests.factories import ContentPageFactory, default_site

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600


@pytest.fixture
def page():
    return ContentPageFactory(parent=default_site().root_page, slug="about-us", title="About us")


def x_cache(client, url, **extra):
    return client.get(url, **extra).get("X-Cache")


@pytest.mark.parametrize(
    "restriction",
    [
        {"restriction_type": PageViewRestriction.PASSWORD, "password": "letmein"},
        {"restriction_type": PageViewRestriction.LOGIN},
    ],
)
def test_making_a_cached_page_private_stops_serving_it_from_the_cache(client, page, restriction):
    client.get(page.url)
    assert x_cache(client, page.url) == "hit"
    PageViewRestriction.objects.create(page=page, **restriction)
    response = client.get(page.url)
    assert response.get("X-Cache") != "hit"
    assert "About us</h1>" not in response.content.decode()


def test_changing_or_removing_a_restriction_drops_the_cached_answer(client, page):
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    restriction.delete()
    client.get(page.url)
    assert x_cache(client, page.url) == "hit"
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.GROUPS)
    client.get(page.url)
    restriction.groups.add(Group.objects.create(name="Clients"))
    assert x_cache(client, page.url) != "hit"


def test_host_spelling_does_not_make_new_entries(client, page):
    client.get(page.url, HTTP_HOST="localhost")
    for host in ("LOCALHOST", "localhost.", "Localhost."):
        assert x_cache(client, page.url, HTTP_HOST=host) == "hit", host


def test_hosts_served_by_one_site_share_its_entries(client, page):
    # No Site names these hosts: Wagtail serves both from the default site.
    client.get(page.url, HTTP_HOST="www.brightside.example")
    assert x_cache(client, page.url, HTTP_HOST="brightside.example") == "hit"


@pytest.mark.parametrize(
    "query", ["utm_source=newsletter&utm_medium=email", "gclid=abc123", "fbclid=x", "msclkid=1", "mc_cid=a&mc_eid=b"]
)
def test_campaign_links_are_served_from_the_plain_pages_cache_entry(client, page, query):
    client.get(page.url)
    response = client.get(f"{page.url}?{query}")
    assert response["X-Cache"] == "hit"
    # A CDN would key the campaign URL apart, and purges name only the plain URL.
    assert "s-maxage=0" in response["Cache-Control"]
    assert "s-maxage=0" not in client.get(page.url)["Cache-Control"]


def test_tracking_parameters_never_reach_the_rendered_page(client, page):
    response = client.get(f"{page.url}?utm_source=evil-campaign-name")
    assert response["X-Cache"] == "miss"
    assert "evil-campaign-name" not in response.content.decode()
    assert x_cache(client, page.url) == "hit"  # stored as the plain page


def test_other_query_strings_still_skip_the_cache(client, page):
    client.get(page.url)
    assert x_cache(client, f"{page.url}?utm_source=x&page=2") != "hit"
    assert x_cache(client, f"{page.url}?q=1") != "hit"
