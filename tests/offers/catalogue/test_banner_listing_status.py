"""The banner listing tells editors what visitors see: a status per banner, go-live and expiry only where they apply."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from offers import display
from tests.factories import OfferBannerFactory
from tests.offers_fixtures import isolated_cache  # noqa: F401

pytestmark = pytest.mark.django_db


def _cells(html, headline):
    """The text of each cell in the listing row of the banner with this headline."""
    start = html.index(headline)
    row = html[html.rindex("<tr", 0, start) : html.index("</tr>", start)]
    return [re.sub(r"<[^>]+>|\s+", " ", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_banner_listing_shows_status_and_only_the_dates_that_apply(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("editor", "editor@example.com", "pw"))
    now = timezone.now()
    OfferBannerFactory(headline="Draft banner", published=False)
    draft_with_dates = OfferBannerFactory(headline="Draft with dates", published=False)
    draft_with_dates.go_live_at = now + timedelta(days=3)
    draft_with_dates.save()  # a date typed into a draft that was never published schedules nothing
    scheduled = OfferBannerFactory(headline="Scheduled banner", published=False)
    scheduled.go_live_at = now + timedelta(days=2)
    scheduled.expire_at = now + timedelta(days=9)
    scheduled.save_revision().publish()
    live = OfferBannerFactory(headline="Live banner")
    live.expire_at = now + timedelta(days=5)
    live.save_revision().publish()
    expired = OfferBannerFactory(headline="Expired banner")
    expired.expire_at = now - timedelta(days=1)
    expired.save()

    html = client.get("/admin/snippets/offers/offerbanner/").content.decode()
    assert re.search(r"<th[^>]*>\s*(<[^>]+>\s*)*Status\s*<", html)

    draft = _cells(html, "Draft banner")
    assert "draft" in draft
    assert "draft" in _cells(html, "Draft with dates")
    assert display.short_datetime_text(draft_with_dates.go_live_at) not in html

    scheduled_row = _cells(html, "Scheduled banner")
    assert "scheduled" in scheduled_row
    assert display.short_datetime_text(now + timedelta(days=2)) in scheduled_row
    assert display.short_datetime_text(now + timedelta(days=9)) in scheduled_row

    live_row = _cells(html, "Live banner")
    assert "live" in live_row
    assert display.short_datetime_text(now + timedelta(days=5)) in live_row
    assert "CET" in " ".join(live_row)  # the site's zone, named

    expired_row = _cells(html, "Expired banner")
    assert "expired" in expired_row
    assert display.short_datetime_text(now - timedelta(days=1)) in expired_row
