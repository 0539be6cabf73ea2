"""Delivery deadlines: warn staff once before one is missed, and record a missed one in the order's history."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from offers import display
from offers.aftercare import emails as guarantee_emails
from offers.models.orders import Order
from offers.orders import transitions

logger = logging.getLogger(__name__)
S = Order.Status
OPEN = (S.PAID, S.IN_PROGRESS)


def warning_lead():
    return timedelta(minutes=settings.DELIVERY_DEADLINE_WARNING_MINUTES)


def undelivered(queryset=None):
    """Paid orders still waiting for their demo: the ones a delivery deadline applies to."""
    queryset = Order.objects.all() if queryset is None else queryset
    return queryset.filter(status__in=OPEN, delivered_at__isnull=True)


def due_soon(queryset=None, now=None):
    """Undelivered orders whose deadline falls within the warning lead from now."""
    now = now or timezone.now()
    return undelivered(queryset).filter(delivery_deadline__gte=now, delivery_deadline__lte=now + warning_lead())


def missed(queryset=None, now=None):
    now = now or timezone.now()
    return undelivered(queryset).filter(delivery_deadline__lt=now)


def state(order, now=None):
    """The listing's flag for an order: "missed", "due_soon" or empty."""
    if order.status not in OPEN or order.delivered_at is not None:
        return ""
    now = now or timezone.now()
    if order.delivery_deadline < now:
        return "missed"
    if order.delivery_deadline <= now + warning_lead():
        return "due_soon"
    return ""


def run(now=None, lead=None):
    """Warns once per order whose deadline is within `lead`; records missed ones once. Returns (warned, missed)."""
    now = now or timezone.now()
    lead = warning_lead() if lead is None else lead
    waiting = undelivered()
    warned = missed_count = 0
    due = waiting.filter(deadline_warning_sent_at__isnull=True, delivery_deadline__lte=now + lead)
    for pk in due.filter(delivery_deadline__gt=now).values_list("pk", flat=True):
        with transaction.atomic():
            # The conditional update is the "once": a second run (or a concurrent cron) updates nothing.
            if not Order.objects.filter(pk=pk, deadline_warning_sent_at__isnull=True).update(
                deadline_warning_sent_at=now
            ):
                continue
            order = Order.objects.get(pk=pk)
            guarantee_emails.queue_staff_alert(
                order, "Delivery deadline approaching", f"deliver by {display.datetime_text(order.delivery_deadline)}"
            )
            warned += 1
    for pk in waiting.filter(deadline_missed_at__isnull=True, delivery_deadline__lt=now).values_list("pk", flat=True):
        with transaction.atomic():
            if not Order.objects.filter(pk=pk, deadline_missed_at__isnull=True).update(deadline_missed_at=now):
                continue
            order = Order.objects.get(pk=pk)
            transitions.note(
                order,
                f"delivery deadline {display.datetime_text(order.delivery_deadline)} missed",
                trigger="deadline_missed",
            )
            guarantee_emails.queue_staff_alert(order, "Delivery deadline missed: the customer may claim a full refund")
            missed_count += 1
    logger.info("deadline warnings", extra={"warned": warned, "missed": missed_count})
    return warned, missed_count
