"""The guarantee from the customer's side: delivery, the order page, the decision, withdrawal, missed deadlines."""

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.signing import TimestampSigner
from django.test import Client
from django.utils import timezone

from offers import display
from offers.aftercare import guarantee, refunds
from offers.models import Order, OrderEvent, SentEmail
from offers.orders import emails, transitions
from tests.guarantee_helpers import buy_and_pay, delivered, page_path

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]
S = Order.Status


@pytest.fixture
def paid(stripe_api, django_capture_on_commit_callbacks):
    return buy_and_pay(stripe_api, django_capture_on_commit_callbacks)


def history(order):
    return list(OrderEvent.objects.filter(order=order).values_list("to_status", "trigger"))


def test_staff_start_and_delivery_store_the_refund_deadline_and_email_the_customer(
    paid, django_capture_on_commit_callbacks
):
    guarantee.start_work(paid.pk, user=None)
    moment = datetime(2026, 12, 1, 15, 30, tzinfo=UTC)  # 16:30 in Berlin
    with django_capture_on_commit_callbacks(execute=True):
        order = delivered(paid, now=moment)
    assert order.status == S.DELIVERED
    assert order.refund_deadline == datetime(2026, 12, 15, 22, 59, 59, tzinfo=UTC)  # 23:59:59 CET, 14 days on
    [message] = [m for m in mail.outbox if "demo website is ready" in m.subject]
    assert message.to == [order.customer_email]
    assert "https://demo.example/ada/" in message.body
    assert "until Tuesday 15 December 2026, 23:59 CET" in message.body  # the site's zone, named
    link = message.body[message.body.index("/orders/") :].split()[0]
    assert Client().get(link).context["order"] == order
    assert [row[1] for row in history(order)][-2:] == ["staff_start", "staff_deliver"]


@pytest.mark.parametrize(
    ("delivered_at", "deadline_utc"),
    [
        # Delivered in summer time, deadline in winter time (last Sunday of October in between).
        (datetime(2026, 10, 20, 8, 0, tzinfo=UTC), datetime(2026, 11, 3, 22, 59, 59, tzinfo=UTC)),
        # Delivered in winter time, deadline in summer time (last Sunday of March in between).
        (datetime(2026, 3, 20, 8, 0, tzinfo=UTC), datetime(2026, 4, 3, 21, 59, 59, tzinfo=UTC)),
        # Late evening in Berlin is already the next day there.
        (datetime(2026, 6, 30, 22, 30, tzinfo=UTC), datetime(2026, 7, 15, 21, 59, 59, tzinfo=UTC)),
    ],
)
def test_refund_deadline_is_end_of_day_in_the_agency_time_zone_across_dst(delivered_at, deadline_utc):
    assert refunds.refund_deadline(delivered_at, 14) == deadline_utc


@pytest.mark.parametrize(("offset", "allowed"), [(-1, True), (0, True), (1, False)])
def test_refund_one_second_inside_or_outside_the_window(paid, offset, allowed):
    order = delivered(paid, now=datetime(2026, 10, 20, 8, 0, tzinfo=UTC))
    moment = order.refund_deadline + timedelta(seconds=offset)
    if allowed:
        order, changed = guarantee.ask_refund(order.pk, now=moment)
        assert changed
        assert order.status in (S.REFUND_REQUESTED, S.REFUNDED)
    else:
        with pytest.raises(guarantee.NotAllowed, match="window closed"):
            guarantee.ask_refund(order.pk, now=moment)
        assert Order.objects.get(pk=order.pk).status == S.DELIVERED


def test_get_of_the_order_page_and_its_confirmations_changes_nothing(client, paid):
    order = delivered(paid)
    before = (history(order), SentEmail.objects.count(), len(mail.outbox))
    path = page_path(order)
    for url in (path, path + "accept/", path + "refund/", path + "withdraw/"):
        response = client.get(url)
        assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == S.DELIVERED
    assert (history(order), SentEmail.objects.count(), len(mail.outbox)) == before


def test_order_page_is_private_and_offers_both_choices_after_delivery(client, paid):
    order = delivered(paid)
    response = client.get(page_path(order))
    body = response.content.decode()
    assert response["Cache-Control"].startswith("no-store")
    assert "noindex" in response["X-Robots-Tag"]
    assert response["Referrer-Policy"] == "same-origin"
    assert "https://demo.example/ada/" in body
    assert "I like it: include it in my website" in body
    assert "give up the refund" in body
    assert "I don't like it: refund me" in body
    assert "Withdraw from contract here" not in body  # the right ended with full delivery


