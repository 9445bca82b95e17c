"""Polling with an inbox: an update is in SQLite before Telegram is told it arrived.

python-telegram-bot's own poller confirms a batch with its next getUpdates, before the batch is
handled, so a crash in between loses those messages. Here each batch is written to the inbox
table and committed first; only the getUpdates after that commit (whose offset confirms the
batch) tells Telegram. After a restart the inbox is drained before anything new is fetched.
An update that cannot be read is set aside in the inbox (never logged) and polling goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import warnings
from collections.abc import Callable
from datetime import datetime
from typing import Any

from telegram import Update
from telegram.error import RetryAfter, TelegramError
from telegram.ext import Application

from bot.storage import Store

log = logging.getLogger(__name__)

FORGET_AFTER = 0.25
"""How soon after an update is handled its inbox row goes (with any others handled by then)."""
POLL_SECONDS = 10
"""How long one getUpdates waits for something to arrive (Telegram's long polling)."""


class Intake:
    """Fetches updates into the inbox, then hands each to the application, then forgets it."""

    def __init__(
        self,
        app: Application[Any, Any, Any, Any, Any, Any],
        store: Store,
        clock: Callable[[], datetime],
        allowed_updates: list[str] | None = None,
        poll_seconds: int = POLL_SECONDS,
    ) -> None:
        self.app = app
        self.store = store
        self.clock = clock
        self.allowed_updates = allowed_updates
        self.poll_seconds = poll_seconds
        self.tasks: set[asyncio.Task[None]] = set()
        self._stopping = asyncio.Event()
        self._handled: list[int] = []
        """Updates handled and replied to, whose rows go with the next commit (a commit of
        its own for each would cost a disk sync per update; after a crash, one still listed
        is handled again, which the duplicate check makes harmless: the live question)."""
        self._forgetting: asyncio.TimerHandle | None = None

    def stop(self) -> None:
        """Finish the getUpdates in hand and fetch no more."""
        self._stopping.set()

    def drain(self) -> None:
        """Hand on what the last run left in the inbox, oldest first."""
        with self.store.atomic():
            left = self.store.inbox.waiting()
        for update_id, raw in left:
            self.dispatch(update_id, raw)

    def keep(self, batch: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
        """Commit these raw updates to the inbox (and forget the handled ones); (id, update)
        of each that has an id."""
        with self.store.atomic():
            self._forget_handled()
            return self.store.inbox.add(batch, self.clock())

    def forget(self) -> None:
        """Commit the forgetting of the updates handled since the last commit, if any."""
        if self._forgetting is not None:
            self._forgetting.cancel()
            self._forgetting = None
        if self._handled:
            with self.store.atomic():
                self._forget_handled()

    def _forget_handled(self) -> None:
        handled, self._handled = self._handled, []
        for update_id in handled:
            self.store.inbox.handled(update_id)

    async def finish(self) -> None:
        """Wait for the updates in hand to be handled, and forget them."""
        if self.tasks:
            await asyncio.gather(*self.tasks, return_exceptions=True)
        self.forget()

    async def run(self) -> None:
        """Drain what the last run left in the inbox, then poll until stopped."""
        self.drain()
        delay = 1.0
        while not self._stopping.is_set():
            try:
                batch = await self._fetch_unless_stopped()
            except RetryAfter as exc:
                await self._pause(_seconds(exc.retry_after))
                continue
            except TelegramError as exc:
                # A network fault, or Telegram refusing (a webhook still set): wait, then again.
                log.warning("getUpdates failed (%s); trying again", type(exc).__name__)
                await self._pause(delay)
                delay = min(delay * 2, 30)
                continue
            delay = 1.0
            if not batch:
                continue
            for update_id, raw in self.keep(batch):
                self.dispatch(update_id, raw)
        await self.finish()

    async def _fetch_unless_stopped(self) -> list[dict[str, Any]]:
        """One long poll, given up (confirming nothing) the moment the intake is stopped."""
        fetch = asyncio.ensure_future(self._fetch())
        stop = asyncio.ensure_future(self._stopping.wait())
        done, _ = await asyncio.wait({fetch, stop}, return_when=asyncio.FIRST_COMPLETED)
        if fetch in done:
            stop.cancel()
            return fetch.result()
        fetch.cancel()
        with contextlib.suppress(asyncio.CancelledError, TelegramError):
            await fetch
        return []

    async def _fetch(self) -> list[dict[str, Any]]:
        """One long poll: the raw updates after the confirmed offset (which it confirms)."""
        with self.store.atomic():
            offset = self.store.inbox.next_offset()
        kwargs: dict[str, Any] = {"timeout": self.poll_seconds}
        if offset is not None:
            kwargs["offset"] = offset
        if self.allowed_updates is not None:
            kwargs["allowed_updates"] = self.allowed_updates
        with warnings.catch_warnings():
            # PTB suggests get_updates for this endpoint; we want the raw JSON, which it parses.
            warnings.simplefilter("ignore")
            result = await self.app.bot.do_api_request(
                "getUpdates", api_kwargs=kwargs, read_timeout=self.poll_seconds + 10
            )
        return [u for u in result if isinstance(u, dict)] if isinstance(result, list) else []

    def dispatch(self, update_id: int, raw: dict[str, Any]) -> None:
        """Read the update and hand it to the application, or set it aside if it can't be read."""
        try:
            update = Update.de_json(raw, self.app.bot)
        except Exception as exc:  # any malformed update must not stop polling
            log.warning("update %s cannot be read (%s): set aside", update_id, type(exc).__name__)
            with self.store.atomic():
                self.store.inbox.set_aside(update_id, self.clock())
            return
        task = asyncio.create_task(self._handle(update_id, update))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _handle(self, update_id: int, update: Update) -> None:
        """Through the application's processor (its ordering per person), then forgotten."""
        processor = self.app.update_processor
        try:
            await processor.process_update(update, self.app.process_update(update))
        except TelegramError as exc:
            log.warning("update %s: %s", update_id, type(exc).__name__)
        finally:
            self._handled.append(update_id)
            if self._forgetting is None:
                # Soon, and with whatever else was handled meanwhile: one commit for them all.
                self._forgetting = asyncio.get_running_loop().call_later(FORGET_AFTER, self.forget)

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)


def _seconds(retry_after: Any) -> float:
    """`retry_after` as seconds, whether PTB gives an int or a timedelta."""
    total = getattr(retry_after, "total_seconds", None)
    return float(total()) if callable(total) else float(retry_after)


async def poll(
    app: Application[Any, Any, Any, Any, Any, Any],
    store: Store,
    clock: Callable[[], datetime],
    reload: Callable[[], None] | None = None,
) -> None:
    """Run the application on the intake until SIGINT or SIGTERM, then stop it cleanly;
    `reload` runs on SIGHUP, between two updates."""
    intake = Intake(app, store, clock, allowed_updates=list(Update.ALL_TYPES))
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, intake.stop)
    if reload is not None:
        loop.add_signal_handler(signal.SIGHUP, reload)
    async with app:
        if app.post_init is not None:
            await app.post_init(app)
        # Polling needs no webhook set; what Telegram holds for us stays (it is not dropped).
        await app.bot.delete_webhook(drop_pending_updates=False)
        await app.start()
        try:
            await intake.run()
        finally:
            await app.stop()
