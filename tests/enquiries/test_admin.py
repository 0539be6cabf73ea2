"""Editors build the form in the admin; staff see, filter and export enquiries there, safely."""

import csv
import io

import pytest
from django.contrib.auth.models import Group, Permission
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from enquiries.models import Enquiry, EnquiryEmail

pytestmark = pytest.mark.django_db


def field_row(label, field_type, required=True, pk=""):
    return {"id": pk, "label": label, "field_type": field_type, "required": required, "choices": "",
            "default_value": "", "help_text": ""}  # fmt: skip


def test_an_editor_adds_a_field_and_visitors_see_it(admin_client, client, contact):
    existing = [field_row(f.label, f.field_type, pk=f.pk) for f in contact.form_fields.all()]
    data = nested_form_data(
        {
            "title": "Contact",
            "slug": "contact",
            "intro": rich_text("<p>Write to us.</p>"),
            "thank_you_text": rich_text("<p>Thanks.</p>"),
            "submit_label": "Send message",
            "privacy_note": "We use it only to answer you.",
            "to_address": "staff@brightside.example",
            "from_address": "",
            "subject": "",
            "auto_reply_subject": "We received your message",
            "auto_reply_text": "We answer within a day.",
            "form_fields": inline_formset([*existing, field_row("Your phone number", "singleline", required=False)]),
            "action-publish": "publish",
        }
    )
    response = admin_client.post(f"/admin/pages/{contact.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    html = client.get("/contact/").content.decode()
    assert 'Your phone number <span class="field__optional">(optional)</span></label>' in html


def test_editors_can_create_both_form_page_types_under_home(admin_client, site):
    html = admin_client.get(f"/admin/pages/{site.root_page_id}/add_subpage/").content.decode()
    assert "Contact form page" in html and "Quote request page" in html


def test_enquiries_are_listed_with_their_email_status_and_filterable(admin_client, send, contact):
    send(contact)
    EnquiryEmail.objects.filter(kind=EnquiryEmail.Kind.AUTO_REPLY).update(
        status=EnquiryEmail.Status.FAILED, attempts=5, last_error="SMTPServerDisconnected: gone"
    )
    html = admin_client.get(f"/admin/forms/submissions/{contact.pk}/").content.decode()
    assert "Ada Lovelace" in html
    assert "automatic reply: failed (5 tries: SMTPServerDisconnected: gone)" in html
    failed = admin_client.get(f"/admin/forms/submissions/{contact.pk}/?email_status=failed").content.decode()
    assert "Ada Lovelace" in failed
    sent_only = Enquiry.objects.filter(emails__status="sent").count()
    assert sent_only == 1  # the staff notice was sent
    queued = admin_client.get(f"/admin/forms/submissions/{contact.pk}/?email_status=queued").content.decode()
    assert "Ada Lovelace" not in queued


def test_the_csv_export_neutralises_spreadsheet_formulas(admin_client, send, contact):
    send(contact, {"your_name": '=HYPERLINK("http://evil.example","click")', "your_message": "+1 call me"})
    response = admin_client.get(f"/admin/forms/submissions/{contact.pk}/?export=csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    header, row = rows[0], rows[1]
    assert row[header.index("Your name")] == '\'=HYPERLINK("http://evil.example","click")'
    assert row[header.index("Your message")] == "'+1 call me"
    assert row[header.index("E-mail")] == "ada@example.com"
    assert "E-mails" in header


def test_staff_without_form_access_see_no_enquiries(client, django_user_model, send, contact):
    user = django_user_model.objects.create_user(username="editor", password="pw")
    group = Group.objects.create(name="no forms")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    user.groups.add(group)
    send(contact)
    client.force_login(user)
    assert client.get(f"/admin/forms/submissions/{contact.pk}/").status_code in (302, 403)
