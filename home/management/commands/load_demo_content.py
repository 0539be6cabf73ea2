from django.core.management.base import BaseCommand
from django.db import transaction

from home import demo as home_demo


class Command(BaseCommand):
    help = "Create the demo site's pages, settings and offer. Safe to run again: it changes nothing twice."

    @transaction.atomic
    def handle(self, *args, **options):
        site = home_demo.load()
        for module_name in ("learn.demo", "offers.demo", "enquiries.demo"):
            try:
                module = __import__(module_name, fromlist=["load"])
            except ModuleNotFoundError:
                continue
            module.load(site)
        home_demo.arrange_menu(site)
        self.stdout.write(self.style.SUCCESS(f"Demo content ready at {site.root_url}"))
