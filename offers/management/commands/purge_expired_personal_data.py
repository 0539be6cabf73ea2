from django.core.management.base import BaseCommand

from offers.privacy import personal_data as privacy


class Command(BaseCommand):
    help = (
        "Clears the invoice data (name, billing address, tax ids, Stripe ids) of erased orders whose retention "
        "date has passed. Idempotent; safe to run daily from cron."
    )

    def handle(self, *args, **options):
        purged = privacy.purge_expired()
        self.stdout.write(f"{purged} order(s) purged.")
