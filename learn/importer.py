"""Turn an explainer written elsewhere (Markdown or plain text) into an article.

`parse_article()` is pure: file bytes in, an `ImportedArticle` (title, intro HTML,
body blocks) out; `learn.article_import` writes that as an `ArticlePage`. The HTML
produced is Wagtail's rich text storage format and only ever holds tags this module
writes itself: text from the file is always escaped, so raw HTML in the input stays
visible text and never becomes markup (the notes say so, for the editor to tidy up).

What the article cannot hold (images, tables inside lists or quotes, rules) is left
out and named in `notes`, which the command and the admin form report.
"""

import html
import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

MAX_BYTES = 1024 * 1024
TITLE_MAX_LENGTH = 255
KEY_POINT_TITLE_MAX_LENGTH = 120
ALLOWED_LINK_SCHEMES = ("http://", "https://", "mailto:")

_ATX_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TITLE_SEPARATORS = " \t:.-\u2013\u2014"
# Pandoc's table caption: a paragraph starting "Table:" (or ":") right before or after the table.
_TABLE_CAPTION = re.compile(r"^(?:Table)?:\s*(.+)$", re.S)
_HTML_TAG = re.compile(r"<\s*(/?\s*[a-zA-Z][a-zA-Z0-9-]*)")


class ImportRefused(Exception):
    """The file can't be imported; the message tells the editor why and what to do."""


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class RichText:
    """Paragraphs and lists, as Wagtail rich text HTML."""

    html: str


@dataclass(frozen=True)
class KeyPoint:
    title: str
    body: str


@dataclass(frozen=True)
class KeyPoints:
    items: tuple[KeyPoint, ...]


@dataclass(frozen=True)
class Code:
    text: str
    language: str = ""


@dataclass(frozen=True)
class Quote:
    html: str


@dataclass(frozen=True)
class Table:
    """A Markdown table: plain-text column headings, each cell as inline rich text HTML."""

    headings: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""


@dataclass
class ImportedArticle:
    title: str
    intro: str = ""
    body: list = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def key_point_count(self):
        return sum(len(block.items) for block in self.body if isinstance(block, KeyPoints))

    @property
    def sections(self):
        return [block.text for block in self.body if isinstance(block, Heading)]

    @property
    def table_count(self):
        return sum(isinstance(block, Table) for block in self.body)


# --- Reading the file -------------------------------------------------------------


