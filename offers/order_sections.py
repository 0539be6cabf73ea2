"""What the order's inspect view shows, in sections staff read top to bottom, every value already in words.

Customer, money, the guarantee, disputes and the brief as (label, value) rows;
times in the site's zone with the zone named, amounts in one money format, the
billing address as postal lines, booleans as words, empty values left out.
"""

from collections import defaultdict
from decimal import Decimal

from offers import display, money
from offers.aftercare import refunds


def _rows(*pairs):
    """(label, value) pairs without the empty ones ("", None, [], {})."""
    return [(label, value) for label, value in pairs if value not in ("", None, [], {})]


def _when(moment):
    return display.datetime_text(moment) if moment else ""


def _money(order, amount):
    return money.format_money(Decimal(amount), order.currency) if amount is not None else ""


def customer(order):
    return _rows(
        ("Name", order.customer_name),
        ("E-mail", order.customer_email),
        ("Company", order.company),
        ("Billing address", display.address_lines(order.billing_address)),
        ("Tax ids", display.tax_ids_text(order.customer_tax_ids)),
        ("Personal data erased", _when(order.personal_data_erased_at)),
        ("Invoice data kept until", display.date_text(order.invoice_data_retained_until)),
    )


def brief(order):
    return _rows(
        ("What the business does", order.brief_business),
        ("Existing website", order.brief_existing_site),
        ("What the demo should show", order.brief_goals),
        ("Style wishes", order.brief_style),
        ("Came from", order.source_page),
        ("Banner", str(order.banner) if order.banner_id else ""),
    )


def refunds_by_kind(order):
    """[(label, formatted total)] of the order's counted refunds, by why they were made."""
    totals = defaultdict(Decimal)
    for refund in order.refunds.all():
        if refund.status in refunds.COUNTED:
            totals[refund.kind] += refund.amount
    labels = {**refunds.KIND_LABELS, "": "Refunded elsewhere (Stripe dashboard)"}
    return [(labels.get(kind, kind), _money(order, total)) for kind, total in totals.items()]


def money_rows(order):
    paid = refunds.amount_paid(order) if order.paid_at else None
    return _rows(
        ("Package", f"{order.package_name}, {_money(order, order.package_price)}"),
        (
            "Price",
            f"{_money(order, order.amount)} ({order.vat_line})" if order.vat_line else _money(order, order.amount),
        ),
        ("Paid", f"{_money(order, paid)} on {_when(order.paid_at)}" if paid is not None else "not paid"),
        ("Refunded", _money(order, order.amount_refunded) if order.amount_refunded else ""),
        *refunds_by_kind(order),
        ("Net", _money(order, paid - order.amount_refunded) if paid is not None else ""),
        ("Refund requested", _money(order, order.refund_amount) if order.refund_amount else ""),
        ("Refund failed", order.refund_failure),
    )


def guarantee(order):
    policy = f"{order.refund_percentage} % back within {order.refund_window_days} days of delivery, " + (
        "automatic" if order.refund_automatic else "approved by staff"
    )
    return _rows(
        ("Work starts", display.date_text(order.slot_date)),
        ("Delivery deadline", _when(order.delivery_deadline)),
        ("Refund policy", policy),
        ("Terms of sale", f"accepted on {_when(order.terms_accepted_at)}"),
        ("Early start requested", _when(order.express_start_requested_at)),
        ("Delivered", _when(order.delivered_at)),
        ("Demo", order.demo_url),
        (
            "Customer may decide until",
            display.datetime_text(order.refund_deadline, seconds=True) if order.refund_deadline else "",
        ),
        ("Accepted", _when(order.accepted_at)),
        ("Credit reference", order.credit_reference),
        ("Refund asked for", _when(order.refund_requested_at)),
        ("Refund kind", refunds.KIND_LABELS.get(order.refund_kind, order.refund_kind)),
        ("Why", order.refund_reason),
        ("Withdrew from the contract", _when(order.withdrawn_at)),
        ("Deadline warning sent", _when(order.deadline_warning_sent_at)),
        ("Deadline missed", _when(order.deadline_missed_at)),
    )


def dispute(order):
    return _rows(
        ("Dispute", order.stripe_dispute_id),
        ("Status", order.dispute_status.replace("_", " ")),
        ("Evidence submitted", _when(order.evidence_submitted_at)),
    )


def stripe_ids(order):
    return _rows(
        ("Checkout Session", order.stripe_session_id),
        ("PaymentIntent", order.stripe_payment_intent_id),
        ("Charge", order.stripe_charge_id),
        ("Invoice", order.stripe_invoice_id),
    )


def sections(order):
    """[(id, heading, rows)] in reading order; the empty disputes section is left out."""
    result = [
        ("customer", "Customer", customer(order)),
        ("money", "Money", money_rows(order)),
        ("guarantee", "Guarantee", guarantee(order)),
        ("disputes", "Dispute", dispute(order)),
        ("brief", "What the customer asked for", brief(order)),
    ]
    return [(key, heading, rows) for key, heading, rows in result if rows]
