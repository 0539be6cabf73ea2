"""The offer page: facts from the package, VAT line, availability, Buy button and JSON-LD."""

import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from offers.catalogue import availability
from offers.models import OfferPage
from tests.factories import DemoPackageFactory, offer_page
from tests.offers_fixtures import isolated_cache  # noqa: F401

pytestmark = pytest.mark.django_db


# Monday 30 November 2026, 10:00 in Berlin: the next free slot is Tuesday 1 December.
MONDAY_MORNING = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.fixture
def frozen_now(monkeypatch):
    monkeypatch.setattr("offers.catalogue.offer_pages.timezone.now", lambda: MONDAY_MORNING)


def json_ld_of(html):
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "no JSON-LD block"
    return json.loads(match.group(1))


def test_offer_page_shows_price_vat_delivery_outcomes_and_next_slot(client, frozen_now):
    page = offer_page()
    html = client.get(page.url).content.decode()
    assert "€90.00" in html
    assert "incl. 19 % VAT" in html
    assert "Delivered in one working day." in html
    assert "credited toward your full website" in html
    assert "your money back if you ask within 14 days of delivery" in html
    assert "Next free slot: <strong>Tuesday 1 December</strong>" in html
    assert f'href="{page.url}buy/"' in html


def test_inactive_package_cannot_be_bought_and_says_why(client, frozen_now):
    page = offer_page(package=DemoPackageFactory(active=False))
    html = client.get(page.url).content.decode()
    assert "buy/" not in html
    assert "not on sale at the moment" in html
    assert json_ld_of(html)["offers"]["availability"] == "https://schema.org/Discontinued"


def test_fully_booked_package_cannot_be_bought(client, frozen_now, monkeypatch):
    monkeypatch.setattr(
        availability,
        "seat_counts",
        lambda package, dates: dict.fromkeys(dates, availability.SeatCount(package.capacity_per_day)),
    )
    page = offer_page()
    html = client.get(page.url).content.decode()
    assert "buy/" not in html
    assert "fully booked for the next 20 working days" in html
    assert json_ld_of(html)["offers"]["availability"] == "https://schema.org/SoldOut"


def test_json_ld_describes_product_offer_and_return_window(client, frozen_now):
    page = offer_page()
    data = json_ld_of(client.get(page.url).content.decode())
    assert data["@type"] == "Product"
    offer = data["offers"]
    assert offer["@type"] == "Offer"
    assert offer["price"] == "90.00"
    assert offer["priceCurrency"] == "EUR"
    assert offer["availability"] == "https://schema.org/InStock"
    assert offer["hasMerchantReturnPolicy"]["merchantReturnDays"] == 14
    assert offer["hasMerchantReturnPolicy"]["@type"] == "MerchantReturnPolicy"


def test_faq_renders_as_details(client, frozen_now):
    page = offer_page()
    page.body = [
        ("faq", {"heading": "Questions", "items": [{"question": "Is it really 90 €?", "answer": "<p>Yes.</p>"}]})
    ]
    page.save_revision().publish()
    html = client.get(page.url).content.decode()
    assert "<details><summary>Is it really 90 €?</summary>" in html


def test_cancelled_checkout_shows_a_notice(client, frozen_now):
    page = offer_page()
    html = client.get(page.url + "?cancelled=1").content.decode()
    assert "nothing was charged" in html


def test_offer_page_cannot_be_published_without_package():
    page = offer_page()
    page.package = None
    page.live = True
    with pytest.raises(ValidationError) as caught:
        page.full_clean()
    assert "package" in caught.value.message_dict


def test_offers_index_lists_live_offers(client, frozen_now):
    page = offer_page(title="Demo in a day")
    html = client.get("/offers/").content.decode()
    assert "Demo in a day" in html
    assert page.url == "/offers/" + page.slug + "/"
    assert OfferPage.objects.live().count() == 1


def test_home_page_features_the_chosen_offer_with_its_price(client, frozen_now):
    page = offer_page(title="Demo in a day")
    home = page.get_site().root_page.specific
    home.featured_offer = page
    home.save_revision().publish()
    html = client.get("/").content.decode()
    assert "Demo in a day" in html
    assert "€90.00" in html
    assert "Next free slot: <strong>Tuesday 1 December</strong>" in html


def test_unpublished_package_is_not_sold(client, frozen_now):
    page = offer_page()
    page.package.unpublish()
    html = client.get(page.url).content.decode()
    assert "This offer is not on sale yet." in html
    assert "buy/" not in html


def test_buy_links_keep_the_banner_a_visitor_came_through(client):
    page = offer_page()
    html = client.get(page.url + "?via=7").content.decode()
    assert f'href="{page.url}buy/?via=7"' in html
    tampered = client.get(page.url + "?via=7%22onclick").content.decode()
    assert "?via=" not in tampered
