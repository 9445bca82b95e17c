"""The buttons of a question: a choice, a tick in a multi-select and its Done, Skip, Back.

A button that belongs to an older question, or is not understood, brings back the live one.
"""

from __future__ import annotations

import logging

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.engine import Back, Choice, Picks, Resume, Say, Skip, Start
from bot.engine.numbers import small_int
from bot.tg import texts
from bot.tg.callback_data import Payload
from bot.tg.handlers.base import Base, Context
from bot.tg.presenter import selected, toggled

log = logging.getLogger(__name__)

# The kinds of payload a question's buttons carry ("f" starts a flow from the list).
QUESTION_KINDS = frozenset("tdfcsbk")


class QuestionButtons(Base):
    """Presses on the buttons under a question."""

    def alert_for(self, user_id: int, query: CallbackQuery, payload: Payload | None) -> str | None:
        """A pop-up instead of an action: too many or too few options ticked."""
        if payload is None or payload.kind not in "td" or not self.is_live(user_id, payload):
            return None
        markup = getattr(query.message, "reply_markup", None)
        if payload.kind == "d":
            # The bounds come from the keyboard we sent, never from the press (it may be forged).
            low = pick_bounds(markup)[0]
            return texts.TOO_FEW.format(low=low) if len(selected(markup)) < low else None
        limit = pick_limit(markup)
        if markup is not None and toggled(markup, payload.arg, limit) is None:
            return texts.TOO_MANY.format(limit=limit)
        return None

    async def answer_question(
        self, update: Update, context: Context, query: CallbackQuery, payload: Payload | None
    ) -> None:
        """Act on a question's button (or on a button no longer understood)."""
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

    async def toggle(
        self, update: Update, context: Context, query: CallbackQuery, payload: Payload
    ) -> None:
        """Tick or untick one option of a multi-select, editing the keyboard in place."""
        user = update.effective_user
        message = query.message
        markup = getattr(message, "reply_markup", None)
        live = user is not None and self.is_live(user.id, payload)
        if user is None or message is None or markup is None or not live:
            await self.run(update, context, Picks((), payload.seq), run_id=payload.run)
            return
        if payload.arg not in options(markup):
            return  # an option this keyboard does not have: nothing changes
        new = toggled(markup, payload.arg, pick_limit(markup))
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


def pick_bounds(markup: InlineKeyboardMarkup | None) -> tuple[int, int]:
    """(fewest, most) options a multi-select allows, as its Done button records them
    (`d|run|seq|low-high`); (1, 99) when the keyboard has no readable Done button."""
    for row in markup.inline_keyboard if markup else ():
        for b in row:
            data = str(b.callback_data or "")
            if data.startswith("d|"):
                low, _, high = data.split("|", 3)[-1].partition("-")
                fewest, most = small_int(low), small_int(high)
                return (1 if fewest is None else fewest), (99 if most is None else most)
    return 1, 99


def pick_limit(markup: InlineKeyboardMarkup | None) -> int:
    """The most options a multi-select allows, as its Done button records it."""
    return pick_bounds(markup)[1]


def options(markup: InlineKeyboardMarkup | None) -> set[str]:
    """The option values a multi-select keyboard can toggle."""
    return {
        str(b.callback_data).split("|", 3)[3]
        for row in (markup.inline_keyboard if markup else ())
        for b in row
        if str(b.callback_data or "").startswith("t|") and str(b.callback_data).count("|") >= 3
    }
