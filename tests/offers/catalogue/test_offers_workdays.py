"""The agency calendar: weekends, holidays, working hours and daylight-saving changes (Europe/Berlin)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from offers.catalogue import workdays
from offers.catalogue.workdays import AgencyCalendar, NoWorkingDays, get_calendar
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


# When a job booked on a slot day is due: the last of its working days, at closing time.
# Written out by hand from the calendar (30 Nov 2026 is a Monday; 24 and 25 Dec are holidays).
DEADLINE_DAYS = {
    # slot day: {package working days: last working day}
    date(2026, 11, 30): {1: date(2026, 11, 30), 2: date(2026, 12, 1), 3: date(2026, 12, 2), 5: date(2026, 12, 4)},
    date(2026, 12, 1): {1: date(2026, 12, 1), 2: date(2026, 12, 2), 3: date(2026, 12, 3), 5: date(2026, 12, 7)},
    date(2026, 12, 2): {1: date(2026, 12, 2), 2: date(2026, 12, 3), 3: date(2026, 12, 4), 5: date(2026, 12, 8)},
    date(2026, 12, 3): {1: date(2026, 12, 3), 2: date(2026, 12, 4), 3: date(2026, 12, 7), 5: date(2026, 12, 9)},
    date(2026, 12, 4): {1: date(2026, 12, 4), 2: date(2026, 12, 7), 3: date(2026, 12, 8), 5: date(2026, 12, 10)},
    # Across Christmas: the 24th and 25th are holidays, the 26th and 27th a weekend.
    date(2026, 12, 23): {1: date(2026, 12, 23), 2: date(2026, 12, 28), 3: date(2026, 12, 29), 5: date(2026, 12, 31)},
}


@pytest.mark.parametrize(
    ("slot", "working_days", "last_day"),
    [(slot, days, last) for slot, row in DEADLINE_DAYS.items() for days, last in row.items()],
)
def test_a_package_of_n_working_days_is_due_at_closing_time_of_its_last_working_day(
    calendar, slot, working_days, last_day
):
    assert calendar.delivery_deadline(slot, working_days) == datetime.combine(last_day, time(17, 0), tzinfo=BERLIN)


def test_a_job_across_the_year_end_skips_new_years_day_and_the_weekend():
    calendar = AgencyCalendar(holidays=frozenset({date(2027, 1, 1)}), tz=BERLIN)  # a Friday
    assert calendar.delivery_deadline(date(2026, 12, 30), 2) == at(2026, 12, 31, 17, 0)
    assert calendar.delivery_deadline(date(2026, 12, 30), 3) == at(2027, 1, 4, 17, 0)
    assert calendar.delivery_deadline(date(2026, 12, 31), 5) == at(2027, 1, 7, 17, 0)


def test_a_package_without_a_length_is_a_one_day_job(calendar):
    assert calendar.delivery_deadline(date(2026, 12, 4)) == at(2026, 12, 4, 17, 0)


def test_asking_for_no_free_days_gives_none_and_for_one_gives_the_next(calendar):
    friday_noon = at(2026, 12, 4, 12, 0)
    assert calendar.next_working_days(friday_noon, 0) == []
    assert calendar.next_working_days(friday_noon, -1) == []
    assert calendar.next_working_days(friday_noon, 1) == [date(2026, 12, 7)]


def test_adding_working_days_counts_from_the_day_after(calendar):
    monday, friday, saturday = date(2026, 11, 30), date(2026, 12, 4), date(2026, 12, 5)
    assert calendar.add_working_days(monday, 0) == monday
    assert calendar.add_working_days(saturday, 0) == date(2026, 12, 7)
    assert calendar.add_working_days(monday, 1) == date(2026, 12, 1)
    assert calendar.add_working_days(monday, 2) == date(2026, 12, 2)
    assert calendar.add_working_days(friday, 1) == date(2026, 12, 7)


def test_no_working_days_between_a_day_and_itself(calendar):
    assert calendar.working_days_between(date(2026, 11, 30), date(2026, 11, 30)) == 0


def test_a_calendar_without_working_weekdays_says_so_instead_of_booking_a_day():
    closed = AgencyCalendar(weekdays=frozenset(), tz=BERLIN)
    with pytest.raises(NoWorkingDays, match="no working weekdays"):
        closed.next_working_day(at(2026, 11, 30, 12, 0))


def test_a_working_day_is_searched_for_three_years_and_no_further():
    every_day = frozenset(range(7))
    start = date(2026, 12, 1)
    three_years = 3 * 366
    # Closed every day until the last day of the search: that day is found.
    almost = AgencyCalendar(
        weekdays=every_day, holidays=frozenset(start + timedelta(days=n) for n in range(three_years - 1)), tz=BERLIN
    )
    assert almost.add_working_days(start, 0) == start + timedelta(days=three_years - 1)
    # Closed one day longer: there is no working day within the search.
    closed = AgencyCalendar(
        weekdays=every_day, holidays=frozenset(start + timedelta(days=n) for n in range(three_years)), tz=BERLIN
    )
    with pytest.raises(NoWorkingDays, match="within three years"):
        closed.add_working_days(start, 0)


def test_a_calendar_given_to_the_module_functions_is_used_instead_of_the_sites():
    weekends_only = AgencyCalendar(weekdays=frozenset({5, 6}), tz=BERLIN)
    monday_noon = at(2026, 11, 30, 12, 0)
    assert workdays.next_working_day(monday_noon, calendar=weekends_only) == date(2026, 12, 5)
    assert workdays.delivery_deadline(date(2026, 12, 5), 2, calendar=weekends_only) == at(2026, 12, 6, 17, 0)
    assert workdays.delivery_deadline(date(2026, 12, 5), calendar=weekends_only) == at(2026, 12, 5, 17, 0)


def test_a_job_booked_on_a_day_off_is_due_at_the_end_of_the_next_working_day(calendar):
    assert calendar.delivery_deadline(date(2026, 12, 5), 1) == at(2026, 12, 7, 17, 0)  # a Saturday slot
    assert calendar.delivery_deadline(date(2026, 12, 5), 2) == at(2026, 12, 8, 17, 0)
