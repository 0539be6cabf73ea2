"""Disputes: opened and closed by Stripe's webhooks; the evidence pack assembled from what the site stored.

`charge.dispute.created` moves the order to `disputed` and alerts staff;
`charge.dispute.closed` returns a won order to the state it was in, and records
a lost one as `refunded` (the money is gone). Statuses are stripe-python 16's
`Dispute.status`; one this code does not know counts as open, so nothing is
erased or settled while a bank may still decide. `is_charge_refundable` (kept on
the order) says whether staff may still refund the payment normally (an
inquiry) instead of accepting the dispute. Closing before opening (events out
of order) opens first, so the history stays complete. Staff submit the evidence
pack through `stripe_client.submit_dispute_evidence` (`submit=true`).
"""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags
from wagtail.models import Revision

from offers.aftercare import emails as guarantee_emails
from offers.aftercare.refunds import order_for_payment_intent
from offers.models.orders import Order
from offers.orders import transitions
from offers.payments import stripe_client, webhooks

logger = logging.getLogger(__name__)
S = Order.Status
# Dispute.status in stripe-python 16: needs_response, under_review, warning_needs_response,
# warning_under_review, appeal_needs_response, appeal_under_review are open; these four are final.
CLOSED = frozenset({"won", "lost", "warning_closed", "prevented"})


def is_open(status):
    """Whether a dispute of this status may still take money: every status but the final ones, unknown ones too."""
    return bool(status) and status not in CLOSED


class EvidenceError(Exception):
    """The evidence could not be submitted (no dispute, closed, or Stripe refused); nothing was sent."""


def _lock_for(dispute):
    """The disputed order, by its PaymentIntent or else by its charge (older charges have no PaymentIntent)."""
    charge = stripe_client.expandable_id(dispute.get("charge"))
    order = Order.objects.filter(stripe_charge_id=charge).first() if charge else None
    if order is None:
        order = order_for_payment_intent(dispute.get("payment_intent"))
    order = Order.objects.select_for_update().get(pk=order.pk)
    if charge and not order.stripe_charge_id:
        order.stripe_charge_id = charge
        order.save(update_fields=["stripe_charge_id"])
    return order


def _open(order, dispute, stripe_event):
    transitions.move(
        order,
        S.DISPUTED,
        trigger="dispute_opened",
        reason=f"dispute {dispute['id']}: {dispute.get('reason') or 'no reason given'}",
        stripe_event=stripe_event,
    )
    order.stripe_dispute_id = dispute["id"]
    order.dispute_status = dispute.get("status") or "needs_response"
    order.dispute_charge_refundable = bool(dispute.get("is_charge_refundable"))
    order.save(update_fields=["stripe_dispute_id", "dispute_status", "dispute_charge_refundable"])
    guarantee_emails.queue_staff_alert(
        order, "Dispute opened: answer with the evidence pack or refund", dispute.get("reason") or ""
    )


def opened(dispute, *, stripe_event=None):
    with transaction.atomic():
        order = _lock_for(dispute)
        if order.stripe_dispute_id == dispute["id"]:
            return order  # already opened (or already closed: a late duplicate changes nothing)
        _open(order, dispute, stripe_event)
    return order


def closed(dispute, *, stripe_event=None):
    with transaction.atomic():
        order = _lock_for(dispute)
        if order.stripe_dispute_id != dispute["id"]:
            _open(order, {**dispute, "status": "needs_response"}, stripe_event)  # the opening came late or never
        if order.dispute_status in CLOSED:
            return order
        status = dispute.get("status") or ""
        if not status or is_open(status):
            # A close event always carries a final status; one we do not know is kept as open.
            transitions.note(
                order, f"dispute {dispute['id']} reported {status or 'no status'}", stripe_event=stripe_event
            )
            order.dispute_status = status or order.dispute_status
            order.save(update_fields=["dispute_status"])
            return order
        if order.status == S.DISPUTED:
            if status == "lost":
                target, reason = S.REFUNDED, f"dispute {dispute['id']} lost: the money is gone"
            else:
                target = order.status_before_dispute or S.PAID
                reason = f"dispute {dispute['id']} closed ({status}): back where it was"
            transitions.move(order, target, trigger="dispute_closed", reason=reason, stripe_event=stripe_event)
        else:
            transitions.note(order, f"dispute {dispute['id']} closed: {status}", stripe_event=stripe_event)
        order.dispute_status = status
        order.save(update_fields=["dispute_status"])
        guarantee_emails.queue_staff_alert(order, f"Dispute closed: {status}")
    return order


