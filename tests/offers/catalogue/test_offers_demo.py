"""The demo content: a visitor of a fresh demo site reaches the offer; loading twice changes nothing."""

import pytest
from django.core.management import call_command

from learn.models import ArticlePage
from offers.models import BannerSection, DemoPackage, OfferBanner, OfferPage, OffersIndexPage, RefundPolicy
from tests.offers_fixtures import isolated_cache  # noqa: F401

pytestmark = pytest.mark.django_db


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (DemoPackage, RefundPolicy, OffersIndexPage, OfferPage, OfferBanner, BannerSection)
    }


def test_loading_the_demo_twice_creates_everything_once():
    call_command("load_demo_content", verbosity=0)
    first = counts()
    assert first == {
        "DemoPackage": 1,
        "RefundPolicy": 1,
        "OffersIndexPage": 1,
        "OfferPage": 1,
        "OfferBanner": 1,
        "BannerSection": 1,
    }
    revisions = DemoPackage.objects.get().revisions.count()
    call_command("load_demo_content", verbosity=0)
    assert counts() == first
    assert DemoPackage.objects.get().revisions.count() == revisions


def test_demo_visitor_sees_the_banner_on_an_article_and_reaches_the_offer(client):
    call_command("load_demo_content", verbosity=0)
    package = DemoPackage.objects.get()
    assert (package.price, package.currency, package.capacity_per_day, package.horizon_working_days) == (
        90,
        "EUR",
        2,
        20,
    )
    assert package.live_revision_id is not None
    policy = RefundPolicy.objects.get()
    assert (policy.refund_window_days, policy.refund_percentage, policy.is_automatic) == (14, 100, True)

    article = ArticlePage.objects.live().first()
    article_html = client.get(article.url).content.decode()
    assert "Wait! See this offer!" in article_html
    banner = OfferBanner.objects.get()
    assert f'href="/go/{banner.pk}/"' in article_html
    followed = client.get(f"/go/{banner.pk}/")
    assert followed.status_code == 302
    assert followed["Location"] == f"/offers/demo-website/?via={banner.pk}"
    assert "Wait! See this offer!" not in client.get("/about/").content.decode()

    html = client.get("/offers/demo-website/").content.decode()
    assert "€90.00" in html
    assert "incl. 19 % VAT" in html
    assert "Next free slot:" in html
    assert 'href="/offers/demo-website/buy/"' in html
    assert client.get(policy.get_absolute_url()).status_code == 200
    assert "A demo website in one workday" in client.get("/").content.decode()
