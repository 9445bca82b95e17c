"""One person's updates in order, different people's at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram import Chat, Message, Update, User

from bot.tg.ordering import PerPersonOrder


def update(update_id: int, user_id: int) -> Update:
    person = User(user_id, "Ana", is_bot=False)
    chat = Chat(user_id, Chat.PRIVATE)
    return Update(
        update_id, message=Message(update_id, datetime.now(UTC), chat, from_user=person, text="hi")
    )


async def test_one_persons_updates_keep_their_order_and_others_overlap():
    order = PerPersonOrder(8)
    log: list[str] = []
    first_started = asyncio.Event()

    async def work(name: str, delay: float) -> None:
        log.append(f"start {name}")
        if name == "a1":
            first_started.set()
        await asyncio.sleep(delay)
        log.append(f"end {name}")

    async with order:
        await asyncio.gather(
            order.process_update(update(1, 1), work("a1", 0.05)),
            order.process_update(update(2, 1), work("a2", 0.0)),
            order.process_update(update(3, 2), work("b1", 0.0)),
        )
    assert log.index("end a1") < log.index("start a2")  # same person: strictly in order
    assert log.index("end b1") < log.index("end a1")  # another person did not wait
    assert order._locks == {}  # idle people are forgotten
