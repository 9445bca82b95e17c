"""Reading a due date as a therapist types it: pure, over the client's "today".

What is understood, case-blind and with extra spaces ignored:

- dates: `2026-12-24`, `24.12`, `24/12`, `24.12.2026` (day first; a day and month without a
  year is the next one to come);
- `today`, `tomorrow`;
- weekday names, whole or short (`friday`, `fri`, `thurs`), alone or after `this`, `next` or
  `on`: always the first such day *after* today, so "friday" said on a Friday is the Friday a
  week on ("today" is there for today), and "next friday" is the same day as "friday" — the
  date is read back in full before it is kept, so a therapist who meant the week after sees it;
- relative forms: `in 5 days`, `in 2 weeks`, `in a week`, `in one day`, `next week` (7 days).

The caller passes today in the client's time zone (`due_for` works it out from the moment
and the zone); a date before it is returned as it is, and
`refusal` says why it cannot be kept (in the past, or more than a year ahead).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

FURTHEST = timedelta(days=366)
"""How far ahead a due date may be."""
WEEKDAYS = {
    "monday": 0, "mon": 0,
    "tuesday": 1, "tue": 1, "tues": 1,
    "wednesday": 2, "wed": 2, "weds": 2,
    "thursday": 3, "thu": 3, "thur": 3, "thurs": 3,
    "friday": 4, "fri": 4,
    "saturday": 5, "sat": 5,
    "sunday": 6, "sun": 6,
}  # fmt: skip
NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DAY_MONTH = re.compile(r"(\d{1,2})[./](\d{1,2})(?:[./](\d{4}))?")
_RELATIVE = re.compile(r"(?:in\s+)?(\d{1,3}|[a-z]+)\s+(days?|weeks?|wks?)")


def today_in(now: datetime, zone: ZoneInfo) -> date:
    """The date it is in `zone` at the moment `now`."""
    return now.astimezone(zone).date()


def due_for(text: str, now: datetime, zone: ZoneInfo) -> date | None:
    """The day `text` names for someone living in `zone`, at the moment `now`."""
    return parse_due(text, today_in(now, zone))


def parse_due(text: str, today: date) -> date | None:
    """The day `text` names, counted from `today`; None when it names no day."""
    said = " ".join(text.replace(",", " ").split()).casefold().rstrip(".!")
    if not said:
        return None
    if said == "today":
        return today
    if said in ("tomorrow", "tmrw", "tmr"):
        return today + timedelta(days=1)
    if said == "next week":
        return today + timedelta(days=7)
    weekday = _weekday(said)
    if weekday is not None:
        return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)
    relative = _RELATIVE.fullmatch(said)
    if relative:
        count, unit = relative.groups()
        amount = int(count) if count.isdigit() else NUMBERS.get(count)
        if amount is None:
            return None
        return today + timedelta(days=amount * (7 if unit.startswith("w") else 1))
    return _calendar(said, today)


def refusal(day: date, today: date) -> str | None:
    """Why `day` cannot be a due date counted from `today`, or None when it can."""
    if day < today:
        return "That day has already passed."
    if day - today > FURTHEST:
        return "That is more than a year away."
    return None


def spoken(day: date) -> str:
    """A due date read back in full: "Friday 11 December 2026"."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def _weekday(said: str) -> int | None:
    words = said.split()
    if len(words) == 2 and words[0] in ("this", "next", "on", "by", "coming"):
        words = words[1:]
    return WEEKDAYS.get(words[0]) if len(words) == 1 else None


def _calendar(said: str, today: date) -> date | None:
    try:
        iso = _ISO.fullmatch(said)
        if iso:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        found = _DAY_MONTH.fullmatch(said)
        if not found:
            return None
        day, month, year = int(found.group(1)), int(found.group(2)), found.group(3)
        if year:
            return date(int(year), month, day)
        for ahead in range(9):  # the next such day to come (29.02 waits for a leap year)
            try:
                candidate = date(today.year + ahead, month, day)
            except ValueError:
                continue
            if candidate >= today:
                return candidate
        return None
    except ValueError:
        return None
