"""Save an explainer parsed by `learn.importer` as an ArticlePage draft, or as a new revision.

Shared by the `import_article` command and the admin upload form, so both refuse and
report the same way. Nothing is published unless asked.
"""

import html
import logging
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils.html import strip_tags
from django.utils.text import slugify
from taggit.models import Tag
from wagtail.log_actions import log
from wagtail.models import Page, Site

from .importer import Code, Heading, ImportedArticle, ImportRefused, KeyPoints, Quote, RichText, Table, parse_article
from .models import ArticlePage, LearnIndexPage

logger = logging.getLogger(__name__)

HEADING_MAX_LENGTH = 120
AUTHOR_MAX_LENGTH = ArticlePage._meta.get_field("author").max_length
TOPIC_MAX_LENGTH = Tag._meta.get_field("name").max_length
QUOTE_MAX_LENGTH = 600
CODE_LANGUAGES = {
    "text": "text",
    "txt": "text",
    "plain": "text",
    "shell": "shell",
    "sh": "shell",
    "bash": "shell",
    "zsh": "shell",
    "console": "shell",
    "terminal": "shell",
    "python": "python",
    "py": "python",
    "javascript": "javascript",
    "js": "javascript",
    "html": "html",
    "css": "css",
    "sql": "sql",
    "json": "json",
}


class TitleTaken(ImportRefused):
    """An article with the file's title is already under the parent, and no update was asked for."""


@dataclass
class ImportResult:
    page: ArticlePage
    parent: Page
    article: ImportedArticle
    created: bool
    published: bool

    @property
    def key_point_count(self):
        return self.article.key_point_count

    @property
    def sections(self):
        return self.article.sections

    def summary(self) -> str:
        """What the import made, in the words an editor uses."""
        if self.created:
            action = "Published" if self.published else "Created a draft of"
        else:
            action = "Published a new version of" if self.published else "Saved a new draft version of"
        points = f"{self.key_point_count} key point{'s' if self.key_point_count != 1 else ''}"
        count = len(self.sections)
        sections = f"{count} section{'s' if count != 1 else ''}"
        if self.sections:
            sections += " (" + ", ".join(self.sections) + ")"
        made = [points, sections]
        tables = self.article.table_count
        if tables:
            made.append(f"{tables} table{'s' if tables != 1 else ''}")
        about = []
        if self.page.author:
            about.append(f"by {self.page.author}")
        topics = sorted((topic.name for topic in self.page.topics.all()), key=str.casefold)
        if topics:
            about.append("topics: " + ", ".join(topics))
        about = f" ({'; '.join(about)})" if about else ""
        return f"{action} “{self.page.title}”{about} under “{self.parent.title}”: {', '.join(made)}."


def default_parent() -> LearnIndexPage:
    """The learn index of the default site (or the only one there is)."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    indexes = LearnIndexPage.objects.all()
    parent = (indexes.descendant_of(site.root_page, inclusive=True).first() if site else None) or indexes.first()
    if parent is None:
        raise ImportRefused("There is no learn index to import into. Create the Learn page first.")
    return parent


def find_parent(url_path: str) -> Page:
    """The page at a site URL path such as `/learn/`, on the default site."""
    path = "/" + url_path.strip().strip("/") + "/" if url_path.strip().strip("/") else "/"
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    pages = Page.objects.filter(depth__gt=1)
    page = pages.filter(url_path=site.root_page.url_path.rstrip("/") + path).first() if site else None
    page = page or pages.filter(url_path=path).first()
    if page is None:
        raise ImportRefused(f"There is no page at {path}.")
    return page.specific


def import_article(
    data: bytes,
    parent: Page | None = None,
    *,
    user=None,
    update=False,
    publish=False,
    author: str | None = None,
    topics: list[str] | None = None,
) -> ImportResult:
    """Import file bytes as an article under `parent` (the learn index by default).

    Refuses (ImportRefused) bad files, parents that can't hold articles, and a title
    already used under the parent unless `update`, which then saves a new revision of
    that article. With `user`, also refuses (PermissionDenied) what that user couldn't
    do in the page editor. `author` and `topics`, when given, replace the article's
    (an update without them keeps what the article has).
    """
    parent = (parent or default_parent()).specific
    if not ArticlePage.can_exist_under(parent):
        raise ImportRefused(f"Articles can't be added under “{parent.title}”. Choose the learn index.")
    author = _clean_author(author)
    topics = None if topics is None else topic_names(topics)
    article = parse_article(data)
    intro, body = article.intro, body_stream_data(article)
    about = {"author": author, "topics": topics}

    with transaction.atomic():
        existing = _article_titled(parent, article.title)
        if existing and not update:
            raise TitleTaken(
                f"An article titled “{existing.draft_title or existing.title}” already exists under “{parent.title}”."
            )
        if existing:
            page = _new_revision(existing, article, intro, body, about, user=user, publish=publish)
        else:
            page = _new_page(parent, article, intro, body, about, user=user, publish=publish)

    result = ImportResult(page=page, parent=parent, article=article, created=existing is None, published=publish)
    logger.info(
        "article imported",
        extra={"page": page.pk, "new_page": result.created, "published": publish, "key_points": result.key_point_count},
    )
    return result


def body_stream_data(article: ImportedArticle) -> list[dict]:
    """The article body as ArticlePage StreamField data, valid for the editor's own checks."""
    stream = []
    for block in article.body:
        if isinstance(block, Heading):
            if len(block.text) > HEADING_MAX_LENGTH:
                article.notes.append(
                    f"The heading “{block.text[:40]}…” is too long for a section; kept it as bold text."
                )
                stream.append(_block("paragraph", f"<p><b>{html.escape(block.text)}</b></p>"))
            else:
                anchor = "" if slugify(block.text) else f"section-{len(stream) + 1}"
                stream.append(_block("heading", {"text": block.text, "anchor": anchor}))
        elif isinstance(block, RichText):
            stream.append(_block("paragraph", block.html))
        elif isinstance(block, KeyPoints):
            _refuse_repeated_titles(block)
            items = [{"title": item.title, "body": item.body} for item in block.items]
            stream.append(_block("key_points", {"heading": "", "items": items}))
        elif isinstance(block, Code):
            language = CODE_LANGUAGES.get(block.language.lower(), "text")
            stream.append(_block("code", {"language": language, "code": block.text, "caption": ""}))
        elif isinstance(block, Quote):
            text = html.unescape(strip_tags(block.html.replace("</p><p>", "\n\n"))).strip()
            if len(text) <= QUOTE_MAX_LENGTH:
                stream.append(_block("quote", {"text": text, "attribution": "", "source": ""}))
            else:
                stream.append(_block("paragraph", block.html))
        elif isinstance(block, Table):
            stream.append(_block("table", _table_value(block)))
    return stream


