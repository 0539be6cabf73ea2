"""Refunds of an order as Stripe reports them: one row per Stripe refund, kept in step by re-fetching."""

from django.db import models
from django.utils import timezone


class Refund(models.Model):
    """One refund at Stripe (or the offline backend), with its amount; partial refunds are several rows."""

    order = models.ForeignKey("offers.Order", on_delete=models.CASCADE, related_name="refunds")
    stripe_refund_id = models.CharField(max_length=255, unique=True)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=30)
    failure_reason = models.CharField(max_length=100, blank=True)
    kind = models.CharField(max_length=20, blank=True, help_text="Why we refunded; empty for a dashboard refund.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.stripe_refund_id} {self.amount} {self.currency} {self.status}"
