"""Reading a typed due date: a fixed moment, several zones, month and year boundaries."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.usecases.practice.due import due_for, parse_due, refusal, spoken

MONDAY = date(2026, 11, 23)
FRIDAY = date(2026, 12, 11)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("today", MONDAY),
        ("Tomorrow", date(2026, 11, 24)),
        ("friday", date(2026, 11, 27)),
        ("  FRI ", date(2026, 11, 27)),
        ("Fri.", date(2026, 11, 27)),
        ("this friday", date(2026, 11, 27)),
        ("next monday", date(2026, 11, 30)),
        ("monday", date(2026, 11, 30)),  # said on a Monday: the next one, never today
        ("Thurs", date(2026, 11, 26)),
        ("sunday", date(2026, 11, 29)),
        ("in 5 days", date(2026, 11, 28)),
        ("in  10   days", date(2026, 12, 3)),  # across the end of November
        ("in 2 weeks", date(2026, 12, 7)),
        ("in a week", date(2026, 11, 30)),
        ("in one day", date(2026, 11, 24)),
        ("3 days", date(2026, 11, 26)),
        ("next week", date(2026, 11, 30)),
        ("2026-12-24", date(2026, 12, 24)),
        ("24.12", date(2026, 12, 24)),
        ("24/12/2026", date(2026, 12, 24)),
        ("3.1", date(2027, 1, 3)),  # a day and month already gone this year: next year's
    ],
)
def test_what_a_therapist_types_names_the_day_they_mean(text, day):
    assert parse_due(text, MONDAY) == day


def test_friday_said_on_a_friday_means_the_one_a_week_on():
    assert parse_due("friday", FRIDAY) == date(2026, 12, 18)
    assert parse_due("today", FRIDAY) == FRIDAY


def test_dates_cross_the_year():
    new_years_eve = date(2026, 12, 31)
    assert parse_due("tomorrow", new_years_eve) == date(2027, 1, 1)
    assert parse_due("friday", new_years_eve) == date(2027, 1, 1)  # the 31st is a Thursday
    assert parse_due("in 2 weeks", new_years_eve) == date(2027, 1, 14)
    assert parse_due("in 5 days", date(2027, 2, 26)) == date(2027, 3, 3)
    assert parse_due("29.02", date(2027, 3, 1)) == date(2028, 2, 29)  # the next leap day


# 2026-11-23 12:00 UTC: still Monday in New York and Dublin, already Tuesday in Auckland.
NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "tomorrow", "friday"),
    [
        ("Europe/Dublin", date(2026, 11, 24), date(2026, 11, 27)),
        ("America/New_York", date(2026, 11, 24), date(2026, 11, 27)),
        ("Pacific/Auckland", date(2026, 11, 25), date(2026, 11, 27)),
    ],
)
def test_days_are_counted_in_the_clients_zone(zone, tomorrow, friday):
    assert due_for("tomorrow", NOON, ZoneInfo(zone)) == tomorrow
    assert due_for("friday", NOON, ZoneInfo(zone)) == friday


def test_a_friday_in_auckland_is_a_thursday_in_london():
    # 2026-12-10 20:00 UTC is Friday 11 December, 09:00 in Auckland; Thursday in London.
    evening = datetime(2026, 12, 10, 20, 0, tzinfo=UTC)
    assert due_for("friday", evening, ZoneInfo("Pacific/Auckland")) == date(2026, 12, 18)
    assert due_for("friday", evening, ZoneInfo("Europe/London")) == date(2026, 12, 11)


@pytest.mark.parametrize(
    "text",
    ["", "   ", "soon", "whenever", "fridays", "next", "in days", "in many days", "31.02",
     "2026-13-01", "the 5th", "friday or saturday", "in 5 months", "12345-01-01", "monday 3pm"],
)  # fmt: skip
def test_nonsense_names_no_day(text):
    assert parse_due(text, MONDAY) is None


def test_a_day_gone_or_too_far_ahead_is_refused_with_a_reason():
    assert refusal(date(2026, 11, 22), MONDAY) == "That day has already passed."
    assert refusal(parse_due("in 999 days", MONDAY) or MONDAY, MONDAY) is not None
    assert refusal(MONDAY, MONDAY) is None
    assert refusal(date(2027, 11, 23), MONDAY) is None


def test_the_day_is_read_back_in_full():
    assert spoken(FRIDAY) == "Friday 11 December 2026"
    assert spoken(date(2027, 1, 1)) == "Friday 1 January 2027"
