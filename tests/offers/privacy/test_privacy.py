"""Privacy: staff export and erase a customer's personal data; invoice data is purged after the retention date;
visitors get no cookies on public pages."""

import datetime
import io
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from offers.aftercare import guarantee, refunds
from offers.models import Order, SentEmail, StripeEvent
from offers.privacy import personal_data as privacy
from tests.checkout_helpers import staff_user
from tests.guarantee_helpers import buy_and_pay, delivered, page_path

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]
S = Order.Status
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def paid(stripe_api, django_capture_on_commit_callbacks):
    return buy_and_pay(stripe_api, django_capture_on_commit_callbacks)


@pytest.fixture
def eraser(client, django_user_model):
    client.force_login(staff_user(django_user_model, "view_order", "erase_personal_data"))
    return client


def test_staff_with_the_permission_download_the_customers_data_as_json(client, django_user_model, paid):
    from tests.factories import OrderFactory

    earlier = OrderFactory(customer_email="ADA@example.com", brief_goals="An older wish")
    client.force_login(staff_user(django_user_model, "view_order"))
    assert "Export personal data" not in client.get(f"/admin/order/inspect/{paid.pk}/").content.decode()
    assert client.get(f"/admin/order/personal-data/{paid.pk}/export/").status_code in (302, 403)

    client.force_login(staff_user(django_user_model, "view_order", "export_personal_data"))
    assert "Export personal data" in client.get(f"/admin/order/inspect/{paid.pk}/").content.decode()
    response = client.get(f"/admin/order/personal-data/{paid.pk}/export/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert f'filename="personal-data-{paid.reference}.json"' in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["customer_email"] == "ada@example.com"
    by_reference = {item["reference"]: item for item in data["orders"]}
    assert set(by_reference) == {paid.reference, earlier.reference}  # every order of the customer
    mine = by_reference[paid.reference]
    assert mine["brief_business"] == "We build engines that compute."
    assert mine["billing_address"]["city"] == "Berlin"
    assert mine["amount"] == "90.00"
    assert any(email["subject"].startswith("Your order") for email in mine["emails"])
    assert paid.history.filter(trigger="personal_data_exported").count() == 1


def test_erasure_needs_its_permission_and_a_confirmation(client, django_user_model, paid):
    client.force_login(staff_user(django_user_model, "view_order", "export_personal_data"))
    assert client.post(f"/admin/order/personal-data/{paid.pk}/erase/", {"confirm": "yes"}).status_code in (302, 403)
    client.force_login(staff_user(django_user_model, "view_order", "erase_personal_data"))
    confirm = client.get(f"/admin/order/personal-data/{paid.pk}/erase/")
    page = confirm.content.decode()
    assert "It cannot be undone" in page
    assert str(privacy.retention_date(paid)) in page
    client.post(f"/admin/order/personal-data/{paid.pk}/erase/")  # without confirm=yes: the page again
    assert Order.objects.get(pk=paid.pk).personal_data_erased_at is None


def test_erasure_anonymises_at_once_and_keeps_what_invoices_need_until_the_retention_date(
    eraser, paid, settings, django_capture_on_commit_callbacks
):
    settings.PERSONAL_DATA_RETENTION_YEARS = 10
    link = page_path(paid)
    assert Client().get(link).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = eraser.post(f"/admin/order/personal-data/{paid.pk}/erase/", {"confirm": "yes"}, follow=True)
    assert "personal data is erased" in response.content.decode()
    order = Order.objects.get(pk=paid.pk)
    # Gone at once.
    assert "ada@example.com" not in order.customer_email
    assert order.brief_business == order.brief_goals == "(erased)"
    assert order.brief_existing_site == order.brief_style == ""
    assert not SentEmail.objects.filter(recipient="ada@example.com").exists()
    assert not SentEmail.objects.filter(order=order, body_text__contains="Ada").exists()
    events = list(StripeEvent.objects.filter(order=order))
    assert events  # the payment's checkout.session.completed at least
    for event in events:
        assert "ada@example.com" not in json.dumps(event.payload)
        assert "Teststraße" not in json.dumps(event.payload)
    assert Client().get(link).status_code == 400  # old links open nothing
    # Kept for invoices, until ten years after the payment.
    assert order.customer_name == "Ada Lovelace"
    assert order.billing_address["line1"] == "Teststraße 1"
    assert order.amount == paid.amount
    assert order.stripe_payment_intent_id == paid.stripe_payment_intent_id
    assert order.stripe_invoice_id == paid.stripe_invoice_id
    paid_on = timezone.localdate(paid.paid_at)
    assert order.invoice_data_retained_until == datetime.date(paid_on.year + 10, 12, 31)
    erased = order.history.get(trigger="personal_data_erased")
    assert erased.user.username.startswith("staff-")
    assert str(order.invoice_data_retained_until) in erased.reason
    # A second erasure says so.
    again = eraser.post(f"/admin/order/personal-data/{paid.pk}/erase/", {"confirm": "yes"}, follow=True)
    assert "already erased" in again.content.decode()


def test_erasure_clears_stripe_events_about_the_payment_that_no_order_handler_claimed(
    paid, stripe_api, django_capture_on_commit_callbacks
):
    """Events the site does not act on (charge.succeeded) or that failed are stored without an order link."""
    from tests.checkout_helpers import deliver

    charge = stripe_api.charges[paid.stripe_charge_id]
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(Client(), stripe_api.make_event("charge.succeeded", charge)).status_code == 200
    unclaimed = StripeEvent.objects.get(type="charge.succeeded")
    assert unclaimed.order is None and "ada@example.com" in json.dumps(unclaimed.payload)
    privacy.erase(paid.pk)
    unclaimed.refresh_from_db()
    assert "ada@example.com" not in json.dumps(unclaimed.payload)
    assert charge["billing_details"]["name"] not in json.dumps(unclaimed.payload)
    assert unclaimed.payload["id"] == unclaimed.stripe_id


def test_the_customers_words_in_the_history_are_erased(paid, django_capture_on_commit_callbacks):
    Order.objects.filter(pk=paid.pk).update(refund_automatic=False)  # staff approve: the reason is kept meanwhile
    order = delivered(Order.objects.get(pk=paid.pk))
    with django_capture_on_commit_callbacks(execute=True):
        guarantee.ask_refund(order.pk, reason="My dog Rex did not like the colours")
        guarantee.staff_refund(order.pk, user=None)
    privacy.erase(order.pk)
    order.refresh_from_db()
    assert order.status == S.REFUNDED
    assert not order.history.filter(reason__contains="Rex").exists()
    assert "Rex" not in order.refund_reason


def test_words_staff_typed_about_the_customer_and_the_demo_link_are_erased(
    paid, stripe_api, django_capture_on_commit_callbacks
):
    """Free text staff type (a refund or cancel reason) and the demo's address often name the customer."""
    order = delivered(paid, url="https://demo.example/ada-lovelace/")
    with django_capture_on_commit_callbacks(execute=True):
        guarantee.staff_refund(order.pk, user=None, full=True, reason="Ada Lovelace phoned: refund")
    privacy.erase(order.pk)
    order.refresh_from_db()
    assert order.status == S.REFUNDED
    assert not order.history.filter(reason__contains="Ada").exists()
    assert not order.history.filter(reason__contains="ada-lovelace").exists()
    assert order.demo_url == ""
    assert order.history.filter(trigger="staff_refund", to_status=S.REFUND_REQUESTED).exists()  # what happened stays


@pytest.mark.parametrize("state", ["refund under way", "open dispute"])
def test_erasure_is_refused_with_an_open_refund_or_dispute(
    eraser, paid, stripe_api, state, django_capture_on_commit_callbacks
):
    if state == "refund under way":
        stripe_api.fail_next(500, times=3)
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(refunds.RefundError):
            guarantee.staff_refund(paid.pk, user=None, full=True)
        expected = "refund under way"
    else:
        from tests.checkout_helpers import deliver

        dispute = stripe_api.create_dispute(paid.stripe_charge_id)
        with django_capture_on_commit_callbacks(execute=True):
            deliver(Client(), stripe_api.make_event("charge.dispute.created", dispute))
        expected = "open dispute"
    before = Order.objects.get(pk=paid.pk)
    page = eraser.get(f"/admin/order/personal-data/{paid.pk}/erase/").content.decode()
    assert expected in page and "Erase personal data</button>" not in page
    response = eraser.post(f"/admin/order/personal-data/{paid.pk}/erase/", {"confirm": "yes"}, follow=True)
    assert expected in response.content.decode()
    assert "Nothing was erased" in response.content.decode()
    after = Order.objects.get(pk=paid.pk)
    assert after.customer_email == before.customer_email == "ada@example.com"
    assert after.brief_goals == before.brief_goals
    assert after.personal_data_erased_at is None


@pytest.mark.parametrize(
    ("paid_at", "kept_until"),
    [
        (datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC), datetime.date(2036, 12, 31)),
        (datetime.datetime(2028, 2, 29, 12, tzinfo=datetime.UTC), datetime.date(2038, 12, 31)),
        # 23:30 UTC on New Year's Eve is already the next year in Berlin.
        (datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC), datetime.date(2037, 12, 31)),
    ],
)
def test_invoice_data_is_kept_until_the_end_of_the_year_the_retention_period_ends(settings, paid_at, kept_until):
    """German retention periods (HGB 257, AO 147) start at the end of the year of the booking, not on its date."""
    from tests.factories import OrderFactory

    settings.PERSONAL_DATA_RETENTION_YEARS = 10
    assert privacy.retention_date(OrderFactory(paid=True, paid_at=paid_at, seat=False)) == kept_until


