"""Orders and what happens to them: Order, SlotHold, StripeEvent, OrderEvent, SentEmail.

An order's status changes only through `offers.orders.transitions.move`, which checks
the state table and writes the OrderEvent history row.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from offers import money


def new_token():
    return secrets.token_urlsafe(32)


class Order(models.Model):
    """One purchase of a demo package, with everything the buyer saw and agreed to at the time."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending payment"
        PAID = "paid", "Paid"
        NEEDS_REVIEW = "needs_review", "Needs review"
        EXPIRED = "expired", "Expired (not paid)"
        CANCELLED = "cancelled", "Cancelled"
        IN_PROGRESS = "in_progress", "In progress"
        DELIVERED = "delivered", "Delivered"
        ACCEPTED = "accepted", "Accepted: included in the website"
        REFUND_REQUESTED = "refund_requested", "Refund requested"
        PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
        REFUNDED = "refunded", "Refunded"
        DISPUTED = "disputed", "Disputed"

    reference = models.CharField(max_length=32, unique=True, null=True, blank=True, editable=False)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    status = models.CharField(
        max_length=24, choices=Status.choices, default=Status.PENDING, db_index=True, editable=False
    )
    status_before_dispute = models.CharField(max_length=24, choices=Status.choices, blank=True, editable=False)

    # What was sold, as the buyer saw it.
    package = models.ForeignKey("offers.DemoPackage", on_delete=models.PROTECT, related_name="orders")
    offer_page = models.ForeignKey(
        "offers.OfferPage", null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    refund_policy = models.ForeignKey(
        "offers.RefundPolicy", null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    package_name = models.CharField(max_length=120)
    package_price = models.DecimalField(max_digits=10, decimal_places=2)
    delivery_working_days = models.PositiveSmallIntegerField(default=1)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3)
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    vat_exempt = models.BooleanField(default=False)
    vat_line = models.CharField(max_length=200, blank=True)
    offer_page_revision_id = models.PositiveBigIntegerField(null=True, blank=True)
    package_revision_id = models.PositiveBigIntegerField(null=True, blank=True)
    refund_policy_revision_id = models.PositiveBigIntegerField(null=True, blank=True)
    refund_window_days = models.PositiveSmallIntegerField(default=14)
    refund_percentage = models.PositiveSmallIntegerField(default=100)
    refund_automatic = models.BooleanField(default=True)

    # What the buyer agreed to.
    terms_version = models.CharField(max_length=40)
    terms_accepted_at = models.DateTimeField()
    express_start_requested = models.BooleanField(default=False)
    express_start_requested_at = models.DateTimeField(null=True, blank=True)

    # Who bought, and what for.
    customer_name = models.CharField(max_length=120)
    customer_email = models.EmailField(db_index=True)
    company = models.CharField(max_length=160, blank=True)
    billing_address = models.JSONField(default=dict, blank=True, help_text="As Stripe Checkout collected it.")
    customer_tax_ids = models.JSONField(default=list, blank=True, help_text="As Stripe Checkout collected them.")
    brief_business = models.TextField("what the business does")
    brief_existing_site = models.CharField("existing website", max_length=300, blank=True)
    brief_goals = models.TextField("what the demo should show")
    brief_style = models.TextField("style wishes", blank=True)
    source_page = models.CharField(max_length=300, blank=True)
    visitor_key = models.CharField(
        max_length=32,
        blank=True,
        db_index=True,
        help_text="A keyed hash of the buyer's network address, never the address: limits unpaid holds per visitor.",
    )
    banner = models.ForeignKey(
        "offers.OfferBanner", null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )

    # When the work happens.
    slot_date = models.DateField()
    delivery_deadline = models.DateTimeField()

    # Stripe.
    payment_token = models.UUIDField(
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text="Random, made with the order: starts every idempotency key about it and is the order_token in "
        "its Checkout Session's metadata. Never the reference, which repeats after a restore or on staging.",
    )
    checkout_attempt = models.PositiveSmallIntegerField(default=1)
    session_expires_at = models.DateTimeField(null=True, blank=True)
    stripe_session_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    stripe_session_url = models.URLField(max_length=1000, blank=True)
    stripe_payment_intent_id = models.CharField(max_length=255, blank=True, db_index=True)
    stripe_charge_id = models.CharField(max_length=255, blank=True, db_index=True)
    stripe_invoice_id = models.CharField(max_length=255, blank=True)

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    # The guarantee (issue 5): delivery, the customer's decision, refunds, disputes.
    demo_url = models.URLField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    refund_deadline = models.DateTimeField(
        null=True, blank=True, help_text="23:59:59 local time on the delivery date plus the refund window."
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    credit_reference = models.CharField(max_length=40, blank=True)
    refund_kind = models.CharField(
        max_length=20, blank=True, help_text="guarantee, withdrawal, missed_deadline or staff"
    )
    refund_requested_at = models.DateTimeField(null=True, blank=True)
    refund_reason = models.TextField(blank=True)
    refund_amount = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, help_text="What the current refund request returns."
    )
    refund_attempt = models.PositiveSmallIntegerField(default=1)
    refund_key_sent = models.CharField(
        max_length=80, blank=True, editable=False, help_text="The idempotency key of the last refund request sent."
    )
    refund_failure = models.CharField(max_length=300, blank=True)
    amount_refunded = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    amount_paid = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="What Stripe took, in the order's currency; differs from the amount only in review.",
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    stripe_dispute_id = models.CharField(max_length=255, blank=True)
    dispute_status = models.CharField(max_length=40, blank=True)
    dispute_charge_refundable = models.BooleanField(
        default=False, help_text="Stripe's is_charge_refundable: the disputed payment may still be refunded normally."
    )
    evidence_submitted_at = models.DateTimeField(null=True, blank=True)
    deadline_warning_sent_at = models.DateTimeField(null=True, blank=True)
    deadline_missed_at = models.DateTimeField(null=True, blank=True)

    # Privacy (issue 6): erasure anonymises at once; what invoices need is purged after the retention date.
    personal_data_erased_at = models.DateTimeField(null=True, blank=True)
    invoice_data_retained_until = models.DateField(
        null=True, blank=True, help_text="After this date the name, billing address and tax ids are purged."
    )
    invoice_data_purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [
            ("cancel_order", "Can cancel an unpaid order"),
            ("deliver_order", "Can start work on and deliver an order"),
            ("refund_order", "Can refund an order"),
            ("dispute_order", "Can submit dispute evidence for an order"),
            ("export_personal_data", "Can export a customer's personal data"),
            ("erase_personal_data", "Can erase a customer's personal data"),
        ]

    def __str__(self):
        return self.reference or f"Order {self.pk}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if not self.reference:
            self.reference = f"DEMO-{self.created_at.year}-{self.pk:06d}"
            type(self).objects.filter(pk=self.pk).update(reference=self.reference)

    @property
    def amount_minor_units(self):
        return money.to_minor_units(self.amount, self.currency)

    @property
    def amount_display(self):
        return money.format_money(self.amount, self.currency)

    @property
    def amount_refunded_display(self):
        return money.format_money(self.amount_refunded, self.currency)

    @property
    def first_name(self):
        return (self.customer_name.split() or [""])[0]


class SlotHold(models.Model):
    """A seat on a working day. Unique per (package, date, seat), so two buyers can never hold the same one.

    While the order is pending it expires with the Checkout Session; a paid
    order's hold has no expiry. Availability counts the holds that have not expired.
    """

    package = models.ForeignKey("offers.DemoPackage", on_delete=models.CASCADE, related_name="slot_holds")
    date = models.DateField()
    seat = models.PositiveSmallIntegerField()
    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="slot_hold")
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty once paid: the seat is kept.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["package", "date", "seat"], name="one_hold_per_seat")]
        indexes = [models.Index(fields=["package", "date"], name="slot_hold_package_date")]

    def __str__(self):
        return f"{self.package} {self.date} seat {self.seat}"


