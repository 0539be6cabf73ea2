"""Offers inside explainers: the offer block in an article body and the inline banner after the intro."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from offers.models import BannerSection, OfferBanner
from tests.factories import ArticlePageFactory, LearnIndexPageFactory, OfferBannerFactory, article_body, offer_page
from tests.offers_fixtures import isolated_cache  # noqa: F401

pytestmark = pytest.mark.django_db

MONDAY_MORNING = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.fixture
def offer(monkeypatch):
    monkeypatch.setattr("offers.catalogue.offer_pages.timezone.now", lambda: MONDAY_MORNING)
    return offer_page(title="Demo in a day")


@pytest.fixture
def learn(offer):
    return LearnIndexPageFactory(parent=offer.get_site().root_page)


def test_offer_block_in_an_article_shows_current_price_delivery_and_next_slot(client, offer, learn):
    body = [*article_body(), {"type": "offer", "value": {"page": offer.pk, "heading": "", "text": ""}}]
    article = ArticlePageFactory(parent=learn, body=body)
    html = client.get(article.url).content.decode()
    assert 'class="offer-cta"' in html
    assert "Demo in a day" in html
    assert "€90.00" in html
    assert "delivered in one working day" in html
    assert "Next free slot: <strong>Tuesday 1 December</strong>" in html


def test_offer_block_follows_a_price_change_without_editing_the_article(client, offer, learn):
    body = [*article_body(), {"type": "offer", "value": {"page": offer.pk, "heading": "", "text": ""}}]
    article = ArticlePageFactory(parent=learn, body=body)
    package = offer.package
    package.price = "120.00"
    package.save_revision().publish()
    assert "€120.00" in client.get(article.url).content.decode()


def test_offer_block_to_an_unpublished_offer_renders_nothing(client, offer, learn):
    body = [*article_body(), {"type": "offer", "value": {"page": offer.pk, "heading": "", "text": ""}}]
    article = ArticlePageFactory(parent=learn, body=body)
    offer.unpublish()
    assert 'class="offer-cta"' not in client.get(article.url).content.decode()


def test_inline_banner_targeting_learn_shows_after_the_article_intro(client, offer, learn):
    banner = OfferBannerFactory(
        headline="Wait! See this offer!",
        offer_page=offer,
        placement=OfferBanner.Placement.INLINE,
        targeting=OfferBanner.Targeting.SECTIONS,
    )
    BannerSection.objects.create(banner=banner, page=learn)
    article = ArticlePageFactory(parent=learn)
    html = client.get(article.url).content.decode()
    assert html.index("article-intro") < html.index("offer-banner--inline") < html.index('class="article-body"')
    assert "Wait! See this offer!" not in client.get("/").content.decode()


def test_every_article_ends_with_the_offer_card_without_any_banner(client, offer, learn):
    article = ArticlePageFactory(parent=learn)
    html = client.get(article.url).content.decode()
    assert "offer-banner" not in html
    card = html[html.index("offer-cta--closing") :]
    assert html.index('class="article-body"') < html.index("offer-cta--closing")
    assert f'href="{offer.url}"' in card
    assert "€90.00" in card


def test_an_article_ending_with_an_offer_block_gets_no_second_card(client, offer, learn):
    body = [*article_body(), {"type": "offer", "value": {"page": offer.pk, "heading": "", "text": ""}}]
    article = ArticlePageFactory(parent=learn, body=body)
    html = client.get(article.url).content.decode()
    assert html.count('<aside class="offer-cta') == 1
    assert "offer-cta--closing" not in html


def test_without_a_live_offer_articles_end_without_a_card(client, offer, learn):
    article = ArticlePageFactory(parent=learn)
    offer.unpublish()
    assert "offer-cta" not in client.get(article.url).content.decode()
