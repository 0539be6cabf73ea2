"""python manage.py import_article PATH [--parent URL_PATH] [--author NAME] [--topic NAME ...] [--publish] [--update]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from taggit.utils import parse_tags

from learn.article_import import TitleTaken, default_parent, find_parent, import_article
from learn.importer import MAX_BYTES, ImportRefused


class Command(BaseCommand):
    help = "Import a Markdown or plain-text explainer as an article draft under the learn index."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The .md or .txt file to import.")
        parser.add_argument("--parent", help="URL path of the page to add the article under (default: /learn/).")
        parser.add_argument("--author", help="The author's name, shown in the article's meta line.")
        parser.add_argument(
            "--topic",
            action="append",
            dest="topics",
            metavar="NAME",
            help="A topic for the article; repeat it, or separate topics with commas. Existing topics are reused.",
        )
        parser.add_argument("--publish", action="store_true", help="Publish the article instead of saving a draft.")
        parser.add_argument(
            "--update",
            action="store_true",
            help="If an article with this title exists under the parent, save the file as a new revision of it.",
        )

    def handle(self, *args, path, parent, publish, update, author=None, topics=None, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"There is no file at {path}.")
        with file.open("rb") as handle:
            # One byte over the limit is enough for the importer to refuse the size.
            data = handle.read(MAX_BYTES + 1)
        try:
            parent_page = find_parent(parent) if parent else default_parent()
            result = import_article(
                data,
                parent_page,
                update=update,
                publish=publish,
                author=author,
                topics=None if topics is None else [name for value in topics for name in parse_tags(value)],
            )
        except TitleTaken as refusal:
            raise CommandError(f"{refusal} Use --update to save this file as a new revision of it.") from None
        except ImportRefused as refusal:
            raise CommandError(str(refusal)) from None

        self.stdout.write(self.style.SUCCESS(result.summary()))
        if result.article.notes:
            self.stdout.write(self.style.WARNING("Check in the editor (left out or kept as text):"))
        for note in result.article.notes:
            self.stdout.write(self.style.WARNING(f"- {note}"))
        self.stdout.write(f"Edit it at /admin/pages/{result.page.pk}/edit/")
