"""The banner funnel: a click on a banner's call to action is counted and leads only to that banner's offer;
staff see per banner how clicks became checkouts, payments and refunds for a range of days."""

import datetime
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from offers.catalogue import banners
from offers.models import BannerClickDay, OfferBanner, Order
from offers.reports import funnel
from tests.checkout_helpers import deliver, only_order, pay, post_buy, staff_user
from tests.factories import OfferBannerFactory, OrderFactory
from tests.offers.checkout.test_checkout_concurrency import run_together

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]

BERLIN = ZoneInfo("Europe/Berlin")
REPORT_URL = "/admin/reports/banner-funnel/"


def clicks_today(banner):
    row = BannerClickDay.objects.filter(banner=banner, day=timezone.localdate()).first()
    return row.clicks if row else 0


def at(year, month, day, hour=12):
    return datetime.datetime(year, month, day, hour, tzinfo=BERLIN)


# /go/<id>/


def test_following_a_banner_counts_one_click_and_leads_to_its_offer_page(client):
    banner = OfferBannerFactory()

    response = client.get(f"/go/{banner.pk}/")

    assert response.status_code == 302
    assert response["Location"] == f"{banner.offer_page.url}?via={banner.pk}"
    assert clicks_today(banner) == 1
    client.get(f"/go/{banner.pk}/", REMOTE_ADDR="198.51.100.2")  # another visitor
    assert clicks_today(banner) == 2
    assert BannerClickDay.objects.count() == 1


def test_one_visitor_counts_once_per_banner_and_day(client):
    banner, other = OfferBannerFactory(), OfferBannerFactory()
    for _ in range(5):
        assert client.get(f"/go/{banner.pk}/").status_code == 302  # still redirected every time
    client.get(f"/go/{other.pk}/")
    assert clicks_today(banner) == 1
    assert clicks_today(other) == 1


def test_the_visitor_is_remembered_only_as_a_salted_hash(client, private_cache):
    from django.core.cache import cache

    banner = OfferBannerFactory()
    client.get(f"/go/{banner.pk}/", REMOTE_ADDR="203.0.113.9")
    stored = " ".join(str(key) for key in cache._cache)  # private_cache: a local-memory cache of this test
    assert "203.0.113.9" not in stored


