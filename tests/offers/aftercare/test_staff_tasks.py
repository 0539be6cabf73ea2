"""Staff tasks that follow from the refund policy's promise: created with a guarantee refund or a withdrawal,
shown on the order and the admin home with overdue ones marked, done by someone, reminded of when overdue."""

from datetime import UTC, datetime, timedelta
from html import escape

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from offers import display
from offers.aftercare import guarantee, tasks
from offers.models import Order, OrderEvent, StaffTask
from tests.checkout_helpers import staff_user
from tests.guarantee_helpers import buy_and_pay, delivered

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]
S = Order.Status


@pytest.fixture
def paid(stripe_api, django_capture_on_commit_callbacks):
    return buy_and_pay(stripe_api, django_capture_on_commit_callbacks)


def test_a_guarantee_refund_creates_the_take_offline_task_due_in_30_days(paid, django_capture_on_commit_callbacks):
    order = delivered(paid, now=timezone.now() - timedelta(days=1))
    asked = datetime(2026, 12, 2, 23, 30, tzinfo=UTC)  # already Thursday 3 December in Berlin
    with django_capture_on_commit_callbacks(execute=True):
        guarantee.ask_refund(order.pk, reason="not for us", now=asked)
        guarantee.ask_refund(order.pk, reason="asked twice", now=asked)
    [task] = StaffTask.objects.filter(order=order)
    assert task.kind == StaffTask.Kind.TAKE_DEMO_OFFLINE
    # 30 days from Thursday 3 December (Berlin) is Saturday 2 January, end of that day in Berlin.
    assert task.due_at == datetime(2027, 1, 2, 22, 59, 59, tzinfo=UTC)
    assert task.title == "Take the demo offline, delete the customer's material by Saturday 2 January 2027"
    assert task.done_at is None
    assert OrderEvent.objects.filter(order=order, trigger="staff_task", reason=task.title).count() == 1


def test_a_withdrawal_creates_the_task_too(paid, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        guarantee.withdraw(paid.pk)
    [task] = StaffTask.objects.filter(order=paid)
    assert task.kind == StaffTask.Kind.TAKE_DEMO_OFFLINE
    assert task.due_at.date() > timezone.now().date() + timedelta(days=29)


def test_accepting_the_demo_creates_no_task(paid, django_capture_on_commit_callbacks):
    order = delivered(paid)
    with django_capture_on_commit_callbacks(execute=True):
        guarantee.accept(order.pk)
    assert not StaffTask.objects.exists()


def _overdue_task(order, days=1):
    return StaffTask.objects.create(
        order=order,
        kind=StaffTask.Kind.TAKE_DEMO_OFFLINE,
        title="Take the demo offline, delete the customer's material by Monday 30 November 2026",
        due_at=timezone.now() - timedelta(days=days),
    )


def test_overdue_tasks_are_reminded_once_a_day_and_not_once_done(paid, django_capture_on_commit_callbacks, settings):
    settings.STAFF_NOTIFICATION_EMAIL = "staff@brightside.example"
    task = _overdue_task(paid)
    StaffTask.objects.create(
        order=None, kind="take_demo_offline", title="Not due yet", due_at=timezone.now() + timedelta(days=3)
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_overdue_task_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
        call_command("send_overdue_task_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    [reminder] = mail.outbox
    assert reminder.to == ["staff@brightside.example"]
    assert reminder.subject == f"[{paid.reference}] Overdue task: {task.title}"
    assert "It was due on" in reminder.body
    assert f"/admin/order/inspect/{paid.pk}/" in reminder.body

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_overdue_reminders(now=timezone.now() + timedelta(days=1, minutes=1)) == 1
    tasks.mark_done(task.pk, user=None)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_overdue_reminders(now=timezone.now() + timedelta(days=3)) == 0
    assert len(mail.outbox) == 2


def test_admin_home_lists_open_tasks_with_overdue_marked_and_staff_mark_them_done(client, django_user_model, paid):
    task = _overdue_task(paid)
    later = StaffTask.objects.create(
        order=paid, kind="later", title="Something due later", due_at=timezone.now() + timedelta(days=5)
    )
    user = staff_user(django_user_model, "view_order", "deliver_order")
    client.force_login(user)
    home = client.get("/admin/").content.decode()
    assert "Staff tasks" in home
    assert "1 overdue." in home
    title = escape(task.title)
    row = home[home.index(title) : home.index("</tr>", home.index(title))]
    assert "Overdue" in row
    assert display.date_text(task.due_at) in row
    later_row = home[home.index(later.title) : home.index("</tr>", home.index(later.title))]
    assert "Overdue" not in later_row
    assert f'href="/admin/order/inspect/{paid.pk}/"' in row

    response = client.post(f"/admin/order/task-done/{task.pk}/", {"next": "home"})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    task.refresh_from_db()
    assert task.done_by == user
    assert task.done_at is not None
    assert f"/admin/order/task-done/{task.pk}/" not in client.get("/admin/").content.decode()
    inspect = client.get(f"/admin/order/inspect/{paid.pk}/").content.decode()
    tasks_section = inspect[inspect.index('id="section-tasks"') : inspect.index('id="section-history"')]
    assert title in tasks_section
    assert f"by {user.get_username()}" in tasks_section
    assert OrderEvent.objects.filter(order=paid, trigger="staff_task_done", user=user).exists()


def test_staff_who_may_not_deliver_cannot_mark_tasks_done(client, django_user_model, paid):
    task = _overdue_task(paid)
    client.force_login(staff_user(django_user_model, "view_order"))
    assert "Mark done" not in client.get("/admin/").content.decode()
    assert client.post(f"/admin/order/task-done/{task.pk}/").status_code in (302, 403)
    task.refresh_from_db()
    assert task.done_at is None
