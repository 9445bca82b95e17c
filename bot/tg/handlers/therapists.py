"""Therapists: /invite, /assign, /clients, /report for them, /therapist for their clients, and
the therapists' own /start, /help and command menu (set for their chat only)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from telegram import Bot, BotCommand, BotCommandScopeChat, Update
from telegram.error import TelegramError

from bot.engine import Button, Effect, Offer, Say
from bot.flows import FlowId
from bot.tg import texts
from bot.tg.handlers.base import Base, Context, Handler
from bot.usecases.practice.homework import ASSIGN_AGAIN
from bot.usecases.service import Service

log = logging.getLogger(__name__)

# Commands only a therapist may use; the service refuses them politely to anyone else.
THERAPIST_COMMANDS = ("invite", "assign", "clients", "report")


class Therapists(Base):
    """The link between a person and the therapist they share with, and the therapists' menu."""

    def __init__(self, service: Service, clock: Callable[[], datetime]) -> None:
        super().__init__(service, clock)
        self._menu_failed: set[int] = set()
        """Chats Telegram would not give the menu to (someone who never wrote to the bot)."""

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

    # -- what therapists see of the bot ------------------------------------------------------
    async def therapist_start(self, update: Update, context: Context) -> None:
        """/start for a therapist: their own welcome, never the client onboarding."""
        user = update.effective_user
        if user is None or not self.claim(update):
            return
        await self.menu_for(context.bot, user.id)
        effects: list[Effect] = [Say(texts.THERAPIST_START)]
        if self.service.has_clients(user.id):
            effects = [Offer(texts.THERAPIST_START, (Button(texts.ASSIGN_BUTTON, ASSIGN_AGAIN),))]
        active = self.service.active(user.id)
        if active is not None:
            title = self.service.catalog[FlowId(active.flow_id)].title
            effects.append(Say(texts.IN_PROGRESS.format(title=title)))
        await self.show(context, user.id, effects, None)

    async def on_help(self, update: Update, context: Context) -> None:
        """/help: the client commands, and for a therapist their own commands first."""
        user = update.effective_user
        if user is None or not self.note(update):
            return
        if self.service.is_therapist(user.id):
            await self.menu_for(context.bot, user.id)
            await self.say(context, user.id, texts.THERAPIST_HELP)
        else:
            await self.say(context, user.id, texts.HELP)

    async def menu_for(self, bot: Bot, user_id: int) -> None:
        """Give a therapist's chat its menu if it has none yet (their chat surely exists now)."""
        if not self.service.has_menu(user_id):
            await self._give_menu(bot, user_id)

    async def sync_menus(self, bot: Bot, everyone: bool = False) -> None:
        """Give the therapists' menu to the chats of therapists without it (`everyone`: to all
        therapists, as at start-up), and take it from people who are no longer therapists."""
        give, take = self.service.menu_changes(everyone)
        for user_id in give:
            if everyone or user_id not in self._menu_failed:
                await self._give_menu(bot, user_id)
        for user_id in take:
            try:
                await bot.delete_my_commands(scope=BotCommandScopeChat(user_id))
            except TelegramError as exc:
                log.warning(
                    "therapist menu not removed in chat %s (%s)", user_id, type(exc).__name__
                )
                continue
            self.service.note_menu(user_id, False, self.clock())
            log.info("therapist menu removed in chat %s", user_id)

    async def _give_menu(self, bot: Bot, user_id: int) -> None:
        commands = [BotCommand(name, about) for name, about in texts.THERAPIST_MENU]
        try:
            await bot.set_my_commands(commands, scope=BotCommandScopeChat(user_id))
        except TelegramError as exc:
            # Telegram knows no chat with someone who never wrote to the bot; their /start or
            # /help tries again, and the repeating job does not keep asking meanwhile.
            self._menu_failed.add(user_id)
            log.warning("therapist menu not set in chat %s (%s)", user_id, type(exc).__name__)
            return
        self._menu_failed.discard(user_id)
        self.service.note_menu(user_id, True, self.clock())
        log.info("therapist menu set in chat %s", user_id)
