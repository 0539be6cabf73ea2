"""Staff tasks that follow from promises: created with the refund or withdrawal, listed, done, reminded of.

The refund policy promises that after a guarantee refund (and, the same way,
after a withdrawal) the demo goes offline and the customer's texts and pictures
are deleted within MATERIAL_DELETION_DAYS. `for_refund` records that promise as
a task in the same transaction as the refund request; `send_overdue_reminders`
(the `send_overdue_task_reminders` command, from cron) e-mails staff about
overdue ones, once a day at most.
"""

import logging
from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from offers import display
from offers.aftercare import emails as guarantee_emails
from offers.models.tasks import StaffTask
from offers.orders import transitions

logger = logging.getLogger(__name__)

# The refund policy's promise: "we take the demo offline and delete your texts and pictures within 30 days".
MATERIAL_DELETION_DAYS = guarantee_emails.MATERIAL_DAYS
REMIND_EVERY = timedelta(days=1)


def _end_of_day_after(moment, days):
    """23:59:59 in the site's zone, `days` calendar days after the moment's local date."""
    day = display.local(moment).date() + timedelta(days=days)
    return datetime.combine(day, time(23, 59, 59), tzinfo=display.site_zone())


def for_refund(order, *, now=None):
    """The "take the demo offline, delete the material" task for a refunded or withdrawn order (once per order)."""
    now = now or timezone.now()
    due = _end_of_day_after(now, MATERIAL_DELETION_DAYS)
    task, created = StaffTask.objects.get_or_create(
        order=order,
        kind=StaffTask.Kind.TAKE_DEMO_OFFLINE,
        defaults={
            "title": f"Take the demo offline, delete the customer's material by {display.date_text(due)}",
            "due_at": due,
            "created_at": now,
        },
    )
    if created:
        transitions.note(order, task.title, trigger="staff_task")
    return task


def open_tasks():
    return StaffTask.objects.filter(done_at__isnull=True).select_related("order")


def overdue(now=None):
    return open_tasks().filter(due_at__lt=now or timezone.now())


class AlreadyDone(Exception):
    pass


def mark_done(task_pk, *, user, now=None):
    """Done by `user` now; recorded in the order's history. Raises AlreadyDone for a task done before."""
    now = now or timezone.now()
    with transaction.atomic():
        task = StaffTask.objects.select_for_update().get(pk=task_pk)
        if task.done_at is not None:
            raise AlreadyDone(f"Done on {display.datetime_text(task.done_at)} already.")
        task.done_at = now
        task.done_by = user
        task.save(update_fields=["done_at", "done_by"])
        if task.order_id:
            transitions.note(task.order, f"done: {task.title}", trigger="staff_task_done", user=user)
    return task


def send_overdue_reminders(now=None):
    """E-mails staff about each overdue open task, at most once per REMIND_EVERY. Returns how many were sent."""
    now = now or timezone.now()
    due = overdue(now).filter(Q(reminder_sent_at__isnull=True) | Q(reminder_sent_at__lte=now - REMIND_EVERY))
    sent = 0
    for task in due:
        with transaction.atomic():
            # The conditional update is the "once": a concurrent run updates nothing and sends nothing.
            claimed = (
                StaffTask.objects.filter(pk=task.pk, done_at__isnull=True)
                .filter(Q(reminder_sent_at__isnull=True) | Q(reminder_sent_at__lte=now - REMIND_EVERY))
                .update(reminder_sent_at=now)
            )
            if not claimed or task.order is None:
                continue
            guarantee_emails.queue_staff_alert(
                task.order,
                "Overdue task: " + task.title,
                f"It was due on {display.datetime_text(task.due_at)}. Mark it done on the order in the admin.",
            )
            sent += 1
    logger.info("overdue task reminders", extra={"sent": sent})
    return sent
