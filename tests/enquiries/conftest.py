"""A site with a contact form page (name, e-mail, message) and helpers to post it as a person or a bot."""

import time

import pytest

from enquiries import spam
from enquiries.models import ContactFormField, ContactFormPage, QuoteFormField, QuoteFormPage
from tests.factories import AgencySettingsFactory, make_site_with_home

PERSON = {"your_name": "Ada Lovelace", "e_mail": "ada@example.com", "your_message": "Could you build us a site?"}


def add_form_page(parent, model=ContactFormPage, field_model=ContactFormField, slug="contact", **extra):
    page = model(
        title=extra.pop("title", "Contact"),
        slug=slug,
        to_address="staff@brightside.example",
        intro="<p>Write to us.</p>",
        thank_you_text="<p>We answer within one working day.</p>",
        **extra,
    )
    page.form_fields = [
        field_model(label="Your name", field_type="singleline", required=True),
        field_model(label="E-mail", field_type="email", required=True),
        field_model(label="Your message", field_type="multiline", required=True),
    ]
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def site(db):
    site = make_site_with_home()
    AgencySettingsFactory(site=site)
    return site


@pytest.fixture
def contact(site):
    return add_form_page(site.root_page)


@pytest.fixture
def quote_page(site):
    return add_form_page(site.root_page, QuoteFormPage, QuoteFormField, slug="quote", title="Request a quote")


def started(page, seconds_ago=30):
    """A start token as the form page signs it, `seconds_ago` seconds before now."""
    return spam.start_token(page, now=time.time() - seconds_ago)


@pytest.fixture
def send(client, django_capture_on_commit_callbacks):
    """Posts the form as a person who took 30 s; runs the e-mail tasks queued after commit."""

    def post(page, data=None, seconds_ago=30, **extra):
        payload = {**PERSON, **(data or {}), spam.STARTED: started(page, seconds_ago)}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(page.url, payload, **extra)

    return post
