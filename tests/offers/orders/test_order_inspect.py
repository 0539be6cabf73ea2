"""The order as staff read it in the admin: full reference, sections, local times with the zone named,
one money format, a postal address, no raw values, actions in the order work happens and erasure set apart."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from offers import display
from offers.models import Order, OrderEvent, Refund
from tests.factories import OrderFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]


@pytest.fixture
def order():
    return OrderFactory(
        paid=True,
        slot_date=date(2026, 12, 2),
        delivery_deadline=datetime(2026, 12, 2, 16, 0, tzinfo=UTC),  # 17:00 in Berlin
        terms_accepted_at=datetime(2026, 12, 1, 4, 5, tzinfo=UTC),  # 05:05 in Berlin
        express_start_requested_at=datetime(2026, 12, 1, 4, 5, tzinfo=UTC),
        paid_at=datetime(2026, 12, 1, 4, 6, tzinfo=UTC),
        company="Engines Ltd",
        billing_address={
            "line1": "Lindenstraße 12",
            "line2": "",
            "postal_code": "10969",
            "city": "Berlin",
            "state": None,
            "country": "DE",
        },
        customer_tax_ids=[],
    )


def _section(html, key):
    start = html.index(f'id="section-{key}"')
    return html[start : html.index("</section>", start)]


def _text(fragment):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment))


def test_inspect_view_reads_in_local_time_money_and_a_postal_address(admin_client, order):
    Refund.objects.create(
        order=order, stripe_refund_id="re_1", amount=Decimal("45.00"), currency="EUR", status="succeeded", kind="staff"
    )
    Order.objects.filter(pk=order.pk).update(amount_refunded=Decimal("45.00"))
    OrderEvent.objects.create(
        order=order,
        to_status="paid",
        trigger="note",
        reason="checked",
        created_at=datetime(2026, 12, 1, 4, 5, tzinfo=UTC),
    )
    html = admin_client.get(f"/admin/order/inspect/{order.pk}/").content.decode()

    assert f"<title>Order {order.reference}" in html  # the reference in full
    guarantee = _text(_section(html, "guarantee"))
    assert "Wednesday 2 December 2026, 17:00 CET" in guarantee  # the 17:00 promise reads 17:00, zone named
    assert "Tuesday 1 December 2026, 05:05 CET" in guarantee  # terms accepted, as the history shows it
    assert "Work starts Wednesday 2 December 2026" in guarantee  # a slot day is a date

    customer = _section(html, "customer")
    assert "Lindenstraße 12<br>10969 Berlin<br>Germany" in customer
    assert "{" not in customer and "[]" not in customer and "None" not in customer
    assert "Tax ids" not in customer  # none collected: not shown at all

    money = _text(_section(html, "money"))
    assert "Paid €90.00 on Tuesday 1 December 2026, 05:06 CET" in money
    assert "Refunded €45.00" in money
    assert "Staff refunds €45.00" in money
    assert "Net €45.00" in money
    assert "EUR" not in money

    text = _text(html)
    assert "True" not in text and "False" not in text
    for key in ("customer", "money", "guarantee", "tasks", "history", "emails", "stripe"):
        assert f'id="section-{key}"' in html
    history = _text(_section(html, "history"))
    assert "1 Dec 2026, 05:05 CET" in history  # the same clock as "terms accepted"


def test_actions_follow_the_workflow_and_erasure_comes_last_apart(admin_client, order):
    html = admin_client.get(f"/admin/order/inspect/{order.pk}/").content.decode()
    labels = ["Start work", "Refund", "Export personal data", "Erase personal data"]
    positions = [html.index(f"/admin/order/{path}/") for path in ("start", "refund", "personal-data")]
    positions.append(html.index("/erase/"))
    assert positions == sorted(positions), labels
    # Erasure is in the "Actions" menu, not among the workflow's buttons.
    actions_menu = html.rindex('aria-label="Actions"')  # the dropdown after the header's buttons
    assert html.index("/erase/") > actions_menu > html.index("/admin/order/refund/")


def test_orders_listing_shows_the_slot_as_a_date_and_deadlines_in_local_time(admin_client, order):
    html = _text(admin_client.get("/admin/order/").content.decode())
    assert "Wednesday 2 December 2026" in html
    assert display.short_datetime_text(order.delivery_deadline) == "2 Dec 2026, 17:00 CET"
    assert "2 Dec 2026, 17:00 CET" in html
