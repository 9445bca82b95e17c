"""Therapists and their clients, as use cases: invite, consent, assign, remind, see what was done.

Each concern has its module (consent, homework, reminding, clients, over what base shares);
`Practice` is all of them over one store, and `act` routes the buttons of the therapist side.
Every view and export is written to the audit table.
"""

from __future__ import annotations

from datetime import datetime

from bot.engine import Effect, Say
from bot.engine.numbers import small_int
from bot.usecases.practice.base import NOT_A_THERAPIST, ZONES
from bot.usecases.practice.clients import Clients
from bot.usecases.practice.consent import SCOPE_LABELS, SCOPE_WORDS, SCOPES, Consent
from bot.usecases.practice.homework import Homework
from bot.usecases.practice.reminding import NUDGE_AFTER, Reminding
from bot.usecases.replies import OLD_BUTTON, Notice, Reply

__all__ = [
    "NOT_A_THERAPIST",
    "NUDGE_AFTER",
    "SCOPES",
    "SCOPE_LABELS",
    "SCOPE_WORDS",
    "VERBS",
    "ZONES",
    "Notice",
    "Practice",
    "Reply",
]

VERBS = frozenset({"snooze", "acc", "scope", "early", "as", "rp", "tz"})
"""The buttons of the therapist side (`go:` starts a conversation, and is the service's)."""


class Practice(Consent, Homework, Reminding, Clients):
    """The therapist side of the bot."""

    def act(self, user_id: int, verb: str, rest: str, action: str, now: datetime) -> Reply:
        """A button of the therapist side: its verb, the rest of its action, the whole action."""
        stale = Reply([Say(OLD_BUTTON)])
        if verb == "snooze":
            assignment_id = small_int(rest)
            if assignment_id is None:
                return stale
            return Reply(self.snooze(user_id, assignment_id, now))
        if verb == "tz":
            return Reply(self.choose_zone(user_id, action))
        if verb == "acc":
            scope, _, code = rest.partition(":")
            return self.accept(user_id, scope, code, now)
        if verb == "scope":
            link, _, scope = rest.partition(":")
            link_id = small_int(link)
            if link_id is None:
                return stale
            return self.change_scope(user_id, link_id, scope, now)
        if verb == "early":
            link, _, on = rest.partition(":")
            link_id = small_int(link)
            if link_id is None or on not in ("on", "off"):
                return stale
            return self.share_earlier(user_id, link_id, on == "on", now)
        if not self.is_therapist(user_id):
            return Reply([Say(NOT_A_THERAPIST)])
        if verb == "rp":  # a client tapped under /report
            return Reply(self.report_button(user_id, small_int(rest), now))
        return self.assign_step(user_id, action, now)  # "as": /assign's steps

    def command(self, user_id: int, command: str, arg: str, now: datetime, bot: str) -> Reply:
        """/invite, /assign, /clients, /report: for therapists only, politely refused otherwise."""
        if not self.is_therapist(user_id):
            return Reply([Say(NOT_A_THERAPIST)])
        effects: list[Effect]
        if command == "invite":
            effects = self.invite(user_id, arg, bot, now)
        elif command == "assign":
            effects = self.start_assign(user_id, arg, now)
        elif command == "clients":
            effects = self.clients(user_id, now)
        else:
            effects = self.report(user_id, arg, now)
        return Reply(effects)
