"""The full-page cache: what visitors get from it, what never goes into it, and when it lets go."""

import json
import os
import re
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.auth.hashers import make_password
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageViewRestriction

from config import page_cache
from home.models import AgencySettings, HomePage
from offers.catalogue import availability
from offers.models import OfferBanner, WorkingCalendar
from tests.checkout_helpers import post_buy
from tests.factories import (
    ArticlePageFactory,
    ContentPageFactory,
    LearnIndexPageFactory,
    OfferBannerFactory,
    default_site,
    offer_page,
    publish,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600


@pytest.fixture
def offer():
    return offer_page(title="Demo in a day")


def get_twice(client, url, **extra):
    """The first answer, and the second one with the queries it cost."""
    first = client.get(url, **extra)
    with CaptureQueriesContext(connection) as queries:
        second = client.get(url, **extra)
    return first, second, len(queries)


def served_from_cache(client, url, **extra):
    return client.get(url, **extra).get("X-Cache") == "hit"


# Hits and misses


@pytest.mark.parametrize("which", ["home", "learn index", "article", "offers index", "offer page", "content page"])
def test_a_content_page_is_served_from_the_cache_the_second_time_without_queries(client, offer, which):
    site = default_site()
    learn = LearnIndexPageFactory(parent=site.root_page)
    url = {
        "home": "/",
        "learn index": learn.url,
        "article": ArticlePageFactory(parent=learn, slug="hosting").url,
        "offers index": "/offers/",
        "offer page": offer.url,
        "content page": ContentPageFactory(parent=site.root_page, slug="about").url,
    }[which]
    first, second, queries = get_twice(client, url)
    assert first["X-Cache"] == "miss"
    assert second["X-Cache"] == "hit"
    assert queries == 0
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert "Content-Security-Policy" in second  # headers added below the cache are replayed
    assert int(second["Age"]) >= 0
    assert "public" in second["Cache-Control"] and "s-maxage=" in second["Cache-Control"]


def test_sites_and_schemes_get_their_own_entries(client, offer):
    from wagtail.models import Site

    other = Site.objects.create(hostname="other.example", root_page=Site.objects.get(is_default_site=True).root_page)
    client.get("/")
    assert not served_from_cache(client, "/", secure=True)
    assert served_from_cache(client, "/")
    assert not served_from_cache(client, "/", HTTP_HOST=other.hostname)


def test_turned_off_with_zero_seconds(client, offer, settings):
    settings.PAGE_CACHE_SECONDS = 0
    client.get("/")
    assert not served_from_cache(client, "/")


# Never cached


def test_logged_in_editors_always_get_a_fresh_page(client, offer, django_user_model):
    client.force_login(django_user_model.objects.create_user("editor", password="x"))
    first, second, _ = get_twice(client, offer.url)
    assert second.get("X-Cache") != "hit"
    assert "private" in second["Cache-Control"]


def test_a_visitor_with_a_session_gets_a_fresh_page(client, offer):
    client.get(offer.url)
    client.cookies["sessionid"] = "anything"
    assert not served_from_cache(client, offer.url)


def test_query_strings_bypass_the_cache(client, offer):
    client.get(offer.url)
    _, second, _ = get_twice(client, offer.url + "?via=3")
    assert second["X-Cache"] == "bypass"
    assert 'buy/?via=3"' in second.content.decode()


def test_post_is_never_answered_from_the_cache(client, offer):
    client.get("/")
    assert client.post("/").get("X-Cache") != "hit"


@pytest.mark.parametrize(
    "path", ["buy/", "/checkout/return/?session_id=cs_x", "/search/?query=demo", "/search/", "/no-such-page/"]
)
def test_forms_orders_search_and_errors_are_never_cached(client, offer, path):
    url = offer.url + path if path == "buy/" else path
    first, second, _ = get_twice(client, url)
    assert second.get("X-Cache") != "hit"


def test_buy_form_sets_its_csrf_cookie_every_time(client, offer):
    first, second, _ = get_twice(client, offer.url + "buy/")
    assert "csrftoken" in second.cookies


def test_a_page_that_sets_a_cookie_is_not_stored(client, offer, monkeypatch):
    from django.middleware.csrf import get_token

    original = HomePage.get_context

    def with_csrf_form(self, request, *args, **kwargs):
        get_token(request)  # what a template with {% csrf_token %} does
        return original(self, request, *args, **kwargs)

    monkeypatch.setattr(HomePage, "get_context", with_csrf_form)
    first, second, _ = get_twice(client, "/")
    assert first["X-Cache"] == second["X-Cache"] == "bypass"


def test_password_protected_page_is_never_cached(client):
    page = ContentPageFactory(parent=default_site().root_page, slug="members")
    PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password=make_password("secret")
    )
    first, second, _ = get_twice(client, page.url)
    assert second.get("X-Cache") != "hit"
    assert "secret" not in second.content.decode()