def test_accepting_takes_a_confirmation_and_a_double_submit_accepts_once(
    client, paid, django_capture_on_commit_callbacks
):
    order = delivered(paid)
    path = page_path(order)
    unconfirmed = client.post(path + "accept/")
    assert unconfirmed.status_code == 200
    assert "you give up the guarantee" in unconfirmed.content.decode()
    assert Order.objects.get(pk=order.pk).status == S.DELIVERED
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(path + "accept/", {"confirm": "yes"})
        second = client.post(path + "accept/", {"confirm": "yes"})
    assert first.status_code == 302
    assert second.status_code == 302
    order.refresh_from_db()
    assert order.status == S.ACCEPTED
    assert order.credit_reference == f"CREDIT-{order.reference}"
    assert OrderEvent.objects.filter(order=order, to_status=S.ACCEPTED).count() == 1
    assert SentEmail.objects.filter(order=order, kind="demo_accepted").count() == 1
    assert any("Customer accepted" in m.subject for m in mail.outbox)
    page = client.get(path).content.decode()
    assert order.credit_reference in page
    assert "refund me" not in page


def test_automatic_refund_from_the_order_page_refunds_once_and_emails_the_customer(
    client, paid, stripe_api, django_capture_on_commit_callbacks
):
    order = delivered(paid)
    path = page_path(order)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(path + "refund/", {"confirm": "yes", "reason": "Not my style"})
        client.post(path + "refund/", {"confirm": "yes", "reason": "Not my style"})
    order.refresh_from_db()
    assert order.status == S.REFUNDED
    assert order.amount_refunded == order.amount
    assert order.refund_kind == "guarantee"
    assert order.refund_reason == "Not my style"
    assert len(stripe_api.refunds) == 1
    [refund] = stripe_api.refunds.values()
    assert refund["amount"] == 9000
    assert refund["payment_intent"] == order.stripe_payment_intent_id
    assert stripe_api.calls("POST", "/v1/refunds")[0]["headers"]["Idempotency-Key"] == f"{order.payment_token}:refund:1"
    assert SentEmail.objects.filter(order=order, kind="refund_issued").count() == 1
    assert [r.amount for r in order.refunds.all()] == [order.amount]


