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
