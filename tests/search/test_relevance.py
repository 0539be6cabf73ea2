"""What visitors find first: titles before body text, offers and articles before legal pages.

Runs on the database the suite runs on: SQLite in the first CI pass, PostgreSQL in the second.
"""

import io
import re

import pytest
from django.core.management import call_command

from tests.factories import ContentPageFactory, make_site_with_home

pytestmark = pytest.mark.django_db

RESULT_TITLES = re.compile(r'<li class="result">.*?<h2><a href="([^"]*)">([^<]*)</a>', re.S)


def found(client, query):
    """(url, title) of each result on the first page, in order."""
    return RESULT_TITLES.findall(client.get("/search/", {"query": query}).content.decode())


@pytest.fixture
def demo_site(db):
    call_command("load_demo_content", stdout=io.StringIO())


def test_demo_finds_the_offer_first(client, demo_site):
    results = found(client, "demo")
    assert results[0] == ("/offers/demo-website/", "A demo website in one workday")


def test_refund_finds_the_refund_policy_first(client, demo_site):
    results = found(client, "refund")
    assert results[0] == ("/offers/refund-policy/money-back/", "Money-back guarantee (refund policy)")
    html = client.get("/search/", {"query": "refund"}).content.decode()
    assert '<span class="tag">Refund policy</span>' in html


def test_legal_and_contact_pages_come_after_offers_and_articles(client, demo_site):
    urls = [url for url, _title in found(client, "demo")]
    legal = [urls.index(url) for url in ("/imprint/", "/privacy/", "/terms-of-sale/", "/contact/")]
    assert urls.index("/learn/what-a-cms-does/") < min(legal)
    assert urls.index("/offers/demo-website/") < min(legal)


def test_a_legal_page_named_like_the_query_still_comes_first(client, demo_site):
    assert found(client, "privacy")[0] == ("/privacy/", "Privacy")
    assert found(client, "terms")[0] == ("/terms-of-sale/", "Terms of sale")


def test_a_title_match_outranks_body_text_whatever_the_page_type(client):
    site = make_site_with_home()
    ContentPageFactory(
        parent=site.root_page,
        title="Imprint",
        slug="imprint",
        body=[("paragraph", "<p>Hosting by a provider in Frankfurt; hosting contracts on request.</p>")],
    )
    ContentPageFactory(parent=site.root_page, title="Hosting for small shops", slug="hosting")
    assert [title for _url, title in found(client, "hosting")] == ["Hosting for small shops", "Imprint"]


def test_a_draft_refund_policy_is_not_found(client, demo_site):
    from offers.models.catalogue import RefundPolicy

    RefundPolicy.objects.update(live=False)
    assert all("/refund-policy/" not in url for url, _title in found(client, "refund"))
