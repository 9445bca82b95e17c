"""The gate every Bot API call passes: Telegram's rate limits kept, and no call sent that
Telegram would refuse (an edit that changes nothing); a failed callback answer tried again."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine
from functools import partial
from typing import Any

from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)


ApiResult = bool | dict[str, Any] | list[dict[str, Any]]
ApiCall = Callable[..., Coroutine[Any, Any, ApiResult]]
# Calls after which a message's keyboard is no longer the one remembered for it.
CHANGES_MESSAGE = frozenset(
    {"editMessageText", "editMessageCaption", "editMessageMedia", "deleteMessage"}
)


class Courtesy(AIORateLimiter):
    """Every Bot API call passes here: Telegram's limits kept, no call sent that it would refuse.

    AIORateLimiter keeps the bot under Telegram's overall rate (and a group's). It never waits
    out a 429 itself (`max_retries=0`): its wait would hold every call of the bot, while
    `Sender` waits out a 429 for the one chat that got it and lets everyone else go on.
    On top of that:

    - an editMessageReplyMarkup that would set the keyboard the message already shows is not
      sent (Telegram refuses it: "message is not modified"); the last keyboard set is
      remembered per message, for the `remember` most recently edited messages;
    - an answerCallbackQuery that fails on the way (5xx, network, timeout) is tried once more,
      and "query is too old" (answered already, or too late to) is let go quietly;
    - at most `in_flight` calls are on the wire at once (the HTTP pool's size): the rest wait
      in a cheap FIFO here rather than in the pool, whose bookkeeping grows with every waiter.
    """

    def __init__(
        self,
        overall_max_rate: float = 30,
        remember: int = 10_000,
        retry_delay: float = 0.2,
        in_flight: int = 8,
    ) -> None:
        super().__init__(overall_max_rate=overall_max_rate, max_retries=0)
        self._wire = asyncio.Semaphore(in_flight)
        self.remember = remember
        self.retry_delay = retry_delay
        self._keyboards: OrderedDict[tuple[int, int], str] = OrderedDict()

    async def process_request(
        self,
        callback: ApiCall,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> ApiResult:
        """Send one call through the rate limits, unless it would change nothing."""

        async def on_the_wire(*args: Any, **kwargs: Any) -> ApiResult:
            async with self._wire:
                return await callback(*args, **kwargs)

        send = partial(super().process_request, on_the_wire, args, kwargs, endpoint, data)
        if endpoint == "answerCallbackQuery":
            return await self._answer(partial(send, rate_limit_args))
        key = _message_key(data)
        if key is None:
            return await send(rate_limit_args)
        if endpoint != "editMessageReplyMarkup":
            result = await send(rate_limit_args)
            if endpoint in CHANGES_MESSAGE:
                self._keyboards.pop(key, None)
            return result
        keyboard = _as_json(data.get("reply_markup"))
        if self._keyboards.get(key) == keyboard:
            log.debug("keyboard of a message in chat %s unchanged: no edit sent", key[0])
            self._keyboards.move_to_end(key)
            return True
        try:
            result = await send(rate_limit_args)
        except BadRequest as exc:
            if "not modified" not in exc.message.lower():
                raise
            result = True  # what we remembered was lost (a restart): the keyboard is right
        self._keyboards[key] = keyboard
        self._keyboards.move_to_end(key)
        while len(self._keyboards) > self.remember:
            self._keyboards.popitem(last=False)
        return result

    async def _answer(self, send: Callable[[], Awaitable[ApiResult]]) -> ApiResult:
        """Answer a callback query, once more if the first try fails on the way."""
        for attempt in (1, 2):
            try:
                return await send()
            except BadRequest as exc:
                if "query is too old" not in exc.message.lower():
                    raise
                # Answered already (the first try's reply was lost) or too late to: either
                # way the spinner has stopped, and nothing is left to do.
                log.debug("a callback query was too old to answer")
                return True
            except (TimedOut, NetworkError) as exc:  # BadRequest is caught above
                if attempt == 2:
                    raise
                log.info("answering a callback query failed (%s), trying again", type(exc).__name__)
                await asyncio.sleep(self.retry_delay)
        raise AssertionError("unreachable")


def _message_key(data: dict[str, Any]) -> tuple[int, int] | None:
    """(chat, message) a call is about, if it names both by number."""
    try:
        return int(data["chat_id"]), int(data["message_id"])
    except (KeyError, TypeError, ValueError):
        return None


def _as_json(value: Any) -> str:
    """A keyboard (or None) as canonical JSON, to compare two of them."""
    if hasattr(value, "to_dict"):
        value = value.to_dict()
    return json.dumps(value, sort_keys=True, ensure_ascii=False)
