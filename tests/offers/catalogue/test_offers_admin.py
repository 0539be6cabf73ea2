"""Editors can open the offers admin: snippet listings and forms, the calendar setting, the offer page form."""

import pytest

from offers.models import OffersIndexPage
from tests.factories import OfferBannerFactory, default_site, offer_page
from tests.offers_fixtures import isolated_cache  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client, django_user_model):
    user = django_user_model.objects.create_superuser("editor", "editor@example.com", "pw")
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", ["demopackage", "refundpolicy", "offerbanner"])
def test_snippet_listing_and_add_form_open(editor, model):
    OfferBannerFactory()
    assert editor.get(f"/admin/snippets/offers/{model}/").status_code == 200
    assert editor.get(f"/admin/snippets/offers/{model}/add/").status_code == 200


def test_banner_edit_form_opens(editor):
    banner = OfferBannerFactory()
    assert editor.get(f"/admin/snippets/offers/offerbanner/edit/{banner.pk}/").status_code == 200


def test_working_calendar_setting_opens(editor):
    site = default_site()
    assert editor.get(f"/admin/settings/offers/workingcalendar/{site.pk}/").status_code == 200


def test_offer_page_edit_form_opens(editor):
    page = offer_page()
    assert editor.get(f"/admin/pages/{page.pk}/edit/").status_code == 200
    index = OffersIndexPage.objects.get()
    assert editor.get(f"/admin/pages/add/offers/offerpage/{index.pk}/").status_code == 200


def offer_page_form(page, **extra):
    from wagtail.test.utils.form_data import nested_form_data, streamfield

    data = {
        "title": page.title,
        "slug": page.slug,
        "hero_text": page.hero_text,
        "hero_image": "",
        "package": page.package_id or "",
        "refund_policy": page.refund_policy_id or "",
        "body": streamfield([]),
        "seo_title": "",
        "search_description": "",
        "go_live_at": "",
        "expire_at": "",
    }
    data.update(extra)
    return nested_form_data(data)


def test_offer_page_without_package_cannot_be_published_but_can_be_saved_as_draft(editor):
    page = offer_page()
    data = offer_page_form(page, package="")
    response = editor.post(f"/admin/pages/{page.pk}/edit/", {**data, "action-publish": "1"})
    assert response.status_code == 200
    assert "The page could not be saved due to validation errors" in response.content.decode()
    page.refresh_from_db()
    assert page.package_id is not None
    response = editor.post(f"/admin/pages/{page.pk}/edit/", data)
    assert response.status_code == 302


def test_offer_page_with_a_draft_package_cannot_be_published(editor):
    from tests.factories import DemoPackageFactory

    page = offer_page()
    draft = DemoPackageFactory(name="Unfinished package", published=False)
    response = editor.post(
        f"/admin/pages/{page.pk}/edit/", {**offer_page_form(page, package=draft.pk), "action-publish": "1"}
    )
    assert response.status_code == 200
    assert "The package “Unfinished package” is a draft: publish it before this page." in response.content.decode()
    page.refresh_from_db()
    assert page.package_id != draft.pk
