"""The inbox table: updates kept as they arrive, forgotten once handled, set aside if unreadable."""

from __future__ import annotations

from bot.storage import Store


def test_updates_are_kept_in_order_once_and_the_offset_confirms_them(store: Store, now):
    text = {"message": {"message_id": 1, "from": {"id": 42}, "text": "hello"}}
    kept = store.inbox.add([{"no": "update_id"}, {"update_id": 7, **text}, {"update_id": 8}], now)
    assert [update_id for update_id, _ in kept] == [7, 8]
    assert kept[0][1]["message"]["text"] == "hello"  # each id with its own update
    store.inbox.add([{"update_id": 7, **text}], now)  # delivered again: kept once
    assert [update_id for update_id, _ in store.inbox.waiting()] == [7, 8]
    assert store.inbox.next_offset() == 9
    assert store.db.execute("select user_id from inbox where update_id = 7").fetchone() == (42,)


def test_a_handled_update_goes_and_an_unreadable_one_stays_set_aside(store: Store, now):
    store.inbox.add([{"update_id": 1}, {"update_id": 2}, {"update_id": 3}], now)
    store.inbox.handled(1)
    store.inbox.set_aside(2, now)
    assert [update_id for update_id, _ in store.inbox.waiting()] == [3]
    assert store.inbox.set_aside_count() == 1
    assert store.inbox.next_offset() == 4  # forgetting a row never moves the offset back