def test_the_click_sets_no_cookie_and_stores_nothing_about_the_visitor(client):
    banner = OfferBannerFactory()

    response = client.get(f"/go/{banner.pk}/", REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Test/1.0")

    assert not response.cookies
    assert "Set-Cookie" not in response.headers
    assert "no-store" in response["Cache-Control"]
    fields = {f.name for f in BannerClickDay._meta.get_fields()}
    assert fields == {"id", "banner", "day", "clicks"}


@pytest.mark.parametrize(
    "query",
    ["?next=https://evil.example/", "?url=//evil.example/", "?redirect_to=/admin/", "?via=999"],
)
def test_the_redirect_ignores_any_destination_in_the_request(client, query):
    banner = OfferBannerFactory()

    response = client.get(f"/go/{banner.pk}/{query}", HTTP_REFERER="https://evil.example/")

    assert response["Location"] == f"{banner.offer_page.url}?via={banner.pk}"


def test_an_unknown_banner_is_not_found_and_counts_nothing(client):
    OfferBannerFactory()

    assert client.get("/go/987654/").status_code == 404
    assert client.get("/go/abc/").status_code == 404
    assert not BannerClickDay.objects.exists()


@pytest.mark.parametrize("path", ["/go/{}/", "/offers/availability/{}/"])
def test_an_id_too_large_for_the_database_is_not_found(path):
    """A tampered link with a 30-digit id is a 404, not a server error."""
    visitor = Client(raise_request_exception=False)
    assert visitor.get(path.format("9" * 30)).status_code == 404


def test_a_banner_no_longer_shown_leads_to_the_offers_index_uncounted(client):
    draft = OfferBannerFactory(published=False)
    expired = OfferBannerFactory()
    OfferBanner.objects.filter(pk=expired.pk).update(expire_at=timezone.now() - datetime.timedelta(minutes=1))

    for banner in (draft, expired):
        response = client.get(f"/go/{banner.pk}/")
        assert response.status_code == 302
        assert response["Location"] == "/offers/"
    assert not BannerClickDay.objects.exists()


def test_only_a_plain_get_counts(client):
    banner = OfferBannerFactory()

    assert client.post(f"/go/{banner.pk}/").status_code == 405
    assert clicks_today(banner) == 0


def test_banner_call_to_action_links_through_the_counter(client):
    banner = OfferBannerFactory()

    html = client.get("/").content.decode()

    assert f'class="offer-banner__cta" href="/go/{banner.pk}/"' in html


def test_crawlers_are_asked_not_to_follow_the_counter(client):
    assert "Disallow: /go/\n" in client.get("/robots.txt").content.decode()


def test_clicks_count_on_the_day_in_berlin():
    banner = OfferBannerFactory()

    banners.record_click(banner.pk, day=datetime.date(2026, 11, 1))
    banners.record_click(banner.pk, day=datetime.date(2026, 11, 1))
    banners.record_click(banner.pk, day=datetime.date(2026, 11, 2))

    assert dict(BannerClickDay.objects.values_list("day", "clicks")) == {
        datetime.date(2026, 11, 1): 2,
        datetime.date(2026, 11, 2): 1,
    }


def test_a_visitor_who_clicks_buys_and_pays_shows_up_in_the_funnel(client, stripe_api):
    banner = OfferBannerFactory()
    offer = banner.offer_page

    landing = client.get(f"/go/{banner.pk}/", follow=True)
    assert f'href="{offer.url}buy/?via={banner.pk}"' in landing.content.decode()
    post_buy(Client(), offer, via=str(banner.pk))
    order = only_order()
    assert order.banner_id == banner.pk
    assert deliver(Client(), pay(stripe_api, order)).status_code == 200

    today = timezone.localdate()
    row = funnel.report(today, today).rows[0]
    assert (row.banner, row.clicks, row.started, row.paid, row.refunded) == (banner, 1, 1, 1, 0)
    assert row.conversion == Decimal("100.0")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_clicks_are_all_counted_on_postgresql():
    banner = OfferBannerFactory()

    # Sixteen visitors (each is counted once a day).
    statuses = run_together(
        16, lambda i: Client(REMOTE_ADDR=f"198.51.100.{i + 1}").get(f"/go/{banner.pk}/").status_code
    )

    assert statuses == [302] * 16
    assert BannerClickDay.objects.get(banner=banner).clicks == 16


# The report


def test_report_counts_clicks_and_orders_inside_the_range_only():
    banner = OfferBannerFactory()
    other = OfferBannerFactory(headline="Another banner")
    for day, clicks in (
        (datetime.date(2026, 10, 31), 5),
        (datetime.date(2026, 11, 1), 7),
        (datetime.date(2026, 11, 30), 3),
    ):
        BannerClickDay.objects.create(banner=banner, day=day, clicks=clicks)
    BannerClickDay.objects.create(banner=other, day=datetime.date(2026, 12, 1), clicks=50)
    # created at 00:30 on 1 November in Berlin (still 31 October in UTC): inside
    OrderFactory(banner=banner, created_at=at(2026, 11, 1, 0) + datetime.timedelta(minutes=30), paid=True)
    OrderFactory(banner=banner, created_at=at(2026, 11, 10), paid=True, amount_refunded=Decimal("90.00"))
    OrderFactory(banner=banner, created_at=at(2026, 11, 12))
    OrderFactory(banner=banner, created_at=at(2026, 11, 13), status=Order.Status.EXPIRED)
    # 23:30 on 31 October in Berlin: outside
    OrderFactory(banner=banner, created_at=at(2026, 10, 31, 23) + datetime.timedelta(minutes=30), paid=True)
    OrderFactory(banner=None, created_at=at(2026, 11, 5), paid=True)

    report = funnel.report(datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))

    assert len(report.rows) == 1
    row = report.rows[0]
    assert (row.banner, row.clicks, row.started, row.paid, row.refunded) == (banner, 10, 4, 2, 1)
    assert row.conversion == Decimal("20.0")
    assert (report.total.clicks, report.total.paid) == (10, 2)
    assert (report.without_banner.started, report.without_banner.paid) == (1, 1)