def test_fully_booked_offer_page_is_not_stored_so_a_freed_seat_shows_its_buy_button(client, offer, monkeypatch):
    full = lambda package, dates: dict.fromkeys(dates, availability.SeatCount(package.capacity_per_day))  # noqa: E731
    monkeypatch.setattr(availability, "seat_counts", full)
    first, second, _ = get_twice(client, offer.url)
    assert second["X-Cache"] == "bypass"
    assert "fully booked" in second.content.decode()
    monkeypatch.undo()
    assert f'href="{offer.url}buy/"' in client.get(offer.url).content.decode()


# Availability is read fresh


def test_offer_page_leaves_availability_to_an_uncached_endpoint(client, offer):
    html = client.get(offer.url).content.decode()
    url = f"/offers/availability/{offer.pk}/"
    assert f'data-availability-url="{url}"' in html
    assert 'aria-live="polite"' in html
    assert f'<a class="offer-availability__check" href="{url}">See current availability</a>' in html
    assert "/static/js/availability.js" in html
    assert "<script>" not in html  # only static scripts under the CSP


def test_availability_endpoint_answers_json_for_the_script_and_never_caches(client, offer, monkeypatch):
    response = client.get(f"/offers/availability/{offer.pk}/", HTTP_ACCEPT="application/json")
    data = json.loads(response.content)
    assert data["can_buy"] is True
    assert data["message"].startswith("Next free slot: ")
    assert "no-store" in response["Cache-Control"]
    monkeypatch.setattr(
        availability, "seat_counts", lambda package, dates: dict.fromkeys(dates, availability.SeatCount(99))
    )
    data = json.loads(client.get(f"/offers/availability/{offer.pk}/", HTTP_ACCEPT="application/json").content)
    assert data == {"can_buy": False, "next_free_slot": None, "message": data["message"]}
    assert "fully booked" in data["message"]


def test_availability_link_without_javascript_shows_the_slot_and_the_buy_button(client, offer):
    response = client.get(f"/offers/availability/{offer.pk}/")
    html = response.content.decode()
    assert "Next free slot: <strong>" in html
    assert f'href="{offer.url}buy/"' in html
    assert "no-store" in response["Cache-Control"]


def test_a_new_order_changes_availability_but_not_the_cached_page(client, offer):
    package = offer.package
    package.capacity_per_day, package.horizon_working_days = 1, 1
    publish(package)
    first, second, _ = get_twice(client, offer.url)
    assert second["X-Cache"] == "hit"
    assert post_buy(client, offer).status_code == 303  # holds the only seat
    assert served_from_cache(client, offer.url)  # orders do not touch cached pages
    data = json.loads(client.get(f"/offers/availability/{offer.pk}/", HTTP_ACCEPT="application/json").content)
    assert data["can_buy"] is False  # availability.js hides the Buy button
    assert post_buy(client, offer, email="late@example.com", ip="198.51.100.9").status_code == 409  # checked again


# Invalidation


