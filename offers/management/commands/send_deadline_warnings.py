from datetime import timedelta

from django.core.management.base import BaseCommand

from offers.aftercare import deadlines


class Command(BaseCommand):
    help = "Warns staff once per order before its delivery deadline and records missed deadlines. Safe from cron."

    def add_arguments(self, parser):
        parser.add_argument(
            "--minutes",
            type=int,
            default=None,
            help="Warn this long before the deadline (default: DELIVERY_DEADLINE_WARNING_MINUTES or 120).",
        )

    def handle(self, *args, minutes=None, **options):
        lead = None if minutes is None else timedelta(minutes=minutes)
        warned, missed = deadlines.run(lead=lead)
        self.stdout.write(f"{warned} deadline warning(s) sent, {missed} missed deadline(s) recorded.")
