"""E-mails about an enquiry: written when it is stored, sent by the task worker, retried, recorded.

Wagtail's `AbstractEmailForm.send_mail` sends while the visitor waits and loses
the message when the mail server fails. Here each message is an `EnquiryEmail`
row written in the same transaction as the enquiry; a task queued after commit
sends it. When the mail server fails, the task records the error and, on a
backend with a worker (`supports_defer`), queues itself again after a pause;
after the last try (or at once with the immediate backend used in development)
the e-mail shows as failed in the admin, next to the enquiry, which is never lost.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django.utils.formats import date_format

from enquiries.models import EnquiryEmail

logger = logging.getLogger(__name__)

# Pauses before the 2nd, 3rd, ... try: the mail server gets about 1.5 hours to come back.
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=20), timedelta(hours=1))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


def _shown(value) -> str:
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, datetime):
        return date_format(value, "SHORT_DATETIME_FORMAT")
    if hasattr(value, "isoformat"):
        return date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value) if value not in (None, "") else "–"


def staff_text(page, enquiry) -> str:
    """The enquiry as staff read it: each field's label and value, then where to find it in the admin."""
    lines = [f"{field.label}: {_shown(enquiry.form_data.get(field.clean_name))}" for field in page.get_form_fields()]
    admin = f"{settings.WAGTAILADMIN_BASE_URL}/admin/forms/submissions/{page.pk}/"
    return "\n".join(
        [
            f"A new enquiry through “{page.title}”:",
            "",
            *lines,
            "",
            "Reply to this e-mail to answer the visitor." if enquiry.email else "The visitor left no e-mail address.",
            f"All enquiries of this form: {admin}",
        ]
    )


def write_emails(page, enquiry) -> list[EnquiryEmail]:
    """The staff notice and (with an address and a reply text) the automatic reply, stored as queued."""
    sender = page.from_address or settings.DEFAULT_FROM_EMAIL
    staff = page.to_address or settings.STAFF_NOTIFICATION_EMAIL
    emails = [
        EnquiryEmail(
            enquiry=enquiry,
            kind=EnquiryEmail.Kind.STAFF,
            recipients=",".join(address.strip() for address in staff.split(",") if address.strip()),
            reply_to=enquiry.email,
            from_address=sender,
            subject=page.subject or f"New enquiry: {page.title}",
            body_text=staff_text(page, enquiry),
        )
    ]
    if enquiry.email and page.auto_reply_text.strip():
        # Only the editor's words: a reply repeating the visitor's input would let anyone
        # send text of their choice to any address through this site.
        emails.append(
            EnquiryEmail(
                enquiry=enquiry,
                kind=EnquiryEmail.Kind.AUTO_REPLY,
                recipients=enquiry.email,
                from_address=sender,
                subject=page.auto_reply_subject or "We received your message",
                body_text=page.auto_reply_text.strip(),
            )
        )
    for email in emails:
        email.save()
    return emails


def queue(emails) -> None:
    """Sends each e-mail through the task worker once the enquiry is committed."""
    for email in emails:
        email_id = email.pk
        transaction.on_commit(lambda email_id=email_id: send_enquiry_email.enqueue(email_id))


def _retry_at(attempts: int):
    if attempts >= MAX_ATTEMPTS or not send_enquiry_email.get_backend().supports_defer:
        return None
    return timezone.now() + RETRY_DELAYS[attempts - 1]


@task
def send_enquiry_email(email_id: int):
    """Sends one stored e-mail; on a mail-server error records it and schedules the next try."""
    email = EnquiryEmail.objects.filter(pk=email_id).first()
    if email is None or email.status != EnquiryEmail.Status.QUEUED:
        return  # erased with its enquiry, already sent, or given up on
    message = EmailMessage(
        email.subject,
        email.body_text,
        email.from_address or settings.DEFAULT_FROM_EMAIL,
        email.recipients.split(","),
        reply_to=[email.reply_to] if email.reply_to else None,
    )
    try:
        message.send()
    except Exception as exc:  # any mail-server failure; the record says which
        email.attempts += 1
        email.last_error = f"{type(exc).__name__}: {exc}"[:500]
        retry_at = _retry_at(email.attempts)
        if retry_at is None:
            email.status = EnquiryEmail.Status.FAILED
        email.save(update_fields=["attempts", "last_error", "status"])
        logger.warning(
            "enquiry e-mail failed",
            extra={"enquiry": email.enquiry_id, "kind": email.kind, "attempts": email.attempts, "error": str(exc)},
        )
        if retry_at is not None:
            send_enquiry_email.using(run_after=retry_at).enqueue(email_id)
        return
    email.attempts += 1
    email.status = EnquiryEmail.Status.SENT
    email.sent_at = timezone.now()
    email.last_error = ""
    email.save(update_fields=["attempts", "status", "sent_at", "last_error"])
    logger.info("enquiry e-mail sent", extra={"enquiry": email.enquiry_id, "kind": email.kind})
