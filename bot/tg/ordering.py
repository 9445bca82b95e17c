"""Updates from different people run concurrently; one person's updates run strictly in order.

python-telegram-bot either handles every update one after another, or all of them at once.
The first lets one slow send hold up everybody; the second could apply a person's second tap
before their first. This processor keeps a FIFO lock per person and lets the rest overlap.

An update first waits for its person's earlier updates and only then takes one of the shared
slots: a person who taps ten times while their chat waits out a flood-control pause holds one
slot, not ten, so the cap is in effect on people being served, not on updates queued.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# People served at once. Each one waiting on Telegram (a 429, a slow send) holds a slot, so
# the cap is far above what a few slow chats can fill; the rate limiter paces the sending.
MAX_PEOPLE_AT_ONCE = 256


# PTB's own cap counts updates, queued ones included; ours counts people being served.
UNCAPPED = 1 << 30


class PerPersonOrder(BaseUpdateProcessor):
    """Concurrency across people, strict order within one person's updates."""

    def __init__(self, max_concurrent_updates: int = MAX_PEOPLE_AT_ONCE) -> None:
        super().__init__(UNCAPPED)
        self.max_people = max_concurrent_updates
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        self._locks: dict[int | None, asyncio.Lock] = {}
        self._waiting: dict[int | None, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run `coroutine` once every earlier update of the same person has finished and a
        slot is free (waiting for one's turn takes no slot)."""
        key = (
            update.effective_user.id
            if isinstance(update, Update) and update.effective_user
            else None
        )
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock, self._slots:
                await coroutine
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:
                # Forget idle people, so memory does not grow with the number of users.
                del self._waiting[key]
                del self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""
