"""Storing an enquiry: the submission and its e-mails in one transaction, the e-mails sent after commit."""

import logging

from django.db import transaction

from enquiries import emails
from enquiries.models import Enquiry

logger = logging.getLogger(__name__)


def visitor_email(page, cleaned_data) -> str:
    """The address the visitor gave in the form's first e-mail field ("" when there is none)."""
    for field in page.get_form_fields():
        if field.field_type == "email" and cleaned_data.get(field.clean_name):
            return cleaned_data[field.clean_name]
    return ""


def store(page, form) -> Enquiry:
    """Saves what the visitor typed in the editors' fields (not the spam-check fields) and queues the e-mails.

    The enquiry is committed before any e-mail is attempted, so a mail-server
    failure can delay a message but never lose it.
    """
    data = {name: form.cleaned_data.get(name) for name in form.editor_fields}
    with transaction.atomic():
        enquiry = Enquiry.objects.create(page=page, form_data=data, email=visitor_email(page, data))
        emails.queue(emails.write_emails(page, enquiry))
    logger.info("enquiry stored", extra={"enquiry": enquiry.pk, "page": page.pk})
    return enquiry
