"""Orders and Stripe events in the Wagtail admin: who may see and act, filters, search, export, cancel, re-run."""

import csv
import io

import pytest

from offers.models import Order, SlotHold, StripeEvent
from offers.payments import webhooks
from tests.checkout_helpers import deliver, only_order, pay, post_buy, staff_user
from tests.factories import offer_page

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]


@pytest.fixture
def pending(stripe_api):
    from django.test import Client

    post_buy(Client(), offer_page())
    return only_order()


def test_orders_listing_needs_the_view_permission(client, django_user_model, pending):
    client.force_login(staff_user(django_user_model))
    assert client.get("/admin/order/").status_code in (302, 403)
    client.force_login(staff_user(django_user_model, "view_order"))
    response = client.get("/admin/order/")
    assert response.status_code == 200
    assert pending.reference in response.content.decode()


def test_orders_cannot_be_added_edited_or_deleted_in_the_admin(admin_client, pending):
    assert admin_client.get("/admin/order/new/").status_code in (302, 403)
    assert admin_client.get(f"/admin/order/edit/{pending.pk}/").status_code in (302, 403)
    assert admin_client.post(f"/admin/order/delete/{pending.pk}/").status_code in (302, 403)
    assert Order.objects.filter(pk=pending.pk).exists()


def test_orders_filter_by_status_and_search_by_email(admin_client, pending):
    assert pending.reference in admin_client.get("/admin/order/?status=pending").content.decode()
    assert pending.reference not in admin_client.get("/admin/order/?status=paid").content.decode()
    assert pending.reference in admin_client.get("/admin/order/?q=ada@example").content.decode()
    assert pending.reference not in admin_client.get("/admin/order/?q=nobody@example").content.decode()


def test_orders_export_as_csv(admin_client, pending):
    response = admin_client.get("/admin/order/?export=csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
    assert pending.reference in body
    assert "ada@example.com" in body


@pytest.mark.parametrize("typed", ['=HYPERLINK("https://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_csv_export_shows_formula_like_input_as_text(admin_client, pending, typed):
    Order.objects.filter(pk=pending.pk).update(company=typed)
    response = admin_client.get("/admin/order/?export=csv")
    body = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows[0]["Company"] == "'" + typed


def test_inspect_shows_history_and_stripe_events(admin_client, client, pending, stripe_api):
    deliver(client, pay(stripe_api, pending))
    html = admin_client.get(f"/admin/order/inspect/{pending.pk}/").content.decode()
    assert "checkout_started" in html
    assert "payment_received" in html
    assert "checkout.session.completed" in html


def test_cancel_needs_its_permission(client, django_user_model, pending):
    client.force_login(staff_user(django_user_model, "view_order"))
    assert client.post(f"/admin/order/cancel/{pending.pk}/").status_code in (302, 403)
    assert Order.objects.get(pk=pending.pk).status == Order.Status.PENDING


def test_staff_cancel_releases_the_seat_and_expires_the_session(client, django_user_model, pending, stripe_api):
    user = staff_user(django_user_model, "view_order", "cancel_order")
    client.force_login(user)
    assert "Cancel order" in client.get(f"/admin/order/inspect/{pending.pk}/").content.decode()
    response = client.post(f"/admin/order/cancel/{pending.pk}/", {"reason": "customer asked by phone"})
    order = Order.objects.get(pk=pending.pk)
    assert response.status_code == 302
    assert order.status == Order.Status.CANCELLED
    assert not SlotHold.objects.filter(order=order).exists()
    assert stripe_api.sessions[order.stripe_session_id]["status"] == "expired"
    last = order.history.last()
    assert last.user == user
    assert last.reason == "customer asked by phone"


def test_paid_order_cannot_be_cancelled(admin_client, client, pending, stripe_api):
    deliver(client, pay(stripe_api, pending))
    admin_client.post(f"/admin/order/cancel/{pending.pk}/")
    assert Order.objects.get(pk=pending.pk).status == Order.Status.PAID


def test_failed_event_is_listed_and_can_be_re_run(admin_client, client, pending, stripe_api, monkeypatch):
    event = pay(stripe_api, pending)

    def broken(event, stored):
        raise RuntimeError("mail server down")

    original = webhooks.HANDLERS["checkout.session.completed"]
    monkeypatch.setitem(webhooks.HANDLERS, "checkout.session.completed", broken)
    deliver(client, event)
    stored = StripeEvent.objects.get()
    listing = admin_client.get("/admin/stripe_event/?failed=true").content.decode()
    assert stored.stripe_id in listing
    assert "mail server down" in listing

    monkeypatch.setitem(webhooks.HANDLERS, "checkout.session.completed", original)
    response = admin_client.post(f"/admin/stripe_event/rerun/{stored.pk}/")
    assert response.status_code == 302
    stored.refresh_from_db()
    assert stored.processed_at is not None
    assert Order.objects.get(pk=pending.pk).status == Order.Status.PAID


def test_re_run_needs_its_permission(client, django_user_model, pending, stripe_api):
    stored = StripeEvent.objects.create(stripe_id="evt_x", type="checkout.session.completed", payload={}, error="x")
    client.force_login(staff_user(django_user_model, "view_stripeevent"))
    assert client.post(f"/admin/stripe_event/rerun/{stored.pk}/").status_code in (302, 403)
    stored.refresh_from_db()
    assert stored.attempts == 0
