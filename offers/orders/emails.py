"""E-mails about orders: one function per message, .txt + .html templates, each recorded in SentEmail.

Messages are sent by `django.tasks` tasks queued after the transaction
commits, so a webhook answers Stripe fast and a rolled-back change sends nothing.
"""

import logging
import re
from html import unescape

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.signing import TimestampSigner
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.utils.html import strip_tags
from wagtail.models import Revision

from config.log_privacy import mask_order_tokens
from offers import display
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
    # The stored copy keeps what was said, not the order link: staff with admin access must not hold customers' keys.
    SentEmail.objects.create(
        order=order, kind=kind, recipient=recipient, subject=subject, body_text=mask_order_tokens(text)
    )
    logger.info("email sent", extra={"order": order.reference, "kind": kind})


def _revision(revision_id):
    return Revision.objects.filter(pk=revision_id).first() if revision_id else None


def _paragraphs(html):
    """Rich text as plain paragraphs: headings and paragraphs apart, so "What we promise" does not run into its text."""
    text = re.sub(r"(?i)</(p|h[1-6]|li|ul|ol|blockquote)>|<br\s*/?>", "\n", html or "")
    return [line.strip() for line in unescape(strip_tags(text)).splitlines() if line.strip()]


def policy_paragraphs(order):
    """The refund policy as the buyer accepted it (the revision they saw), as plain paragraphs."""
    policy = order.refund_policy
    revision = _revision(order.refund_policy_revision_id)
    if revision is not None:
        policy = revision.as_object()
    return _paragraphs(policy.full_text) if policy is not None else []


def terms_shown(order):
    """(title, date) of the terms of sale the buyer accepted: the terms page's title and its revision's date."""
    match = re.fullmatch(r"terms-page-revision-(\d+)", order.terms_version or "")
    revision = _revision(int(match.group(1))) if match else None
    if revision is None:
        return "terms of sale", None
    return revision.object_str or "terms of sale", revision.created_at


@task
def send_order_confirmation(order_id: int):
    order = Order.objects.select_related("package", "refund_policy").get(pk=order_id)
    if order.sent_emails.filter(kind="order_confirmation").exists():
        return
    terms_title, terms_date = terms_shown(order)
    send(
        order,
        "order_confirmation",
        order.customer_email,
        "order_confirmation",
        {
            "order_url": order_page_url(order),
            "policy_paragraphs": policy_paragraphs(order),
            "terms_title": terms_title,
            "terms_date": terms_date,
        },
        f"Your order {order.reference}: {order.package_name} on {display.date_text(order.slot_date)}",
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
