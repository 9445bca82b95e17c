"""Typed words that are not an answer to the question on screen, caught before any exercise.

A therapist typing a due date or a note for /assign; a crisis the screen finds (it reads every
message before any exercise does); or the answer to the safety question waiting for the person.
"""

from __future__ import annotations

from datetime import datetime

from bot.usecases.practice import Practice
from bot.usecases.replies import Outcome
from bot.usecases.safety_path import SafetyPath


def interrupt(
    practice: Practice, safety: SafetyPath, user_id: int, text: str, now: datetime
) -> Outcome | None:
    """Inside a transaction: what catches this text first, or None when nothing does."""
    drafting = practice.typed(user_id, text, now)
    if drafting is not None:
        return Outcome(drafting.effects, notices=drafting.notices)
    store = safety.store
    caught = safety.screened(user_id, text, now, store.active_run(user_id))
    caught = caught or safety.typed_while_waiting(user_id, text, now)
    if caught is None:
        return None
    return Outcome(caught, run_id=store.active_run_id(user_id))