def test_purge_clears_invoice_data_only_after_the_retention_date_and_is_idempotent(paid, settings):
    settings.PERSONAL_DATA_RETENTION_YEARS = 2
    privacy.erase(paid.pk)
    order = Order.objects.get(pk=paid.pk)
    retained_until = order.invoice_data_retained_until
    paid_on = timezone.localdate(paid.paid_at)
    assert retained_until == datetime.date(paid_on.year + 2, 12, 31)

    on_the_day = timezone.now().replace(year=retained_until.year, month=retained_until.month, day=retained_until.day)
    assert privacy.purge_expired(now=on_the_day) == 0
    assert Order.objects.get(pk=paid.pk).customer_name == "Ada Lovelace"

    day_after = on_the_day + timedelta(days=1)
    assert privacy.purge_expired(now=day_after) == 1
    assert privacy.purge_expired(now=day_after) == 0
    order = Order.objects.get(pk=paid.pk)
    assert order.customer_name == "Erased customer"
    assert order.billing_address == {} and order.customer_tax_ids == []
    assert order.stripe_payment_intent_id == order.stripe_charge_id == order.stripe_invoice_id == ""
    assert order.stripe_session_id is None
    assert order.amount == paid.amount  # the books still add up, without a person behind them
    assert order.history.filter(trigger="invoice_data_purged").count() == 1