class StripeEvent(models.Model):
    """Every verified webhook event, stored before it is handled; processed once, re-runnable when it failed."""

    stripe_id = models.CharField("event id", max_length=255, unique=True)
    type = models.CharField(max_length=100, db_index=True)
    api_version = models.CharField(max_length=40, blank=True)
    payload = models.JSONField()
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="stripe_events")
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=300, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = "Stripe event"
        permissions = [("rerun_stripeevent", "Can re-run a failed Stripe event")]

    def __str__(self):
        return f"{self.type} {self.stripe_id}"

    @property
    def failed(self):
        return self.processed_at is None and bool(self.error)


class OrderEvent(models.Model):
    """One line of an order's history: a status change, or a fact recorded without one."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24)
    trigger = models.CharField(max_length=40)
    reason = models.TextField(blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    stripe_event = models.ForeignKey(StripeEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.order}: {self.from_status or '-'} → {self.to_status}"

    @property
    def who(self):
        if self.user_id:
            return self.user.get_username()
        if self.stripe_event_id:
            return f"Stripe {self.stripe_event.type}"
        return "site"


class SentEmail(models.Model):
    """What the site sent to whom and when: the durable record behind confirmations and dispute evidence."""

    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="sent_emails")
    kind = models.CharField(max_length=40, db_index=True)
    recipient = models.EmailField()
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self):
        return f"{self.kind} to {self.recipient}"
