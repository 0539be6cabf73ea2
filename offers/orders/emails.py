"""E-mails about orders: one function per message, .txt + .html templates, each recorded in SentEmail.

Messages are sent by `django.tasks` tasks queued after the transaction
commits, so a webhook answers Stripe fast and a rolled-back change sends nothing.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.signing import TimestampSigner
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.utils.html import strip_tags
from wagtail.models import Revision

from offers.models.orders import Order, SentEmail

logger = logging.getLogger(__name__)

ORDER_LINK_SALT = "offers.order-page"


def order_page_url(order):
    """The customer's order page: a signed token (salted for this purpose); the order page checks its age."""
    return f"{settings.SITE_BASE_URL}/orders/{TimestampSigner(salt=ORDER_LINK_SALT).sign(order.token)}/"


def send(order, kind, recipient, template, context, subject):
    """Renders `template`.txt/.html, sends it and records what was sent."""
    context = {"order": order, "site_base_url": settings.SITE_BASE_URL, **context}
    text = render_to_string(f"emails/{template}.txt", context)
    html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [recipient])
    message.attach_alternative(html, "text/html")
    message.send()
    SentEmail.objects.create(order=order, kind=kind, recipient=recipient, subject=subject, body_text=text)
    logger.info("email sent", extra={"order": order.reference, "kind": kind})


def _policy_text(order):
    """The refund policy as the buyer accepted it (the revision they saw), in plain text."""
    policy = order.refund_policy
    if order.refund_policy_revision_id:
        revision = Revision.objects.filter(pk=order.refund_policy_revision_id).first()
        if revision is not None:
            policy = revision.as_object()
    return strip_tags(policy.full_text).strip() if policy is not None else ""


@task
def send_order_confirmation(order_id: int):
    order = Order.objects.select_related("package", "refund_policy").get(pk=order_id)
    if order.sent_emails.filter(kind="order_confirmation").exists():
        return
    send(
        order,
        "order_confirmation",
        order.customer_email,
        "order_confirmation",
        {"order_url": order_page_url(order), "policy_text": _policy_text(order)},
        f"Your order {order.reference}: {order.package_name} on {order.slot_date:%d %B %Y}",
    )


@task
def send_staff_alert(order_id: int, headline: str, reason: str = ""):
    order = Order.objects.get(pk=order_id)
    send(
        order,
        "staff_alert",
        settings.STAFF_NOTIFICATION_EMAIL,
        "staff_alert",
        {"headline": headline, "reason": reason},
        f"[{order.reference}] {headline}",
    )


def queue_paid_emails(order):
    """After commit: the contract confirmation to the buyer and an alert to staff."""
    order_id = order.pk
    transaction.on_commit(lambda: send_order_confirmation.enqueue(order_id))
    transaction.on_commit(lambda: send_staff_alert.enqueue(order_id, "New paid order"))


def queue_staff_review_alert(order, reason):
    order_id = order.pk
    transaction.on_commit(lambda: send_staff_alert.enqueue(order_id, "Order needs review", reason))
