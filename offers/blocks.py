"""StreamField blocks of offer pages, and the offer call-to-action block for article bodies."""

from django.apps import apps
from django.core.exceptions import ValidationError
from wagtail import blocks
from wagtail.blocks import StructBlockValidationError


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=120)
    anchor = blocks.CharBlock(required=False, max_length=60, help_text="Optional #anchor for links.")

    class Meta:
        template = "offers/blocks/heading.html"
        icon = "title"
        preview_value = {"text": "How it works"}


class StepsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(required=False, max_length=120)
    steps = blocks.ListBlock(
        blocks.StructBlock([("title", blocks.CharBlock(max_length=80)), ("text", blocks.TextBlock(required=False))]),
        min_num=1,
    )

    class Meta:
        template = "offers/blocks/steps.html"
        icon = "list-ol"
        preview_value = {
            "heading": "How it works",
            "steps": [
                {"title": "You book a day", "text": "Tell us about your business."},
                {"title": "We build", "text": "One working day."},
                {"title": "You decide", "text": "Keep it or get your money back."},
            ],
        }


class FaqBlock(blocks.StructBlock):
    heading = blocks.CharBlock(required=False, max_length=120, default="Questions")
    items = blocks.ListBlock(
        blocks.StructBlock(
            [
                ("question", blocks.CharBlock(max_length=200)),
                ("answer", blocks.RichTextBlock(features=["bold", "italic", "link", "ul", "ol"])),
            ]
        ),
        min_num=1,
    )

    class Meta:
        template = "offers/blocks/faq.html"
        icon = "help"
        preview_value = {
            "heading": "Questions",
            "items": [{"question": "What if I don't like it?", "answer": "<p>You get your money back.</p>"}],
        }


class IncludedBlock(blocks.StructBlock):
    """What the page's package includes, always read from the package."""

    heading = blocks.CharBlock(required=False, max_length=120, default="What you get")

    class Meta:
        template = "offers/blocks/included.html"
        icon = "tick"
        preview_value = {"heading": "What you get"}


class OfferBodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        features=["bold", "italic", "link", "ul", "ol"], template="offers/blocks/paragraph.html", icon="pilcrow"
    )
    steps = StepsBlock()
    included = IncludedBlock()
    faq = FaqBlock()


class OfferCTAValue(blocks.StructValue):
    def offer_page(self):
        page = self.get("page")
        return page.specific if page is not None else None

    def summary(self):
        page = self.offer_page()
        return page.offer_summary() if page is not None and page.live else None


class OfferCTABlock(blocks.StructBlock):
    """A call to action for an offer, with its current price, delivery time and availability."""

    page = blocks.PageChooserBlock(page_type="offers.OfferPage", label="Offer page")
    heading = blocks.CharBlock(required=False, max_length=120, help_text="Defaults to the offer page's title.")
    text = blocks.TextBlock(required=False, max_length=300)

    class Meta:
        template = "offers/blocks/offer_cta.html"
        preview_template = "offers/block_preview.html"
        icon = "tag"
        value_class = OfferCTAValue
        label = "Offer"
        description = "A call to action for an offer, with its current price, delivery time and next free slot."
        preview_value = {"heading": "Get a demo website in one workday"}

    def get_preview_value(self):
        # Looked up by label, as the chooser names it: the page model imports these blocks.
        offer_page = apps.get_model("offers", "OfferPage")
        return self.to_python(
            {**self.meta.preview_value, "page": getattr(offer_page.objects.live().first(), "pk", None)}
        )

    def clean(self, value):
        value = super().clean(value)
        page = value.get("page")
        if page is not None and not page.live:
            raise StructBlockValidationError(
                block_errors={"page": ValidationError("Choose a published offer page: this one is not live.")}
            )
        return value
