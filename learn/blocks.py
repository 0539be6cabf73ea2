"""StreamField blocks for explainer articles.

Block names and child names are a contract: the article importer and the
offers app build bodies with them (heading, paragraph, key_points, callout,
quote, image, code, table).
"""

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.forms.utils import ErrorList
from django.utils.text import slugify
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.contrib.typed_table_block.blocks import TypedTableBlock
from wagtail.images.blocks import ImageChooserBlock

from offers.blocks import OfferCTABlock

from .toc import heading_anchor, unique_anchors

PREVIEW_TEMPLATE = "learn/block_preview.html"
INLINE_FEATURES = ["bold", "italic", "link", "code"]
PARAGRAPH_FEATURES = ["bold", "italic", "link", "code", "ol", "ul", "h3", "h4"]


class HeadingValue(blocks.StructValue):
    def anchor_id(self):
        return heading_anchor(self)


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=120, label="Heading")
    anchor = blocks.CharBlock(
        required=False,
        max_length=60,
        help_text="Optional link name for this section (e.g. 'costs' gives …#costs). Made from the heading if empty.",
    )

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        # The article passes a page-wide unique anchor; a preview falls back to the block's own.
        anchor = (parent_context or {}).get("anchors")
        context["anchor"] = anchor if isinstance(anchor, str) and anchor else value.anchor_id()
        return context

    def clean(self, value):
        value = super().clean(value)
        anchor = value.get("anchor")
        if anchor:
            try:
                validate_slug(anchor)
            except ValidationError:
                raise StructBlockValidationError(
                    block_errors={"anchor": ValidationError("Use only letters, numbers, hyphens and underscores.")}
                ) from None
        elif not slugify(value.get("text", "")):
            raise StructBlockValidationError(
                block_errors={"anchor": ValidationError("This heading has no letters to link to: give it an anchor.")}
            )
        return value

    class Meta:
        template = "blocks/heading_block.html"
        preview_template = PREVIEW_TEMPLATE
        icon = "title"
        label = "Section heading"
        value_class = HeadingValue
        preview_value = {"text": "How the pieces fit together", "anchor": ""}
        description = "A section heading. It appears in the article's table of contents."


class ParagraphBlock(blocks.RichTextBlock):
    class Meta:
        template = "blocks/paragraph_block.html"
        preview_template = PREVIEW_TEMPLATE
        icon = "pilcrow"
        label = "Paragraph"
        features = PARAGRAPH_FEATURES
        preview_value = (
            "<p>A web server receives a request, runs some code and sends back a page. "
            "Everything else is detail about <b>how</b> it does that well.</p>"
        )
        description = "Running text with links, emphasis and short lists."


class KeyPointBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=120)
    body = blocks.RichTextBlock(features=INLINE_FEATURES + ["ol", "ul"])

    class Meta:
        icon = "list-ol"
        label = "Key point"


class KeyPointsValue(blocks.StructValue):
    def anchors(self):
        """Fragment ids for each item, unique within this list (the page makes them unique page-wide)."""
        return unique_anchors(item["title"] for item in self.get("items", []))


class KeyPointsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(required=False, max_length=120, help_text="Optional title above the numbered list.")
    items = blocks.ListBlock(KeyPointBlock(), min_num=1, label="Points")

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        # The article passes page-wide unique anchors; a preview or another page falls back to local ones.
        anchors = (parent_context or {}).get("anchors")
        if not isinstance(anchors, dict) or len(anchors.get("items", [])) != len(value["items"]):
            anchors = {"heading": slugify(value.get("heading") or ""), "items": value.anchors()}
        context["heading_anchor"] = anchors["heading"]
        context["points"] = [
            {"number": number, "anchor": anchor, "title": item["title"], "body": item["body"]}
            for number, (anchor, item) in enumerate(zip(anchors["items"], value["items"], strict=True), start=1)
        ]
        return context

    def clean(self, value):
        value = super().clean(value)
        seen = {}
        for index, item in enumerate(value["items"]):
            key = item["title"].strip().casefold()
            if key in seen:
                raise StructBlockValidationError(
                    non_block_errors=ErrorList(
                        [
                            f"Points {seen[key] + 1} and {index + 1} have the same title; readers could not tell them apart."
                        ]
                    )
                )
            seen[key] = index
        return value

    class Meta:
        template = "blocks/key_points_block.html"
        preview_template = PREVIEW_TEMPLATE
        icon = "list-ol"
        label = "Key points (numbered)"
        value_class = KeyPointsValue
        preview_value = {
            "heading": "Three things to check",
            "items": [
                {"title": "Speed", "body": "<p>Pages should load in under two seconds on a phone.</p>"},
                {"title": "Clarity", "body": "<p>Each page answers one question in plain words.</p>"},
                {"title": "Ownership", "body": "<p>You hold the domain, the code and the content.</p>"},
            ],
        }
        description = "A numbered list of points, each with a title and a short text. Every point gets its own link."


