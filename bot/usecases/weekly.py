"""The weekly check-in, offered once a week: a row in the reminders outbox, on a day the person
can change, or stop. Set up when a check-in ends (for people who said yes to reminders), and
set again for the week after each time it is sent."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.engine import Button, Effect, Offer, Say
from bot.storage import Store
from bot.usecases.replies import OLD_BUTTON

CHECK_IN = "weekly-check-in"
WEEKLY = "weekly"
"""The kind of the reminder rows; the payload holds the weekday (0 is Monday) and the hour."""
HOUR = 18
"""Until the person picks a time, the check-in comes at 18:00 their time: after work for most,
before the night."""
HOURS = {9: "Morning, 9:00", 13: "Midday, 13:00", 18: "Evening, 18:00", 21: "Night, 21:00"}
"""The times a person can pick, their own time."""
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

SET = "I'll offer the next check-in on {day} at {time}, a week from now, and then every {day}."
KEPT = "Your next check-in comes on {day} at {time}."
NO_REMINDERS = (
    "You chose no reminders, so I won't offer this check-in each week. It's in /flows"
    " whenever you'd like it."
)
DUE = (
    "It's {day}: time for the weekly check-in, if you'd like. About a minute and a half, on"
    " how reachable, responsive and close the two of you felt this week."
)
CHANGE = "Change the day or time"
STOP = "Stop these"
START = "Start the check-in"
PICK_DAY = "Which day suits you for the weekly check-in?"
PICK_HOUR = "And what time on {day}? Your own time."
DAY_SET = "Done: the check-in comes every {day} at {time}, the next on {date}."
STOPPED = (
    "I've stopped the weekly check-in reminders. The check-in stays in /flows whenever you'd"
    " like it."
)
AGAIN = "Offer it weekly again"


def clock(hour: int) -> str:
    """An hour as a person reads it on the check-in's buttons: "18:00"."""
    return f"{hour:02d}:00"


class Weekly:
    """The weekly schedule of the check-in, over the reminders outbox; the caller holds the
    transaction."""

    def __init__(
        self,
        store: Store,
        zone: Callable[[int], ZoneInfo],
        may_remind: Callable[[int, str], bool],
    ) -> None:
        self.store = store
        self.zone = zone
        self.may_remind = may_remind

    def after_check_in(self, user_id: int, now: datetime) -> list[Effect]:
        """When a check-in ends: the schedule, set up the first time, and how to change it."""
        if not self.may_remind(user_id, CHECK_IN):
            return [Say(NO_REMINDERS)]
        pending = self.store.personal.pending_reminder(user_id, WEEKLY)
        if pending is not None:
            day = DAYS[int(pending.payload.get("weekday", 0))]
            time = clock(int(pending.payload.get("hour", HOUR)))
            return [Offer(KEPT.format(day=day, time=time), self._controls())]
        weekday = now.astimezone(self.zone(user_id)).weekday()
        self._schedule(user_id, weekday, HOUR, now + timedelta(days=6), now)
        text = SET.format(day=DAYS[weekday], time=clock(HOUR))
        return [Offer(text, self._controls())]

    def due(self, user_id: int, weekday: int, hour: int, now: datetime) -> list[Effect] | None:
        """The offer of a due check-in (and the next one put in the outbox), or None when the
        person may not be reminded of it any more (then the schedule ends)."""
        if not self.may_remind(user_id, CHECK_IN):
            return None
        self._schedule(user_id, weekday, hour, now + timedelta(days=1), now)
        day = DAYS[weekday]
        buttons = (Button(START, f"go:{CHECK_IN}"), *self._controls())
        return [Offer(DUE.format(day=day), buttons)]

    def act(self, user_id: int, rest: str, now: datetime) -> list[Effect]:
        """A button of the schedule: `day` (choose one), `set:N` (then a time), `at:N:H`,
        `stop`."""
        verb, _, arg = rest.partition(":")
        if verb == "day":
            days = tuple(Button(name, f"week:set:{i}") for i, name in enumerate(DAYS))
            return [Offer(PICK_DAY, days)]
        if verb == "set" and arg.isdigit() and int(arg) < len(DAYS):
            hours = tuple(Button(name, f"week:at:{arg}:{h}") for h, name in HOURS.items())
            return [Offer(PICK_HOUR.format(day=DAYS[int(arg)]), hours)]
        day, _, hour = arg.partition(":")
        if verb == "at" and day.isdigit() and int(day) < len(DAYS) and hour.isdigit():
            if int(hour) not in HOURS:
                return [Say(OLD_BUTTON)]
            if not self.may_remind(user_id, CHECK_IN):
                return [Say(NO_REMINDERS)]
            self.store.personal.cancel_reminders(user_id, WEEKLY, now)
            due = self._schedule(user_id, int(day), int(hour), now, now)
            local = due.astimezone(self.zone(user_id))
            text = DAY_SET.format(
                day=DAYS[int(day)], time=clock(int(hour)), date=f"{local:%A %-d %B}"
            )
            return [Say(text)]
        if verb == "stop":
            self.store.personal.cancel_reminders(user_id, WEEKLY, now)
            return [Offer(STOPPED, (Button(AGAIN, "week:day"),))]
        return [Say(OLD_BUTTON)]

    def _schedule(
        self, user_id: int, weekday: int, hour: int, earliest: datetime, now: datetime
    ) -> datetime:
        """Put the next check-in on `weekday` at `hour`, the person's time, from `earliest` on."""
        zone = self.zone(user_id)
        local = earliest.astimezone(zone)
        day = local + timedelta(days=(weekday - local.weekday()) % 7)
        due = day.replace(hour=hour, minute=0, second=0, microsecond=0)
        if due < local:
            due += timedelta(days=7)
        payload = {"weekday": weekday, "hour": hour}
        self.store.personal.add_reminder(user_id, WEEKLY, due, payload, now)
        return due

    @staticmethod
    def _controls() -> tuple[Button, ...]:
        return (Button(CHANGE, "week:day"), Button(STOP, "week:stop"))
