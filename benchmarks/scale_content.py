"""Copies of a demo article, thousands at a time, for measuring cost at scale (`make bench-scale`).

The copies are written with a few SQL statements (treebeard paths worked out
here) instead of one `add_child()` each, which would take minutes; they are
then put in the search index through Wagtail's backend, as `update_index`
would. Each copy is a live, public article under the learn index with its own
title, slug, date and the template's topics, so listings, search, the feed and
the sitemap see them as editors' articles.
"""

from django.db import connection, transaction
from wagtail.models import Page
from wagtail.search.backends import get_search_backend

STEP_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
DAYS_SPREAD = 3000  # copies' dates go back about eight years, so date orderings have work to do
# Columns of wagtailcore_page the copy writes itself; every other column is the template's.
OWN_COLUMNS = {"id", "path", "slug", "title", "draft_title", "url_path", "numchild", "translation_key"}


def _step(number: int, length: int) -> str:
    digits = ""
    while number:
        number, digit = divmod(number, len(STEP_ALPHABET))
        digits = STEP_ALPHABET[digit] + digits
    return digits.rjust(length, "0")


def _columns(table):
    with connection.cursor() as cursor:
        return [column.name for column in connection.introspection.get_table_description(cursor, table)]


@transaction.atomic
def add_article_copies(count: int, template=None) -> list[int]:
    """Add `count` live copies of an article next to it; returns the new page ids."""
    from learn.models import ArticlePage

    template = template or ArticlePage.objects.live().order_by("pk").first()
    index = Page.objects.get(pk=template.get_parent().pk)
    step_length = Page.steplen
    last = index.get_children().order_by("-path").values_list("path", flat=True).first()
    first_step = int(last[-step_length:], len(STEP_ALPHABET)) + 1 if last else 1
    paths, slugs, titles, url_paths = [], [], [], []
    for number in range(count):
        paths.append(index.path + _step(first_step + number, step_length))
        slugs.append(f"{template.slug}-copy-{number + 1}")
        titles.append(f"{template.title} (copy {number + 1})")
        url_paths.append(f"{index.url_path}{slugs[-1]}/")

    copied = [column for column in _columns("wagtailcore_page") if column not in OWN_COLUMNS]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO wagtailcore_page ({", ".join(copied)}, path, slug, title, draft_title, url_path, numchild,
                                          translation_key)
            SELECT {", ".join("t." + column for column in copied)}, n.path, n.slug, n.title, n.title, n.url_path, 0,
                   gen_random_uuid()
            FROM wagtailcore_page t, unnest(%s::text[], %s::text[], %s::text[], %s::text[])
                 AS n(path, slug, title, url_path)
            WHERE t.id = %s
            RETURNING id
            """,  # column names come from the database's own description
            [paths, slugs, titles, url_paths, template.pk],
        )
        new_ids = sorted(row[0] for row in cursor.fetchall())
        article_columns = [column for column in _columns("learn_articlepage") if column not in {"page_ptr_id", "date"}]
        cursor.execute(
            f"""
            INSERT INTO learn_articlepage (page_ptr_id, date, {", ".join(article_columns)})
            SELECT n.id, t.date - (n.ordinality %% {DAYS_SPREAD})::int, {", ".join("t." + c for c in article_columns)}
            FROM learn_articlepage t, unnest(%s::int[]) WITH ORDINALITY AS n(id, ordinality)
            WHERE t.page_ptr_id = %s
            """,
            [new_ids, template.pk],
        )
        cursor.execute(
            """
            INSERT INTO learn_articletopic (content_object_id, tag_id)
            SELECT n.id, t.tag_id FROM learn_articletopic t, unnest(%s::int[]) AS n(id)
            WHERE t.content_object_id = %s
            """,
            [new_ids, template.pk],
        )
        cursor.execute("UPDATE wagtailcore_page SET numchild = numchild + %s WHERE id = %s", [count, index.pk])
    backend = get_search_backend()
    for start in range(0, len(new_ids), 500):
        backend.add_bulk(ArticlePage, ArticlePage.objects.filter(pk__in=new_ids[start : start + 500]))
    return new_ids