def test_publishing_a_page_shows_the_new_version_at_once(client, offer):
    client.get(offer.url)
    offer.title = "Demo in one day"
    offer.save_revision().publish()
    response = client.get(offer.url)
    assert response["X-Cache"] == "miss"
    assert "Demo in one day" in response.content.decode()


def test_a_saved_draft_keeps_the_cached_page(client, offer):
    client.get(offer.url)
    offer.title = "Draft title"
    offer.save_revision()
    assert served_from_cache(client, offer.url)


def test_unpublishing_a_page_removes_it_and_its_listing(client, offer):
    client.get(offer.url)
    client.get("/offers/")
    offer.unpublish()
    assert client.get(offer.url).status_code == 404
    assert "Demo in a day" not in client.get("/offers/").content.decode()


def test_publishing_and_unpublishing_a_banner_shows_on_cached_pages(client, offer):
    client.get("/")
    banner = OfferBannerFactory(headline="Autumn offer", offer_page=offer)
    assert "Autumn offer" in client.get("/").content.decode()
    assert served_from_cache(client, "/")
    banner.unpublish()
    assert "Autumn offer" not in client.get("/").content.decode()


def test_changing_a_package_price_shows_on_the_cached_offer_page(client, offer):
    assert "€90.00" in client.get(offer.url).content.decode()
    package = offer.package
    package.price = "120.00"
    publish(package)
    assert "€120.00" in client.get(offer.url).content.decode()


def test_changing_the_refund_policy_shows_on_the_cached_offer_page(client, offer):
    client.get(offer.url)
    policy = offer.refund_policy
    policy.refund_window_days = 30
    publish(policy)
    assert "within 30 days" in client.get(offer.url).content.decode()


def test_changing_site_settings_shows_on_every_cached_page(client, offer):
    client.get("/")
    agency = AgencySettings.for_site(default_site())
    agency.name = "Brightside Studio Berlin"
    agency.save()
    assert "Brightside Studio Berlin" in client.get("/").content.decode()


def test_changing_the_working_calendar_drops_cached_pages(client, offer):
    client.get(offer.url)
    calendar = WorkingCalendar.for_site(default_site())
    calendar.saturday = True
    calendar.save()
    assert client.get(offer.url)["X-Cache"] == "miss"


def test_deleting_a_page_drops_cached_pages(client, offer):
    about = ContentPageFactory(parent=default_site().root_page, slug="about")
    client.get(about.url)
    about.delete()
    assert client.get(about.url).status_code == 404


# Lifetime


def test_an_entry_lives_no_longer_than_the_next_banner_go_live(client, offer, monkeypatch):
    now = timezone.now()
    banner = OfferBannerFactory(headline="Starts soon", offer_page=offer, published=False)
    banner.go_live_at = now + timedelta(seconds=90)
    banner.save()
    publish(banner)
    banner.refresh_from_db()
    first = client.get("/")
    assert "Starts soon" not in first.content.decode()
    s_maxage = int(first["Cache-Control"].split("s-maxage=")[1].split(",")[0])
    assert 0 < s_maxage <= 90
    assert served_from_cache(client, "/")

    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(seconds=91))
    later = client.get("/")
    assert later["X-Cache"] == "miss"
    assert "Starts soon" in later.content.decode()


def test_an_entry_lives_no_longer_than_the_next_banner_expiry(client, offer):
    banner = OfferBannerFactory(headline="Ends soon", offer_page=offer)
    banner.expire_at = timezone.now() + timedelta(seconds=45)
    banner.save()
    first = client.get("/")
    assert "Ends soon" in first.content.decode()
    assert int(first["Cache-Control"].split("s-maxage=")[1].split(",")[0]) <= 45


def test_without_a_scheduled_banner_an_entry_lives_page_cache_seconds(client, offer, settings):
    settings.PAGE_CACHE_SECONDS = 120
    OfferBannerFactory(headline="Always", offer_page=offer)
    assert "s-maxage=120" in client.get("/")["Cache-Control"]


