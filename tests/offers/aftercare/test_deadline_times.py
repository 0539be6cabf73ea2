"""Deadline warnings read in the site's zone: a 17:00 Berlin deadline reads 17:00 CET, not 16:00 or an ISO stamp."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail

from offers.aftercare import deadlines
from tests.factories import OrderFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]


def test_deadline_warning_and_missed_note_name_the_local_time(django_capture_on_commit_callbacks):
    order = OrderFactory(
        paid=True, slot_date=date(2026, 12, 2), delivery_deadline=datetime(2026, 12, 2, 16, 0, tzinfo=UTC)
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        deadlines.run(now=datetime(2026, 12, 2, 15, 0, tzinfo=UTC), lead=timedelta(hours=2))
    [warning] = mail.outbox
    assert "deliver by Wednesday 2 December 2026, 17:00 CET" in warning.body
    assert "+01:00" not in warning.body
    with django_capture_on_commit_callbacks(execute=True):
        deadlines.run(now=datetime(2026, 12, 2, 16, 1, tzinfo=UTC))
    note = order.history.get(trigger="deadline_missed")
    assert note.reason == "delivery deadline Wednesday 2 December 2026, 17:00 CET missed"
