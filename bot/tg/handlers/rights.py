"""A person's rights over their data: /export (everything, as files) and /delete (erase it).

/privacy, a fixed text, is registered with the other commands.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.tg import texts
from bot.tg.callback_data import Payload
from bot.tg.handlers.base import Base, Context
from bot.tg.presenter import messages_for


class Rights(Base):
    """Export and erasure."""

    async def on_export(self, update: Update, context: Context) -> None:
        """/export: everything stored about the person, as two files."""
        user = update.effective_user
        if user is not None and self.note(update):
            await self.say(context, user.id, texts.EXPORTING)
            await self.show(context, user.id, self.service.export(user.id, self.clock()), None)

    async def on_delete(self, update: Update, context: Context) -> None:
        """/delete: ask before erasing everything about the person."""
        user = update.effective_user
        if user is None or not self.note(update):
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

    async def keep(self, update: Update, context: Context) -> None:
        """The person changed their mind about /delete: nothing is erased."""
        user = update.effective_user
        if user is not None and self.claim(update):
            await self.say(context, user.id, texts.DELETE_KEPT)
