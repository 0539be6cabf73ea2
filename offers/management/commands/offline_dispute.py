from django.core.management.base import BaseCommand, CommandError

from offers.models.orders import Order
from offers.payments import offline, stripe_client


class Command(BaseCommand):
    help = (
        "Offline payment mode only (the demo): the buyer's bank opens a dispute on a paid order, "
        "or with --decide won|lost decides it, through the same signed webhook events Stripe sends."
    )

    def add_arguments(self, parser):
        parser.add_argument("reference", help="the order's reference, e.g. DEMO-2026-000001")
        parser.add_argument("--reason", default="product_unacceptable", help="Stripe's dispute reason")
        parser.add_argument("--decide", choices=["won", "lost"], help="decide the order's open dispute")

    def handle(self, *args, reference, reason, decide=None, **options):
        if not stripe_client.is_offline():
            raise CommandError("Only in offline payment mode (STRIPE_OFFLINE): real disputes come from the bank.")
        order = Order.objects.filter(reference=reference).first()
        if order is None or not order.stripe_payment_intent_id:
            raise CommandError(f"No paid order {reference}.")
        if decide:
            if not order.stripe_dispute_id:
                raise CommandError(f"{reference} has no dispute.")
            dispute = offline.decide_dispute(order.stripe_dispute_id, won=decide == "won")
        else:
            dispute = offline.open_dispute(order.stripe_payment_intent_id, reason=reason)
        order.refresh_from_db()
        self.stdout.write(f"Dispute {dispute['id']} is {dispute['status']}; {reference} is {order.status}.")
