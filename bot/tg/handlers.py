"""Telegram updates → service calls → messages. No decisions about the conversation here.

Every update carries its `update_id` into the service as the event id, so a redelivered
update changes nothing; every callback query is answered before anything else is sent.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.documents.export import PRIVACY
from bot.engine import (
    Back,
    Choice,
    ClearChat,
    Effect,
    Event,
    Finished,
    Picks,
    Resume,
    Say,
    Skip,
    Start,
    Text,
)
from bot.tg import texts
from bot.tg.callback_data import Payload, decode
from bot.tg.presenter import Outgoing, Sender, messages_for, render, selected, toggled
from bot.usecases.practice import Notice
from bot.usecases.service import ONBOARDING, READINESS, Service

log = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE


class Adapter:
    """The bot's handlers, bound to one service and one clock."""

    def __init__(self, service: Service, clock: Callable[[], datetime]) -> None:
        self.service = service
        self.clock = clock

    # -- wiring ------------------------------------------------------------------------------
    def install(self, app: Application) -> None:  # type: ignore[type-arg]
        """Register every handler on the application."""
        # Every message's id (only the id) is kept for two days, so a person can clear the chat.
        app.add_handler(MessageHandler(filters.UpdateType.MESSAGE, self.note_incoming), group=-1)
        # An edited message never changes a stored answer; the reply says how to change one.
        app.add_handler(MessageHandler(filters.UpdateType.EDITED, self.fixed(texts.EDITED)))
        commands = {
            "start": self.on_start,
            "flows": self.on_flows,
            "resume": self.on_resume,
            "back": self.on_back,
            "skip": self.on_skip,
            "pause": self.fixed(texts.PAUSED),
            "cancel": self.on_cancel,
            "journal": self.on_journal,
            "help": self.fixed(texts.HELP),
            "sos": self.on_sos,
            "safety": self.on_safety,
            "privacy": self.fixed(PRIVACY),
            "export": self.on_export,
            "delete": self.on_delete,
            "therapist": self.on_therapist,
            "invite": self.therapist("invite"),
            "assign": self.therapist("assign"),
            "clients": self.therapist("clients"),
            "report": self.therapist("report"),
        }
        for name, callback in commands.items():
            app.add_handler(CommandHandler(name, callback))
        app.add_handler(MessageHandler(filters.COMMAND, self.fixed(texts.UNKNOWN_COMMAND)))
        app.add_handler(MessageHandler(filters.TEXT, self.on_text))
        app.add_handler(MessageHandler(filters.UpdateType.MESSAGE, self.on_not_text))
        app.add_handler(CallbackQueryHandler(self.on_button))
        app.add_error_handler(self.on_error)

    def fixed(self, text: str) -> Callable[[Update, Context], Awaitable[None]]:
        """A handler that always answers with the same text (help, pause, unknown command)."""

        async def reply(update: Update, context: Context) -> None:
            user = update.effective_user
            if user is not None and self.claim(update):
                await self.say(context, user.id, text)

        return reply

    def sender(self, context: Context) -> Sender:
        """A sender that records a 403 as 'blocked'."""
        return Sender(context.bot, lambda chat: self.service.mark_blocked(chat, self.clock()))

    # -- helpers -----------------------------------------------------------------------------
    async def send(
        self, context: Context, chat_id: int, messages: list[Outgoing], note: bool = True
    ) -> None:
        """Send prepared messages to a chat, keeping their ids for "Clear this chat"."""
        sent = await self.sender(context).send(chat_id, messages)
        if note and sent:
            self.service.note_messages(chat_id, [m.message_id for m in sent], self.clock())

    async def tell_others(self, context: Context, notices: Iterable[Notice]) -> None:
        """Send messages meant for other people (a therapist, a client)."""
        for notice in notices:
            await self.show(context, notice.user_id, list(notice.effects), None)

    async def note_incoming(self, update: Update, context: Context) -> None:
        """Keep the id of a message the person sent (never its content)."""
        message, user = update.effective_message, update.effective_user
        if message is not None and user is not None:
            self.service.note_messages(user.id, [message.message_id], self.clock())

    async def show(
        self, context: Context, chat_id: int, effects: list[Effect], run_id: int | None
    ) -> None:
        """Carry out effects: clear the chat if asked, then send the rest."""
        if any(isinstance(e, ClearChat) for e in effects):
            await self.clear_chat(context, chat_id)
            effects = [e for e in effects if not isinstance(e, ClearChat)]
        if effects:
            await self.send(context, chat_id, render(effects, run_id))

    async def clear_chat(self, context: Context, chat_id: int) -> None:
        """Delete the messages Telegram still lets a bot delete (the last 48 hours)."""
        for message_id in self.service.clear_targets(chat_id, self.clock()):
            try:
                await self.sender(context).call(
                    chat_id, lambda m=message_id: context.bot.delete_message(chat_id, m)
                )
            except TelegramError as exc:
                log.info("could not delete a message in chat %s: %s", chat_id, type(exc).__name__)

    async def say(
        self,
        context: Context,
        chat_id: int,
        text: str,
        keyboard: InlineKeyboardMarkup | None = None,
    ) -> None:
        """Send one of the adapter's own texts."""
        await self.send(context, chat_id, messages_for("", text, keyboard))

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
        if outcome.duplicate:
            return
        await self.show(context, user.id, [*(before or []), *outcome.effects], outcome.run_id)
        await self.tell_others(context, outcome.notices)
        if any(isinstance(e, Finished) for e in outcome.effects):
            await self.offer_readiness(context, user.id)

    async def offer_readiness(self, context: Context, user_id: int) -> None:
        """Every two weeks, offer the safety and readiness questions again (once per offer);
        after a disclosure, the question about it, on its own, instead."""
        review = self.service.disclosure_review(user_id, self.clock())
        if review:
            await self.show(context, user_id, review, None)
        elif self.service.offer_readiness(user_id, self.clock()):
            start = Payload("f", 0, 0, READINESS).encode()
            keyboard = InlineKeyboardMarkup(
                [[InlineKeyboardButton(texts.READINESS_BUTTON, callback_data=start)]]
            )
            await self.say(context, user_id, texts.READINESS_AGAIN, keyboard)

    def claim(self, update: Update) -> bool:
        """Record an update that changes no run; False if it was handled before."""
        user = update.effective_user
        return user is not None and self.service.claim(
            f"u{update.update_id}", user.id, self.clock()
        )

    def flows_keyboard(self, user_id: int) -> InlineKeyboardMarkup:
        """One button per flow, with the person's progress in it."""
        rows = []
        for line in self.service.overview(user_id):
            word = texts.STATE_WORDS[line.state]
            if line.state in ("open", "paused") and line.number:
                word = f"{word}, {line.number}/{line.total}"
            label = f"{line.flow.title} · {word}"
            rows.append(
                [
                    InlineKeyboardButton(
                        label[:60], callback_data=Payload("f", 0, 0, line.flow.id).encode()
                    )
                ]
            )
        return InlineKeyboardMarkup(rows)

    async def offer_flows(self, update: Update, context: Context, text: str) -> None:
        """A text followed by the flows to choose from."""
        user = update.effective_user
        if user is not None:
            await self.say(context, user.id, text, self.flows_keyboard(user.id))

    # -- commands ----------------------------------------------------------------------------
    async def on_start(self, update: Update, context: Context) -> None:
        """/start, or /start FLOW from a deep link."""
        user = update.effective_user
        if user is None:
            return
        wanted = context.args[0] if context.args else None
        if wanted and wanted in self.service.catalog:
            await self.run(update, context, Start(wanted))
            return
        if wanted and wanted.startswith("i"):  # an invitation from a therapist
            effects = self.service.open_invite(
                user.id, wanted, self.clock(), f"u{update.update_id}"
            )
            await self.show(context, user.id, effects, None)
            return
        active = self.service.active(user.id)
        if active is None and self.service.needs_onboarding(user.id):
            # The onboarding flow opens with its own welcome.
            await self.run(update, context, Start(ONBOARDING))
            return
        if not self.claim(update):
            return
        if active is not None:
            title = self.service.catalog[active.flow_id].title  # type: ignore[index]
            await self.offer_flows(update, context, texts.IN_PROGRESS.format(title=title))
        elif not self.service.store.runs_of(user.id):
            await self.say(context, user.id, texts.WELCOME)
            await self.offer_flows(update, context, texts.CHOOSE)
        else:
            await self.offer_readiness(context, user.id)
            await self.offer_flows(update, context, texts.CHOOSE)

    async def on_flows(self, update: Update, context: Context) -> None:
        """/flows: every conversation with the person's progress."""
        if self.claim(update):
            await self.offer_flows(update, context, texts.CHOOSE)

    async def on_resume(self, update: Update, context: Context) -> None:
        """/resume: the live question again, with fresh buttons."""
        await self.in_run(update, context, Resume())

    async def on_back(self, update: Update, context: Context) -> None:
        """/back: the previous question again."""
        await self.in_run(update, context, Back())

    async def on_skip(self, update: Update, context: Context) -> None:
        """/skip: skip the question if it may be skipped."""
        await self.in_run(update, context, Skip())

    async def in_run(
        self,
        update: Update,
        context: Context,
        event: Event,
        before: list[Effect] | None = None,
        idle: str = texts.NOTHING_OPEN,
    ) -> None:
        """An event that only makes sense inside an open conversation; else `idle` and the list."""
        user = update.effective_user
        if user is None:
            return
        if self.service.active(user.id) is None:
            if self.claim(update):
                await self.offer_flows(update, context, idle)
            return
        await self.run(update, context, event, before=before)

    async def on_cancel(self, update: Update, context: Context) -> None:
        """/cancel: ask before closing the open conversation."""
        user = update.effective_user
        if user is None or not self.claim(update):
            return
        active = self.service.active(user.id)
        if active is None:
            await self.offer_flows(update, context, texts.NOTHING_OPEN)
            return
        title = self.service.catalog[active.flow_id].title  # type: ignore[index]
        seq = active.state.seq
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        texts.CANCEL_YES, callback_data=Payload("x", active.id, seq).encode()
                    ),
                    InlineKeyboardButton(
                        texts.CANCEL_NO, callback_data=Payload("k", active.id, seq).encode()
                    ),
                ]
            ]
        )
        await self.say(context, user.id, texts.CANCEL_CONFIRM.format(title=title), keyboard)

    async def on_journal(self, update: Update, context: Context) -> None:
        """/journal: the person's finished reflections, newest first."""
        user = update.effective_user
        if user is None or not self.claim(update):
            return
        entries = self.service.journal(user.id)
        kept = self.service.store.memory_of(user.id)
        found = [
            f"{title}: {kept[name]['label']}" for name, title in texts.KEPT.items() if name in kept
        ]
        if not entries and not found:
            await self.say(context, user.id, texts.JOURNAL_EMPTY)
            return
        parts = [texts.KEPT_HEAD + "\n" + "\n".join(found)] if found else []
        if entries:
            parts.append(texts.JOURNAL_HEAD)
            parts += [f"{e.title} ({e.finished_at[:10]})\n{e.reflection}" for e in entries]
        await self.say(context, user.id, "\n\n".join(parts))

    def therapist(self, command: str) -> Callable[[Update, Context], Awaitable[None]]:
        """A handler for one of the therapists' commands (refused politely to anyone else)."""

        async def handle(update: Update, context: Context) -> None:
            user = update.effective_user
            if user is None or not self.claim(update):
                return
            arg = " ".join(context.args or [])
            outcome = self.service.therapist_command(
                user.id, command, arg, self.clock(), context.bot.username or "bot"
            )
            await self.show(context, user.id, outcome.effects, None)
            await self.tell_others(context, outcome.notices)

        return handle

    async def on_therapist(self, update: Update, context: Context) -> None:
        """/therapist: who the person shares with; change it or stop."""
        user = update.effective_user
        if user is not None and self.claim(update):
            await self.show(context, user.id, self.service.client_links(user.id), None)

    async def on_sos(self, update: Update, context: Context) -> None:
        """/sos: help for the person's country, at any moment; the exercise waits."""
        user = update.effective_user
        if user is not None:
            effects = self.service.sos(user.id, self.clock(), f"u{update.update_id}")
            await self.show(context, user.id, effects, None)

    async def on_safety(self, update: Update, context: Context) -> None:
        """/safety: the person's safety plan, and the way to fill it in."""
        user = update.effective_user
        if user is not None and self.claim(update):
            await self.show(context, user.id, self.service.safety_plan(user.id), None)

    async def on_export(self, update: Update, context: Context) -> None:
        """/export: everything stored about the person, as two files."""
        user = update.effective_user
        if user is not None and self.claim(update):
            await self.say(context, user.id, texts.EXPORTING)
            await self.show(context, user.id, self.service.export(user.id, self.clock()), None)

    async def on_delete(self, update: Update, context: Context) -> None:
        """/delete: ask before erasing everything about the person."""
        user = update.effective_user
        if user is None or not self.claim(update):
            return
        keyboard = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(texts.DELETE_YES, callback_data=Payload("e", 0, 0).encode())],
                [InlineKeyboardButton(texts.DELETE_NO, callback_data=Payload("n", 0, 0).encode())],
            ]
        )
        await self.say(context, user.id, texts.DELETE_CONFIRM, keyboard)

    async def erase(self, update: Update, context: Context) -> None:
        """The person confirmed: erase every row about them, then say so (and keep nothing)."""
        user = update.effective_user
        if user is None or not self.claim(update):
            return
        self.service.erase(user.id)
        await self.send(context, user.id, messages_for("", texts.DELETED), note=False)

    # -- messages ----------------------------------------------------------------------------
    async def on_text(self, update: Update, context: Context) -> None:
        """A typed message: an answer if a conversation is open, else a pointer.

        With no conversation open it is still read by the crisis screen (and may answer the
        safety question waiting for the person) before the pointer.
        """
        message, user = update.effective_message, update.effective_user
        if message is None or message.text is None or user is None:
            return
        if self.service.active(user.id) is None:
            found = self.service.screen_text(
                user.id, message.text, self.clock(), f"u{update.update_id}"
            )
            if found is not None:
                await self.show(context, user.id, found.effects, None)
                await self.tell_others(context, found.notices)
                return
        await self.in_run(update, context, Text(message.text))

    async def on_not_text(self, update: Update, context: Context) -> None:
        """Stickers, photos, voice notes, locations, documents: a kind word and the question.

        A caption is read by the crisis screen first, like any typed message.
        """
        message, user = update.effective_message, update.effective_user
        caption = getattr(message, "caption", None)
        if caption and user is not None:
            found = self.service.screen_text(user.id, caption, self.clock(), f"u{update.update_id}")
            if found is not None:
                await self.show(context, user.id, found.effects, None)
                await self.tell_others(context, found.notices)
                return
        await self.in_run(
            update, context, Resume(), before=[Say(texts.NOT_TEXT)], idle=texts.NOT_TEXT_IDLE
        )

    # -- buttons -----------------------------------------------------------------------------
    async def on_button(self, update: Update, context: Context) -> None:
        """A button press: its callback is answered first, while the press is acted on."""
        query = update.callback_query
        user = update.effective_user
        if query is None or user is None:
            return
        payload = decode(query.data)
        alert = self._alert(user.id, query, payload)
        # The answer goes out first and overlaps with the work, so the spinner stops at once.
        answered = asyncio.create_task(_answer(query, alert))
        try:
            if alert is None:
                await self._press(update, context, query, payload)
        finally:
            await answered

    def _alert(self, user_id: int, query: CallbackQuery, payload: Payload | None) -> str | None:
        """A pop-up instead of an action: too many or too few options ticked."""
        if payload is None or payload.kind not in "td" or not self._is_live(user_id, payload):
            return None
        markup = getattr(query.message, "reply_markup", None)
        if payload.kind == "d":
            low = int(payload.arg.split("-")[0] or 1)
            return texts.TOO_FEW.format(low=low) if len(selected(markup)) < low else None
        limit = _pick_limit(markup)
        if markup is not None and toggled(markup, payload.arg, limit) is None:
            return texts.TOO_MANY.format(limit=limit)
        return None

    async def _press(
        self, update: Update, context: Context, query: CallbackQuery, payload: Payload | None
    ) -> None:
        user = update.effective_user
        assert user is not None
        if payload is None:
            await self.run(update, context, Resume(), before=[Say(texts.OLD_BUTTON)])
        elif payload.kind == "t":
            await self.toggle(update, context, query, payload)
        elif payload.kind == "d":
            picks = selected(getattr(query.message, "reply_markup", None))
            await self.run(update, context, Picks(tuple(picks), payload.seq), run_id=payload.run)
        elif payload.kind == "f":
            await self.run(update, context, Start(payload.arg))
        elif payload.kind == "c":
            await self.run(update, context, Choice(payload.arg, payload.seq), run_id=payload.run)
        elif payload.kind == "s":
            await self.run(update, context, Skip(payload.seq), run_id=payload.run)
        elif payload.kind == "b":
            await self.run(update, context, Back(payload.seq), run_id=payload.run)
        elif payload.kind == "k":
            await self.run(update, context, Resume(), run_id=payload.run)
        elif payload.kind == "a":
            outcome = self.service.action(
                user.id, payload.arg, self.clock(), f"u{update.update_id}"
            )
            if not outcome.duplicate:
                await self.show(context, user.id, outcome.effects, outcome.run_id)
                await self.tell_others(context, outcome.notices)
        elif payload.kind == "e":
            await self.erase(update, context)
        elif payload.kind == "n":
            if self.claim(update):
                await self.say(context, user.id, texts.DELETE_KEPT)
        elif payload.kind == "x":
            if self._is_live(user.id, payload) and self.claim(update):
                await self.send(
                    context, user.id, render(self.service.cancel(user.id, self.clock()), None)
                )
                await self.offer_flows(update, context, texts.CHOOSE)
            else:
                await self.run(update, context, Resume(), run_id=payload.run)

    def _is_live(self, user_id: int, payload: Payload) -> bool:
        active = self.service.active(user_id)
        return active is not None and active.id == payload.run and active.state.seq == payload.seq

    async def toggle(
        self, update: Update, context: Context, query: CallbackQuery, payload: Payload
    ) -> None:
        """Tick or untick one option of a multi-select, editing the keyboard in place."""
        user = update.effective_user
        message = query.message
        markup = getattr(message, "reply_markup", None)
        live = user is not None and self._is_live(user.id, payload)
        if user is None or message is None or markup is None or not live:
            await self.run(update, context, Picks((), payload.seq), run_id=payload.run)
            return
        new = toggled(markup, payload.arg, _pick_limit(markup))
        if new is None or not self.claim(update):
            return
        try:
            await self.sender(context).call(
                user.id,
                lambda: context.bot.edit_message_reply_markup(
                    chat_id=user.id, message_id=message.message_id, reply_markup=new
                ),
            )
        except TelegramError as exc:
            log.warning("could not update a keyboard for chat %s: %s", user.id, type(exc).__name__)

    # -- the repeating job -------------------------------------------------------------------
    async def tick(self, context: Context) -> None:
        """Send what is due (each marked sent as it is taken), and forget old message ids."""
        now = self.clock()
        for due in self.service.due_reminders(now):
            try:
                await self.show(context, due.user_id, due.effects, None)
            except TelegramError as exc:
                log.warning("reminder %s not sent (%s)", due.reminder_id, type(exc).__name__)
                self.service.release(due.reminder_id)
        self.service.forget_old_messages(now)

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


def _pick_limit(markup: InlineKeyboardMarkup | None) -> int:
    """The most options a multi-select allows, as its Done button records it."""
    for row in markup.inline_keyboard if markup else ():
        for b in row:
            if str(b.callback_data).startswith("d|"):
                return int(str(b.callback_data).rsplit("-", 1)[-1])
    return 99


async def _answer(query: CallbackQuery, alert: str | None = None) -> None:
    """Answer a callback query; a failure here must not stop the press from counting."""
    try:
        if alert:
            await query.answer(alert, show_alert=True)
        else:
            await query.answer()
    except TelegramError as exc:
        log.info("could not answer a callback query: %s", type(exc).__name__)
