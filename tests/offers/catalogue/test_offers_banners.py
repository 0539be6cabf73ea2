"""Offer banners: scheduling, targeting, priority, where they never show, rendering and query cost."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from offers.models import BannerExclusion, BannerSection, OfferBanner
from tests.factories import ContentPageFactory, DemoPackageFactory, OfferBannerFactory, default_site, offer_page
from tests.offers_fixtures import isolated_cache  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    return default_site()


@pytest.fixture
def guides(site):
    """A section with one page below it, and an unrelated page elsewhere."""
    section = ContentPageFactory(parent=site.root_page, title="Guides", slug="guides")
    article = ContentPageFactory(parent=section, title="Hosting explained", slug="hosting")
    other = ContentPageFactory(parent=site.root_page, title="About", slug="about")
    return section, article, other


def shown(page, moment=None):
    return [banner.headline for banner in OfferBanner.objects.for_page(page, moment)]


def test_published_banner_shows_on_every_page(client, guides):
    OfferBannerFactory(headline="Wait! See this offer!")
    html = client.get("/guides/hosting/").content.decode()
    assert "Wait! See this offer!" in html
    assert 'class="offer-banner offer-banner--bar' in html


def test_draft_banner_is_not_shown(guides):
    OfferBannerFactory(headline="Draft", published=False)
    assert shown(guides[1]) == []


def test_unpublished_changes_stay_invisible_until_published(guides):
    banner = OfferBannerFactory(headline="Live words")
    banner.headline = "Draft words"
    banner.save_revision()
    assert shown(guides[1]) == ["Live words"]


def test_scheduled_banner_appears_at_go_live_without_any_job(guides):
    now = timezone.now()
    banner = OfferBannerFactory(headline="Black Friday", published=False)
    banner.go_live_at = now + timedelta(hours=2)
    banner.save_revision().publish()
    banner.refresh_from_db()
    assert banner.live is False  # Wagtail waits for publish_scheduled; visitors must not.
    assert shown(guides[1], now) == []
    assert shown(guides[1], now + timedelta(hours=2, seconds=1)) == ["Black Friday"]


def test_expired_banner_disappears_at_expiry_without_any_job(guides):
    now = timezone.now()
    banner = OfferBannerFactory(headline="Ends soon", published=False)
    banner.expire_at = now + timedelta(hours=1)
    banner.save_revision().publish()
    assert shown(guides[1], now) == ["Ends soon"]
    assert shown(guides[1], now + timedelta(hours=1)) == []


def test_section_targeting_and_exclusions(guides):
    section, article, other = guides
    banner = OfferBannerFactory(headline="For readers", targeting=OfferBanner.Targeting.SECTIONS)
    BannerSection.objects.create(banner=banner, page=section)
    assert shown(section) == ["For readers"]
    assert shown(article) == ["For readers"]
    assert shown(other) == []
    assert shown(None) == []
    BannerExclusion.objects.create(banner=banner, page=article)
    assert shown(article) == []
    assert shown(section) == ["For readers"]


def test_highest_priority_wins_per_placement(client, guides):
    OfferBannerFactory(headline="Low", priority=1)
    OfferBannerFactory(headline="High", priority=5)
    html = client.get("/guides/hosting/").content.decode()
    assert "High" in html
    assert "Low" not in html


def test_banner_never_shows_on_its_own_offer_page(client, guides):
    banner = OfferBannerFactory(headline="Go to the demo")
    assert "Go to the demo" not in client.get(banner.offer_page.url).content.decode()
    other_offer = offer_page(title="Another offer")
    assert "Go to the demo" in client.get(other_offer.url).content.decode()


def test_banner_to_an_inactive_package_or_unpublished_page_disappears(guides):
    banner = OfferBannerFactory(headline="Gone")
    package = banner.offer_page.package
    package.active = False
    package.save()
    assert shown(guides[1]) == []
    package.active = True
    package.save()
    banner.offer_page.unpublish()
    assert shown(guides[1]) == []


def test_checkout_and_order_pages_show_no_banner(rf, guides):
    from offers.templatetags.offer_tags import banners_for_request

    OfferBannerFactory(headline="Not here")
    for path in ("/checkout/return/", "/orders/abc/", "/offers/demo/buy/"):
        request = rf.get(path)
        assert banners_for_request({"request": request, "page": guides[1]}) == {}


def test_banner_lookup_costs_the_same_queries_for_one_or_many_banners(client, guides):
    OfferBannerFactory(headline="First")
    client.get("/guides/hosting/")  # warm caches (content types, site root paths)
    with CaptureQueriesContext(connection) as one:
        client.get("/guides/hosting/")
    for n in range(6):
        placement = [OfferBanner.Placement.BAR, OfferBanner.Placement.DIALOG][n % 2]
        OfferBannerFactory(headline=f"More {n}", priority=n, placement=placement)
    client.get("/guides/hosting/")  # publishing starts a new cache generation: settings are read again once
    with CaptureQueriesContext(connection) as many:
        html = client.get("/guides/hosting/").content.decode()
    assert "More 5" in html and "More 4" in html
    banner_queries = [q["sql"] for q in many.captured_queries if "offers_offerbanner" in q["sql"]]
    assert len(banner_queries) == 1
    assert len(many) == len(one)


def test_dialog_banner_is_a_labelled_card_without_javascript(client, guides):
    OfferBannerFactory(headline="A dialog offer", placement=OfferBanner.Placement.DIALOG)
    html = client.get("/guides/hosting/").content.decode()
    assert "data-offer-banner-dialog" in html
    assert 'aria-labelledby="offer-banner-' in html
    assert "/static/js/banner.js" in html
    assert "<script>" not in html  # no inline script under the CSP


def test_inline_banner_renders_through_the_include(rf, guides):
    from django.template.loader import render_to_string

    OfferBannerFactory(headline="Inline card", placement=OfferBanner.Placement.INLINE)
    request = rf.get("/guides/hosting/")
    html = render_to_string("offers/includes/inline_banner.html", {"page": guides[1]}, request=request)
    assert "offer-banner--inline" in html and "Inline card" in html


def banner_form(page, **extra):
    data = {
        "headline": "Wait! See this offer!",
        "message": "",
        "cta_text": "See the offer",
        "offer_page": page.pk,
        "style": "accent",
        "placement": "bar",
        "targeting": "all",
        "priority": "0",
        "sections": inline_formset([]),
        "exclusions": inline_formset([]),
        "go_live_at": "",
        "expire_at": "",
    }
    data.update(extra)
    return nested_form_data(data)


@pytest.fixture
def editor(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("editor", "editor@example.com", "pw"))
    return client


def test_publishing_a_banner_to_an_unpublished_offer_page_is_refused(editor):
    page = offer_page()
    page.unpublish()
    response = editor.post("/admin/snippets/offers/offerbanner/add/", {**banner_form(page), "action-publish": "1"})
    assert response.status_code == 200
    assert "is not published: publish it first" in response.content.decode()
    assert not OfferBanner.objects.filter(live=True).exists()


def test_publishing_a_banner_to_an_inactive_package_is_refused(editor):
    page = offer_page(package=DemoPackageFactory(active=False, name="Old demo"))
    response = editor.post("/admin/snippets/offers/offerbanner/add/", {**banner_form(page), "action-publish": "1"})
    assert response.status_code == 200
    assert "The package “Old demo” is inactive" in response.content.decode()


def test_such_a_banner_can_still_be_saved_as_draft(editor):
    page = offer_page()
    page.unpublish()
    response = editor.post("/admin/snippets/offers/offerbanner/add/", banner_form(page))
    assert response.status_code == 302
    assert OfferBanner.objects.get().live is False


def test_valid_banner_is_published_from_the_admin(editor):
    page = offer_page()
    response = editor.post("/admin/snippets/offers/offerbanner/add/", {**banner_form(page), "action-publish": "1"})
    assert response.status_code == 302
    assert OfferBanner.objects.get().live is True


def test_banner_preview_renders(editor):
    banner = OfferBannerFactory(headline="Preview me")
    response = editor.post(
        f"/admin/snippets/offers/offerbanner/preview/{banner.pk}/",
        banner_form(banner.offer_page, headline="Preview me"),
    )
    assert response.status_code == 200
    response = editor.get(f"/admin/snippets/offers/offerbanner/preview/{banner.pk}/")
    assert "Preview me" in response.content.decode()