def _when(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S %Z") if moment else "–"


def _revision_text(revision_id, label):
    revision = Revision.objects.filter(pk=revision_id).first() if revision_id else None
    if revision is None:
        return f"{label}: revision {revision_id or 'unknown'}"
    return f"{label}: revision {revision.pk} of {_when(revision.created_at)}"


def evidence_pack(order):
    """What the site stored about the order, as labelled text sections (for staff) and Stripe evidence fields."""
    policy = ""
    if order.refund_policy is not None:
        policy = strip_tags(order.refund_policy.full_text).strip()
    # From the recorded moments, not the status: during a dispute the status is "disputed".
    decision = f"accepted (include it in the website) at {_when(order.accepted_at)}" if order.accepted_at else ""
    if order.refund_requested_at:
        decision = f"refund requested ({order.refund_kind}) at {_when(order.refund_requested_at)}"
    if order.withdrawn_at:
        decision = f"withdrew from the contract at {_when(order.withdrawn_at)}"
    emails_sent = [
        f"{_when(email.sent_at)} {email.kind} to {email.recipient}: {email.subject}"
        for email in order.sent_emails.order_by("sent_at")
    ]
    history = [
        f"{_when(row.created_at)} {row.from_status or '-'} -> {row.to_status} ({row.trigger}) {row.reason}"
        for row in order.history.all()
    ]
    sections = [
        (
            "What the buyer saw",
            [
                _revision_text(order.offer_page_revision_id, "Offer page"),
                _revision_text(order.package_revision_id, "Package"),
                _revision_text(order.refund_policy_revision_id, "Refund policy"),
                f"Package: {order.package_name}, {order.amount_display}",
            ],
        ),
        (
            "What the buyer agreed to",
            [
                f"Terms of sale {order.terms_version} accepted at {_when(order.terms_accepted_at)}",
                f"Express request to start within the withdrawal period at {_when(order.express_start_requested_at)}",
            ],
        ),
        (
            "Service",
            [
                f"Slot: {order.slot_date:%Y-%m-%d}, delivery deadline {_when(order.delivery_deadline)}",
                f"Delivered at {_when(order.delivered_at)}: {order.demo_url or 'not delivered'}",
                f"Refund deadline {_when(order.refund_deadline)}",
            ],
        ),
        ("Customer's decision", [decision or "none recorded"]),
        ("E-mails sent", emails_sent or ["none"]),
        ("Order history", history),
    ]
    text = "\n\n".join(f"{title}\n" + "\n".join(lines) for title, lines in sections)
    address = order.billing_address or {}
    evidence = {
        "customer_name": order.customer_name,
        "customer_email_address": order.customer_email,
        "billing_address": ", ".join(str(value) for value in address.values() if value),
        "product_description": f"{order.package_name}: a demo website built for the customer on {order.slot_date}, "
        f"delivered online at {order.demo_url or '(not delivered)'}.",
        "service_date": f"{order.slot_date:%Y-%m-%d}",
        "refund_policy_disclosure": f"Accepted with the terms of sale at {_when(order.terms_accepted_at)} "
        f"before payment; the refund policy is linked beside the buy button and in the confirmation e-mail.",
        "cancellation_policy_disclosure": "Withdrawal information and the model withdrawal form were shown before "
        "payment and e-mailed with the confirmation; an online withdrawal function is on the order page.",
        "uncategorized_text": (text + ("\n\nRefund policy\n" + policy if policy else ""))[:19000],
    }
    if order.accepted_at:
        evidence["refund_refusal_explanation"] = (
            f"The customer chose to include the delivered demo in their website at {_when(order.accepted_at)}, "
            "which gives up the guarantee's refund (the button said so); the demo was fully delivered at their "
            "express request, which ended the withdrawal period."
        )
    return {"sections": sections, "evidence": evidence}


def _open_dispute_of(order_pk):
    """The locked order if its dispute still takes an answer; else EvidenceError saying why not."""
    order = Order.objects.select_for_update().get(pk=order_pk)
    if order.status != S.DISPUTED or not order.stripe_dispute_id:
        raise EvidenceError(f"{order.reference} has no open dispute.")
    if order.evidence_submitted_at:
        raise EvidenceError(
            f"The evidence for {order.reference} was already submitted on {_when(order.evidence_submitted_at)}; "
            "Stripe takes it once and the bank decides now."
        )
    return order


def submit_evidence(order_pk, *, user):
    """Sends the evidence pack to Stripe and submits it, once. Raises EvidenceError.

    The order row stays locked during the call, so a second click waits and then finds it submitted.
    """
    with transaction.atomic():
        order = _open_dispute_of(order_pk)
        evidence = evidence_pack(order)["evidence"]
        try:
            result = stripe_client.submit_dispute_evidence(
                order.stripe_dispute_id,
                evidence,
                # A failed try leaves a history row, so a retry is a new request under a new key.
                stripe_client.idempotency_key(order, f"evidence-{order.stripe_dispute_id}", order.history.count()),
            )
        except stripe_client.PaymentProviderError as exc:
            transitions.note(order, f"evidence not submitted: {exc}", trigger="evidence_error", user=user)
            failure = exc
        else:
            failure = None
            order.evidence_submitted_at = timezone.now()
            order.dispute_status = result.get("status") or order.dispute_status
            order.save(update_fields=["evidence_submitted_at", "dispute_status"])
            transitions.note(order, "dispute evidence submitted to Stripe", trigger="evidence_submitted", user=user)
    if failure is not None:
        raise EvidenceError(str(failure)) from failure
    return order


def accept(order_pk, *, user):
    """Refund instead of fighting: accepts the dispute at Stripe, so the bank returns the money. Raises EvidenceError.

    Stripe refuses a normal refund of a charged-back payment (`charge_disputed`); accepting is the one way.
    """
    with transaction.atomic():
        order = _open_dispute_of(order_pk)
        try:
            result = stripe_client.accept_dispute(
                order.stripe_dispute_id,
                stripe_client.idempotency_key(order, f"accept-{order.stripe_dispute_id}", order.history.count()),
            )
        except stripe_client.PaymentProviderError as exc:
            transitions.note(order, f"dispute not accepted: {exc}", trigger="dispute_error", user=user)
            failure = exc
        else:
            failure = None
            status = result.get("status") or "lost"
            if status == "lost":
                reason = f"dispute {order.stripe_dispute_id} accepted: the bank returns the money to the customer"
                transitions.move(order, S.REFUNDED, trigger="dispute_accepted", reason=reason, user=user)
            else:  # an inquiry closed without a chargeback: no money moved
                reason = f"dispute {order.stripe_dispute_id} closed ({status})"
                previous = order.status_before_dispute or S.PAID
                transitions.move(order, previous, trigger="dispute_closed", reason=reason, user=user)
            order.dispute_status = status
            order.save(update_fields=["dispute_status"])
    if failure is not None:
        raise EvidenceError(str(failure)) from failure
    return order


@webhooks.handles("charge.dispute.created")
def dispute_created(event, stored):
    order = opened(event["data"]["object"], stripe_event=stored)
    return order, f"order {order.reference} is {order.status}"


@webhooks.handles("charge.dispute.closed")
def dispute_closed(event, stored):
    order = closed(event["data"]["object"], stripe_event=stored)
    return order, f"order {order.reference} is {order.status}"
