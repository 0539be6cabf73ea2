"""Staff actions of the guarantee in the orders admin: permissions, confirmation steps, deliver, refund, evidence."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from offers.aftercare import deadlines
from offers.models import Order
from tests.checkout_helpers import staff_user
from tests.guarantee_helpers import buy_and_pay, delivered

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]
S = Order.Status


@pytest.fixture
def paid(stripe_api, django_capture_on_commit_callbacks):
    return buy_and_pay(stripe_api, django_capture_on_commit_callbacks)


def test_staff_without_the_permissions_cannot_start_deliver_or_refund(client, django_user_model, paid, stripe_api):
    client.force_login(staff_user(django_user_model, "view_order"))
    inspect = client.get(f"/admin/order/inspect/{paid.pk}/").content.decode()
    assert "Mark delivered" not in inspect
    assert f"/admin/order/refund/{paid.pk}/" not in inspect
    for action in ("start", "deliver", "refund", "evidence"):
        assert client.get(f"/admin/order/{action}/{paid.pk}/").status_code in (302, 403)
        response = client.post(f"/admin/order/{action}/{paid.pk}/", {"demo_url": "https://x.example/"})
        assert response.status_code in (302, 403)
        assert response.get("Location", "") != f"/admin/order/inspect/{paid.pk}/"
    assert Order.objects.get(pk=paid.pk).status == S.PAID
    assert stripe_api.refunds == {}


def test_staff_start_and_deliver_through_the_admin(client, django_user_model, paid, django_capture_on_commit_callbacks):
    client.force_login(staff_user(django_user_model, "view_order", "deliver_order"))
    assert "Start work" in client.get(f"/admin/order/inspect/{paid.pk}/").content.decode()
    assert client.get(f"/admin/order/start/{paid.pk}/").status_code == 200
    assert Order.objects.get(pk=paid.pk).status == S.PAID  # the GET is only the confirmation
    client.post(f"/admin/order/start/{paid.pk}/")
    assert Order.objects.get(pk=paid.pk).status == S.IN_PROGRESS
    invalid = client.post(f"/admin/order/deliver/{paid.pk}/", {"demo_url": "not a url"})
    assert invalid.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/order/deliver/{paid.pk}/", {"demo_url": "https://demo.example/ada/"})
    order = Order.objects.get(pk=paid.pk)
    assert order.status == S.DELIVERED
    assert order.demo_url == "https://demo.example/ada/"
    assert order.refund_deadline is not None
    assert order.history.last().user.username.startswith("staff-")
    assert any("demo website is ready" in m.subject for m in mail.outbox)


def test_staff_refund_needs_confirmation_and_a_double_submit_refunds_once(
    client, django_user_model, paid, stripe_api, django_capture_on_commit_callbacks
):
    order = delivered(paid)
    client.force_login(staff_user(django_user_model, "view_order", "refund_order"))
    confirm = client.get(f"/admin/order/refund/{order.pk}/")
    assert confirm.status_code == 200
    assert "Per policy (100 %): €90.00" in confirm.content.decode()
    assert Order.objects.get(pk=order.pk).status == S.DELIVERED
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(f"/admin/order/refund/{order.pk}/", {"amount": "policy", "reason": "customer called"})
        second = client.post(f"/admin/order/refund/{order.pk}/", {"amount": "policy", "reason": "customer called"})
    assert first.status_code == second.status_code == 302
    order.refresh_from_db()
    assert order.status == S.REFUNDED
    assert order.refund_kind == "staff"
    assert [r["amount"] for r in stripe_api.refunds.values()] == [9000]
    inspect = client.get(f"/admin/order/inspect/{order.pk}/").content.decode()
    assert "€90.00" in inspect
    assert "customer called" in inspect


def test_evidence_pack_in_the_admin_needs_its_permission_and_submits_to_stripe(
    client, django_user_model, paid, stripe_api, django_capture_on_commit_callbacks
):
    from tests.checkout_helpers import deliver

    order = delivered(paid)
    charge_id = stripe_api.payment_intents[order.stripe_payment_intent_id]["latest_charge"]
    dispute = stripe_api.create_dispute(charge_id)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, stripe_api.make_event("charge.dispute.created", dispute))
    client.force_login(staff_user(django_user_model, "view_order"))
    assert client.get(f"/admin/order/evidence/{order.pk}/").status_code in (302, 403)
    client.force_login(staff_user(django_user_model, "view_order", "dispute_order"))
    assert "Dispute evidence" in client.get(f"/admin/order/inspect/{order.pk}/").content.decode()
    page = client.get(f"/admin/order/evidence/{order.pk}/").content.decode()
    assert "https://demo.example/ada/" in page
    assert "E-mails sent" in page
    client.post(f"/admin/order/evidence/{order.pk}/")
    assert stripe_api.disputes[dispute["id"]]["evidence_details"]["submission_count"] == 1
    assert Order.objects.get(pk=order.pk).evidence_submitted_at is not None


def test_deadline_warnings_are_sent_once_and_missed_deadlines_recorded_once(paid, django_capture_on_commit_callbacks):
    soon = paid
    Order.objects.filter(pk=soon.pk).update(delivery_deadline=timezone.now() + timedelta(minutes=30))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_deadline_warnings", minutes=60)
        call_command("send_deadline_warnings", minutes=60)
    assert [m.subject for m in mail.outbox if "approaching" in m.subject] == [
        f"[{soon.reference}] Delivery deadline approaching"
    ]
    assert Order.objects.get(pk=soon.pk).deadline_warning_sent_at is not None
    # Later the deadline passes without delivery: recorded once in the history, staff told once.
    later = timezone.now() + timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert deadlines.run(now=later) == (0, 1)
        assert deadlines.run(now=later) == (0, 0)
    order = Order.objects.get(pk=soon.pk)
    assert order.deadline_missed_at == later
    assert order.history.filter(trigger="deadline_missed").count() == 1
    assert len([m for m in mail.outbox if "deadline missed" in m.subject]) == 1


def test_no_warning_for_a_delivered_order_or_a_far_deadline(paid, django_capture_on_commit_callbacks):
    delivered(paid)
    with django_capture_on_commit_callbacks(execute=True):
        assert deadlines.run(now=paid.delivery_deadline - timedelta(minutes=5)) == (0, 0)


def test_orders_listing_flags_near_and_missed_deadlines_and_filters_to_them_by_deadline(
    client, django_user_model, settings
):
    from tests.factories import OrderFactory

    settings.DELIVERY_DEADLINE_WARNING_MINUTES = 60
    now = timezone.now()
    later = OrderFactory(paid=True, delivery_deadline=now + timedelta(hours=2), customer_email="later@example.com")
    soon = OrderFactory(paid=True, delivery_deadline=now + timedelta(minutes=50), customer_email="soon@example.com")
    missed = OrderFactory(paid=True, delivery_deadline=now - timedelta(minutes=5), customer_email="late@example.com")
    done = OrderFactory(paid=True, delivery_deadline=now - timedelta(hours=1), customer_email="done@example.com")
    Order.objects.filter(pk=done.pk).update(status=S.DELIVERED, delivered_at=now - timedelta(hours=2))
    client.force_login(staff_user(django_user_model, "view_order"))

    listing = client.get("/admin/order/").content.decode()
    rows = {
        order.customer_email: listing.split(order.customer_email)[1].split("</tr>")[0]
        for order in (later, soon, missed, done)
    }
    assert "Due soon" in rows["soon@example.com"]
    assert "Deadline missed" in rows["late@example.com"]
    assert "Due soon" not in rows["later@example.com"] and "missed" not in rows["later@example.com"]
    assert "missed" not in rows["done@example.com"]  # delivered: the deadline no longer applies
    assert "Due soon: 1" in listing and "Deadline missed: 1" in listing

    due = client.get("/admin/order/", {"deadline": "due_soon"}).content.decode()
    assert "soon@example.com" in due and "later@example.com" not in due and "late@example.com" not in due
    late = client.get("/admin/order/", {"deadline": "missed"}).content.decode()
    assert "late@example.com" in late and "done@example.com" not in late and "soon@example.com" not in late

    settings.DELIVERY_DEADLINE_WARNING_MINUTES = 180  # the setting moves the window
    wider = client.get("/admin/order/", {"deadline": "due_soon"}).content.decode()
    assert wider.index("soon@example.com") < wider.index("later@example.com")  # sorted by deadline


def test_deadline_warning_lead_comes_from_the_setting(paid, settings, django_capture_on_commit_callbacks):
    settings.DELIVERY_DEADLINE_WARNING_MINUTES = 30
    Order.objects.filter(pk=paid.pk).update(delivery_deadline=timezone.now() + timedelta(minutes=45))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_deadline_warnings")
    assert Order.objects.get(pk=paid.pk).deadline_warning_sent_at is None
    settings.DELIVERY_DEADLINE_WARNING_MINUTES = 60
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_deadline_warnings")
    assert Order.objects.get(pk=paid.pk).deadline_warning_sent_at is not None


def test_withdrawals_guarantee_and_staff_refunds_are_counted_apart(
    client, django_user_model, stripe_api, django_capture_on_commit_callbacks
):
    from decimal import Decimal

    from offers.aftercare import guarantee
    from tests.factories import OrderFactory

    withdrawn = buy_and_pay(stripe_api, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        guarantee.withdraw(withdrawn.pk)
    withdrawn.refresh_from_db()
    assert (withdrawn.status, withdrawn.refund_kind) == (S.REFUNDED, "withdrawal")
    refunded = {"status": S.REFUNDED, "amount_refunded": Decimal("90.00")}
    OrderFactory(paid=True, refund_kind="guarantee", customer_email="guarantee1@example.com", **refunded)
    OrderFactory(paid=True, refund_kind="guarantee", customer_email="guarantee2@example.com", **refunded)
    OrderFactory(paid=True, refund_kind="", customer_email="dashboard@example.com", **refunded)

    client.force_login(staff_user(django_user_model, "view_order"))
    listing = client.get("/admin/order/").content.decode()
    assert "Withdrawals (statutory)</a>: 1 order, €90.00" in listing
    assert "Guarantee refunds</a>: 2 orders, €180.00" in listing
    assert "Refunded elsewhere (Stripe dashboard)</a>: 1 order, €90.00" in listing
    assert "Staff refunds" not in listing.split("orders-refund-report")[1].split("</ul>")[0]
    only_withdrawals = client.get("/admin/order/", {"refund_kind": "withdrawal"}).content.decode()
    assert withdrawn.customer_email in only_withdrawals and "guarantee1@example.com" not in only_withdrawals
    history = client.get(f"/admin/order/inspect/{withdrawn.pk}/").content.decode()
    assert "statutory withdrawal from the contract" in history


def test_a_needs_review_payment_is_refunded_after_staff_approval_and_staff_were_alerted(
    client, django_user_model, stripe_api, django_capture_on_commit_callbacks
):
    """A payment for an order that had expired: staff are told, refund it from the admin, the money goes back."""
    from tests.checkout_helpers import deliver, only_order, pay, post_buy
    from tests.factories import offer_page

    post_buy(client, offer_page())
    order = only_order()
    event = pay(stripe_api, order)
    Order.objects.filter(pk=order.pk).update(status=S.EXPIRED)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, event)
    order.refresh_from_db()
    assert order.status == S.NEEDS_REVIEW
    assert any("needs review" in m.subject for m in mail.outbox)
    assert stripe_api.refunds == {}  # nothing leaves without a person deciding

    client.force_login(staff_user(django_user_model, "view_order", "refund_order"))
    assert "Refund" in client.get(f"/admin/order/inspect/{order.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/order/refund/{order.pk}/", {"amount": "full", "reason": "paid after expiry"})
    order.refresh_from_db()
    assert order.status == S.REFUNDED
    assert [r["amount"] for r in stripe_api.refunds.values()] == [9000]
    assert list(order.history.values_list("to_status", flat=True))[-3:] == [
        S.NEEDS_REVIEW,
        S.REFUND_REQUESTED,
        S.REFUNDED,
    ]
    assert any("refund of" in m.subject.lower() for m in mail.outbox if order.customer_email in m.to)


@pytest.mark.parametrize("paid_minor", [100, 12000])
def test_a_payment_of_the_wrong_amount_is_refunded_exactly_what_was_paid(
    client, django_user_model, stripe_api, paid_minor, django_capture_on_commit_callbacks
):
    from tests.checkout_helpers import deliver, only_order, pay, post_buy
    from tests.factories import offer_page

    post_buy(client, offer_page())
    order = only_order()
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, pay(stripe_api, order, amount_total=paid_minor))
    order.refresh_from_db()
    assert order.status == S.NEEDS_REVIEW
    client.force_login(staff_user(django_user_model, "view_order", "refund_order"))
    assert f"Full: €{paid_minor / 100:.2f}" in client.get(f"/admin/order/refund/{order.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/order/refund/{order.pk}/", {"amount": "full", "reason": "wrong amount paid"})
    order.refresh_from_db()
    assert [r["amount"] for r in stripe_api.refunds.values()] == [paid_minor]
    assert order.status == S.REFUNDED
