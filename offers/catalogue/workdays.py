"""The agency's calendar: working days, working hours and public holidays.

Slots, delivery deadlines, refund deadlines and reports all count days here,
never with their own date arithmetic. Times are aware datetimes; days are the
agency's local dates in settings.TIME_ZONE (zoneinfo, so DST changes are exact).

`AgencyCalendar` is a plain value built from the `WorkingCalendar` site setting
by `get_calendar()`; the module functions take an optional calendar so callers
can load it once per request.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from config import page_cache
from offers.models.calendar import WEEKDAY_FIELDS, WorkingCalendar

# Searching further than this for a working day means the calendar has none.
_MAX_SEARCH_DAYS = 3 * 366


class NoWorkingDays(ValueError):
    pass


@dataclass(frozen=True)
class AgencyCalendar:
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday == 0
    start: time = time(9, 0)
    end: time = time(17, 0)
    holidays: frozenset[date] = field(default_factory=frozenset)
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo(settings.TIME_ZONE))

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.weekdays and day not in self.holidays

    def local_date(self, moment: datetime | date) -> date:
        if isinstance(moment, datetime):
            if timezone.is_naive(moment):
                raise ValueError("use an aware datetime")
            return moment.astimezone(self.tz).date()
        return moment

    def start_of_working_day(self, day: date) -> datetime:
        return datetime.combine(day, self.start, tzinfo=self.tz)

    def end_of_working_day(self, day: date) -> datetime:
        return datetime.combine(day, self.end, tzinfo=self.tz)

    def working_days_from(self, day: date) -> Iterator[date]:
        """Working days on or after `day`, in order."""
        for offset in range(_MAX_SEARCH_DAYS):
            candidate = day + timedelta(days=offset)
            if self.is_working_day(candidate):
                yield candidate
        # Callers stop at the day they need; running out means the calendar has too few working days.
        raise NoWorkingDays("no working day within three years" if self.weekdays else "no working weekdays at all")

    def next_working_day(self, moment: datetime) -> date:
        """The first working day that has not started yet at `moment`.

        Before the start of working hours on a working day, that is the same
        day; from then on, the next working day.
        """
        day = self.local_date(moment)
        if isinstance(moment, datetime) and moment < self.start_of_working_day(day):
            first_candidate = day
        else:
            first_candidate = day + timedelta(days=1)
        return next(self.working_days_from(first_candidate))

    def next_working_days(self, moment: datetime, count: int) -> list[date]:
        """The next `count` working days that have not started yet at `moment`."""
        days = self.working_days_from(self.next_working_day(moment))
        return [next(days) for _ in range(count)]

    def add_working_days(self, day: date, count: int) -> date:
        """The working day `count` working days after `day` (`day` itself when count is 0 and it is a working day)."""
        days = self.working_days_from(day if count == 0 else day + timedelta(days=1))
        for _ in range(count - 1):
            next(days)
        return next(days)

    def working_days_between(self, start: datetime | date, end: datetime | date) -> int:
        """How many working days lie in [start, end) by local date; negative when end is before start."""
        a, b = self.local_date(start), self.local_date(end)
        if b < a:
            return -self.working_days_between(b, a)
        return sum(1 for offset in range((b - a).days) if self.is_working_day(a + timedelta(days=offset)))

    def delivery_deadline(self, slot_day: date, working_days: int = 1) -> datetime:
        """End of working hours on the last working day of a job that starts on `slot_day` and takes `working_days`.

        A slot on a day off (never offered, but a staff edit could make one) starts on the next working day.
        """
        first_day = self.add_working_days(slot_day, 0)
        return self.end_of_working_day(self.add_working_days(first_day, working_days - 1))


def calendar_of(setting: WorkingCalendar) -> AgencyCalendar:
    """The plain calendar value of a WorkingCalendar site setting (saved or not)."""
    holidays = frozenset(setting.holidays.values_list("date", flat=True)) if setting.pk else frozenset()
    return AgencyCalendar(
        weekdays=frozenset(index for index, name in enumerate(WEEKDAY_FIELDS) if getattr(setting, name)),
        start=setting.work_starts_at,
        end=setting.work_ends_at,
        holidays=holidays,
    )


def get_calendar(site=None) -> AgencyCalendar:
    """The calendar of the site (default site when None), from its WorkingCalendar setting."""
    # Read on every offer view; any change to the calendar or its holidays starts a new generation.
    return page_cache.remember(
        f"calendar:{site.pk if site else 'default'}", lambda: calendar_of(WorkingCalendar.load(site))
    )


def next_working_day(moment: datetime, calendar: AgencyCalendar | None = None) -> date:
    return (calendar or get_calendar()).next_working_day(moment)


def delivery_deadline(slot_day: date, working_days: int = 1, calendar: AgencyCalendar | None = None) -> datetime:
    return (calendar or get_calendar()).delivery_deadline(slot_day, working_days)
