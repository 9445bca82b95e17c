"""Therapists: /invite, /assign, /clients, /report for them, /therapist for their clients."""

from __future__ import annotations

from telegram import Update

from bot.tg.handlers.base import Base, Context, Handler

# Commands only a therapist may use; the service refuses them politely to anyone else.
THERAPIST_COMMANDS = ("invite", "assign", "clients", "report")


class Therapists(Base):
    """The link between a person and the therapist they share with."""

    def therapist(self, command: str) -> Handler:
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
