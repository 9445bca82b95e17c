"""Telegram updates → service calls → messages. No decisions about the conversation here.

The handlers live by concern in this package; `Adapter` puts them together, registers them,
and routes each button press to the concern it belongs to. Every callback query is answered
before anything else is sent.
"""

from __future__ import annotations

import asyncio
import logging
import traceback

from telegram import CallbackQuery, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.documents.export import PRIVACY
from bot.tg import texts
from bot.tg.callback_data import Payload, decode
from bot.tg.handlers.base import App, Context, Handler
from bot.tg.handlers.conversation import Conversation
from bot.tg.handlers.questions import QUESTION_KINDS, QuestionButtons
from bot.tg.handlers.rights import Rights
from bot.tg.handlers.safety import Safety
from bot.tg.handlers.therapists import THERAPIST_COMMANDS, Therapists

log = logging.getLogger(__name__)


class Adapter(Conversation, QuestionButtons, Safety, Therapists, Rights):
    """The bot's handlers, bound to one service and one clock."""

    def install(self, app: App) -> None:
        """Register every handler on the application."""
        # Every message's id (only the id) is kept for two days, so a person can clear the chat.
        app.add_handler(MessageHandler(filters.UpdateType.MESSAGE, self.note_incoming), group=-1)
        # An edited message never changes a stored answer; the reply says how to change one.
        app.add_handler(MessageHandler(filters.UpdateType.EDITED, self.fixed(texts.EDITED)))
        commands: dict[str, Handler] = {
            "start": self.on_start,
            "flows": self.on_flows,
            "resume": self.on_resume,
            "back": self.on_back,
            "skip": self.on_skip,
            "pause": self.fixed(texts.PAUSED),
            "cancel": self.on_cancel,
            "journal": self.on_journal,
            "help": self.on_help,
            "sos": self.on_sos,
            "safety": self.on_safety,
            "privacy": self.fixed(PRIVACY),
            "export": self.on_export,
            "delete": self.on_delete,
            "therapist": self.on_therapist,
            **{name: self.therapist(name) for name in THERAPIST_COMMANDS},
        }
        for name, callback in commands.items():
            app.add_handler(CommandHandler(name, callback))
        app.add_handler(MessageHandler(filters.COMMAND, self.fixed(texts.UNKNOWN_COMMAND)))
        app.add_handler(MessageHandler(filters.TEXT, self.on_text))
        app.add_handler(MessageHandler(filters.UpdateType.MESSAGE, self.on_not_text))
        app.add_handler(CallbackQueryHandler(self.on_button))
        app.add_error_handler(self.on_error)

    # -- buttons -----------------------------------------------------------------------------
    async def on_button(self, update: Update, context: Context) -> None:
        """A button press: its callback is answered first, while the press is acted on."""
        query = update.callback_query
        user = update.effective_user
        if query is None or user is None:
            return
        payload = decode(query.data)
        alert = self.alert_for(user.id, query, payload)
        # The answer goes out first and overlaps with the work, so the spinner stops at once.
        answered = asyncio.create_task(_answer(query, alert))
        try:
            if alert is None:
                await self._press(update, context, query, payload)
        finally:
            await answered

    async def _press(
        self, update: Update, context: Context, query: CallbackQuery, payload: Payload | None
    ) -> None:
        if payload is None or payload.kind in QUESTION_KINDS:
            await self.answer_question(update, context, query, payload)
        elif payload.kind == "a":
            await self.act(update, context, payload)
        elif payload.kind == "e":
            await self.erase(update, context)
        elif payload.kind == "n":
            await self.keep(update, context)
        elif payload.kind == "x":
            await self.cancel_confirmed(update, context, payload)

    async def act(self, update: Update, context: Context, payload: Payload) -> None:
        """A button that answers no question: the safety path's, an invitation's, /assign's,
        a reminder's."""
        user = update.effective_user
        if user is None:
            return
        outcome = self.service.action(user.id, payload.arg, self.clock(), f"u{update.update_id}")
        await self.show(context, user.id, outcome.effects, outcome.run_id)
        if not outcome.duplicate:
            await self.tell_others(context, outcome.notices)

    # -- the repeating job -------------------------------------------------------------------
    async def tick(self, context: Context) -> None:
        """Send what is due (each marked sent as it is taken), forget old message ids, and give
        or take the therapists' menu where the role changed."""
        now = self.clock()
        for due in self.service.due_reminders(now):
            try:
                await self.show(context, due.user_id, due.effects, None)
            except TelegramError as exc:
                log.warning("reminder %s not sent (%s)", due.reminder_id, type(exc).__name__)
                self.service.release(due.reminder_id)
        self.service.forget_old_messages(now)
        # `python -m bot therapists add/remove` writes to the database from another process.
        await self.sync_menus(context.bot)

    # -- errors ------------------------------------------------------------------------------
    async def on_error(self, update: object, context: Context) -> None:
        """Log what failed (ids and code locations only) and tell the person kindly."""
        error = context.error
        update_id = getattr(update, "update_id", None)
        where = "".join(traceback.format_tb(error.__traceback__)) if error else ""
        log.error("update %s failed with %s\n%s", update_id, type(error).__name__, where)
        user = getattr(update, "effective_user", None)
        if user is not None:
            try:
                await self.say(context, user.id, texts.SORRY)
            except TelegramError:
                log.error("could not tell chat %s about the failure", user.id)


async def _answer(query: CallbackQuery, alert: str | None = None) -> None:
    """Answer a callback query; a failure here must not stop the press from counting."""
    try:
        if alert:
            await query.answer(alert, show_alert=True)
        else:
            await query.answer()
    except TelegramError as exc:
        log.info("could not answer a callback query: %s", type(exc).__name__)
