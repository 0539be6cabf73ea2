"""The Stripe webhook: verify, store, dispatch by type, answer fast.

`receive()` is the one path for every event, from Stripe or from the offline
backend. Verification comes before anything is stored; an event already
*processed* is skipped; a failed one runs again on redelivery or when staff
re-run it. A handler failure answers 500 so Stripe retries.
"""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from offers.checkout import apply_session as fulfilment
from offers.models.orders import StripeEvent
from offers.payments import stripe_client

logger = logging.getLogger(__name__)


def _session_completed(event, stored):
    order = fulfilment.fulfil(event["data"]["object"], stripe_event=stored)
    return order, f"order {order.reference} is {order.status}"


def _session_expired(event, stored):
    order = fulfilment.expire(event["data"]["object"], stripe_event=stored)
    return order, f"order {order.reference} is {order.status}"


def _refund_changed(event, stored):
    """charge.refunded, refund.created/updated/failed: re-fetch the payment's refunds rather than trust the event."""
    from offers.aftercare import refunds

    obj = event["data"]["object"]
    order = refunds.order_for_payment_intent(obj.get("payment_intent"))
    order = refunds.sync(order.pk, stripe_event=stored)
    return order, f"order {order.reference} is {order.status}, {order.amount_refunded} refunded"


def _dispute_created(event, stored):
    from offers.aftercare import disputes

    order = disputes.opened(event["data"]["object"], stripe_event=stored)
    return order, f"order {order.reference} is {order.status}"


def _dispute_closed(event, stored):
    from offers.aftercare import disputes

    order = disputes.closed(event["data"]["object"], stripe_event=stored)
    return order, f"order {order.reference} is {order.status}"


HANDLERS = {
    "checkout.session.completed": _session_completed,
    "checkout.session.expired": _session_expired,
    "charge.refunded": _refund_changed,
    "refund.created": _refund_changed,
    "refund.updated": _refund_changed,
    "refund.failed": _refund_changed,
    "charge.dispute.created": _dispute_created,
    "charge.dispute.closed": _dispute_closed,
}


def _store(event):
    try:
        with transaction.atomic():
            return StripeEvent.objects.create(
                stripe_id=event["id"],
                type=event["type"],
                api_version=event.get("api_version") or "",
                payload=event,
            )
    except IntegrityError:
        return StripeEvent.objects.get(stripe_id=event["id"])


def process(stored_pk):
    """Runs the handler of a stored event once. Returns True when the event is processed (now or before)."""
    with transaction.atomic():
        stored = StripeEvent.objects.select_for_update().get(pk=stored_pk)
        if stored.processed_at is not None:
            return True
        handler = HANDLERS.get(stored.type)
        stored.attempts += 1
        try:
            with transaction.atomic():
                if handler is None:
                    order, outcome = None, "not used by this site"
                else:
                    order, outcome = handler(stored.payload, stored)
        except fulfilment.UnknownOrder as exc:
            order, outcome = None, f"no order for {exc}"
            logger.warning("stripe event for an unknown order", extra={"stripe_event": stored.stripe_id})
        except Exception as exc:
            logger.exception("stripe event failed", extra={"stripe_event": stored.stripe_id, "type": stored.type})
            stored.error = f"{exc.__class__.__name__}: {exc}"
            stored.save(update_fields=["attempts", "error"])
            return False
        stored.order = order
        stored.outcome = outcome[:300]
        stored.error = ""
        stored.processed_at = timezone.now()
        stored.save(update_fields=["attempts", "order", "outcome", "error", "processed_at"])
    return True


def receive(payload: bytes, signature: str | None) -> int:
    """The HTTP status for one webhook delivery: 400 bad signature/body, 200 done or unused, 500 handler failed."""
    try:
        event = stripe_client.construct_event(payload, signature)
    except stripe_client.InvalidWebhook as exc:
        logger.warning("webhook refused", extra={"reason": str(exc)})
        return 400
    stored = _store(event)
    if stored.processed_at is not None:
        return 200
    return 200 if process(stored.pk) else 500
