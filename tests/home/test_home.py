import pytest
from django.core.exceptions import ValidationError
from wagtail.models import Page, Site
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from home import demo
from home.models import AgencySettings, ContentPage, HomePage, HomePageFeaturedArticle
from tests.factories import AgencySettingsFactory, ContentPageFactory, OfferPageFactory, make_site_with_home

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    return make_site_with_home()


@pytest.fixture
def agency(site):
    return AgencySettingsFactory(site=site)


def test_home_page_shows_the_promise_and_three_reasons(client, site):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "A demo website in one workday, for 90 €." in html
    assert "Keep it in your full project or get your money back." in html
    for title in ("You see it first", "A small, fixed price", "No risk"):
        assert title in html
    assert 'href="/offers/"' in html


def test_home_page_call_to_action_links_the_chosen_page(client, site):
    about = ContentPageFactory(parent=site.root_page, title="About us", slug="about")
    home = site.root_page.specific
    home.cta_page = about
    home.cta_text = "Meet us"
    home.save()
    html = client.get("/").content.decode()
    assert '<a class="button button--accent" href="/about/">Meet us</a>' in html


def test_home_page_without_an_offer_template_shows_no_offer_and_does_not_break(client, site, monkeypatch):
    monkeypatch.setattr("home.models.FEATURED_OFFER_TEMPLATE", "offers/includes/not-there.html")
    home = site.root_page.specific
    home.featured_offer = OfferPageFactory(parent=site.root_page, slug="demo")
    home.save()
    response = client.get("/")
    assert response.status_code == 200
    assert 'aria-label="Our offer"' not in response.content.decode()


