"""The Stripe webhook: verify, store, dispatch by type, answer fast.

`receive()` is the one path for every event, from Stripe or from the offline
backend. Verification comes before anything is stored; an event already
*processed* is skipped; a failed one runs again on redelivery or when staff
re-run it. A handler failure answers 500 so Stripe retries.
"""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from offers.models.orders import StripeEvent
from offers.payments import stripe_client

logger = logging.getLogger(__name__)


class UnknownOrder(Exception):
    """No order belongs to the Checkout Session or payment an event names: recorded, not retried."""


# Event type -> handler(event, stored) -> (order, outcome). The parts that act on an event register
# their handlers with @handles (imported from OffersConfig.ready()), so this module names none of them.
HANDLERS = {}


def handles(*event_types):
    """Registers the decorated function as the handler of these Stripe event types (one handler per type)."""

    def register(handler):
        for event_type in event_types:
            if HANDLERS.get(event_type, handler) is not handler:
                raise ValueError(f"{event_type} already has a handler: {HANDLERS[event_type].__qualname__}")
            HANDLERS[event_type] = handler
        return handler

    return register


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
        except UnknownOrder as exc:
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
