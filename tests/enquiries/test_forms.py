"""A visitor writes through a form page: stored first, e-mails queued, errors shown beside fields and in a summary."""

import pytest
from django.core import mail

from enquiries.models import Enquiry, EnquiryEmail
from tests.enquiries.conftest import PERSON

pytestmark = pytest.mark.django_db


def test_form_page_shows_the_editors_fields_the_privacy_line_and_other_ways_to_reach_us(client, contact, site):
    from home.models import AgencySettings
    from tests.factories import ContentPageFactory

    agency = AgencySettings.objects.get(site=site)
    agency.privacy_page = ContentPageFactory(parent=site.root_page, slug="privacy", title="Privacy")
    agency.save()
    html = client.get("/contact/").content.decode()
    for label in ("Your name", "E-mail", "Your message"):
        assert f">{label}</label>" in html
    assert 'href="/privacy/">How we handle your data</a>' in html
    assert "hello@brightside.example" in html
    assert 'name="enquiry_started"' in html


def test_a_person_is_thanked_and_the_message_is_stored_and_emailed(send, contact):
    response = send(contact)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Thank you, your message has arrived" in html
    assert "We answer within one working day." in html
    enquiry = Enquiry.objects.get()
    assert enquiry.form_data == PERSON  # the spam-check fields are not stored
    assert enquiry.email == "ada@example.com"
    staff, reply = sorted(mail.outbox, key=lambda message: message.to != ["staff@brightside.example"])
    assert staff.to == ["staff@brightside.example"]
    assert staff.reply_to == ["ada@example.com"]
    assert "Your message: Could you build us a site?" in staff.body
    assert reply.to == ["ada@example.com"]
    assert "What happens next" in reply.body
    assert "Could you build us a site?" not in reply.body  # the form cannot relay a stranger's text
    assert set(enquiry.emails.values_list("status", flat=True)) == {EnquiryEmail.Status.SENT}


def test_errors_show_beside_each_field_and_in_a_summary_keeping_what_was_typed(send, contact):
    response = send(contact, {"e_mail": "not an address", "your_message": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary" role="alert"' in html
    assert "Please check 2 things" in html
    assert 'href="#field-e_mail">E-mail: Enter a valid email address.</a>' in html
    assert 'id="id_e_mail_error">Enter a valid email address.</strong>' in html
    assert 'aria-invalid="true"' in html
    assert 'value="Ada Lovelace"' in html and 'value="not an address"' in html
    assert not Enquiry.objects.exists() and not mail.outbox


def test_the_corrected_form_goes_through_after_an_error(client, send, contact):
    assert send(contact, {"your_message": ""}).status_code == 400
    assert send(contact).status_code == 200
    assert Enquiry.objects.count() == 1


def test_the_submission_is_stored_even_when_the_mail_server_fails(send, contact, settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.enquiries.failing_mail.FailingBackend"}}
    response = send(contact)
    assert "Thank you" in response.content.decode()  # the visitor is not blamed for our mail server
    enquiry = Enquiry.objects.get()
    emails = list(enquiry.emails.all())
    assert {email.status for email in emails} == {EnquiryEmail.Status.FAILED}  # no worker to retry: failed
    assert all("mail server down" in email.last_error for email in emails)
    assert "failed" in enquiry.email_status


def test_a_form_without_an_email_field_stores_and_notifies_staff_only(send, contact):
    contact.form_fields.filter(field_type="email").delete()
    send(contact)
    enquiry = Enquiry.objects.get()
    assert enquiry.email == ""
    assert [message.to for message in mail.outbox] == [["staff@brightside.example"]]


def test_without_a_staff_address_the_notice_goes_to_the_staff_notification_address(send, contact, settings):
    settings.STAFF_NOTIFICATION_EMAIL = "team@brightside.example"
    contact.to_address = ""
    contact.save()
    send(contact)
    assert ["team@brightside.example"] in [message.to for message in mail.outbox]


def test_the_quote_form_has_its_own_fields_and_thanks(send, quote_page):
    response = send(quote_page)
    assert response.status_code == 200
    assert Enquiry.objects.get().page_id == quote_page.pk


def test_other_methods_are_refused(client, contact):
    assert client.put("/contact/").status_code == 405


def test_a_required_list_starts_empty_so_nothing_is_chosen_for_the_visitor(send, quote_page):
    from enquiries.models import QuoteFormField

    QuoteFormField.objects.create(
        page=quote_page, label="Number of pages", field_type="dropdown", choices="1 to 5\n6 to 15", required=True
    )
    response = send(quote_page)
    assert response.status_code == 400
    assert '<option value="" selected>Choose one</option>' in response.content.decode()
    assert send(quote_page, {"number_of_pages": "6 to 15"}).status_code == 200
    assert Enquiry.objects.get().form_data["number_of_pages"] == "6 to 15"
