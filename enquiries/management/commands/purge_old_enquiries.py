from django.conf import settings
from django.core.management.base import BaseCommand

from enquiries import privacy


class Command(BaseCommand):
    help = "Delete enquiries (and the e-mails about them) older than ENQUIRY_RETENTION_DAYS. Run daily from cron."

    def handle(self, *args, **options):
        count = privacy.purge_expired()
        self.stdout.write(f"{count} enquiries older than {settings.ENQUIRY_RETENTION_DAYS} days deleted.")