def test_a_banner_scheduled_through_a_revision_also_ends_the_entry(client, offer):
    banner = OfferBannerFactory(headline="Scheduled", offer_page=offer, published=False)
    revision = banner.save_revision(approved_go_live_at=timezone.now() + timedelta(seconds=60))
    assert revision.approved_go_live_at is not None
    assert page_cache.next_schedule_change(timezone.now()) == revision.approved_go_live_at
    assert int(client.get("/")["Cache-Control"].split("s-maxage=")[1].split(",")[0]) <= 60


# Redis: one cache shared by every app server


@pytest.mark.redis
def test_redis_shared_cache_serves_and_invalidates_across_cache_clients(client, offer, settings):
    location = os.environ["REDIS_URL"]
    prefix = f"{os.environ.get('CACHE_KEY_PREFIX', 'agency')}-pagecache-test"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": prefix,
        }
    }
    from django.core.cache import cache

    cache.clear()
    other_server = RedisCache(location, {"KEY_PREFIX": prefix})  # its own connection pool, as another process has
    try:
        client.get(offer.url)
        assert served_from_cache(client, offer.url)
        generation = other_server.get(page_cache.GENERATION_KEY)
        assert generation

        offer.title = "Published through this server"
        offer.save_revision().publish()
        assert other_server.get(page_cache.GENERATION_KEY) != generation  # the other server sees it at once

        client.get(offer.url)
        assert served_from_cache(client, offer.url)
        other_server.set(page_cache.GENERATION_KEY, "published-on-the-other-server", timeout=None)
        assert client.get(offer.url)["X-Cache"] == "miss"
    finally:
        cache.clear()


# CDN purge through Wagtail's frontend cache


class PurgeRecorder(BaseHTTPRequestHandler):
    received: list

    def do_PURGE(self):
        self.received.append((self.headers["Host"], self.path))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def cdn(settings):
    """A tiny HTTP server on loopback that records the PURGE requests a CDN would get."""
    received = []
    handler = type("Recorder", (PurgeRecorder,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.WAGTAILFRONTENDCACHE = {
        "cdn": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": f"http://127.0.0.1:{server.server_address[1]}",
        }
    }
    yield received
    server.shutdown()
    server.server_close()


def test_publishing_a_banner_purges_every_cacheable_page_from_the_cdn(
    client, offer, cdn, django_capture_on_commit_callbacks
):
    learn = LearnIndexPageFactory(parent=default_site().root_page)
    article = ArticlePageFactory(parent=learn, slug="hosting")
    cdn.clear()
    with django_capture_on_commit_callbacks(execute=True):
        OfferBannerFactory(headline="Autumn offer", offer_page=offer)
    paths = {path for _, path in cdn}
    assert {"/", "/offers/", offer.url, learn.url, article.url} <= paths
    assert all(host == "testserver" for host, _ in cdn)
    assert not any("buy" in path for path in paths)


def test_publishing_a_page_purges_it_and_the_pages_that_list_it(client, offer, cdn, django_capture_on_commit_callbacks):
    cdn.clear()
    with django_capture_on_commit_callbacks(execute=True):
        offer.title = "Renamed"
        offer.save_revision().publish()
    paths = [path for _, path in cdn]
    assert offer.url in paths and "/offers/" in paths and "/" in paths


def test_no_cdn_configured_means_no_purge_requests(client, offer, settings, django_capture_on_commit_callbacks):
    settings.WAGTAILFRONTENDCACHE = {}
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        OfferBannerFactory(headline="Quiet", offer_page=offer)
    from config.page_cache.invalidation import purge_frontend_cache

    assert purge_frontend_cache not in callbacks
    assert OfferBanner.objects.filter(headline="Quiet").exists()


def test_with_the_database_cache_a_hit_costs_one_query(client, offer, settings):
    from django.core.management import call_command

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "page_cache_test"}
    }
    call_command("createcachetable", verbosity=0)
    first, second, queries = get_twice(client, offer.url)
    assert first["X-Cache"] == "miss"
    assert second["X-Cache"] == "hit"
    assert queries == 1


