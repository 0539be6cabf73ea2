"""Demo content for enquiries: the Contact page becomes a contact form, a quote request page, links to it.

`load(site)` is idempotent. The home app's demo makes Contact a plain content
page; the first run replaces it with a ContactFormPage at the same address and
points the agency settings at it. The quote page is linked from the home page's
closing call to action and from the offer page's text, as an editor would do it.
"""

from django.apps import apps
from wagtail.models import Page
from wagtail.rich_text import RichText

from enquiries.models import ContactFormField, ContactFormPage, QuoteFormField, QuoteFormPage

CONTACT_SLUG = "contact"
QUOTE_SLUG = "request-a-quote"
STAFF_ADDRESS = "hello@brightside.example"

CONTACT = {
    "title": "Contact",
    "intro": (
        "<p>Write to us here or call. We answer on working days within one working day. "
        "Already ordered? Reply to your confirmation e-mail: it reaches the person working on your demo.</p>"
    ),
    "thank_you_text": (
        "<p>We read every message and answer on working days within one working day, usually sooner. "
        "A short confirmation is on its way to your inbox.</p>"
    ),
    "subject": "New message through the contact form",
}
CONTACT_FIELDS = [
    {"label": "Your name", "field_type": "singleline"},
    {"label": "E-mail", "field_type": "email", "help_text": "We answer to this address."},
    {"label": "Your message", "field_type": "multiline"},
]

QUOTE = {
    "title": "Request a quote",
    "intro": (
        "<p>Planning a full website? Tell us what you need. Within two working days you get a written quote: "
        "what it includes, what it costs and when it is done. No obligation.</p>"
    ),
    "thank_you_text": (
        "<p>We have your request. Within two working days you get a written quote by e-mail, "
        "or a question if we need to know more first.</p>"
    ),
    "submit_label": "Request my quote",
    "subject": "New quote request",
    "auto_reply_subject": "We received your quote request",
    "auto_reply_text": (
        "Thank you for your quote request.\n\n"
        "What happens next: within two working days we send you a written quote, with what it includes, "
        "what it costs and when it can be done. If we need to know more first, we ask by e-mail.\n\n"
        "The quote is free and you are not obliged to anything."
    ),
}
QUOTE_FIELDS = [
    {"label": "Your name", "field_type": "singleline"},
    {"label": "E-mail", "field_type": "email", "help_text": "The quote goes to this address."},
    {
        "label": "Kind of site",
        "field_type": "radio",
        "choices": "A site for my business\nAn online shop\nA portfolio\nA blog or magazine\nSomething else",
    },
    {
        "label": "Number of pages",
        "field_type": "dropdown",
        "choices": "1 to 5\n6 to 15\n16 to 40\nMore than 40\nNot sure yet",
    },
    {"label": "Deadline", "field_type": "date", "required": False, "help_text": "When should the site be online?"},
    {
        "label": "Budget range",
        "field_type": "radio",
        "choices": "Under 2,000 €\n2,000 to 5,000 €\n5,000 to 10,000 €\nOver 10,000 €\nNot sure yet",
    },
    {
        "label": "Your current site",
        "field_type": "url",
        "required": False,
        "help_text": "Its address, if you have one.",
    },
    {"label": "Tell us about your project", "field_type": "multiline"},
]

HOME_CLOSING = {
    "closing_heading": "Planning a full website?",
    "closing_text": "Tell us what you need and get a written quote within two working days. No obligation.",
    "closing_link_text": "Request a quote",
}
OFFER_SLUG = "demo-website"


def load(site):
    """Creates the contact and quote form pages under the home page and links the quote page, once."""
    home = site.root_page.specific
    contact = _contact_page(home)
    quote = _form_page(home, QuoteFormPage, QuoteFormField, QUOTE_SLUG, QUOTE, QUOTE_FIELDS)
    _agency_contact_page(site, contact)
    _link_from_home(home, quote)
    _link_from_offer(quote)
    return contact, quote


def _form_page(parent, model, field_model, slug, spec, fields):
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is not None:
        return page
    page = model(slug=slug, to_address=STAFF_ADDRESS, **spec)
    page.form_fields = [field_model(**{"required": True, **field}) for field in fields]
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _contact_page(home):
    existing = Page.objects.child_of(home).filter(slug=CONTACT_SLUG).first()
    if existing is not None and isinstance(existing.specific, ContactFormPage):
        return existing.specific
    if existing is not None:
        # The plain Contact page of the home app's demo: the form page takes its place and address.
        existing.delete()
    return _form_page(home, ContactFormPage, ContactFormField, CONTACT_SLUG, CONTACT, CONTACT_FIELDS)


def _agency_contact_page(site, contact):
    try:
        agency_settings = apps.get_model("home", "AgencySettings")
    except LookupError:
        return
    agency = agency_settings.objects.filter(site=site).first()  # not the cached copy: the old page just went
    if agency is not None and agency.contact_page_id is None:
        agency.contact_page = contact
        agency.save()


def _link_from_home(home, quote):
    if not hasattr(home, "closing_page") or home.closing_page_id is not None:
        return
    for field, value in HOME_CLOSING.items():
        setattr(home, field, value)
    home.closing_page = quote
    home.save_revision().publish()


def _link_from_offer(quote):
    try:
        offer_model = apps.get_model("offers", "OfferPage")
    except LookupError:
        return
    offer = offer_model.objects.filter(slug=OFFER_SLUG).first()
    if offer is None or f'linktype="page" id="{quote.pk}"' in str(offer.body.get_prep_value()):
        return
    offer.body.append(
        (
            "paragraph",
            RichText(
                "<p>Need a full website rather than a demo first? "
                f'<a linktype="page" id="{quote.pk}">Request a quote</a>: a written offer within two working days, '
                "no obligation.</p>"
            ),
        )
    )
    offer.save_revision().publish()
