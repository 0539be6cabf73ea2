"""An article's outline: link anchors, table of contents and reading time.

The anchors are computed once per page so that every heading and key point
gets an id that is unique on the page, and the table of contents links to
exactly the ids the blocks render.
"""

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.html import strip_tags
from django.utils.text import slugify
from wagtail.blocks import ChooserBlock, StructBlock

WORDS_PER_MINUTE = 220
# Ids the article template uses itself; a heading called "Contents" must not collide with them.
RESERVED_IDS = frozenset({"main", "contents", "article-title", "related", "article-nav"})
_WORD = re.compile(r"\w+")


def unique_anchors(titles: Iterable[str], taken: set[str] | None = None) -> list[str]:
    """Slugs for `titles`, each unique among themselves and `taken` (which is updated)."""
    taken = set(RESERVED_IDS) if taken is None else taken
    anchors = []
    for title in titles:
        anchor = claim_anchor(slugify(title) or "point", taken)
        anchors.append(anchor)
    return anchors


def heading_anchor(value) -> str:
    """A heading's own fragment id: the editor's anchor, or one made from its text."""
    return value.get("anchor") or slugify(value.get("text") or "") or "section"


def claim_anchor(base: str, taken: set[str]) -> str:
    """Return `base`, or `base-2`, `base-3`... whichever is free, and mark it taken."""
    anchor, counter = base, 2
    while anchor in taken:
        anchor = f"{base}-{counter}"
        counter += 1
    taken.add(anchor)
    return anchor


@dataclass
class TocEntry:
    title: str
    anchor: str
    number: int | None = None
    children: list["TocEntry"] = field(default_factory=list)


@dataclass
class Section:
    """A body block with the anchors it must render (a string, a dict for key points, or None)."""

    block: object
    anchors: object = None


@dataclass
class Outline:
    sections: list[Section]
    entries: list[TocEntry]

    @property
    def anchor_ids(self) -> list[str]:
        ids = []
        for entry in self.entries:
            ids.append(entry.anchor)
            ids.extend(child.anchor for child in entry.children)
        return ids


def build_outline(body) -> Outline:
    """Walk an article body once and assign page-unique anchors to headings and key points."""
    taken = set(RESERVED_IDS)
    sections, entries = [], []
    for child in body:
        if child.block_type == "heading":
            anchor = claim_anchor(heading_anchor(child.value), taken)
            entries.append(TocEntry(child.value["text"], anchor))
            sections.append(Section(child, anchor))
        elif child.block_type == "key_points":
            heading = child.value.get("heading") or ""
            list_anchor = claim_anchor(slugify(heading) or "key-points-list", taken) if heading else ""
            items = child.value["items"]
            item_anchors = unique_anchors((item["title"] for item in items), taken)
            points = [
                TocEntry(item["title"], anchor, number)
                for number, (anchor, item) in enumerate(zip(item_anchors, items, strict=True), start=1)
            ]
            if heading:
                entries.append(TocEntry(heading, list_anchor, children=points))
            elif entries:
                entries[-1].children.extend(points)
            else:
                entries.extend(points)
            sections.append(Section(child, {"heading": list_anchor, "items": item_anchors}))
        else:
            sections.append(Section(child))
    return Outline(sections=sections, entries=entries)


def count_words(*texts: str) -> int:
    return sum(len(_WORD.findall(strip_tags(text or ""))) for text in texts)


def reading_minutes(word_count: int) -> int:
    """Whole minutes to read `word_count` words at a relaxed pace; never less than one."""
    return max(1, math.ceil(word_count / WORDS_PER_MINUTE))


def body_text(body) -> list[str]:
    """The readable text of a StreamField value, block by block.

    Blocks that choose an image or a page are read from their raw text fields:
    decoding them would fetch the chosen objects, a query per article on a list of cards.
    """

    texts = []
    for index, raw in enumerate(getattr(body, "raw_data", None) or []):
        block = body.stream_block.child_blocks.get(raw.get("type"))
        if block is None:
            continue
        if isinstance(block, StructBlock) and any(
            isinstance(child, ChooserBlock) for child in block.child_blocks.values()
        ):
            value = raw.get("value") or {}
            texts += [
                value[name]
                for name, child in block.child_blocks.items()
                if not isinstance(child, ChooserBlock) and isinstance(value.get(name), str) and value[name]
            ]
            continue
        texts += block.get_searchable_content(body[index].value)
    return [str(text) for text in texts]