# In a real browser: the cached page shows the current availability


def fill_every_seat(offer):
    from tests.factories import OrderFactory

    for day in availability.availability(offer.package).days:
        for _ in range(day.free):
            OrderFactory(package=offer.package, refund_policy=offer.refund_policy, slot_date=day.day, paid=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_cached_offer_page_shows_current_availability_and_hides_buy_when_sold_out(page, live_demo_site):
    from playwright.sync_api import expect

    from offers.models import OfferPage

    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    offer = OfferPage.objects.live().get()
    region = page.locator(".offer-facts__slot [data-availability-url]")

    page.goto(live_demo_site + offer.url)
    expect(region).to_have_text(re.compile(r"^Next free slot: \w+ \d+ \w+\s*$"))
    expect(region.get_by_role("link")).to_have_count(0)  # the current value is shown: no link needed

    fill_every_seat(offer)
    response = page.reload()
    assert response.headers["x-cache"] == "hit"  # the HTML still says a slot is free
    expect(region).to_contain_text("fully booked")
    expect(page.locator("a.button--buy").first).to_be_hidden()
    assert not errors, errors


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_without_javascript_the_availability_link_leads_to_the_current_slot(browser, live_demo_site):
    from playwright.sync_api import expect

    from offers.models import OfferPage

    offer = OfferPage.objects.live().get()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_demo_site + offer.url)
    page.get_by_role("link", name="See current availability").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Availability")
    expect(page.get_by_role("link", name=re.compile("Buy now"))).to_be_visible()
    context.close()


def test_an_entry_never_outlives_local_midnight_when_the_next_slot_moves_on(client, offer, monkeypatch):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    late = datetime(2026, 11, 30, 23, 59, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    monkeypatch.setattr(timezone, "now", lambda: late)
    assert "s-maxage=30" in client.get(offer.url)["Cache-Control"]


def test_a_purge_url_in_the_environment_turns_purging_on():
    import subprocess
    import sys

    env = {
        **os.environ,
        "FRONTEND_CACHE_PURGE_URL": "http://127.0.0.1:6081",
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    code = "import django; django.setup(); from django.conf import settings; print(settings.WAGTAILFRONTENDCACHE)"
    printed = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert "HTTPBackend" in printed and "http://127.0.0.1:6081" in printed


def test_paths_that_are_never_pages_cost_no_cache_lookup(client, offer, monkeypatch):
    from config import page_cache

    lookups = []
    real_get_many = page_cache.cache.get_many
    monkeypatch.setattr(page_cache.cache, "get_many", lambda keys: lookups.append(keys) or real_get_many(keys))

    for path in ("/robots.txt", "/healthz", "/sitemap.xml"):
        assert client.get(path).status_code == 200
    assert lookups == []
    client.get("/")
    assert len(lookups) == 1


def test_a_preview_shows_the_draft_even_when_the_live_page_is_cached(client, offer):
    """Wagtail renders previews through the middleware as a GET of the page's own URL (a dummy request)."""
    assert "Demo in a day" in client.get(offer.url).content.decode()
    assert served_from_cache(client, offer.url)
    offer.title = "Draft only an editor sees"
    offer.save_revision()
    preview = offer.make_preview_request()  # no editor's request to copy a session cookie from
    assert "Draft only an editor sees" in preview.content.decode()
    assert "Draft only an editor sees" not in client.get(offer.url).content.decode()


def test_clear_page_cache_command_drops_every_cached_page(client, offer):
    """For what no signal sees: a restored backup, a release with new templates."""
    from io import StringIO

    from django.core.management import call_command

    client.get("/")
    client.get(offer.url)
    call_command("clear_page_cache", stdout=StringIO())
    assert client.get("/")["X-Cache"] == "miss"
    assert client.get(offer.url)["X-Cache"] == "miss"
