"""The conversations: /start, /flows, /resume, /back, /skip, /cancel, /journal, typed text,
and anything else a person sends (stickers, photos, voice notes)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.engine import Back, Effect, Event, Resume, Say, Skip, Start, Text
from bot.flows import FlowId
from bot.tg import texts
from bot.tg.callback_data import Payload
from bot.tg.handlers.base import Base, Context
from bot.tg.presenter import render
from bot.usecases.service import ONBOARDING


class Conversation(Base):
    """Handlers that start, move through and close a conversation."""

    # -- the list of conversations -----------------------------------------------------------
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
        if self.service.is_therapist(user.id):
            await self.therapist_start(update, context)
            return
        active = self.service.active(user.id)
        if active is None and self.service.needs_onboarding(user.id):
            # The onboarding flow opens with its own welcome.
            await self.run(update, context, Start(ONBOARDING))
            return
        if not self.claim(update):
            return
        if active is not None:
            title = self.service.catalog[FlowId(active.flow_id)].title
            await self.offer_flows(update, context, texts.IN_PROGRESS.format(title=title))
        elif not self.service.store.runs_of(user.id):
            await self.say(context, user.id, texts.WELCOME)
            await self.offer_flows(update, context, texts.CHOOSE)
        else:
            await self.offer_readiness(context, user.id)
            await self.offer_flows(update, context, texts.CHOOSE)

    async def on_flows(self, update: Update, context: Context) -> None:
        """/flows: every conversation with the person's progress."""
        if self.note(update):
            await self.offer_flows(update, context, texts.CHOOSE)

    async def on_resume(self, update: Update, context: Context) -> None:
        """/resume: where the person was, in one line, and the live question again."""
        user = update.effective_user
        recap = self.service.recap(user.id) if user is not None else None
        await self.in_run(update, context, Resume(), before=[Say(recap)] if recap else None)

    async def on_back(self, update: Update, context: Context) -> None:
        """/back: the previous question again."""
        await self.in_run(update, context, Back())

    async def on_skip(self, update: Update, context: Context) -> None:
        """/skip: skip the question if it may be skipped."""
        await self.in_run(update, context, Skip())

    async def on_cancel(self, update: Update, context: Context) -> None:
        """/cancel: ask before closing the open conversation."""
        user = update.effective_user
        if user is None or not self.claim(update):
            return
        active = self.service.active(user.id)
        if active is None:
            await self.offer_flows(update, context, texts.NOTHING_OPEN)
            return
        title = self.service.catalog[FlowId(active.flow_id)].title
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

    async def cancel_confirmed(self, update: Update, context: Context, payload: Payload) -> None:
        """The person confirmed /cancel; a stale confirmation only shows the question again."""
        user = update.effective_user
        if user is not None and self.is_live(user.id, payload) and self.claim(update):
            await self.send(
                context, user.id, render(self.service.cancel(user.id, self.clock()), None)
            )
            await self.offer_flows(update, context, texts.CHOOSE)
        else:
            await self.run(update, context, Resume(), run_id=payload.run)

    async def on_journal(self, update: Update, context: Context) -> None:
        """/journal: the person's finished reflections, newest first."""
        user = update.effective_user
        if user is None or not self.note(update):
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
            reply, then_list = self.service.idle_text(user.id, message.text)
            if reply and self.claim(update):
                await self.show(context, user.id, reply, None)
                if then_list:
                    await self.offer_flows(update, context, texts.CHOOSE)
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