def test_content_page_renders_title_intro_and_body(client, site):
    ContentPageFactory(parent=site.root_page, title="Imprint", slug="imprint")
    response = client.get("/imprint/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Imprint</h1>" in html
    assert "A short introduction to this page." in html
    assert "<h2>A section heading</h2>" in html
    assert "Some plain words about the agency." in html


def test_footer_shows_agency_contact_details_and_legal_links(client, site, agency):
    imprint = ContentPageFactory(parent=site.root_page, title="Imprint", slug="imprint")
    privacy = ContentPageFactory(parent=site.root_page, title="Privacy", slug="privacy")
    agency.imprint_page = imprint
    agency.privacy_page = privacy
    agency.save()
    html = client.get("/").content.decode()
    assert 'href="mailto:hello@brightside.example"' in html
    assert "Lindenstraße 12" in html
    assert "10969 Berlin" in html
    assert 'href="/imprint/">Imprint</a>' in html
    assert 'href="/privacy/">Privacy</a>' in html
    assert 'href="/learn/feed/"' in html
    assert "VAT ID DE000000000" in html


def test_footer_links_the_refund_policy_by_address_when_no_page_is_chosen(client, site, agency):
    agency.refund_policy_url = "/offers/refund-policy/money-back/"
    agency.save()
    html = client.get("/").content.decode()
    assert '<a href="/offers/refund-policy/money-back/">Refund policy</a>' in html


def test_header_shows_agency_name_from_settings(client, site, agency):
    agency.name = "Sunny Side Webworks"
    agency.save()
    html = client.get("/").content.decode()
    assert 'class="brand"' in html
    assert "Sunny Side Webworks</a>" in html
    assert "<title>" in html and "Sunny Side Webworks</title>" in html


def test_agency_settings_default_to_19_percent_vat_not_exempt(site):
    agency = AgencySettings.for_site(site)
    assert agency.vat_rate == 19
    assert agency.vat_exempt is False


def test_featured_articles_fall_back_to_nothing_without_articles(site):
    assert site.root_page.specific.get_featured_articles() == []


def test_chosen_featured_articles_appear_as_cards(client, site):
    about = ContentPageFactory(parent=site.root_page, title="A chosen page", slug="chosen")
    home = site.root_page.specific
    HomePageFeaturedArticle.objects.create(home_page=home, page=about)
    html = client.get("/").content.decode()
    assert "A chosen page</a>" in html


def test_demo_content_creates_home_pages_and_settings_once():
    site = demo.load()
    counts = (Page.objects.count(), Site.objects.count(), AgencySettings.objects.count())
    again = demo.load()
    assert again.pk == site.pk
    assert (Page.objects.count(), Site.objects.count(), AgencySettings.objects.count()) == counts
    assert isinstance(site.root_page.specific, HomePage)
    assert (site.hostname, site.port) == ("testserver", 80)
    slugs = set(ContentPage.objects.values_list("slug", flat=True))
    assert {"about", "contact", "imprint", "privacy", "terms-of-sale"} <= slugs
    agency = AgencySettings.for_site(site)
    assert agency.name == "Brightside Web Studio"
    assert agency.vat_rate == 19
    assert agency.vat_exempt is False
    assert agency.imprint_page.slug == "imprint"
    assert agency.refund_policy_url == "/offers/refund-policy/money-back/"


def test_demo_site_answers_the_test_client_and_links_legal_pages(client):
    demo.load()
    html = client.get("/").content.decode()
    assert "A demo website in one workday" in html
    assert 'href="/terms-of-sale/">Terms of sale</a>' in html
    assert client.get("/contact/").status_code == 200


def test_editor_can_create_a_content_page_under_home(admin_client, client, site):
    data = nested_form_data(
        {
            "title": "About us",
            "slug": "about-us",
            "intro": rich_text("<p>Who we are.</p>"),
            "body": streamfield([("paragraph", rich_text("<p>Two developers and a designer.</p>"))]),
            "action-publish": "publish",
        }
    )
    response = admin_client.post(f"/admin/pages/add/home/contentpage/{site.root_page_id}/", data)
    assert response.status_code == 302
    page = ContentPage.objects.get(slug="about-us")
    assert page.live
    assert "Two developers and a designer." in client.get("/about-us/").content.decode()


def test_featured_offer_renders_through_the_offers_include_when_it_exists(client, site, settings, tmp_path):
    include = tmp_path / "offers" / "includes" / "featured_offer.html"
    include.parent.mkdir(parents=True)
    include.write_text("<p>Offer card for {{ offer.title }}</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    offer = OfferPageFactory(parent=site.root_page, title="One-day demo", slug="demo")
    home = site.root_page.specific
    home.featured_offer = offer
    home.save()
    html = client.get("/").content.decode()
    assert "<p>Offer card for One-day demo</p>" in html
    assert 'href="/static/css/offers.css"' in html


def test_only_an_offer_page_can_be_the_featured_offer(site):
    home = site.root_page.specific
    home.featured_offer = ContentPageFactory(parent=site.root_page, slug="about")
    with pytest.raises(ValidationError) as error:
        home.full_clean()
    assert error.value.message_dict["featured_offer"] == ["Choose an offer page."]


def test_unpublished_featured_offer_is_not_shown(client, site, settings, tmp_path):
    include = tmp_path / "offers" / "includes" / "featured_offer.html"
    include.parent.mkdir(parents=True)
    include.write_text("<p>Offer card for {{ offer.title }}</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    offer = OfferPageFactory(parent=site.root_page, title="One-day demo", slug="demo", live=False)
    home = site.root_page.specific
    home.featured_offer = offer
    home.save()
    assert "Offer card" not in client.get("/").content.decode()


def test_every_page_has_landmarks_a_skip_link_and_the_main_navigation(client, site):
    ContentPageFactory(parent=site.root_page, title="Contact", slug="contact", show_in_menus=True)
    html = client.get("/").content.decode()
    assert '<a class="skip-link" href="#main">Skip to content</a>' in html
    assert '<main id="main"' in html
    assert '<nav class="site-nav" aria-label="Main">' in html
    for href in ('href="/contact/"', 'href="/search/"', 'action="/search/"'):
        assert href in html
    assert "<footer" in html and "<header" in html


def test_promise_box_shows_price_and_points_and_hides_when_emptied(client, site):
    html = client.get("/").content.decode()
    assert '<p class="promise__price">90 € <small>for a demo website</small></p>' in html
    assert "<li>Don’t? You get all your money back.</li>" in html
    home = site.root_page.specific
    home.promise_price = ""
    home.save()
    assert 'class="promise"' not in client.get("/").content.decode()


def test_editor_can_open_and_save_the_agency_settings(admin_client, site):
    url = f"/admin/settings/home/agencysettings/{site.pk}/"
    assert admin_client.get(url).status_code == 200
    data = {
        "name": "Brightside Web Studio",
        "tagline": "Plain websites.",
        "email": "studio@brightside.example",
        "vat_rate": "7.00",
        "vat_exempt": "",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302
    agency = AgencySettings.for_site(site)
    assert agency.email == "studio@brightside.example"
    assert str(agency.vat_rate) == "7.00"


def test_home_page_features_the_three_newest_explainers_when_none_are_chosen(client, site):
    import datetime

    from tests.factories import ArticlePageFactory, LearnIndexPageFactory

    index = LearnIndexPageFactory(parent=site.root_page)
    for day, title in enumerate(["Oldest", "Older", "Newer", "Newest"], start=1):
        ArticlePageFactory(parent=index, title=title, slug=title.lower(), date=datetime.date(2026, 3, day))
    html = client.get("/").content.decode()
    assert html.index(">Newest</a>") < html.index(">Newer</a>") < html.index(">Older</a>")
    assert ">Oldest</a>" not in html
    assert "4 March 2026" in html