def test_conversion_is_empty_not_an_error_without_clicks():
    banner = OfferBannerFactory()
    OrderFactory(banner=banner, paid=True)
    today = timezone.localdate()

    row = funnel.report(today, today).rows[0]

    assert (row.clicks, row.paid, row.conversion) == (0, 1, None)


def staff(django_user_model, *codenames):
    user = staff_user(django_user_model, *codenames)
    client = Client()
    client.force_login(user)
    return client


def test_staff_who_see_orders_get_the_report_for_the_last_30_days_by_default(django_user_model):
    banner = OfferBannerFactory(headline="Autumn banner")
    today = timezone.localdate()
    BannerClickDay.objects.create(banner=banner, day=today, clicks=4)
    BannerClickDay.objects.create(banner=banner, day=today - datetime.timedelta(days=29), clicks=4)
    BannerClickDay.objects.create(banner=banner, day=today - datetime.timedelta(days=30), clicks=100)
    OrderFactory(banner=banner, paid=True)
    client = staff(django_user_model, "view_order")

    response = client.get(REPORT_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["form"]["start"].value() == today - datetime.timedelta(days=29)
    assert "Autumn banner" in html
    row = response.context["report"].rows[0]
    assert (row.clicks, row.started, row.paid, row.conversion) == (8, 1, 1, Decimal("12.5"))
    assert "12.5 %" in html


def test_the_chosen_range_is_reported(django_user_model):
    banner = OfferBannerFactory()
    BannerClickDay.objects.create(banner=banner, day=datetime.date(2026, 3, 3), clicks=9)
    client = staff(django_user_model, "view_order")

    response = client.get(REPORT_URL, {"start": "2026-03-01", "end": "2026-03-31"})

    assert response.status_code == 200
    assert response.context["report"].total.clicks == 9
    assert "Banners from 1 March 2026 to 31 March 2026" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2026-13-01", "end": "2026-03-31"}, "Enter a valid date."),
        ({"start": "yesterday", "end": ""}, "This field is required."),
        ({"start": "2026-04-01", "end": "2026-03-01"}, "The start date must be on or before the end date."),
        ({"start": "2020-01-01", "end": "2026-03-01"}, "Choose a range of at most"),
        ({"start": "9999-12-31", "end": "9999-12-31"}, "Choose an end date before 31 December 9999."),
    ],
)
def test_invalid_dates_get_a_clear_form_error(django_user_model, params, message):
    client = staff(django_user_model, "view_order")

    response = client.get(REPORT_URL, params)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert response.context["report"] is None


def test_a_date_error_is_read_out_with_its_input(django_user_model):
    client = staff(django_user_model, "view_order")

    html = client.get(REPORT_URL, {"start": "2026-02-30", "end": "2026-03-31"}).content.decode()

    assert re.search(
        r'<input[^>]*aria-describedby="id_start-error"[^>]*name="start"|<input[^>]*name="start"[^>]*aria-describedby="id_start-error"',
        html,
    )
    assert '<p class="error-message" id="id_start-error">Enter a valid date.</p>' in html


def test_staff_without_the_orders_permission_cannot_see_the_report(django_user_model):
    client = staff(django_user_model)

    refused = client.get(REPORT_URL, follow=True)
    assert refused.redirect_chain == [("/admin/", 302)]
    assert "Sorry, you do not have permission to access this area." in refused.content.decode()
    assert "Banner funnel" not in client.get("/admin/").content.decode()
    anonymous = Client().get(REPORT_URL)
    assert anonymous.status_code == 302
    assert "/admin/login/" in anonymous["Location"]


def test_the_report_is_in_the_reports_menu_for_staff_who_see_orders(django_user_model):
    client = staff(django_user_model, "view_order")

    assert REPORT_URL in client.get("/admin/").content.decode()
