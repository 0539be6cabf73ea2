"""StreamField blocks for the home page and the general content pages."""

from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

INLINE_FEATURES = ["bold", "italic", "link"]
PARAGRAPH_FEATURES = ["bold", "italic", "link", "ol", "ul", "document-link"]


class ReasonBlock(blocks.StructBlock):
    """One short reason to trust the agency, shown as a numbered card on the home page."""

    title = blocks.CharBlock(max_length=80)
    text = blocks.TextBlock(max_length=300)

    class Meta:
        icon = "tick-inverse"
        template = "home/blocks/reason_block.html"
        preview_value = {
            "title": "You see it before you pay for more",
            "text": "A working demo of your site by the end of one workday.",
        }


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=120)
    anchor = blocks.CharBlock(
        required=False, max_length=60, help_text="Optional: the part after # in a link to this heading."
    )

    class Meta:
        icon = "title"
        template = "home/blocks/heading_block.html"
        preview_value = {"text": "How we work", "anchor": "how-we-work"}


class ParagraphBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs):
        super().__init__(features=PARAGRAPH_FEATURES, **kwargs)

    class Meta:
        icon = "pilcrow"
        template = "home/blocks/paragraph_block.html"
        preview_value = "<p>We build small, fast websites for people who would rather run their business.</p>"


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    alt_text = blocks.CharBlock(
        required=False, max_length=200, help_text="Describe the image for people who cannot see it."
    )
    caption = blocks.CharBlock(required=False, max_length=250)

    class Meta:
        icon = "image"
        template = "home/blocks/image_block.html"
        preview_value = {"caption": "Our studio in Berlin"}


class ContentBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = ParagraphBlock()
    image = ImageBlock()