def _table_value(table: Table) -> dict:
    """TypedTableBlock data: every column holds text (rich text, inline markup only)."""
    width = len(table.headings)
    return {
        "caption": table.caption,
        "columns": [{"type": "text", "heading": heading} for heading in table.headings],
        "rows": [
            {"values": [f"<p>{cell}</p>" if cell else "" for cell in (list(row) + [""] * width)[:width]]}
            for row in table.rows
        ],
    }


def _clean_author(author):
    if author is None:
        return None
    author = " ".join(author.split())
    if len(author) > AUTHOR_MAX_LENGTH:
        raise ImportRefused(f"The author's name is {len(author)} characters long; at most {AUTHOR_MAX_LENGTH} fit.")
    return author


def topic_names(names) -> list[str]:
    """Topic names without repeats, spelled as an existing topic when one matches whatever the case."""
    wanted = {}
    for name in names:
        name = " ".join(str(name).split())
        if not name:
            continue
        if len(name) > TOPIC_MAX_LENGTH:
            raise ImportRefused(f"The topic “{name[:40]}…” is too long; at most {TOPIC_MAX_LENGTH} characters.")
        wanted.setdefault(name.casefold(), name)
    if not wanted:
        return []
    matching = Q()
    for name in wanted.values():
        matching |= Q(name__iexact=name)
    existing = {}
    for name in Tag.objects.filter(matching).order_by("pk").values_list("name", flat=True):
        existing.setdefault(name.casefold(), name)
    return [existing.get(key, name) for key, name in wanted.items()]


def _set_about(page, about):
    if about["author"] is not None:
        page.author = about["author"]
    if about["topics"] is not None:
        page.topics.set(about["topics"])


def _block(block_type, value):
    return {"type": block_type, "value": value}


def _refuse_repeated_titles(block):
    seen = {}
    for number, item in enumerate(block.items, start=1):
        key = item.title.casefold()
        if key in seen:
            raise ImportRefused(
                f"Key points {seen[key]} and {number} have the same title, “{item.title}”. Give each point its own title."
            )
        seen[key] = number


def _article_titled(parent, title):
    matches = Page.objects.child_of(parent).filter(Q(title__iexact=title) | Q(draft_title__iexact=title))
    page = matches.order_by("pk").first()
    if page is None:
        return None
    if not isinstance(page.specific, ArticlePage):
        raise ImportRefused(f"The page “{page.title}” under “{parent.title}” isn't an article; rename one of them.")
    return page.specific


def _new_page(parent, article, intro, body, about, *, user, publish):
    if user is not None and not parent.permissions_for_user(user).can_add_subpage():
        raise PermissionDenied
    if user is not None and publish and not parent.permissions_for_user(user).can_publish_subpage():
        raise PermissionDenied
    page = ArticlePage(
        title=article.title,
        slug=_free_slug(parent, article.title),
        intro=intro,
        body=body,
        live=False,
        owner=user,
    )
    _set_about(page, about)
    parent.add_child(instance=page)
    revision = page.save_revision(user=user, log_action=False)
    log(instance=page, action="wagtail.create", user=user, revision=revision, content_changed=True)
    if publish:
        revision.publish(user=user)
        page.refresh_from_db()
    return page


def _new_revision(existing, article, intro, body, about, *, user, publish):
    if user is not None:
        permissions = existing.permissions_for_user(user)
        if not permissions.can_edit() or (publish and not permissions.can_publish()):
            raise PermissionDenied
        lock = existing.get_lock()
        if lock and lock.for_user(user):
            raise ImportRefused(f"“{existing.title}” is locked, so it can't be updated now.")
    page = existing.get_latest_revision_as_object()
    page.title = article.title
    page.intro = intro
    page.body = body
    _set_about(page, about)
    revision = page.save_revision(user=user, log_action=True)
    if publish:
        revision.publish(user=user)
    page.refresh_from_db()
    return page


def _free_slug(parent, title):
    base = slugify(title)[:200] or "article"
    taken = set(Page.objects.child_of(parent).filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug = f"{base}-{number}"
        number += 1
    return slug
