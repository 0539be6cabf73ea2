"""With a CDN configured, a publish purges only where the page shows, from a task after commit."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from config.page_cache import invalidation as page_cache_invalidation
from tests.factories import ArticlePageFactory, LearnIndexPageFactory, OfferBannerFactory, default_site, offer_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def cdn(settings):
    """A loopback HTTP server recording the PURGE requests a caching proxy would get."""
    received = []

    class Recorder(BaseHTTPRequestHandler):
        def do_PURGE(self):
            received.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.WAGTAILFRONTENDCACHE = {
        "cdn": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": f"http://127.0.0.1:{server.server_address[1]}",
        }
    }
    yield received
    server.shutdown()
    server.server_close()


@pytest.fixture
def pages(db):
    offer = offer_page()
    learn = LearnIndexPageFactory(parent=default_site().root_page)
    articles = [ArticlePageFactory(parent=learn, slug=f"article-{number}") for number in range(3)]
    return offer, learn, articles


def test_publishing_an_article_purges_it_its_listings_the_feed_and_sitemaps_only(
    cdn, pages, django_capture_on_commit_callbacks
):
    offer, learn, articles = pages
    cdn.clear()
    with django_capture_on_commit_callbacks(execute=True):
        articles[0].title = "Renamed"
        articles[0].save_revision().publish()
    assert set(cdn) == {
        articles[0].url,
        learn.url,
        "/",
        "/learn/feed/",
        "/sitemap.xml",
        "/sitemap-article.xml",
    }
    assert offer.url not in cdn and articles[1].url not in cdn


def test_the_purge_waits_for_the_commit_and_runs_as_a_task(cdn, pages, django_capture_on_commit_callbacks, monkeypatch):
    _offer, _learn, articles = pages
    enqueued = []

    class RecordingTask:
        def enqueue(self, urls):
            enqueued.append(urls)

    monkeypatch.setattr(page_cache_invalidation, "purge_urls", RecordingTask())
    cdn.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        articles[1].save_revision().publish()
        assert enqueued == []
    assert cdn == []
    for callback in callbacks:
        callback()
    assert len(enqueued) == 1 and articles[1].url.rstrip("/") in " ".join(enqueued[0])
    assert cdn == []  # the worker sends the purge, not the editor's request


def test_a_banner_change_still_purges_every_cacheable_page(cdn, pages, django_capture_on_commit_callbacks):
    offer, learn, articles = pages
    cdn.clear()
    with django_capture_on_commit_callbacks(execute=True):
        OfferBannerFactory(headline="Autumn offer", offer_page=offer)
    assert {offer.url, learn.url, "/", *(article.url for article in articles)} <= set(cdn)
