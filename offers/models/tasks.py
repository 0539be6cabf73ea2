"""Staff tasks: work a promise to a customer creates, with a due date, and who did it and when.

A guarantee refund or a withdrawal promises that the demo goes offline and the
customer's material is deleted within the refund policy's 30 days; the task is
how staff see that promise and are reminded of it. The services live in
`offers.aftercare.tasks`.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class StaffTask(models.Model):
    """One piece of work owed to a customer, due by `due_at`; done once `done_at` is set."""

    class Kind(models.TextChoices):
        TAKE_DEMO_OFFLINE = "take_demo_offline", "Take the demo offline and delete the customer's material"

    order = models.ForeignKey(
        "offers.Order", null=True, blank=True, on_delete=models.CASCADE, related_name="staff_tasks"
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)
    title = models.CharField(max_length=300)
    due_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminder_sent_at = models.DateTimeField(
        null=True, blank=True, help_text="The last overdue reminder; one is sent a day at most."
    )

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = "staff task"
        constraints = [
            # One task of a kind per order: a repeated request or webhook finds the task it already made.
            models.UniqueConstraint(fields=["order", "kind"], name="one_staff_task_per_order_and_kind"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_done(self):
        return self.done_at is not None

    def is_overdue(self, now=None):
        return self.done_at is None and self.due_at < (now or timezone.now())
