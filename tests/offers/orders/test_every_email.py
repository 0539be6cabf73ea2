"""Every e-mail the site sends, rendered as text and HTML: sections with headings, dates in words in the site's
zone, one money format, links that lead somewhere, no raw values."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.utils import translation

from offers.aftercare import emails as guarantee_emails
from offers.models import Order
from offers.orders import emails
from tests.factories import OrderFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]

RAW = [
    r"\d{4}-\d{2}-\d{2}",
    r"\+\d\d:\d\d",
    r"\bEUR\b",
    r"\bNone\b",
    r"\bTrue\b",
    r"\bFalse\b",
    r"\[\]",
    r"\{'",
    r"\b0\d [A-Z][a-z]+",  # a zero-padded day before a month: "02 December"
]


@pytest.fixture
def order():
    order = OrderFactory(
        paid=True,
        slot_date=date(2026, 12, 2),
        delivery_deadline=datetime(2026, 12, 2, 16, 0, tzinfo=UTC),  # 17:00 in Berlin
        terms_accepted_at=datetime(2026, 12, 1, 4, 5, tzinfo=UTC),
        express_start_requested_at=datetime(2026, 12, 1, 4, 5, tzinfo=UTC),
        paid_at=datetime(2026, 12, 1, 4, 6, tzinfo=UTC),
    )
    Order.objects.filter(pk=order.pk).update(
        status=Order.Status.REFUNDED,
        demo_url="https://demo.example/ada/",
        delivered_at=datetime(2026, 12, 2, 15, 0, tzinfo=UTC),
        refund_deadline=datetime(2026, 12, 16, 22, 59, 59, tzinfo=UTC),
        refund_requested_at=datetime(2026, 12, 3, 9, 0, tzinfo=UTC),
        withdrawn_at=datetime(2026, 12, 1, 9, 30, 15, tzinfo=UTC),
        credit_reference="CREDIT-X",
    )
    return Order.objects.get(pk=order.pk)


# (how it is sent, the headings its text version must have, words it must say)
EMAILS = {
    "order_confirmation": (
        lambda o: emails.send_order_confirmation.call(o.pk),
        [
            "WHAT HAPPENS NEXT",
            "YOUR ORDER PAGE",
            "HOW THE GUARANTEE WORKS",
            "REFUND POLICY AS YOU ACCEPTED IT",
            "TERMS OF SALE",
            "RIGHT OF WITHDRAWAL",
        ],
        [
            "Work starts: Wednesday 2 December 2026",
            "Delivery deadline: Wednesday 2 December 2026, 17:00 CET",
            "Price: €90.00",
            "Tuesday 1 December 2026, 05:05 CET",
        ],
    ),
    "staff_alert": (
        lambda o: emails.send_staff_alert.call(o.pk, "New paid order", "a reason"),
        ["THE ORDER", "OPEN IT IN THE ADMIN"],
        ["Delivery deadline: Wednesday 2 December 2026, 17:00 CET", "Package: One-workday demo website, €90.00"],
    ),
    "demo_delivered": (
        lambda o: guarantee_emails.send_delivered.call(o.pk),
        ["YOUR DEMO", "YOUR CHOICE", "YOUR ORDER PAGE", "YOUR ORDER"],
        ["until Wednesday 16 December 2026, 23:59 CET", "https://demo.example/ada/", "€90.00"],
    ),
    "demo_accepted": (
        lambda o: guarantee_emails.send_accepted.call(o.pk),
        ["YOUR CREDIT", "YOUR ORDER PAGE", "YOUR ORDER"],
        ["CREDIT-X", "€90.00"],
    ),
    "refund_issued": (
        lambda o: guarantee_emails.send_refund_issued.call(o.pk, "90.00"),
        ["WHEN YOU SEE THE MONEY", "YOUR DEMO AND YOUR MATERIAL", "YOUR ORDER PAGE"],
        ["We have refunded €90.00", "by Saturday 2 January 2027"],
    ),
    "withdrawal_receipt": (
        lambda o: guarantee_emails.send_withdrawal_receipt.call(o.pk),
        ["YOUR MONEY", "YOUR ORDER PAGE"],
        ["on Tuesday 1 December 2026, 10:30:15 CET", "the full €90.00"],
    ),
    "order_link": (
        lambda o: guarantee_emails.send_order_link.call(o.pk),
        ["YOUR ORDER PAGE", "YOUR ORDER"],
        ["valid for a year"],
    ),
}


def _links(html):
    return re.findall(r'href="([^"]+)"', html)


@pytest.mark.parametrize("kind", EMAILS)
def test_every_email_reads_well_in_text_and_html(kind, order):
    send, headings, phrases = EMAILS[kind]
    mail.outbox.clear()
    send(order)
    [message] = mail.outbox
    text = message.body
    [(html, mime)] = message.alternatives
    assert mime == "text/html"

    for heading in headings:
        assert f"\n{heading}\n" in text, heading  # a heading on a line of its own, never run into its text
        assert re.search(rf">\s*{re.escape(heading)}\s*<", html, re.I), heading
    for phrase in phrases:
        assert phrase in text, phrase
    for pattern in RAW:
        assert not re.search(pattern, text + message.subject), (
            pattern,
            re.search(pattern, text).group(0) if re.search(pattern, text) else message.subject,
        )
    assert "\n\n\n\n" not in text

    # Every link works: the order page opens for the customer, the admin link opens the order for staff.
    links = _links(html)
    assert links
    for link in links:
        path = link.removeprefix("http://testserver")
        if path.startswith("/orders/"):
            assert Client().get(path).status_code == 200
        elif path.startswith("/admin/"):
            assert path == f"/admin/order/inspect/{order.pk}/"
        else:
            assert link == "https://demo.example/ada/"
        assert link.removeprefix("http://testserver") in text or link in text


def test_confirmation_shows_terms_by_title_and_date_and_the_policy_in_paragraphs(order):
    mail.outbox.clear()
    emails.send_order_confirmation.call(order.pk)
    [message] = mail.outbox
    assert "version test-terms" not in message.body
    assert "You accepted “terms of sale” on Tuesday 1 December 2026, 05:05 CET" in message.body
    assert message.subject == f"Your order {order.reference}: {order.package_name} on Wednesday 2 December 2026"


def test_money_in_emails_follows_the_language(order):
    mail.outbox.clear()
    with translation.override("de"):
        guarantee_emails.send_refund_issued.call(order.pk, "90.00")
    assert "90,00\xa0€" in mail.outbox[0].body
    assert Decimal("90.00") == order.amount
