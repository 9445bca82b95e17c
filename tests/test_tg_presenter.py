"""The Telegram presenter and button payloads, offline: PTB objects built by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.engine import Ask, Button, Finished, Say
from bot.tg.callback_data import Payload, decode
from bot.tg.presenter import MAX_TEXT, render, selected, split_text, toggled


def ask(kind="choice", **kw) -> Ask:
    base = dict(
        key="q",
        kind=kind,
        text="How?",
        seq=7,
        number=2,
        total=5,
        buttons=(Button("Push to talk", "pursue"), Button("Go quiet", "withdraw")),
    )
    return Ask(**{**base, **kw})


def test_payloads_round_trip_and_stay_within_64_bytes():
    payload = Payload("c", 2_000_000_000, 99_999, "v" * 40)
    data = payload.encode()
    assert len(data.encode()) <= 64
    assert decode(data) == payload
    with pytest.raises(ValueError, match="over 64"):
        Payload("c", 1, 1, "v" * 60).encode()


@pytest.mark.parametrize("data", [None, "", "garbage", "z|1|1|x", "c|!!|1|x", "c|1"])
def test_payloads_we_never_made_decode_to_none(data):
    assert decode(data) is None


def test_question_has_progress_marker_and_one_button_per_option():
    [message] = render([ask(can_go_back=True, skip_label="Not sure yet")], run_id=12)
    assert message.text == "<i>Question 2 of 5</i>\n\nHow?"
    rows = message.keyboard.inline_keyboard
    assert [[b.text for b in row] for row in rows] == [
        ["Push to talk"],
        ["Go quiet"],
        ["↩ Back", "Not sure yet"],
    ]
    assert decode(rows[0][0].callback_data) == Payload("c", 12, 7, "pursue")
    assert decode(rows[2][0].callback_data) == Payload("b", 12, 7, "")
    assert decode(rows[2][1].callback_data) == Payload("s", 12, 7, "")


def test_scale_is_a_row_of_numbers():
    buttons = tuple(Button(str(n), str(n)) for n in range(0, 11))
    [message] = render([ask("scale", buttons=buttons)], run_id=1)
    rows = message.keyboard.inline_keyboard
    assert [len(r) for r in rows] == [6, 5]


def test_answers_are_escaped_so_html_never_breaks():
    [message] = render([Say("You said <b>hi</b> & _x_ *y*")], run_id=None)
    assert message.text == "You said &lt;b&gt;hi&lt;/b&gt; &amp; _x_ *y*"


def test_long_texts_split_at_paragraphs_and_keep_the_keyboard_last():
    para = "word " * 500
    text = "\n\n".join([para.strip()] * 4)  # about 10,000 characters
    messages = render([ask(kind="choice", text=text)], run_id=3)
    assert len(messages) == 4
    assert all(len(m.text) <= MAX_TEXT for m in messages)
    assert messages[0].text.startswith("<i>Question 2 of 5</i>")
    assert [m.keyboard is not None for m in messages] == [False, False, False, True]


def test_split_falls_back_to_words_then_characters():
    assert split_text("a" * 10, 4) == ["aaaa", "aaaa", "aa"]
    assert split_text("aa bb cc", 5) == ["aa bb", "cc"]


def test_multi_select_toggles_in_place_and_respects_the_maximum():
    buttons = (Button("lonely", "lonely"), Button("scared", "scared"), Button("hurt", "hurt"))
    [message] = render([ask("multi", buttons=buttons, min_picks=1, max_picks=2)], run_id=5)
    markup = message.keyboard
    assert [r[0].text for r in markup.inline_keyboard] == [
        "☐ lonely",
        "☐ scared",
        "☐ hurt",
        "Done ✓",
    ]
    markup = toggled(markup, "scared", 2)
    markup = toggled(markup, "lonely", 2)
    assert selected(markup) == ["lonely", "scared"]
    assert toggled(markup, "hurt", 2) is None  # a third pick is over the maximum
    markup = toggled(markup, "lonely", 2)
    assert selected(markup) == ["scared"]


def test_the_reflection_is_headed():
    [message] = render([Finished("tour", "You felt <unseen>.")], run_id=None)
    assert message.text == "<b>Your reflection</b>\n\nYou felt &lt;unseen&gt;."


async def test_the_sender_waits_out_429s_and_stops_at_a_block():
    from telegram.error import Forbidden, RetryAfter

    from bot.tg.presenter import Outgoing, Sender

    waits: list[float] = []
    blocked: list[int] = []
    outcomes = [
        RetryAfter(timedelta(seconds=3)),
        RetryAfter(timedelta(seconds=1)),
        "sent",
        Forbidden("bot was blocked by the user"),
    ]

    class Bot:
        async def send_message(self, chat_id, text, **kwargs):
            outcome = outcomes.pop(0)
            if isinstance(outcome, Exception):
                raise outcome
            return outcome

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    sender = Sender(Bot(), blocked.append, sleep=sleep)
    sent = await sender.send(42, [Outgoing("one"), Outgoing("two"), Outgoing("three")])
    assert sent == ["sent"]
    assert waits == [3.0, 1.0]
    assert blocked == [42]
