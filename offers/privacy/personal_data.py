"""A customer's personal data: export it, erase it, and purge what invoices needed once the retention date passes.

Erasure works per customer (every order with their e-mail address). At once it
anonymises the brief, the contact details, the demo's address, free text in the
history and the copies of e-mails and Stripe payloads. What invoices legally
require (name, company, billing address, tax ids, amounts, Stripe ids) stays
until the retention date, `PERSONAL_DATA_RETENTION_YEARS` after the end of the payment's year;
`purge_expired()` (the `purge_expired_personal_data` command, daily from cron)
clears it after that date. An order with an open refund or dispute is not
erased: the refund or the bank still needs the data.

Other apps holding data about the same person (by e-mail address) take part
through two Wagtail hooks, so this module names none of them:
`export_personal_data` (`fn(email) -> (section name, JSON-ready data)`) and
`erase_personal_data` (`fn(email)`, run in the erasure's transaction).
"""

import logging
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from wagtail import hooks

from offers.aftercare import disputes
from offers.models.orders import Order, SentEmail, StripeEvent, new_token
from offers.orders import transitions

logger = logging.getLogger(__name__)
S = Order.Status

ERASED = "(erased)"
OPEN_REFUND_STATUSES = frozenset({"pending", "requires_action"})
# History rows whose reason is free text about the customer: their own words, what staff typed (which often
# names them) and the demo's address. The row itself stays: what happened, when and by whom.
FREE_TEXT_TRIGGERS = frozenset({"customer_refund", "staff_refund", "staff_cancel", "staff_deliver"})
EXPORTED_FIELDS = [
    "reference",
    "status",
    "created_at",
    "paid_at",
    "customer_name",
    "customer_email",
    "company",
    "billing_address",
    "customer_tax_ids",
    "brief_business",
    "brief_existing_site",
    "brief_goals",
    "brief_style",
    "package_name",
    "amount",
    "currency",
    "vat_line",
    "slot_date",
    "delivery_deadline",
    "terms_version",
    "terms_accepted_at",
    "express_start_requested_at",
    "demo_url",
    "delivered_at",
    "refund_deadline",
    "accepted_at",
    "credit_reference",
    "refund_kind",
    "refund_requested_at",
    "refund_reason",
    "amount_refunded",
    "withdrawn_at",
    "personal_data_erased_at",
    "invoice_data_retained_until",
]


class ErasureRefused(Exception):
    """The customer's data cannot be erased now; the message says why, for staff."""


def customer_orders(order):
    """Every order of the customer `order` belongs to (same e-mail address), oldest first."""
    return Order.objects.filter(customer_email__iexact=order.customer_email).order_by("created_at", "pk")


