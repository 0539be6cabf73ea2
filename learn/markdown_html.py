"""Markdown syntax-tree nodes as Wagtail rich text HTML, escaping every text from the file (learn.importer).

Only tags written here become markup; links keep only the schemes in ALLOWED_LINK_SCHEMES.
"""

import html
import re
from dataclasses import dataclass

ALLOWED_LINK_SCHEMES = ("http://", "https://", "mailto:")


@dataclass
class Text:
    content: str
    type: str = "text"
    children: tuple = ()


# --- Rich text HTML ---------------------------------------------------------------


def render_block(node, article):
    """Wagtail rich text for one Markdown block: <p>, <ul>/<ol> with <li>, inline markup."""
    if node.type == "paragraph":
        content = render_inline(node.children[0].children, article).strip()
        return f"<p>{content}</p>" if content else ""
    if node.type in ("bullet_list", "ordered_list"):
        tag = "ul" if node.type == "bullet_list" else "ol"
        items = "".join(f"<li>{_render_list_item(item, article)}</li>" for item in node.children)
        return f"<{tag}>{items}</{tag}>"
    if node.type == "heading":
        # Headings inside a list or quote can't be sections; keep their words, in bold.
        content = render_inline(node.children[0].children, article).strip()
        return f"<p><b>{content}</b></p>" if content else ""
    if node.type == "fence":
        return _code_paragraph(node.content)
    if node.type == "blockquote":
        return "".join(render_block(child, article) for child in node.children)
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
            lines.append(render_inline(child.children[0].children, article).strip())
        elif child.type in ("bullet_list", "ordered_list"):
            nested.append(render_block(child, article))
        elif child.type == "fence":
            lines.append(_code_inline(child.content))
        elif child.type in ("heading", "blockquote"):
            lines.append(re.sub(r"</?p>", "", render_block(child, article)))
        else:
            render_block(child, article)  # a table or a rule: noted as left out
    return "<br/>".join(line for line in lines if line) + "".join(nested)


def _code_paragraph(code):
    return f"<p>{_code_inline(code)}</p>"


def _code_inline(code):
    return "<br/>".join(f"<code>{html.escape(line, quote=False)}</code>" for line in code.rstrip("\n").split("\n"))


def render_inline(nodes, article):
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
            parts.append(f"<b>{render_inline(node.children, article)}</b>")
        elif kind == "em":
            parts.append(f"<i>{render_inline(node.children, article)}</i>")
        elif kind == "link":
            text = render_inline(node.children, article)
            href = (node.attrs.get("href") or "").strip()
            if href.lower().startswith(ALLOWED_LINK_SCHEMES):
                parts.append(f'<a href="{html.escape(href, quote=True)}">{text}</a>')
            else:
                parts.append(text)
                article.notes.append(
                    f"Kept the text of a link to {href!r} but not the link (only web and email links)."
                )
        elif kind == "image":
            alt = plain_text(node.children)
            article.notes.append(
                f"Left out the image {alt or node.attrs.get('src', '')!r}: add images from the image library."
            )
    return "".join(parts)


def plain_text(nodes):
    parts = []
    for node in nodes:
        if node.type in ("text", "code_inline"):
            parts.append(node.content)
        elif node.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif node.type != "image":
            parts.append(plain_text(node.children))
    return "".join(parts)
