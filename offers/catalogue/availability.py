"""Free seats per working day for a package, and the next free slot.

This is the one place that answers "can this package be bought, and when":
the offer page, the call-to-action block, the banner and the checkout all ask it.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from babel.dates import format_date
from django.db.models import Count, Min, Q
from django.utils import timezone, translation

from offers.catalogue import workdays
from offers.models.orders import SlotHold
from offers.money import babel_locale


def unpaid_hold_limit(package) -> int:
    """Seats of one day that may be held without payment at once: half the day, at least one.

    Without it a handful of abandoned checkouts would hold every seat of the
    coming weeks; with it the other half of each day stays for buyers who pay.
    """
    return max(1, package.capacity_per_day // 2)


@dataclass(frozen=True)
class DaySeats:
    day: date
    capacity: int
    taken: int
    held: int = 0  # of `taken`, the seats held by checkouts not paid yet
    hold_limit: int | None = None
    held_until: datetime | None = None  # when the first of those holds lapses

    @property
    def free(self) -> int:
        return max(self.capacity - self.taken, 0)

    @property
    def bookable(self) -> bool:
        """A new checkout could hold a seat of this day now."""
        return self.free > 0 and (self.hold_limit is None or self.held < self.hold_limit)


@dataclass(frozen=True)
class Availability:
    days: list[DaySeats]

    @property
    def next_free_slot(self) -> date | None:
        return next((seats.day for seats in self.days if seats.bookable), None)

    @property
    def held_until(self) -> datetime | None:
        """When fully booked only because of checkouts not paid yet: when the first of those holds lapses."""
        if not self.fully_booked:
            return None
        return min((seats.held_until for seats in self.days if seats.held_until), default=None)

    @property
    def fully_booked(self) -> bool:
        return self.next_free_slot is None

    @property
    def free_seats(self) -> int:
        return sum(seats.free for seats in self.days)

    def free_on(self, day: date) -> int:
        return next((seats.free for seats in self.days if seats.day == day), 0)


class SeatCount(NamedTuple):
    taken: int  # paid orders and unexpired holds
    held: int = 0  # of those, holds of checkouts not paid yet
    held_until: datetime | None = None  # when the first of those lapses


def seat_counts(package, dates: list[date]) -> dict[date, SeatCount]:
    """Seats taken on each date, and how many of them are only held, in one query.

    A paid order's hold never expires, so nothing is counted twice, and an
    abandoned checkout frees its seat by itself when its hold lapses.
    """
    counts = dict.fromkeys(dates, SeatCount(0))
    if package.pk is None:  # an unsaved package has no holds
        return counts
    now = timezone.now()
    rows = (
        SlotHold.objects.filter(package=package, date__in=dates)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .values("date")
        .annotate(taken=Count("pk"), held=Count("pk", filter=Q(expires_at__isnull=False)), until=Min("expires_at"))
    )
    for row in rows:
        counts[row["date"]] = SeatCount(row["taken"], row["held"], row["until"])
    return counts


def seats_taken(package, dates: list[date]) -> dict[date, int]:
    """Seats already taken on each date: paid orders and unexpired holds."""
    return {day: count.taken for day, count in seat_counts(package, dates).items()}


def availability(package, moment: datetime | None = None, calendar=None) -> Availability:
    """Free seats on each working day of the package's horizon, counted from `moment` (now by default)."""
    moment = moment or timezone.now()
    calendar = calendar or workdays.get_calendar()
    days = calendar.next_working_days(moment, package.horizon_working_days)
    counts = seat_counts(package, days) if days else {}
    limit = unpaid_hold_limit(package)
    days_seats = []
    for day in days:
        count = counts.get(day, SeatCount(0))
        days_seats.append(DaySeats(day, package.capacity_per_day, count.taken, count.held, limit, count.held_until))
    return Availability(days=days_seats)


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
