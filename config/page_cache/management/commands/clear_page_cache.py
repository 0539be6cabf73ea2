from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError

from config import page_cache


class Command(BaseCommand):
    help = (
        "Drop every cached page and memo at once, on every app server: after restoring a backup or a release "
        "that changes templates (no signal sees either)."
    )

    def handle(self, *args, **options):
        before = cache.get(page_cache.GENERATION_KEY)
        page_cache.invalidate("clear_page_cache command")
        if cache.get(page_cache.GENERATION_KEY) in (None, before):
            raise CommandError("The cache did not take the new generation; cached pages expire by themselves.")
        self.stdout.write("Cached pages dropped.")
