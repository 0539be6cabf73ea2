"""The agency calendar: weekends, holidays, working hours and daylight-saving changes (Europe/Berlin)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from offers.catalogue.workdays import AgencyCalendar, get_calendar
from offers.models import PublicHoliday, WorkingCalendar
from tests.factories import default_site
from tests.offers_fixtures import isolated_cache  # noqa: F401

BERLIN = ZoneInfo("Europe/Berlin")


def at(*args):
    return datetime(*args, tzinfo=BERLIN)


@pytest.fixture
def calendar():
    # 2026-12-24/25 are holidays; 2026-11-30 is a Monday.
    return AgencyCalendar(holidays=frozenset({date(2026, 12, 24), date(2026, 12, 25)}), tz=BERLIN)


def test_friday_afternoon_books_monday(calendar):
    assert calendar.next_working_day(at(2026, 11, 27, 14, 0)) == date(2026, 11, 30)


def test_weekend_books_monday(calendar):
    assert calendar.next_working_day(at(2026, 11, 28, 10, 0)) == date(2026, 11, 30)
    assert calendar.next_working_day(at(2026, 11, 29, 23, 59)) == date(2026, 11, 30)


def test_before_working_hours_the_same_day_is_still_free(calendar):
    assert calendar.next_working_day(at(2026, 11, 30, 8, 59)) == date(2026, 11, 30)
    assert calendar.next_working_day(at(2026, 11, 30, 9, 0)) == date(2026, 12, 1)


def test_holidays_are_skipped(calendar):
    assert calendar.next_working_day(at(2026, 12, 23, 12, 0)) == date(2026, 12, 28)
    assert calendar.next_working_days(at(2026, 12, 22, 12, 0), 3) == [
        date(2026, 12, 23),
        date(2026, 12, 28),
        date(2026, 12, 29),
    ]


def test_end_of_working_day_is_local_closing_time(calendar):
    end = calendar.end_of_working_day(date(2026, 11, 30))
    assert end == at(2026, 11, 30, 17, 0)
    assert end.utcoffset() == timedelta(hours=1)


def test_daylight_saving_change_moves_closing_time_in_utc(calendar):
    # Summer time starts on Sunday 29 March 2026: 17:00 is 16:00 UTC on Friday, 15:00 UTC on Monday.
    friday = calendar.end_of_working_day(date(2026, 3, 27))
    monday = calendar.end_of_working_day(date(2026, 3, 30))
    assert friday.astimezone(ZoneInfo("UTC")).time() == time(16, 0)
    assert monday.astimezone(ZoneInfo("UTC")).time() == time(15, 0)
    # (Same-zone subtraction in Python is wall-clock; elapsed time needs UTC.)
    utc = ZoneInfo("UTC")
    assert monday.astimezone(utc) - friday.astimezone(utc) == timedelta(days=3, hours=-1)
    # A Saturday late-evening moment in UTC is still Saturday in Berlin: Monday is next.
    assert calendar.next_working_day(datetime(2026, 3, 28, 22, 30, tzinfo=ZoneInfo("UTC"))) == date(2026, 3, 30)


def test_friday_evening_utc_is_already_saturday_in_berlin_in_winter(calendar):
    assert calendar.local_date(datetime(2026, 11, 27, 23, 30, tzinfo=ZoneInfo("UTC"))) == date(2026, 11, 28)


def test_working_days_between_counts_half_open_and_skips_weekends_and_holidays(calendar):
    assert calendar.working_days_between(date(2026, 11, 30), date(2026, 12, 7)) == 5
    assert calendar.working_days_between(date(2026, 12, 21), date(2026, 12, 28)) == 3
    assert calendar.working_days_between(date(2026, 12, 7), date(2026, 11, 30)) == -5
    assert calendar.working_days_between(at(2026, 11, 30, 20, 0), at(2026, 12, 1, 8, 0)) == 1


def test_delivery_deadline_of_multi_day_package_skips_weekend(calendar):
    assert calendar.delivery_deadline(date(2026, 11, 30), 1) == at(2026, 11, 30, 17, 0)
    assert calendar.delivery_deadline(date(2026, 12, 4), 2) == at(2026, 12, 7, 17, 0)


def test_naive_datetimes_are_refused(calendar):
    with pytest.raises(ValueError):
        calendar.next_working_day(datetime(2026, 11, 30, 10, 0))


@pytest.mark.django_db
def test_calendar_comes_from_the_site_setting_editors_change():
    site = default_site()
    setting = WorkingCalendar.for_site(site)
    setting.saturday = True
    setting.work_ends_at = time(15, 0)
    setting.save()
    PublicHoliday.objects.create(calendar=setting, date=date(2026, 12, 1), name="Studio day")
    calendar = get_calendar()
    assert calendar.next_working_day(at(2026, 11, 27, 14, 0)) == date(2026, 11, 28)
    assert calendar.next_working_days(at(2026, 11, 29, 10, 0), 2) == [date(2026, 11, 30), date(2026, 12, 2)]
    assert calendar.end_of_working_day(date(2026, 11, 30)) == at(2026, 11, 30, 15, 0)


@pytest.mark.django_db
def test_editors_are_told_when_working_hours_end_before_they_start():
    from django.core.exceptions import ValidationError

    setting = WorkingCalendar.for_site(default_site())
    setting.work_starts_at, setting.work_ends_at = time(17, 0), time(9, 0)
    with pytest.raises(ValidationError) as caught:
        setting.full_clean()
    assert caught.value.message_dict["work_ends_at"] == ["Working hours must end after they start."]


@pytest.mark.django_db
def test_editors_are_told_a_calendar_needs_a_working_day():
    from django.core.exceptions import ValidationError

    setting = WorkingCalendar.for_site(default_site())
    for name in ("monday", "tuesday", "wednesday", "thursday", "friday"):
        setattr(setting, name, False)
    with pytest.raises(ValidationError, match="Choose at least one working day"):
        setting.full_clean()
