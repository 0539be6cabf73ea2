"""Free seats over the booking horizon, and the next free slot."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from offers.catalogue import availability
from offers.catalogue.availability import SeatCount
from offers.catalogue.workdays import AgencyCalendar
from tests.factories import DemoPackageFactory

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY_MORNING = datetime(2026, 11, 30, 10, 0, tzinfo=BERLIN)
CALENDAR = AgencyCalendar(holidays=frozenset({date(2026, 12, 1)}), tz=BERLIN)


@pytest.fixture
def package():
    return DemoPackageFactory.build(capacity_per_day=2, horizon_working_days=5)


def test_every_working_day_of_the_horizon_has_the_daily_capacity(package):
    result = availability.availability(package, MONDAY_MORNING, CALENDAR)
    assert [seats.day for seats in result.days] == [
        date(2026, 12, 2),
        date(2026, 12, 3),
        date(2026, 12, 4),
        date(2026, 12, 7),
        date(2026, 12, 8),
    ]
    assert all(seats.free == 2 for seats in result.days)
    assert result.free_seats == 10


def test_holiday_is_skipped_and_next_free_slot_is_after_it(package):
    result = availability.availability(package, MONDAY_MORNING, CALENDAR)
    assert date(2026, 12, 1) not in [seats.day for seats in result.days]
    assert result.next_free_slot == date(2026, 12, 2)


def test_taken_seats_move_the_next_free_slot(package, monkeypatch):
    monkeypatch.setattr(
        availability,
        "seat_counts",
        lambda package, dates: {date(2026, 12, 2): SeatCount(2), date(2026, 12, 3): SeatCount(1)},
    )
    result = availability.availability(package, MONDAY_MORNING, CALENDAR)
    assert result.free_on(date(2026, 12, 2)) == 0
    assert result.free_on(date(2026, 12, 3)) == 1
    assert result.next_free_slot == date(2026, 12, 3)


def test_fully_booked_horizon_has_no_free_slot(package, monkeypatch):
    monkeypatch.setattr(availability, "seat_counts", lambda package, dates: dict.fromkeys(dates, SeatCount(2)))
    result = availability.availability(package, MONDAY_MORNING, CALENDAR)
    assert result.fully_booked
    assert result.next_free_slot is None


def test_nothing_is_taken_before_checkout_exists(package):
    days = [date(2026, 12, 2), date(2026, 12, 3)]
    assert availability.seats_taken(package, days) == {date(2026, 12, 2): 0, date(2026, 12, 3): 0}


def test_slot_reads_in_plain_words():
    assert availability.format_day(date(2026, 12, 1), "en") == "Tuesday 1 December"
    assert availability.format_day(date(2026, 12, 1), "de") == "Dienstag, 1. Dezember"
