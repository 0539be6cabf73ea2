"""Free seats per working day for a package, and the next free slot.

This is the one place that answers "can this package be bought, and when":
the offer page, the call-to-action block, the banner and the checkout all ask it.
"""

from dataclasses import dataclass
from datetime import date, datetime

from babel.dates import format_date
from django.db.models import Count, Q
from django.utils import timezone, translation

from offers.catalogue import workdays
from offers.models.orders import SlotHold
from offers.money import babel_locale


@dataclass(frozen=True)
class DaySeats:
    day: date
    capacity: int
    taken: int

    @property
    def free(self) -> int:
        return max(self.capacity - self.taken, 0)


@dataclass(frozen=True)
class Availability:
    days: list[DaySeats]

    @property
    def next_free_slot(self) -> date | None:
        return next((seats.day for seats in self.days if seats.free), None)

    @property
    def fully_booked(self) -> bool:
        return self.next_free_slot is None

    @property
    def free_seats(self) -> int:
        return sum(seats.free for seats in self.days)

    def free_on(self, day: date) -> int:
        return next((seats.free for seats in self.days if seats.day == day), 0)


def seats_taken(package, dates: list[date]) -> dict[date, int]:
    """Seats already taken on each date: paid orders and unexpired holds.

    A paid order's hold never expires, so nothing is counted twice, and an
    abandoned checkout frees its seat by itself when its hold lapses.
    """
    counts = dict.fromkeys(dates, 0)
    if package.pk is None:  # an unsaved package has no holds
        return counts
    now = timezone.now()
    rows = (
        SlotHold.objects.filter(package=package, date__in=dates)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .values("date")
        .annotate(taken=Count("pk"))
    )
    for row in rows:
        counts[row["date"]] = row["taken"]
    return counts


def availability(package, moment: datetime | None = None, calendar=None) -> Availability:
    """Free seats on each working day of the package's horizon, counted from `moment` (now by default)."""
    moment = moment or timezone.now()
    calendar = calendar or workdays.get_calendar()
    days = calendar.next_working_days(moment, package.horizon_working_days)
    taken = seats_taken(package, days) if days else {}
    return Availability(
        days=[DaySeats(day=day, capacity=package.capacity_per_day, taken=taken.get(day, 0)) for day in days]
    )


def format_day(day: date, language: str | None = None) -> str:
    """A day in plain words: "Tuesday 1 December" (English), "Dienstag, 1. Dezember" (German)."""
    locale = babel_locale(language or translation.get_language())
    if locale.language == "en":
        return format_date(day, "EEEE d MMMM", locale=locale)
    return (
        format_date(day, "EEEE, d. MMMM", locale=locale)
        if locale.language == "de"
        else format_date(day, "full", locale=locale)
    )
