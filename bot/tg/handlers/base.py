"""The plumbing every handler shares: claiming an update, running an event, sending replies.

Every update carries its `update_id` into the service as the event id, so a redelivered
update changes nothing.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Coroutine, Iterable
from datetime import datetime
from functools import partial
from typing import Any, TypeAlias

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes, ExtBot, JobQueue

from bot.engine import ClearChat, Effect, Event, Finished
from bot.tg.callback_data import Payload
from bot.tg.presenter import Outgoing, Sender, messages_for, render
from bot.usecases.practice import Notice
from bot.usecases.service import Service

log = logging.getLogger(__name__)

Context: TypeAlias = ContextTypes.DEFAULT_TYPE
# What `ApplicationBuilder().build()` makes with a rate limiter plugged in (its retry argument
# is an int) and nothing else custom.
App: TypeAlias = Application[
    ExtBot[int], Context, dict[Any, Any], dict[Any, Any], dict[Any, Any], JobQueue[Context]
]
Handler: TypeAlias = Callable[[Update, Context], Coroutine[Any, Any, None]]


class Base(ABC):
    """The service and the clock, and the ways handlers talk to both and to Telegram."""

    def __init__(self, service: Service, clock: Callable[[], datetime]) -> None:
        self.service = service
        self.clock = clock

    def claim(self, update: Update) -> bool:
        """Record an update that changes no run; False if it was handled before."""
        user = update.effective_user
        return user is not None and self.service.claim(
            f"u{update.update_id}", user.id, self.clock()
        )

    def note(self, update: Update) -> bool:
        """Record an update whose answer only shows something (help, a menu, a plan); True when
        there is a person to answer. One delivered again after a crash is answered again: the
        first answer may never have gone out, and silence is worse than a repeat."""
        self.claim(update)
        return update.effective_user is not None

    def is_live(self, user_id: int, payload: Payload) -> bool:
        """Whether a button belongs to the question the person is on right now."""
        active = self.service.active(user_id)
        return active is not None and active.id == payload.run and active.state.seq == payload.seq

    def fixed(self, text: str) -> Handler:
        """A handler that always answers with the same text (help, pause, unknown command)."""

        async def reply(update: Update, context: Context) -> None:
            user = update.effective_user
            if user is not None and self.note(update):
                await self.say(context, user.id, text)

        return reply

    async def run(
        self,
        update: Update,
        context: Context,
        event: Event,
        run_id: int | None = None,
        before: list[Effect] | None = None,
    ) -> None:
        """Hand one event to the service; send its replies after it has committed."""
        user = update.effective_user
        if user is None:
            return
        outcome = self.service.handle(
            user.id, event, self.clock(), event_id=f"u{update.update_id}", run_id=run_id
        )
        if outcome.duplicate:  # delivered again after a crash: the live question, once more
            await self.show(context, user.id, outcome.effects, outcome.run_id)
            return
        await self.show(context, user.id, [*(before or []), *outcome.effects], outcome.run_id)
        await self.tell_others(context, outcome.notices)
        if any(isinstance(e, Finished) for e in outcome.effects):
            await self.offer_readiness(context, user.id)

    @abstractmethod
    async def offer_readiness(self, context: Context, user_id: int) -> None:
        """What follows a finished conversation (the safety handlers decide)."""

    @abstractmethod
    async def therapist_start(self, update: Update, context: Context) -> None:
        """/start for a therapist (the therapists' handlers decide)."""

    # -- sending -----------------------------------------------------------------------------
    def sender(self, context: Context) -> Sender:
        """A sender that records a 403 as 'blocked'."""
        return Sender(context.bot, lambda chat: self.service.mark_blocked(chat, self.clock()))

    async def send(
        self, context: Context, chat_id: int, messages: list[Outgoing], note: bool = True
    ) -> None:
        """Send prepared messages to a chat, keeping their ids for "Clear this chat"."""
        sent = await self.sender(context).send(chat_id, messages)
        if note and sent:
            self.service.note_messages(chat_id, [m.message_id for m in sent], self.clock())

    async def show(
        self, context: Context, chat_id: int, effects: list[Effect], run_id: int | None
    ) -> None:
        """Carry out effects: clear the chat if asked, then send the rest."""
        if any(isinstance(e, ClearChat) for e in effects):
            await self.clear_chat(context, chat_id)
            effects = [e for e in effects if not isinstance(e, ClearChat)]
        if effects:
            await self.send(context, chat_id, render(effects, run_id))

    async def say(
        self,
        context: Context,
        chat_id: int,
        text: str,
        keyboard: InlineKeyboardMarkup | None = None,
    ) -> None:
        """Send one of the adapter's own texts."""
        await self.send(context, chat_id, messages_for("", text, keyboard))

    async def tell_others(self, context: Context, notices: Iterable[Notice]) -> None:
        """Send messages meant for other people (a therapist, a client)."""
        for notice in notices:
            await self.show(context, notice.user_id, list(notice.effects), None)

    # -- the chat's message ids --------------------------------------------------------------
    async def note_incoming(self, update: Update, context: Context) -> None:
        """Keep the id of a message the person sent (never its content)."""
        message, user = update.effective_message, update.effective_user
        if message is not None and user is not None:
            self.service.note_messages(user.id, [message.message_id], self.clock())

    async def clear_chat(self, context: Context, chat_id: int) -> None:
        """Delete the messages Telegram still lets a bot delete (the last 48 hours)."""
        for message_id in self.service.clear_targets(chat_id, self.clock()):
            try:
                await self.sender(context).call(
                    chat_id, partial(context.bot.delete_message, chat_id, message_id)
                )
            except TelegramError as exc:
                log.info("could not delete a message in chat %s: %s", chat_id, type(exc).__name__)