def _value(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def export(order, *, user=None):
    """Everything the site holds about the customer of `order`, as a JSON-ready dict; the export is recorded."""
    orders = list(customer_orders(order))
    data = {
        "exported_at": timezone.now().isoformat(),
        "customer_email": order.customer_email,
        "orders": [
            {
                **{name: _value(getattr(item, name)) for name in EXPORTED_FIELDS},
                "history": [
                    {"at": row.created_at.isoformat(), "to": row.to_status, "what": row.trigger, "why": row.reason}
                    for row in item.history.all()
                ],
                "emails": [
                    {"sent_at": email.sent_at.isoformat(), "to": email.recipient, "subject": email.subject}
                    for email in item.sent_emails.filter(recipient__iexact=item.customer_email).order_by("sent_at")
                ],
                "refunds": [
                    {"amount": str(refund.amount), "currency": refund.currency, "status": refund.status}
                    for refund in item.refunds.all()
                ],
            }
            for item in orders
        ],
    }
    for hook in hooks.get_hooks("export_personal_data"):
        section, records = hook(order.customer_email)
        data[section] = records
    with transaction.atomic():
        for item in orders:
            transitions.note(
                item, "personal data exported for the customer", trigger="personal_data_exported", user=user
            )
    return data


def retention_date(order):
    """The day after which invoice data may go: 31 December of the payment's year plus the retention years.

    German retention periods (HGB 257(5), AO 147(4)) start at the end of the calendar year of the booking,
    so counting from the payment's own date would purge invoice data up to a year too early.
    """
    paid_on = timezone.localdate(order.paid_at or order.created_at)
    return date(paid_on.year + settings.PERSONAL_DATA_RETENTION_YEARS, 12, 31)


def why_not_erasable(order):
    """A sentence saying why this order's data must stay for now, or "" when it may be erased."""
    if order.status == S.PENDING:
        return f"{order.reference} is still open for payment: cancel it first, so no payment can arrive for it."
    if order.status == S.REFUND_REQUESTED or order.refunds.filter(status__in=OPEN_REFUND_STATUSES).exists():
        return f"{order.reference} has a refund under way: erase it once the refund is done."
    if order.status == S.DISPUTED or disputes.is_open(order.dispute_status):
        return f"{order.reference} has an open dispute: the evidence needs its data until the bank decides."
    return ""


def money_taken(order):
    """Whether a payment was taken: paid_at is set only by a move to "paid", not for one that went to review."""
    return order.paid_at is not None or order.status in transitions.PAID_STATES


def _erased_email(order):
    return f"erased-{order.pk}@erased.invalid"


def _stripe_events_about(order):
    """The stored events of the order's payment: those a handler linked, and those none did (unused or failed)."""
    about = Q(order=order)
    if order.stripe_payment_intent_id:
        about |= Q(payload__data__object__payment_intent=order.stripe_payment_intent_id)
    ids = [
        value for value in (order.stripe_session_id, order.stripe_payment_intent_id, order.stripe_charge_id) if value
    ]
    if ids:
        about |= Q(payload__data__object__id__in=ids)
    return StripeEvent.objects.filter(about)


def _anonymise(order, now, user):
    customer_email = order.customer_email
    order.customer_email = _erased_email(order)
    order.brief_business = order.brief_goals = ERASED
    order.brief_existing_site = order.brief_style = ""
    order.refund_reason = ERASED if order.refund_reason else ""
    order.source_page = order.demo_url = ""
    order.token = new_token()  # links in old e-mails stop opening the order
    order.personal_data_erased_at = now
    paid = money_taken(order)
    # An unpaid order has no invoice: nothing is kept.
    order.invoice_data_retained_until = retention_date(order) if paid else timezone.localdate(now)
    order.save()
    order.history.filter(trigger__in=FREE_TEXT_TRIGGERS).update(reason=ERASED)
    SentEmail.objects.filter(order=order, recipient__iexact=customer_email).update(recipient=order.customer_email)
    SentEmail.objects.filter(order=order).update(body_text=f"(erased on {timezone.localdate(now)})")
    for event in _stripe_events_about(order):
        # Stripe's payloads repeat the e-mail, name and address; keep only what identifies the event.
        obj = (event.payload.get("data") or {}).get("object") or {}
        event.payload = {
            "id": event.stripe_id,
            "type": event.type,
            "data": {"object": {"id": obj.get("id"), "object": obj.get("object")}},
            "erased": True,
        }
        event.save(update_fields=["payload"])
    kept = order.invoice_data_retained_until
    transitions.note(
        order,
        f"personal data erased; name, billing address, amounts and Stripe ids kept for invoices until {kept}"
        if paid
        else "personal data erased; unpaid, so nothing is kept for invoices",
        trigger="personal_data_erased",
        user=user,
    )
    if not paid:
        _purge(order, now)


def erase(order_pk, *, user=None, now=None):
    """Erases the personal data of the customer of order `order_pk` (all their orders). Returns the orders.

    Raises ErasureRefused, changing nothing, when any of their orders has an open refund or dispute,
    or when the data was already erased.
    """
    now = now or timezone.now()
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_pk)
        if order.personal_data_erased_at:
            raise ErasureRefused(f"The personal data of {order.reference} was already erased.")
        orders = list(customer_orders(order).select_for_update())
        problems = [problem for problem in (why_not_erasable(item) for item in orders) if problem]
        if problems:
            raise ErasureRefused(" ".join(problems) + " Nothing was erased.")
        email = order.customer_email
        for item in orders:
            if not item.personal_data_erased_at:
                _anonymise(item, now, user)
        for hook in hooks.get_hooks("erase_personal_data"):
            hook(email)
    logger.info("personal data erased", extra={"order": order.reference, "orders": len(orders)})
    return orders


def _purge(order, now):
    order.customer_name = "Erased customer"
    order.company = ""
    order.billing_address = {}
    order.customer_tax_ids = []
    order.stripe_session_id = None
    order.stripe_session_url = ""
    order.stripe_payment_intent_id = order.stripe_charge_id = order.stripe_invoice_id = ""
    order.stripe_dispute_id = ""
    order.invoice_data_purged_at = now
    order.save()
    transitions.note(order, "invoice data purged: nothing personal is left", trigger="invoice_data_purged")


def purge_expired(today=None, now=None):
    """Clears the invoice data of erased orders after their retention date. Idempotent. Returns how many."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    due = Order.objects.filter(
        personal_data_erased_at__isnull=False,
        invoice_data_purged_at__isnull=True,
        invoice_data_retained_until__lt=today,
    )
    purged = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            order = Order.objects.select_for_update().get(pk=pk)
            if order.invoice_data_purged_at:
                continue  # a concurrent run got it first
            _purge(order, now)
            purged += 1
    if purged:
        logger.info("invoice data purged", extra={"orders": purged})
    return purged
