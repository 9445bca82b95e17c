"""Effects → Telegram messages: HTML-escaped text, inline keyboards, long texts split.

`render` is pure and testable without a network; `Sender` does the sending, with retries that
honour Telegram's `retry_after`, and stops at a 403 (the person blocked the bot). Every call
passes `bot.tg.pacing.Courtesy` on its way.
"""

from __future__ import annotations

import asyncio
import html
import logging
import warnings
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any, TypeVar

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.warnings import PTBDeprecationWarning

from bot.engine import Ask, Document, Effect, Finished, Offer, Picture, Say
from bot.tg import texts
from bot.tg.callback_data import Payload

log = logging.getLogger(__name__)

MAX_TEXT = 4096
MAX_CAPTION = 1024
ON, OFF = "☑ ", "☐ "
T = TypeVar("T")


@dataclass(frozen=True)
class Outgoing:
    """One message to send: HTML text and an optional keyboard."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None
    photo: bytes | None = None
    document: tuple[str, bytes] | None = None


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Cut plain text into pieces of at most `limit` characters, at paragraphs if possible."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = rest.rfind("\n\n", 0, limit + 1)
        if cut <= 0:
            cut = rest.rfind("\n", 0, limit + 1)
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    pieces.append(rest)
    return [p for p in pieces if p]


def messages_for(
    header: str, text: str, keyboard: InlineKeyboardMarkup | None = None
) -> list[Outgoing]:
    """Escape and split `text`; the header (already HTML) goes on the first piece only."""
    room = MAX_TEXT - len(header)
    pieces = split_text(text, room) or [""]
    out = [Outgoing(html.escape(p, quote=False)) for p in pieces]
    out[0] = Outgoing(header + out[0].text)
    out[-1] = Outgoing(out[-1].text, keyboard)
    return out


def button(label: str, payload: Payload) -> InlineKeyboardButton:
    """One inline button."""
    return InlineKeyboardButton(label, callback_data=payload.encode())


def ask_keyboard(ask: Ask, run_id: int) -> InlineKeyboardMarkup | None:
    """The buttons of a question; None for a question answered by typing."""
    rows: list[list[InlineKeyboardButton]] = []
    if ask.kind == "multi":
        rows = [
            [button((ON if b.on else OFF) + b.label, Payload("t", run_id, ask.seq, b.value))]
            for b in ask.buttons
        ]
        rows.append(
            [button(texts.DONE, Payload("d", run_id, ask.seq, f"{ask.min_picks}-{ask.max_picks}"))]
        )
    elif ask.kind == "scale":
        numbers = [button(b.label, Payload("c", run_id, ask.seq, b.value)) for b in ask.buttons]
        per_row = 6 if len(numbers) > 6 else len(numbers)
        rows = [numbers[i : i + per_row] for i in range(0, len(numbers), per_row)]
    else:
        rows = [[button(b.label, Payload("c", run_id, ask.seq, b.value))] for b in ask.buttons]
    extra: list[InlineKeyboardButton] = []
    if ask.can_go_back:
        extra.append(button(texts.BACK, Payload("b", run_id, ask.seq)))
    if ask.skip_label:
        extra.append(button(ask.skip_label, Payload("s", run_id, ask.seq)))
    if extra:
        rows.append(extra)
    return InlineKeyboardMarkup(rows) if rows else None


def offer_keyboard(offer: Offer) -> InlineKeyboardMarkup | None:
    """One button per action of the safety path, each on its own row."""
    if not offer.actions:
        return None
    return InlineKeyboardMarkup(
        [[button(b.label, Payload("a", 0, 0, b.value))] for b in offer.actions]
    )


def render(effects: Sequence[Effect], run_id: int | None) -> list[Outgoing]:
    """The messages that show these effects.

    Remarks that lead into a question travel in the same message as the question, so a
    person gets one notification per step, not two.
    """
    out: list[Outgoing] = []
    remarks: list[str] = []
    for effect in effects:
        if isinstance(effect, Say):
            remarks.append(effect.text)
            continue
        if isinstance(effect, Ask):
            header = (
                f"<i>{texts.progress(effect.number, effect.total)}</i>\n\n"
                if (effect.total > 1 and effect.number)
                else ""
            )
            keyboard = ask_keyboard(effect, run_id or 0)
            lead = "\n\n".join(remarks)
            if remarks and len(lead) + len(header) + len(effect.text) + 2 <= MAX_TEXT:
                joined = html.escape(lead, quote=False) + "\n\n" + header
                out.append(Outgoing(joined + html.escape(effect.text, quote=False), keyboard))
            else:
                out += _remarks(remarks)
                out += messages_for(header, effect.text, keyboard)
        elif isinstance(effect, Finished):
            out += _remarks(remarks)
            out += messages_for(f"<b>{texts.REFLECTION}</b>\n\n", effect.reflection)
        elif isinstance(effect, Offer):
            out += _remarks(remarks)
            out += messages_for("", effect.text, offer_keyboard(effect))
        elif isinstance(effect, Document):
            out += _remarks(remarks)
            caption = html.escape(split_text(effect.caption, MAX_CAPTION)[0], quote=False)
            out.append(Outgoing(caption, document=(effect.filename, effect.data)))
        elif isinstance(effect, Picture):
            out += _remarks(remarks)
            caption = split_text(effect.caption, MAX_CAPTION)[0]
            out.append(Outgoing(html.escape(caption, quote=False), photo=effect.png))
        else:
            continue  # kept, not shown (an answer, a memory, a disclosure): the remarks wait
        remarks = []
    return out + _remarks(remarks)


def _remarks(remarks: list[str]) -> list[Outgoing]:
    return messages_for("", "\n\n".join(remarks)) if remarks else []


def toggled(markup: InlineKeyboardMarkup, value: str, limit: int) -> InlineKeyboardMarkup | None:
    """The multi-select keyboard with one option flipped; None if that would pass `limit`."""
    chosen = len(selected(markup))
    rows: list[list[InlineKeyboardButton]] = []
    for row in markup.inline_keyboard:
        new_row: list[InlineKeyboardButton] = []
        for b in row:
            data = str(b.callback_data or "")
            if data.startswith("t|") and data.split("|", 3)[3] == value:
                if b.text.startswith(ON):
                    b = InlineKeyboardButton(OFF + b.text[len(ON) :], callback_data=data)
                elif chosen >= limit:
                    return None
                else:
                    b = InlineKeyboardButton(ON + b.text[len(OFF) :], callback_data=data)
            new_row.append(b)
        rows.append(new_row)
    return InlineKeyboardMarkup(rows)


def selected(markup: InlineKeyboardMarkup | None) -> list[str]:
    """The values ticked on a multi-select keyboard, in its order."""
    if markup is None:
        return []
    return [
        str(b.callback_data).split("|", 3)[3]
        for row in markup.inline_keyboard
        for b in row
        if str(b.callback_data or "").startswith("t|") and b.text.startswith(ON)
    ]


def retry_seconds(error: RetryAfter) -> float:
    """How long Telegram asks us to wait, whichever type this PTB version reports it in."""
    with warnings.catch_warnings():
        # PTB 22 warns that retry_after will become a timedelta; we accept both already.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        wait = error.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


class Blocked(Exception):
    """The person blocked the bot; nothing more can be sent to them."""


class Sender:
    """Sends messages, retrying what can be retried, never losing the committed state."""

    def __init__(
        self,
        bot: Bot,
        on_blocked: Callable[[int], None],
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        tries: int = 6,
    ) -> None:
        self.bot = bot
        self.on_blocked = on_blocked
        self.sleep = sleep
        self.tries = tries

    async def call(self, chat_id: int, make: Callable[[], Awaitable[T]]) -> T:
        """Run one Bot API call with retries; raise Blocked on a 403."""
        delay = 0.5
        for attempt in range(1, self.tries + 1):
            try:
                return await make()
            except RetryAfter as exc:
                seconds = retry_seconds(exc)
                log.warning("flood control for chat %s: waiting %.1f s", chat_id, seconds)
                await self.sleep(seconds)
            except Forbidden as exc:
                log.info("chat %s refuses messages (%s)", chat_id, type(exc).__name__)
                self.on_blocked(chat_id)
                raise Blocked from exc
            except BadRequest:
                raise  # our mistake, not the network's: retrying would fail the same way
            except (TimedOut, NetworkError) as exc:
                if attempt == self.tries:
                    raise
                # A network error's text is about the connection, never about the message.
                log.warning(
                    "send to chat %s failed (%s: %s), try %d",
                    chat_id,
                    type(exc).__name__,
                    exc,
                    attempt,
                )
                await self.sleep(delay)
                delay = min(delay * 2, 10)
        raise NetworkError(f"gave up after {self.tries} tries")

    async def send(self, chat_id: int, messages: Sequence[Outgoing]) -> list[Message]:
        """Send messages in order; stops quietly if the person has blocked the bot."""
        sent: list[Message] = []
        try:
            for message in messages:
                sent.append(await self.call(chat_id, partial(self._send, chat_id, message)))
        except Blocked:
            pass
        return sent

    async def _send(self, chat_id: int, message: Outgoing) -> Message:
        kwargs: dict[str, Any] = {"parse_mode": ParseMode.HTML}
        if message.keyboard is not None:
            kwargs["reply_markup"] = message.keyboard
        if message.photo is not None:
            return await self.bot.send_photo(chat_id, message.photo, caption=message.text, **kwargs)
        if message.document is not None:
            name, data = message.document
            return await self.bot.send_document(
                chat_id, InputFile(data, filename=name), caption=message.text, **kwargs
            )
        return await self.bot.send_message(chat_id, message.text, **kwargs)