def test_purge_command_is_safe_to_run_from_cron(paid):
    out = io.StringIO()
    call_command("purge_expired_personal_data", stdout=out)
    assert "0 order(s) purged" in out.getvalue()
    privacy.erase(paid.pk)
    Order.objects.filter(pk=paid.pk).update(invoice_data_retained_until=timezone.localdate() - timedelta(days=1))
    call_command("purge_expired_personal_data", stdout=out)
    call_command("purge_expired_personal_data", stdout=out)
    assert out.getvalue().count("1 order(s) purged") == 1
    assert Order.objects.get(pk=paid.pk).customer_name == "Erased customer"


def test_erasing_a_payment_still_in_review_keeps_what_its_refund_and_invoice_need(
    client, stripe_api, settings, django_capture_on_commit_callbacks
):
    """A payment of the wrong amount has no paid_at (it was never "paid"), but the money was taken."""
    from tests.checkout_helpers import deliver, only_order, pay, post_buy
    from tests.factories import offer_page

    settings.PERSONAL_DATA_RETENTION_YEARS = 10
    post_buy(client, offer_page())
    order = only_order()
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, pay(stripe_api, order, amount_total=100))
    order.refresh_from_db()
    assert order.status == S.NEEDS_REVIEW and order.paid_at is None

    privacy.erase(order.pk)
    order.refresh_from_db()
    assert order.invoice_data_purged_at is None
    assert order.customer_name == "Ada Lovelace" and order.stripe_payment_intent_id
    assert order.invoice_data_retained_until == datetime.date(timezone.localdate(order.created_at).year + 10, 12, 31)
    with django_capture_on_commit_callbacks(execute=True):
        guarantee.staff_refund(order.pk, user=None, full=True)  # staff can still return the money
    assert [refund["amount"] for refund in stripe_api.refunds.values()] == [100]


def test_erasing_an_unpaid_order_keeps_nothing_once_it_can_no_longer_be_paid():
    from tests.factories import OrderFactory

    order = OrderFactory(company="Engines Ltd", billing_address={"city": "Berlin"})
    with pytest.raises(privacy.ErasureRefused, match="still open for payment"):
        privacy.erase(order.pk)
    Order.objects.filter(pk=order.pk).update(status=S.EXPIRED)
    privacy.erase(order.pk)
    order.refresh_from_db()
    assert order.customer_name == "Erased customer"
    assert order.company == "" and order.billing_address == {}
    assert order.invoice_data_purged_at is not None


def test_the_retention_and_warning_settings_are_read_from_the_environment():
    code = (
        "from config.settings import base; "
        "print(base.PERSONAL_DATA_RETENTION_YEARS, base.DELIVERY_DEADLINE_WARNING_MINUTES)"
    )
    env = {**os.environ, "PERSONAL_DATA_RETENTION_YEARS": "7", "DELIVERY_DEADLINE_WARNING_MINUTES": "45"}
    configured = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    env.pop("PERSONAL_DATA_RETENTION_YEARS"), env.pop("DELIVERY_DEADLINE_WARNING_MINUTES")
    defaults = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert configured.stdout.split() == ["7", "45"], configured.stderr
    assert defaults.stdout.split() == ["10", "120"], defaults.stderr


# --- cookies ----------------------------------------------------------------------------------


def test_visitors_get_no_cookies_on_public_pages_and_only_the_buy_form_sets_csrf():
    from tests.factories import ArticlePageFactory, LearnIndexPageFactory, default_site, offer_page

    page = offer_page()
    site = default_site()
    learn = LearnIndexPageFactory(parent=site.root_page)
    article = ArticlePageFactory(parent=learn)
    visitor = Client()
    for url in ("/", learn.url, article.url, page.url, "/search/?q=demo"):
        response = visitor.get(url)
        assert response.status_code == 200, url
        assert not response.cookies, (url, list(response.cookies))
    assert not visitor.cookies

    buy_form = visitor.get(page.url + "buy/")
    assert buy_form.status_code == 200
    assert set(buy_form.cookies) == {"csrftoken"}
