"""The site search's query: Wagtail's search index, read so that cost does not grow with content.

Wagtail's database backend (modelsearch) filters PostgreSQL matches with
`(title || body) @@ query`: no GIN index covers that concatenation, so every
search reads and concatenates every entry's vectors, then ranks and counts all
matches. Its SQLite backend ranks title and body alike (one bm25 for both). So
the search page reads the index itself, with the same index entries and lexemes as
the backend, every word required as `Page.objects.search()` requires it:

- PostgreSQL filters with `title @@ q OR body @@ q`, which the title and body
  GIN indexes answer (a bitmap OR); SQLite asks its FTS5 table, as the backend does.
- Order: a match in the title first; then offers and articles, then other pages
  and public objects (a refund policy), then legal and contact pages (TYPE_ORDER); then, on PostgreSQL,
  the title's rank; then the most recently indexed. Nothing ranks body text: a
  body rank reads every match's whole vector and is what made a common word's
  search cost grow with the number of articles.
- Counting stops at MAX_COUNTED: beyond it the page says "more than".

What is searched: live public pages, and live objects of other indexed models
that have a public page of their own (`get_absolute_url`, e.g. a refund policy).
"""

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import BooleanField, CharField, ExpressionWrapper, F, Q, Value
from django.db.models.expressions import Case, RawSQL, When
from django.db.models.functions import Cast
from wagtail.models import DraftStateMixin, Page
from wagtail.search.backends import get_search_backend
from wagtail.search.index import get_indexed_models
from wagtail.search.models import IndexEntry

MAX_COUNTED = 1000
# Lower comes first among title matches, and among body matches. Labels, not imports:
# search depends on no other app of the site.
TYPE_ORDER = {"offers.offerpage": 0, "learn.articlepage": 0, "home.contentpage": 2}
DEFAULT_TYPE_ORDER = 1


def searched_models():
    """Models whose entries may be shown: every page type, and indexed models with a public page."""
    pages = [model for model in get_indexed_models() if issubclass(model, Page)]
    others = [
        model
        for model in get_indexed_models()
        if not issubclass(model, Page) and hasattr(model, "get_absolute_url") and not model._meta.abstract
    ]
    return pages, others


def _as_text(queryset):
    # IndexEntry.object_id is text: compare with the id as text, so the planner can hash-join the ids.
    return queryset.order_by().annotate(id_text=Cast("pk", CharField())).values("id_text")


def visible_entries(visible_pages=None):
    """Index entries of what a visitor may see: live public pages and live public objects."""
    if visible_pages is None:
        visible_pages = Page.objects.live().public()
    page_models, other_models = searched_models()
    page_types = ContentType.objects.get_for_models(*page_models, for_concrete_models=False).values()
    visible = Q(content_type__in=list(page_types), object_id__in=_as_text(visible_pages))
    for model in other_models:
        objects = model._default_manager.all()
        if issubclass(model, DraftStateMixin):
            objects = objects.filter(live=True)
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        visible |= Q(content_type=content_type, object_id__in=_as_text(objects))
    return IndexEntry.objects.filter(visible)


def _type_order():
    whens = []
    for label, order in TYPE_ORDER.items():
        app_label, model = label.split(".")
        try:
            content_type = ContentType.objects.get_by_natural_key(app_label, model)  # cached per process
        except ContentType.DoesNotExist:
            continue
        whens.append(When(content_type=content_type, then=Value(order)))
    return Case(*whens, default=Value(DEFAULT_TYPE_ORDER))


class PostgresMatch:
    def __init__(self, words):
        from django.contrib.postgres.search import SearchQuery, SearchRank
        from modelsearch.backends.database.postgres.query import Lexeme

        lexemes = Lexeme(words[0])
        for word in words[1:]:
            lexemes &= Lexeme(word)
        self.query = SearchQuery(lexemes, search_type="raw", config=get_search_backend().config)
        self.title_rank = SearchRank(F("title"), self.query) * F("title_norm")

    def filter(self, entries):
        return entries.filter(Q(title=self.query) | Q(body=self.query))

    def ordered(self, entries):
        in_title = ExpressionWrapper(Q(title=self.query), output_field=BooleanField())
        entries = entries.annotate(in_title=in_title, type_order=_type_order(), title_rank=self.title_rank)
        return entries.order_by("-in_title", "type_order", "-title_rank", "-pk")


class SQLiteMatch:
    """FTS5 MATCH on the table Wagtail keeps beside the index entries (its rowid is the entry's id)."""

    def __init__(self, words):
        every_word = " AND ".join(f'"{word}"' for word in words)  # words are \w+: nothing to escape
        self.anywhere = f"{{title body}} : ({every_word})"
        self.title = f"title : ({every_word})"

    @staticmethod
    def _ids(match):
        return RawSQL(
            "SELECT rowid FROM wagtailsearch_indexentry_fts WHERE wagtailsearch_indexentry_fts MATCH %s", [match]
        )

    def filter(self, entries):
        return entries.filter(pk__in=self._ids(self.anywhere))

    def ordered(self, entries):
        in_title = ExpressionWrapper(Q(pk__in=self._ids(self.title)), output_field=BooleanField())
        entries = entries.annotate(in_title=in_title, type_order=_type_order())
        return entries.order_by("-in_title", "type_order", "-pk")


class SiteSearch:
    """The matches for some words, sliced and counted like a list (Django's Paginator takes it as one)."""

    def __init__(self, terms: str, visible_pages=None):
        """visible_pages: the live public pages, when the caller has them (public() reads restrictions)."""
        self.words = terms.split()
        self.visible_pages = visible_pages
        match_class = PostgresMatch if connection.vendor == "postgresql" else SQLiteMatch
        self.match = match_class(self.words) if self.words else None
        self.more_than = None

    def entries(self):
        if self.match is None:
            return IndexEntry.objects.none()
        if self.visible_pages is None:
            self.visible_pages = Page.objects.live().public()
        return self.match.filter(visible_entries(self.visible_pages))

    def count(self) -> int:
        """How many match, at most MAX_COUNTED; `more_than` is that limit when more match."""
        limit = MAX_COUNTED
        found = self.entries()[: limit + 1].count()
        self.more_than = limit if found > limit else None
        return min(found, limit)

    def __len__(self):
        return self.count()

    def __getitem__(self, window):
        if self.match is None:
            return []
        rows = list(self.match.ordered(self.entries()).values_list("content_type_id", "object_id")[window])
        return load_objects(rows)


def load_objects(rows):
    """The pages and objects behind index entries, in the entries' order: one query per type shown."""
    by_type = {}
    for content_type_id, object_id in rows:
        by_type.setdefault(content_type_id, []).append(object_id)
    found = {}
    for content_type_id, object_ids in by_type.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None:
            continue
        for obj in model._default_manager.filter(pk__in=object_ids):
            found[content_type_id, str(obj.pk)] = obj
    return [found[row] for row in rows if row in found]
