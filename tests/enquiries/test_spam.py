"""Bots get the normal thank-you with nothing stored or sent; a person over the hourly limit keeps their text."""

import pytest
from django.core import mail

from enquiries import spam
from enquiries.models import Enquiry
from tests.enquiries.conftest import PERSON, started

pytestmark = pytest.mark.django_db


def assert_thanked_and_dropped(response):
    assert response.status_code == 200
    assert "Thank you, your message has arrived" in response.content.decode()
    assert not Enquiry.objects.exists()
    assert not mail.outbox


def test_a_bot_filling_every_field_gets_the_thank_you_and_nothing_is_stored(send, contact):
    assert_thanked_and_dropped(send(contact, {spam.HONEYPOT: "http://spam.example"}))


def test_a_form_sent_faster_than_a_person_can_type_is_dropped(send, contact, settings):
    settings.ENQUIRY_MIN_SECONDS = 3
    assert_thanked_and_dropped(send(contact, seconds_ago=1))


def test_a_bot_posting_without_showing_the_form_is_dropped(client, contact, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert_thanked_and_dropped(client.post("/contact/", PERSON))


def test_a_forged_or_other_pages_start_time_is_dropped(client, contact, quote_page, django_capture_on_commit_callbacks):
    forged = started(contact)[:-3] + "abc"
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/contact/", {**PERSON, spam.STARTED: forged})
        client.post("/contact/", {**PERSON, spam.STARTED: started(quote_page)})
    assert not Enquiry.objects.exists()


def test_the_form_carries_a_start_time_that_a_person_passes(client, contact):
    html = client.get("/contact/").content.decode()
    token = html.split('name="enquiry_started" value="')[1].split('"')[0]
    assert spam.bot_reason(contact, {spam.STARTED: token}) == "sent too fast"
    import time

    assert spam.bot_reason(contact, {spam.STARTED: token}, now=time.time() + 10) == ""


def test_a_visitor_over_the_hourly_limit_is_told_and_keeps_the_text(send, contact, settings):
    settings.ENQUIRY_LIMIT_PER_HOUR = 2
    for _ in range(2):
        assert send(contact).status_code == 200
    response = send(contact, {"your_message": "A third message"})
    assert response.status_code == 429
    html = response.content.decode()
    assert "several messages in the last hour" in html
    assert "A third message</textarea>" in html
    assert Enquiry.objects.count() == 2


def test_the_limit_is_per_visitor_address(send, contact, settings):
    settings.ENQUIRY_LIMIT_PER_HOUR = 1
    assert send(contact, REMOTE_ADDR="198.51.100.1").status_code == 200
    assert send(contact, REMOTE_ADDR="198.51.100.2").status_code == 200
    assert send(contact, REMOTE_ADDR="198.51.100.1").status_code == 429


def test_mistakes_do_not_count_against_the_limit(send, contact, settings):
    settings.ENQUIRY_LIMIT_PER_HOUR = 1
    for _ in range(3):
        assert send(contact, {"e_mail": "wrong"}).status_code == 400
    assert send(contact).status_code == 200
