"""The ids (only the ids) of the messages in each person's chat, so that it can be cleared.

They wait in memory and are written with the person's next transaction (an incoming message's
id goes in with the update it came in) or by the next tick: a commit of its own for every
message would halve the bot's throughput. A crash can forget the ids of the last few messages.
"""

from __future__ import annotations

from datetime import datetime

from bot.storage import Store
from bot.usecases.safety_path import CLEARABLE


class MessageIds:
    """Message ids waiting to be written, per person."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._waiting: dict[int, list[tuple[int, datetime]]] = {}

    def note(self, user_id: int, message_ids: list[int], now: datetime) -> None:
        """Remember these ids of the person's chat, to be written with the next transaction."""
        self._waiting.setdefault(user_id, []).extend((m, now) for m in message_ids)

    def flush(self, user_id: int | None = None) -> None:
        """Inside a transaction: write the waiting ids (one person's, or everyone's)."""
        people = list(self._waiting) if user_id is None else [user_id]
        for person in people:
            for message_id, at in self._waiting.pop(person, []):
                self.store.touch_user(person, at)
                self.store.personal.note_messages(person, [message_id], at)

    def forget(self, user_id: int) -> None:
        """Drop the person's waiting ids (they are being erased)."""
        self._waiting.pop(user_id, None)

    def forget_old(self, now: datetime) -> None:
        """Inside a transaction: write what waits; drop ids too old to delete anyway."""
        self.flush()
        self.store.personal.forget_old_messages(now - CLEARABLE)