def test_refund_on_an_approval_policy_waits_for_staff(client, stripe_api, django_capture_on_commit_callbacks):
    from offers.models import RefundPolicy
    from tests.factories import RefundPolicyFactory

    policy = RefundPolicyFactory(approval=RefundPolicy.Approval.STAFF, refund_percentage=50)
    order = buy_and_pay(stripe_api, django_capture_on_commit_callbacks, refund_policy=policy)
    assert order.refund_automatic is False
    order = delivered(order)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(page_path(order) + "refund/", {"confirm": "yes"})
    order.refresh_from_db()
    assert order.status == S.REFUND_REQUESTED
    assert order.refund_amount == order.amount / 2
    assert stripe_api.refunds == {}
    assert any("awaiting your approval" in m.subject for m in mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        order = guarantee.staff_refund(order.pk, user=None)
    assert order.status == S.PARTIALLY_REFUNDED
    assert [r["amount"] for r in stripe_api.refunds.values()] == [4500]


def test_refund_outside_the_window_explains_and_changes_nothing(client, paid):
    order = delivered(paid, now=timezone.now() - timedelta(days=30))
    response = client.post(page_path(order) + "refund/", {"confirm": "yes"})
    assert response.status_code == 409
    assert "window closed" in response.content.decode()
    order.refresh_from_db()
    assert order.status == S.DELIVERED
    assert "The refund window closed" in client.get(page_path(order)).content.decode()


def test_tampered_forged_and_unknown_tokens_get_a_clear_page_and_change_nothing(client, paid):
    order = delivered(paid)
    good = page_path(order).split("/")[2]
    forged = TimestampSigner(salt="another-purpose").sign(order.token)
    unknown = TimestampSigner(salt=emails.ORDER_LINK_SALT).sign("no-such-token")
    for token in (good[:-1] + ("A" if good[-1] != "A" else "B"), forged, unknown, order.token):
        for response in (client.get(f"/orders/{token}/"), client.post(f"/orders/{token}/accept/", {"confirm": "yes"})):
            assert response.status_code == 400
            body = response.content.decode()
            assert "This order link does not work" in body
            assert order.reference not in body
            assert "Send me a fresh link" in body
    assert Order.objects.get(pk=order.pk).status == S.DELIVERED


def test_an_expired_link_says_so_and_a_year_old_one_still_works(client, paid):
    signer = TimestampSigner(salt=emails.ORDER_LINK_SALT)
    now = datetime.now().timestamp()
    with mock.patch("django.core.signing.time.time", return_value=now - 366 * 86400):
        expired = signer.sign(paid.token)
    with mock.patch("django.core.signing.time.time", return_value=now - 364 * 86400):
        still_valid = signer.sign(paid.token)
    response = client.get(f"/orders/{expired}/")
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert client.get(f"/orders/{still_valid}/").status_code == 200


def test_resend_form_sends_a_fresh_link_and_says_the_same_for_an_unknown_address(client, paid):
    mail.outbox.clear()
    unknown = client.post("/orders/resend/", {"email": "nobody@example.com"})
    assert mail.outbox == []
    known = client.post("/orders/resend/", {"email": paid.customer_email.upper()})
    assert known.content.decode() == unknown.content.decode()
    assert known["Cache-Control"].startswith("no-store")
    [message] = mail.outbox
    assert message.to == [paid.customer_email]
    link = message.body[message.body.index("/orders/") :].split()[0]
    assert client.get(link).status_code == 200
    form = client.get("/orders/resend/")
    assert form.status_code == 200
    assert 'name="email"' in form.content.decode()


def test_withdrawal_before_delivery_refunds_in_full_without_approval_and_emails_a_receipt(
    client, stripe_api, django_capture_on_commit_callbacks
):
    from offers.models import RefundPolicy
    from tests.factories import RefundPolicyFactory

    policy = RefundPolicyFactory(approval=RefundPolicy.Approval.STAFF, refund_percentage=50)
    order = buy_and_pay(stripe_api, django_capture_on_commit_callbacks, refund_policy=policy)
    path = page_path(order)
    page = client.get(path).content.decode()
    assert "Withdraw from contract here" in page
    confirm = client.get(path + "withdraw/")
    assert "Confirm withdrawal" in confirm.content.decode()
    assert Order.objects.get(pk=order.pk).status == S.PAID
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path + "withdraw/", {"confirm": "yes"})
        client.post(path + "withdraw/", {"confirm": "yes"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == S.REFUNDED
    assert order.withdrawn_at is not None
    assert order.refund_kind == "withdrawal"
    assert [r["amount"] for r in stripe_api.refunds.values()] == [9000]  # full, although the policy says 50 %
    triggers = [row[1] for row in history(order)]
    assert "withdrawal" in triggers
    assert "customer_refund" not in triggers
    [receipt] = SentEmail.objects.filter(order=order, kind="withdrawal_receipt")
    assert display.datetime_text(order.withdrawn_at, seconds=True) in receipt.body_text


def test_no_withdrawal_function_once_delivered(client, paid):
    order = delivered(paid)
    path = page_path(order)
    assert "Withdraw from contract here" not in client.get(path).content.decode()
    assert "right of withdrawal has ended" in client.get(path + "withdraw/").content.decode()
    response = client.post(path + "withdraw/", {"confirm": "yes"})
    assert response.status_code == 409
    order.refresh_from_db()
    assert order.status == S.DELIVERED
    assert order.withdrawn_at is None


def test_no_withdrawal_function_once_fourteen_days_have_passed_undelivered(client, paid, stripe_api):
    deadline = refunds.withdrawal_deadline(paid)
    path = page_path(paid)
    with mock.patch("django.utils.timezone.now", return_value=deadline - timedelta(seconds=1)):
        assert "Withdraw from contract here" in client.get(path).content.decode()
    with mock.patch("django.utils.timezone.now", return_value=deadline + timedelta(seconds=1)):
        assert "Withdraw from contract here" not in client.get(path).content.decode()
        assert client.post(path + "withdraw/", {"confirm": "yes"}).status_code == 409
    order = Order.objects.get(pk=paid.pk)
    assert order.withdrawn_at is None
    assert stripe_api.refunds == {}


def test_missed_delivery_deadline_gives_a_full_refund_claim(
    client, paid, stripe_api, django_capture_on_commit_callbacks
):
    Order.objects.filter(pk=paid.pk).update(refund_percentage=50, delivery_deadline=timezone.now() - timedelta(hours=1))
    order = Order.objects.get(pk=paid.pk)
    path = page_path(order)
    assert "We missed the delivery deadline" in client.get(path).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(path + "claim/", {"confirm": "yes"})
    order.refresh_from_db()
    assert order.status == S.REFUNDED
    assert order.refund_kind == "missed_deadline"
    assert [r["amount"] for r in stripe_api.refunds.values()] == [9000]


def test_no_missed_deadline_claim_before_the_deadline(client, paid):
    response = client.post(page_path(paid) + "claim/", {"confirm": "yes"})
    assert response.status_code == 409
    assert Order.objects.get(pk=paid.pk).status == S.PAID


def test_state_table_refuses_customer_moves_it_does_not_list_but_records_stripe_facts(paid):
    order = delivered(paid)
    guarantee.accept(order.pk)
    order.refresh_from_db()
    assert not transitions.allowed(S.ACCEPTED, S.REFUND_REQUESTED, "customer_refund")
    with pytest.raises(guarantee.NotAllowed):
        guarantee.ask_refund(order.pk)
    for target in (S.REFUNDED, S.PARTIALLY_REFUNDED):
        assert transitions.allowed(S.ACCEPTED, target, "refund_succeeded")
    assert transitions.allowed(S.ACCEPTED, S.DISPUTED, "dispute_opened")
    with pytest.raises(transitions.TransitionNotAllowed):
        transitions.move(order, S.DELIVERED, trigger="staff_deliver")
