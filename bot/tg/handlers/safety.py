"""Safety: /sos, /safety, and what is offered after a finished conversation (the readiness
questions every two weeks, or the question about a disclosure)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.tg import texts
from bot.tg.callback_data import Payload
from bot.tg.handlers.base import Base, Context
from bot.usecases.service import READINESS


class Safety(Base):
    """Help at any moment, the safety plan, and the regular check on safety and readiness."""

    async def on_sos(self, update: Update, context: Context) -> None:
        """/sos: help for the person's country, at any moment; the exercise waits."""
        user = update.effective_user
        if user is not None:
            effects = self.service.sos(user.id, self.clock(), f"u{update.update_id}")
            await self.show(context, user.id, effects, None)

    async def on_safety(self, update: Update, context: Context) -> None:
        """/safety: the person's safety plan, and the way to fill it in."""
        user = update.effective_user
        if user is not None and self.note(update):
            await self.show(context, user.id, self.service.safety_plan(user.id), None)

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
