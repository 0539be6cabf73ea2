from django.core.management.base import BaseCommand

from offers.aftercare import tasks


class Command(BaseCommand):
    help = "E-mails staff about overdue staff tasks (at most once a day per task). Safe from cron."

    def handle(self, *args, **options):
        sent = tasks.send_overdue_reminders()
        self.stdout.write(f"{sent} overdue task reminder(s) sent.")