class CalloutBlock(blocks.StructBlock):
    tone = blocks.ChoiceBlock(
        choices=[("note", "Note"), ("tip", "Tip"), ("warning", "Warning")],
        default="note",
    )
    title = blocks.CharBlock(required=False, max_length=80)
    body = blocks.RichTextBlock(features=INLINE_FEATURES + ["ul"])

    def clean(self, value):
        value = super().clean(value)
        if value.get("tone") == "warning" and not value.get("title"):
            raise StructBlockValidationError(
                block_errors={"title": ValidationError("A warning needs a title that says what to watch out for.")}
            )
        return value

    class Meta:
        template = "blocks/callout_block.html"
        preview_template = PREVIEW_TEMPLATE
        icon = "help"
        label = "Callout"
        preview_value = {
            "tone": "tip",
            "title": "Good to know",
            "body": "<p>A cheap host is fine for a brochure site; a shop needs more care.</p>",
        }
        description = "A short boxed note, tip or warning that stands apart from the text."


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(max_length=600)
    attribution = blocks.CharBlock(required=False, max_length=120, help_text="Who said it.")
    source = blocks.CharBlock(required=False, max_length=160, help_text="Where it was said (book, talk, interview).")

    def clean(self, value):
        value = super().clean(value)
        if value.get("source") and not value.get("attribution"):
            raise StructBlockValidationError(
                block_errors={"attribution": ValidationError("Name who said it when you give a source.")}
            )
        return value

    class Meta:
        template = "blocks/quote_block.html"
        preview_template = PREVIEW_TEMPLATE
        icon = "openquote"
        label = "Quote"
        preview_value = {
            "text": "Make it work, make it right, make it fast.",
            "attribution": "Kent Beck",
            "source": "",
        }
        description = "A quotation set apart from the text, with who said it."


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    alt_text = blocks.CharBlock(
        required=False, max_length=250, help_text="Describe what the image shows for people who cannot see it."
    )
    decorative = blocks.BooleanBlock(required=False, help_text="Tick only if the image adds no information.")
    caption = blocks.CharBlock(required=False, max_length=250)

    def clean(self, value):
        value = super().clean(value)
        if not value.get("decorative") and not (value.get("alt_text") or "").strip():
            raise StructBlockValidationError(
                block_errors={"alt_text": ValidationError("Describe the image, or mark it as decorative.")}
            )
        return value

    class Meta:
        template = "blocks/image_block.html"
        preview_template = PREVIEW_TEMPLATE
        icon = "image"
        label = "Image"
        preview_value = {"image": None, "alt_text": "", "decorative": True, "caption": "A caption explains the image."}
        description = "An image with an optional caption, served in modern formats at the right size."


class CodeBlock(blocks.StructBlock):
    language = blocks.ChoiceBlock(
        choices=[
            ("text", "Plain text"),
            ("shell", "Shell"),
            ("python", "Python"),
            ("javascript", "JavaScript"),
            ("html", "HTML"),
            ("css", "CSS"),
            ("sql", "SQL"),
            ("json", "JSON"),
        ],
        default="text",
    )
    code = blocks.TextBlock()
    caption = blocks.CharBlock(required=False, max_length=200)

    class Meta:
        template = "blocks/code_block.html"
        preview_template = PREVIEW_TEMPLATE
        icon = "code"
        label = "Code"
        preview_value = {"language": "sql", "code": "SELECT title FROM article ORDER BY date DESC;", "caption": ""}
        description = "A snippet of code or terminal output, shown in a fixed-width font."


class TableBlock(TypedTableBlock):
    """A table of text with column headings and a caption; it scrolls inside its own box on phones."""

    text = blocks.RichTextBlock(required=False, features=INLINE_FEATURES, label="Text")

    class Meta:
        template = "blocks/table_block.html"
        preview_template = PREVIEW_TEMPLATE
        icon = "table"
        label = "Table"
        preview_value = {
            "caption": "What hosting costs a month",
            "columns": [{"type": "text", "heading": "Plan"}, {"type": "text", "heading": "Price"}],
            "rows": [
                {"values": ["<p>Shared hosting</p>", "<p>5 €</p>"]},
                {"values": ["<p>A virtual server</p>", "<p>20 €</p>"]},
            ],
        }
        description = "Rows and columns of short text with headings, e.g. prices or a comparison."


class ArticleBodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = ParagraphBlock()
    key_points = KeyPointsBlock()
    callout = CalloutBlock()
    quote = QuoteBlock()
    image = ImageBlock()
    code = CodeBlock()
    table = TableBlock()
    offer = OfferCTABlock()
