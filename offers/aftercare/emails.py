"""E-mails of the guarantee: delivery, decision, refund, withdrawal receipt, a fresh order-page link.

Built on `offers.orders.emails.send` (templates, SentEmail record); each is a task queued after commit.
"""

from datetime import timedelta

from django.db import transaction
from django.tasks import task

from offers import display, money
from offers.models.orders import Order
from offers.orders import emails

# The refund policy's promise, as the staff task counts it (offers.aftercare.tasks.MATERIAL_DELETION_DAYS).
MATERIAL_DAYS = 30


def _customer(order, kind, subject, intro, sections=(), links=()):
    """A message to the customer: intro paragraphs, then (heading, paragraphs) sections, then labelled links."""
    emails.send(
        order,
        kind,
        order.customer_email,
        "customer_message",
        {
            "intro": list(intro),
            "sections": [(heading, list(paragraphs)) for heading, paragraphs in sections],
            "links": list(links),
        },
        f"{subject} ({order.reference})",
    )


def _order_page(order):
    return ("Your order page", emails.order_page_url(order))


@task
def send_delivered(order_id: int):
    order = Order.objects.get(pk=order_id)
    if order.sent_emails.filter(kind="demo_delivered").exists():
        return
    _customer(
        order,
        "demo_delivered",
        "Your demo website is ready",
        ["Your demo website is online. Have a look and take your time."],
        [
            ("Your demo", [order.demo_url]),
            (
                "Your choice",
                [
                    f"You can decide until {display.datetime_text(order.refund_deadline)}: "
                    f"include it in your website (the {order.amount_display} count toward it) or get your money back.",
                    "Make your choice on your order page.",
                ],
            ),
        ],
        [_order_page(order)],
    )


@task
def send_accepted(order_id: int):
    order = Order.objects.get(pk=order_id)
    if order.sent_emails.filter(kind="demo_accepted").exists():
        return
    _customer(
        order,
        "demo_accepted",
        "Your demo will be part of your website",
        [f"Thank you. The {order.amount_display} you paid count toward your full website."],
        [("Your credit", [f"Your credit reference is {order.credit_reference}. Quote it when we plan the website."])],
        [_order_page(order)],
    )


@task
def send_refund_issued(order_id: int, total: str):
    order = Order.objects.get(pk=order_id)
    amount = money.format_money(money.Decimal(total), order.currency)
    subject = f"Your refund of {amount} is on its way"
    if order.sent_emails.filter(kind="refund_issued", subject__startswith=subject).exists():
        return
    _customer(
        order,
        "refund_issued",
        subject,
        [f"We have refunded {amount} of the {order.amount_display} you paid for order {order.reference}."],
        [
            ("When you see the money", ["Your bank usually shows the money within 5 to 10 days."]),
            (
                "Your demo and your material",
                [
                    "We take the demo offline and delete the texts and pictures you sent us "
                    f"by {display.date_text(order.refund_requested_at + timedelta(days=MATERIAL_DAYS))} at the latest."
                    if order.refund_requested_at
                    else "We take the demo offline and delete the texts and pictures you sent us within 30 days."
                ],
            ),
        ],
        [_order_page(order)],
    )


@task
def send_withdrawal_receipt(order_id: int):
    order = Order.objects.get(pk=order_id)
    if order.sent_emails.filter(kind="withdrawal_receipt").exists():
        return
    _customer(
        order,
        "withdrawal_receipt",
        "We received your withdrawal from the contract",
        [
            f"We received your withdrawal from the contract for order {order.reference} "
            f"on {display.datetime_text(order.withdrawn_at, seconds=True)}."
        ],
        [
            (
                "Your money",
                [
                    f"We refund the full {order.amount_display} to your original payment method, "
                    "within 14 days at the latest."
                ],
            )
        ],
        [_order_page(order)],
    )


@task
def send_order_link(order_id: int):
    order = Order.objects.get(pk=order_id)
    _customer(
        order,
        "order_link",
        "The link to your order page",
        ["Here is a fresh link to your order page. It is valid for a year."],
        [],
        [_order_page(order)],
    )


def _after_commit(task_function, *args):
    transaction.on_commit(lambda: task_function.enqueue(*args))


def queue_delivered(order):
    _after_commit(send_delivered, order.pk)


def queue_accepted(order):
    _after_commit(send_accepted, order.pk)


def queue_refund_issued(order, total):
    _after_commit(send_refund_issued, order.pk, str(total))


def queue_withdrawal_receipt(order):
    _after_commit(send_withdrawal_receipt, order.pk)


def queue_order_link(order):
    _after_commit(send_order_link, order.pk)


def queue_staff_alert(order, headline, reason=""):
    _after_commit(emails.send_staff_alert, order.pk, headline, reason)
