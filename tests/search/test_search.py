import pytest

from search.views import MAX_QUERY_LENGTH, clean_query, search_terms
from tests.factories import ContentPageFactory, make_site_with_home

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    site = make_site_with_home()
    ContentPageFactory(
        parent=site.root_page,
        title="Hosting explained",
        slug="hosting",
        search_description="Where your website lives and what it costs.",
    )
    ContentPageFactory(parent=site.root_page, title="Terms of sale", slug="terms", intro="<p>Refunds and delivery.</p>")
    return site


def test_empty_search_invites_a_query(client, site):
    response = client.get("/search/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "What are you looking for?" in html
    assert 'name="query"' in html


def test_search_finds_a_page_and_shows_title_summary_and_type(client, site):
    html = client.get("/search/", {"query": "hosting"}).content.decode()
    assert '<a href="/hosting/">Hosting explained</a>' in html
    assert "Where your website lives and what it costs." in html
    assert '<span class="tag">Content page</span>' in html
    assert "1 result for “hosting”" in html


def test_search_summary_falls_back_to_the_intro(client, site):
    html = client.get("/search/", {"query": "terms"}).content.decode()
    assert "Refunds and delivery." in html


def test_search_without_matches_says_so_and_suggests_what_to_do(client, site):
    html = client.get("/search/", {"query": "zeppelin"}).content.decode()
    assert "Nothing found for “zeppelin”" in html
    assert 'href="/learn/"' in html


def test_search_results_are_paginated_and_keep_the_query(client, site):
    for number in range(12):
        ContentPageFactory(parent=site.root_page, title=f"Pricing note {number}", slug=f"pricing-{number}")
    first = client.get("/search/", {"query": "pricing"}).content.decode()
    assert first.count('class="result"') == 10
    assert "page 1 of 2" in first
    assert "page=2" in first and "query=pricing" in first
    second = client.get("/search/", {"query": "pricing", "page": "2"}).content.decode()
    assert second.count('class="result"') == 2
    assert 'rel="prev"' in second


def test_search_page_out_of_range_shows_the_last_page(client, site):
    response = client.get("/search/", {"query": "hosting", "page": "999"})
    assert response.status_code == 200
    assert "Hosting explained" in response.content.decode()


def test_search_results_are_not_indexed_by_search_engines(client, site):
    response = client.get("/search/", {"query": "hosting"})
    assert '<meta name="robots" content="noindex">' in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex"


def test_drafts_and_private_pages_are_not_found(client, site):
    draft = ContentPageFactory(parent=site.root_page, title="Secret zebra plans", slug="zebra", live=False)
    assert not draft.live
    html = client.get("/search/", {"query": "zebra"}).content.decode()
    assert "Secret zebra plans" not in html


@pytest.mark.parametrize(
    "raw_query",
    [
        "x" * 10_000,
        "hosting " * 2_000,
        "host\x00ing",
        "\u202ehosting\u200f",
        "'; DROP TABLE wagtailcore_page; --",
        '" OR 1=1 --',
        'hosting AND (NOT "',
        "* ? ^ ~ : ( ) [ ] { } - + ! \\ /",
        "NEAR(hosting terms)",
        "🙂 ünïcödé 漢字 עברית",
        "%",
        "   ",
    ],
)
def test_hostile_or_odd_queries_get_a_normal_page(client, site, raw_query):
    response = client.get("/search/", {"query": raw_query})
    assert response.status_code == 200
    assert "<h1>Search</h1>" in response.content.decode()


def test_lone_surrogate_and_invalid_utf8_in_the_url_get_a_normal_page(client, site):
    for raw in ("%ED%A0%80", "%ff%fe", "host%00ing", "%E2%80%AEhosting"):
        response = client.get(f"/search/?query={raw}&page=%ED%A0%80")
        assert response.status_code == 200, raw


def test_sql_looking_query_leaves_pages_intact_and_finds_nothing(client, site):
    html = client.get("/search/", {"query": "'; DELETE FROM wagtailcore_page; --"}).content.decode()
    assert "Nothing found" in html
    assert "Hosting explained" in client.get("/search/", {"query": "hosting"}).content.decode()


def test_clean_query_caps_length_and_drops_control_and_format_characters():
    assert clean_query("x" * 10_000) == "x" * MAX_QUERY_LENGTH
    assert clean_query("host\x00ing\u202e  terms\u200f\n") == "hosting terms"
    assert clean_query("\ud800abc") == "abc"
    assert clean_query("  café  ") == "café"


def test_search_terms_are_plain_words_without_query_syntax():
    assert search_terms('hosting AND (NOT "x") OR y*') == "hosting and not x or y"
    assert search_terms("back-end NEAR(a b)") == "back end near a b"
    assert search_terms("%") == ""


@pytest.mark.postgres
def test_search_on_postgresql_matches_word_stems(client, site):
    ContentPageFactory(
        parent=site.root_page,
        title="Storing your data",
        slug="storing-data",
        body=[("paragraph", "<p>Every shop keeps its orders in a database on the server.</p>")],
    )
    html = client.get("/search/", {"query": "databases"}).content.decode()
    assert "Storing your data" in html


def test_editors_promoted_results_come_first_and_hidden_pages_never_show(client, site):
    from wagtail.contrib.search_promotions.models import Query, SearchPromotion

    terms = Query.get("refund")
    terms_page = site.root_page.get_children().get(slug="terms")
    draft = ContentPageFactory(parent=site.root_page, title="Unfinished refund notes", slug="draft-notes")
    draft.unpublish()
    SearchPromotion.objects.create(query=terms, page=terms_page, description="How refunds work.", sort_order=0)
    SearchPromotion.objects.create(
        query=terms, external_link_url="https://example.org/rights", external_link_text="Your rights", sort_order=1
    )
    SearchPromotion.objects.create(query=terms, page=draft, sort_order=2)

    html = client.get("/search/", {"query": "Refund"}).content.decode()

    recommended = html.split('id="promotions-title"')[1].split("</section>")[0]
    assert '<a href="/terms/">Terms of sale</a>' in recommended
    assert "How refunds work." in recommended
    assert '<a href="https://example.org/rights">Your rights</a>' in recommended
    assert recommended.index("Terms of sale") < recommended.index("Your rights")
    assert "Unfinished refund notes" not in html


def test_no_recommendations_for_a_query_without_promotions(client, site):
    html = client.get("/search/", {"query": "hosting"}).content.decode()
    assert "Recommended" not in html


def test_visitors_searches_add_no_rows(client, site):
    from wagtail.contrib.search_promotions.models import Query, QueryDailyHits

    for n in range(20):
        client.get("/search/", {"query": f"random words {n}"})
    assert Query.objects.count() == 0
    assert QueryDailyHits.objects.count() == 0


def test_searches_editors_know_are_still_counted(client, site):
    from wagtail.contrib.search_promotions.models import Query

    known = Query.get("refund")
    client.get("/search/", {"query": "Refund"})
    client.get("/search/", {"query": "refund"})
    assert sum(known.daily_hits.values_list("hits", flat=True)) == 2
