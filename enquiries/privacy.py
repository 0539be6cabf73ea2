"""A visitor's enquiries in privacy requests: export, erasure, and deletion after the retention period.

Enquiries are found by the address typed in the form's e-mail field. They hold
nothing that a law requires us to keep, so erasure and the retention purge
delete them outright, with the e-mails written about them.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from enquiries.models import Enquiry

logger = logging.getLogger(__name__)


def _jsonable(value):
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    return value.isoformat() if hasattr(value, "isoformat") else value


def of_visitor(email: str):
    return Enquiry.objects.filter(email__iexact=email.strip()).select_related("page").prefetch_related("emails")


def export(email: str) -> list[dict]:
    """Every enquiry sent with `email`: the form, when, what was typed and the e-mails sent about it."""
    if not email.strip():
        return []
    return [
        {
            "form": enquiry.page.title,
            "sent_at": enquiry.submit_time.isoformat(),
            "data": {name: _jsonable(value) for name, value in enquiry.form_data.items()},
            "emails": [
                {
                    "kind": email_row.get_kind_display(),
                    "to": email_row.recipients,
                    "subject": email_row.subject,
                    "status": email_row.status,
                    "sent_at": email_row.sent_at.isoformat() if email_row.sent_at else None,
                }
                for email_row in enquiry.emails.all()
            ],
        }
        for enquiry in of_visitor(email).order_by("submit_time", "pk")
    ]


def erase(email: str) -> int:
    """Deletes every enquiry sent with `email` (and its e-mails). Returns how many enquiries went."""
    if not email.strip():
        return 0
    count = of_visitor(email).count()
    Enquiry.objects.filter(email__iexact=email.strip()).delete()
    if count:
        logger.info("enquiries erased", extra={"enquiries": count})
    return count


def purge_expired(now=None) -> int:
    """Deletes enquiries older than ENQUIRY_RETENTION_DAYS. Idempotent. Returns how many went."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.ENQUIRY_RETENTION_DAYS)
    due = Enquiry.objects.filter(submit_time__lt=cutoff)
    count = due.count()
    due.delete()
    if count:
        logger.info("old enquiries deleted", extra={"enquiries": count})
    return count
