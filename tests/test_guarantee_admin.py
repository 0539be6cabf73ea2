"""Staff actions of the guarantee in the orders admin: permissions, confirmation steps, deliver, refund, evidence."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from offers import deadlines
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
    assert "Per policy (100 %): 90.00 EUR" in confirm.content.decode()
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
    assert "90.00 EUR" in inspect
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
