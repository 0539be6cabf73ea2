"""The sales panel counts enquiries per month; the demo content has a contact form and links the quote form."""

import datetime
from datetime import date

import pytest
from django.core.management import call_command
from wagtail.models import Page

from enquiries import reports
from enquiries.models import ContactFormPage, Enquiry, QuoteFormPage

pytestmark = pytest.mark.django_db
BERLIN = datetime.timezone(datetime.timedelta(hours=1))


def enquiry_at(page, moment):
    enquiry = Enquiry.objects.create(page=page, form_data={})
    Enquiry.objects.filter(pk=enquiry.pk).update(submit_time=moment)


def test_enquiries_are_counted_by_berlin_month(contact):
    enquiry_at(contact, datetime.datetime(2026, 11, 30, 23, 30, tzinfo=BERLIN))  # November in Berlin
    enquiry_at(contact, datetime.datetime(2026, 12, 1, 0, 30, tzinfo=BERLIN))  # 23:30 UTC, but December here
    enquiry_at(contact, datetime.datetime(2026, 12, 15, 12, 0, tzinfo=BERLIN))
    spans = [(date(2026, 12, 1), date(2027, 1, 1)), (date(2026, 11, 1), date(2026, 12, 1))]
    assert reports.monthly_counts(spans) == ("Enquiries", [2, 1])


def test_the_sales_panel_shows_enquiries_this_month_and_last(admin_client, send, contact):
    send(contact)
    html = admin_client.get("/admin/").content.decode()
    assert '<th scope="col">Enquiries</th>' in html
    assert "<td>1</td>" in html


def test_demo_content_makes_contact_a_form_and_links_the_quote_form(client, django_capture_on_commit_callbacks):
    from django.core import mail

    from home.models import AgencySettings

    call_command("load_demo_content", stdout=None)
    call_command("load_demo_content", stdout=None)  # idempotent
    contact = Page.objects.get(slug="contact").specific
    assert isinstance(contact, ContactFormPage)
    assert QuoteFormPage.objects.count() == 1
    assert AgencySettings.objects.get().contact_page_id == contact.pk
    home = client.get("/").content.decode()
    assert 'href="/contact/"' in home
    assert 'href="/request-a-quote/">Request a quote</a>' in home
    offer = client.get("/offers/demo-website/").content.decode()
    assert 'href="/request-a-quote/">Request a quote</a>' in offer
    quote = client.get("/request-a-quote/").content.decode()
    for label in ("Kind of site", "Number of pages", "Deadline", "Budget range", "Your current site"):
        assert label in quote

    from enquiries import spam
    from tests.enquiries.conftest import PERSON, started

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/contact/", {**PERSON, spam.STARTED: started(contact)})
    assert "Thank you" in response.content.decode()
    assert Enquiry.objects.count() == 1
    assert ["hello@brightside.example"] in [message.to for message in mail.outbox]
