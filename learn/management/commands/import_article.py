"""python manage.py import_article PATH [--parent URL_PATH] [--publish] [--update]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from learn.article_import import TitleTaken, default_parent, find_parent, import_article
from learn.importer import MAX_BYTES, ImportRefused


class Command(BaseCommand):
    help = "Import a Markdown or plain-text explainer as an article draft under the learn index."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The .md or .txt file to import.")
        parser.add_argument("--parent", help="URL path of the page to add the article under (default: /learn/).")
        parser.add_argument("--publish", action="store_true", help="Publish the article instead of saving a draft.")
        parser.add_argument(
            "--update",
            action="store_true",
            help="If an article with this title exists under the parent, save the file as a new revision of it.",
        )

    def handle(self, *args, path, parent, publish, update, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"There is no file at {path}.")
        with file.open("rb") as handle:
            # One byte over the limit is enough for the importer to refuse the size.
            data = handle.read(MAX_BYTES + 1)
        try:
            parent_page = find_parent(parent) if parent else default_parent()
            result = import_article(data, parent_page, update=update, publish=publish)
        except TitleTaken as refusal:
            raise CommandError(f"{refusal} Use --update to save this file as a new revision of it.") from None
        except ImportRefused as refusal:
            raise CommandError(str(refusal)) from None

        self.stdout.write(self.style.SUCCESS(result.summary()))
        for note in result.article.notes:
            self.stdout.write(self.style.WARNING(f"Note: {note}"))
        self.stdout.write(f"Edit it at /admin/pages/{result.page.pk}/edit/")
