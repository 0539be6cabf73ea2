"""E-mails about an enquiry are sent by the worker and retried after a mail-server failure."""

import pytest
from django.core import mail
from django.tasks import default_task_backend

from enquiries import emails
from enquiries.models import Enquiry, EnquiryEmail

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(contact):
    enquiry = Enquiry.objects.create(page=contact, form_data={"your_message": "Hello"}, email="ada@example.com")
    return emails.write_emails(contact, enquiry)


@pytest.fixture
def worker(settings):
    """A backend with a worker: tasks are kept (with their run_after) instead of run at once."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    yield default_task_backend
    default_task_backend.clear()


def test_a_failed_send_is_retried_later_then_marked_failed(queued, worker, settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.enquiries.failing_mail.FailingBackend"}}
    staff = queued[0]
    emails.send_enquiry_email.call(staff.pk)
    staff.refresh_from_db()
    assert (staff.status, staff.attempts) == (EnquiryEmail.Status.QUEUED, 1)
    retry = worker.results[-1]
    assert retry.args == [staff.pk] and retry.task.run_after is not None  # back in the queue, for later
    for _ in range(emails.MAX_ATTEMPTS - 1):
        emails.send_enquiry_email.call(staff.pk)
    staff.refresh_from_db()
    assert (staff.status, staff.attempts) == (EnquiryEmail.Status.FAILED, emails.MAX_ATTEMPTS)
    assert "failed" in str(staff)


def test_the_retry_sends_once_the_mail_server_is_back(queued, worker, settings):
    staff = queued[0]
    settings.MAILERS = {"default": {"BACKEND": "tests.enquiries.failing_mail.FailingBackend"}}
    emails.send_enquiry_email.call(staff.pk)
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    emails.send_enquiry_email.call(staff.pk)
    emails.send_enquiry_email.call(staff.pk)  # a duplicate task sends nothing twice
    staff.refresh_from_db()
    assert staff.status == EnquiryEmail.Status.SENT and staff.sent_at is not None
    assert len(mail.outbox) == 1


def test_an_erased_enquirys_queued_email_is_not_sent(queued):
    Enquiry.objects.all().delete()
    emails.send_enquiry_email.call(queued[0].pk)
    assert not mail.outbox


# The worker commits and closes its connection, as in production.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_database_worker_retries_after_a_mail_server_failure(send, contact, settings):
    """With django-tasks-db as in production: the failed send goes back in the queue, for later, and is sent then."""
    from django.core.management import call_command
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
    send(contact)
    assert DBTaskResult.objects.count() == 2 and not mail.outbox  # queued, not sent while the visitor waited

    settings.MAILERS = {"default": {"BACKEND": "tests.enquiries.failing_mail.FailingBackend"}}
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert set(EnquiryEmail.objects.values_list("status", "attempts")) == {(EnquiryEmail.Status.QUEUED, 1)}
    later = DBTaskResult.objects.filter(status="READY")
    assert later.count() == 2
    assert all(result.run_after > timezone.now() for result in later)  # not before the pause

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    later.update(run_after=timezone.now())
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert set(EnquiryEmail.objects.values_list("status", flat=True)) == {EnquiryEmail.Status.SENT}
    assert len(mail.outbox) == 2