def decode(data: bytes) -> str:
    """Return the file's text with Unix line endings, or refuse what isn't UTF-8 text."""
    if len(data) > MAX_BYTES:
        raise ImportRefused(f"The file is {len(data) / 1024 / 1024:.1f} MB; files over 1 MB can't be imported.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportRefused("The file is saved as UTF-16. Save it as UTF-8 text and import it again.")
    if b"\x00" in data[:8192]:
        raise ImportRefused("This is a binary file, not text. Import a Markdown (.md) or plain text (.txt) file.")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ImportRefused(
            f"The file isn't UTF-8 text (unreadable byte at position {error.start}). "
            "Save it as UTF-8 and import it again."
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL_CHARS.sub("", text)
    if not text.strip():
        raise ImportRefused("The file is empty.")
    return text


def parse_article(data: bytes) -> ImportedArticle:
    """Read file bytes as an article; raises ImportRefused for input that can't be one."""
    return parse_text(decode(data))


def parse_text(text: str) -> ImportedArticle:
    """The first non-empty line is the title, the paragraphs after it the intro, the rest the body."""
    title_source, rest = _split_title(text.lstrip("\ufeff"))
    title = _plain_text(SyntaxTreeNode(_markdown().parseInline(title_source)).children[0].children).strip()
    title = title.lstrip("#").strip() or title
    if not title:
        raise ImportRefused("The first line of the file has no text to use as the title.")
    if len(title) > TITLE_MAX_LENGTH:
        raise ImportRefused(
            f"The first line is {len(title)} characters long, too long for a title (at most {TITLE_MAX_LENGTH}). "
            "Put the title on a line of its own at the top of the file."
        )

    article = ImportedArticle(title=title)
    nodes = SyntaxTreeNode(_markdown().parse(rest)).children
    intro_count = 0
    while intro_count < len(nodes) and nodes[intro_count].type == "paragraph":
        intro_count += 1
    if intro_count == len(nodes) and intro_count > 1:
        # A file of paragraphs only: the first one introduces, the others are the body.
        intro_count = 1
    while intro_count and _caption_of(nodes, intro_count - 1) is not None:
        intro_count -= 1  # the paragraph names the table after it
    article.intro = "".join(_render_block(node, article) for node in nodes[:intro_count])
    article.body = _body_blocks(nodes[intro_count:], article)
    _note_html(rest, article)
    article.notes = list(dict.fromkeys(article.notes))
    return article


def _markdown():
    # Indented code blocks are off: in text written elsewhere, indentation is layout
    # (a key point's explanation, a quoted email), not code. Fenced code still works.
    # Tables are GitHub's pipe tables.
    md = MarkdownIt("commonmark", {"html": False}).disable("code").enable("table")
    # Accept every link at parse time so a refused scheme keeps its link text;
    # _render_inline decides which links become markup.
    md.validateLink = lambda url: True
    return md


def _split_title(text):
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        following = lines[index + 1 :]
        heading = _ATX_HEADING.match(line)
        if heading:
            return heading.group(1) or "", "\n".join(following)
        if following and _SETEXT_UNDERLINE.match(following[0]):
            following = following[1:]
        return line.strip(), "\n".join(following)
    raise ImportRefused("The file is empty.")


# --- Body blocks --------------------------------------------------------------------


def _body_blocks(nodes, article):
    blocks = []
    pending_html = []
    captions = set()  # indexes of the paragraphs that tables took as their captions

    def flush():
        if pending_html:
            blocks.append(RichText("".join(pending_html)))
            pending_html.clear()

    index = 0
    while index < len(nodes):
        node = nodes[index]
        if node.type == "heading":
            flush()
            text = _plain_text(node.children[0].children).strip()
            if text:
                blocks.append(Heading(text))
        elif node.type == "ordered_list" and (found := _key_points(nodes, index, article)):
            flush()
            items, index = found
            blocks.append(KeyPoints(tuple(items)))
            continue
        elif node.type == "fence":
            flush()
            language = (node.info or "").split(maxsplit=1)[0] if node.info else ""
            blocks.append(Code(node.content.rstrip("\n"), language[:40]))
        elif node.type == "blockquote":
            flush()
            quote = "".join(_render_block(child, article) for child in node.children)
            if quote:
                blocks.append(Quote(quote))
        elif node.type == "table":
            flush()
            # The caption line above the table, else the one below (one between two tables is the first's).
            caption_index = next(
                (i for i in (index - 1, index + 1) if i not in captions and _caption_of(nodes, i) is not None), None
            )
            if caption_index is not None:
                captions.add(caption_index)
            caption = _caption_of(nodes, caption_index) if caption_index is not None else ""
            blocks.append(_table(node, caption, article))
        elif index in captions or (_caption_of(nodes, index) is not None and _starts_at_table(nodes, index + 1)):
            pass  # a table's caption, taken by the table
        else:
            pending_html.append(_render_block(node, article))
        index += 1
    flush()
    return blocks


def _starts_at_table(nodes, index):
    return 0 <= index < len(nodes) and nodes[index].type == "table"


def _caption_of(nodes, index):
    """The caption text if nodes[index] is a "Table: ..." paragraph next to a table, else None."""
    if not 0 <= index < len(nodes) or nodes[index].type != "paragraph":
        return None
    beside = [nodes[i].type for i in (index - 1, index + 1) if 0 <= i < len(nodes)]
    if "table" not in beside:
        return None
    found = _TABLE_CAPTION.match(_plain_text(nodes[index].children[0].children).strip())
    return found.group(1).strip() if found else None


def _table(node, caption, article):
    head = next((child for child in node.children if child.type == "thead"), None)
    body = next((child for child in node.children if child.type == "tbody"), None)
    header_cells = head.children[0].children if head and head.children else []
    headings = tuple(_plain_text(cell.children[0].children).strip() for cell in header_cells)
    rows = tuple(
        tuple(_render_inline(cell.children[0].children, article).strip() for cell in row.children)
        for row in (body.children if body else [])
    )
    if not caption:
        article.notes.append(
            f"The table with the columns {', '.join(headings)} has no caption: add one in the editor, "
            "so readers (and screen readers) know what it shows."
        )
    return Table(headings=headings, rows=rows, caption=caption)


def _note_html(text, article):
    """Names the HTML tags in the file: kept as visible text, so the editor knows to tidy them up."""
    tags = []
    for token in MarkdownIt("commonmark", {"html": True}).enable("table").parse(text):
        for part in [token, *(token.children or [])]:
            if part.type in ("html_block", "html_inline"):
                tags += [f"<{name.strip('/ ').lower()}>" for name in _HTML_TAG.findall(part.content)]
    if tags:
        article.notes.append(
            "The file contains HTML ("
            + ", ".join(dict.fromkeys(tags))
            + "); it is shown as text, not used as markup: remove it or rebuild it with the editor's blocks."
        )


def _key_points(nodes, index, article):
    """The key points starting at nodes[index], and the index after them; None if it's a plain list.

    Every item of the numbered list needs a title and text. In plain text the text of the
    last item may follow unindented after a blank line, which ends the Markdown list; the
    next numbered list then continues the numbering, so those are joined back together.
    """
    items = []
    expected_start = None
    while index < len(nodes) and nodes[index].type == "ordered_list":
        node = nodes[index]
        start = int(node.attrs.get("start", 1))
        if expected_start is not None and start != expected_start:
            break
        parsed = [_key_point(item, article) for item in node.children]
        if any(point is None for point in parsed) or any(not body for _title, body in parsed[:-1]):
            break
        after = index + 1
        title, body = parsed[-1]
        if not body:
            # A title with no text yet: its text is what follows the list, up to the next
            # number; after the last number, only the first paragraph (and its bullets).
            end = after
            while end < len(nodes) and nodes[end].type in ("paragraph", "bullet_list"):
                end += 1
            continues = end < len(nodes) and _starts_at(nodes[end], start + len(parsed))
            if not continues and end > after:
                end = after + 1
                if end < len(nodes) and nodes[end].type == "bullet_list":
                    end += 1
            if end == after:
                break
            parsed[-1] = (title, "".join(_render_block(node, article) for node in nodes[after:end]))
            after = end
        items.extend(KeyPoint(title, body) for title, body in parsed)
        expected_start = start + len(parsed)
        index = after
    return (items, index) if items else None


def _starts_at(node, number):
    return node.type == "ordered_list" and int(node.attrs.get("start", 1)) == number


def _key_point(item, article):
    """(title, body HTML) for a list item that starts with a title, else None.

    Body may be empty when the title ends with a colon and nothing follows inside the item.
    """
    children = item.children
    if not children or children[0].type != "paragraph":
        return None
    inline = children[0].children[0].children
    rest_blocks = children[1:]
    first_line, rest_line = _split_at_softbreak(inline)
    leading = [node for node in first_line if not (node.type == "text" and not node.content.strip())]

    if leading and leading[0].type == "strong":
        # `1. **Title** text` or `1. **Title:** text`
        title = _plain_text(leading[0].children)
        after = first_line[next(i for i, node in enumerate(first_line) if node is leading[0]) + 1 :]
        body_inline = _strip_leading_separators(
            after + (_softbreak_as_space() if after and rest_line else []) + rest_line
        )
    elif _plain_text(first_line).rstrip().endswith(":"):
        # `1. Server-side languages:` with the explanation below
        title = _plain_text(first_line)
        body_inline = rest_line
    elif not rest_line and rest_blocks:
        # `1. A title line` with its explanation in paragraphs indented below
        title = _plain_text(first_line)
        body_inline = []
    else:
        return None

    title = title.strip().rstrip(_TITLE_SEPARATORS).strip()
    if not title or len(title) > KEY_POINT_TITLE_MAX_LENGTH:
        return None
    body = ""
    if _plain_text(body_inline).strip():
        body += f"<p>{_render_inline(body_inline, article).strip()}</p>"
    body += "".join(_render_block(node, article) for node in rest_blocks)
    return title, body


def _split_at_softbreak(inline):
    for position, node in enumerate(inline):
        if node.type == "softbreak":
            return inline[:position], inline[position + 1 :]
    return list(inline), []


def _softbreak_as_space():
    return [_Text(" ")]


def _strip_leading_separators(inline):
    inline = list(inline)
    while inline and inline[0].type == "text":
        stripped = inline[0].content.lstrip(_TITLE_SEPARATORS)
        if stripped:
            inline[0] = _Text(stripped)
            break
        inline.pop(0)
    return inline


@dataclass
class _Text:
    content: str
    type: str = "text"
    children: tuple = ()


# --- Rich text HTML ---------------------------------------------------------------


def _render_block(node, article):
    """Wagtail rich text for one Markdown block: <p>, <ul>/<ol> with <li>, inline markup."""
    if node.type == "paragraph":
        content = _render_inline(node.children[0].children, article).strip()
        return f"<p>{content}</p>" if content else ""
    if node.type in ("bullet_list", "ordered_list"):
        tag = "ul" if node.type == "bullet_list" else "ol"
        items = "".join(f"<li>{_render_list_item(item, article)}</li>" for item in node.children)
        return f"<{tag}>{items}</{tag}>"
    if node.type == "heading":
        # Headings inside a list or quote can't be sections; keep their words, in bold.
        content = _render_inline(node.children[0].children, article).strip()
        return f"<p><b>{content}</b></p>" if content else ""
    if node.type == "fence":
        return _code_paragraph(node.content)
    if node.type == "blockquote":
        return "".join(_render_block(child, article) for child in node.children)
    if node.type == "table":
        article.notes.append("Left out a table inside a list or quote: only tables on their own become tables.")
    elif node.type == "hr":
        article.notes.append("Left out horizontal rules: section headings divide the article instead.")
    return ""


def _render_list_item(item, article):
    # Draftail keeps one line of text per list item, nested lists below it: paragraphs
    # within an item become line breaks rather than <p>, which would end the list.
    lines = []
    nested = []
    for child in item.children:
        if child.type == "paragraph":
            lines.append(_render_inline(child.children[0].children, article).strip())
        elif child.type in ("bullet_list", "ordered_list"):
            nested.append(_render_block(child, article))
        elif child.type == "fence":
            lines.append(_code_inline(child.content))
        elif child.type in ("heading", "blockquote"):
            lines.append(re.sub(r"</?p>", "", _render_block(child, article)))
        else:
            _render_block(child, article)  # a table or a rule: noted as left out
    return "<br/>".join(line for line in lines if line) + "".join(nested)


def _code_paragraph(code):
    return f"<p>{_code_inline(code)}</p>"


def _code_inline(code):
    return "<br/>".join(f"<code>{html.escape(line, quote=False)}</code>" for line in code.rstrip("\n").split("\n"))


def _render_inline(nodes, article):
    parts = []
    for node in nodes:
        kind = node.type
        if kind == "text":
            parts.append(html.escape(node.content, quote=False))
        elif kind == "softbreak":
            parts.append(" ")
        elif kind == "hardbreak":
            parts.append("<br/>")
        elif kind == "code_inline":
            parts.append(f"<code>{html.escape(node.content, quote=False)}</code>")
        elif kind == "strong":
            parts.append(f"<b>{_render_inline(node.children, article)}</b>")
        elif kind == "em":
            parts.append(f"<i>{_render_inline(node.children, article)}</i>")
        elif kind == "link":
            text = _render_inline(node.children, article)
            href = (node.attrs.get("href") or "").strip()
            if href.lower().startswith(ALLOWED_LINK_SCHEMES):
                parts.append(f'<a href="{html.escape(href, quote=True)}">{text}</a>')
            else:
                parts.append(text)
                article.notes.append(
                    f"Kept the text of a link to {href!r} but not the link (only web and email links)."
                )
        elif kind == "image":
            alt = _plain_text(node.children)
            article.notes.append(
                f"Left out the image {alt or node.attrs.get('src', '')!r}: add images from the image library."
            )
    return "".join(parts)


def _plain_text(nodes):
    parts = []
    for node in nodes:
        if node.type in ("text", "code_inline"):
            parts.append(node.content)
        elif node.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif node.type != "image":
            parts.append(_plain_text(node.children))
    return "".join(parts)
