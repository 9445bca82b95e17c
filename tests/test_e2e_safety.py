"""End to end, the safety path: every crisis line of the labelled set sent mid-exercise to the
real bot over python-telegram-bot's HTTP stack, every benign look-alike too, and the data rights.
"""

from __future__ import annotations

import json
import re
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import yaml
from fake_telegram import BotMessage, FakeTelegram
from test_e2e import begin_tour, onboard, rows, rows_naming
from test_safety_screen import SETS

T = TypeVar("T")
DATA = Path(__file__).resolve().parent / "data"
SET: dict[str, list[str]] = {}
for name in SETS:
    for key, lines in yaml.safe_load((DATA / name).read_text(encoding="utf-8")).items():
        # Look-alikes and everyday answers alike are no crisis: `none` here.
        key = "none" if key in ("lookalike", "everyday") else key
        SET.setdefault(key, []).extend(str(line) for line in lines)
# Ireland is the country chosen by `onboard`; each card must show its own lines.
QUESTION = {
    "suicide": "ending your life",
    "violence": "safe to talk right now",
    "harm_others": "worried you might hurt someone",
    "child": "Is a child in danger",
    "emergency": "need urgent medical help",
    "affair": "Is an affair going on",
    "addiction": "causing crises at home",
}
CARD = {
    "suicide": "Samaritans: 116 123",
    "violence": "Women's Aid 24hr Helpline: 1800 341 900",
    "harm_others": "Putting distance between you",
    "child": "call 112 or 999",
    "emergency": "Please call 112 or 999 now",
    "affair": "While an affair is going on",
    "addiction": "a therapist who can help with both",
}
MOMENT = "Think of a recent moment when you and Sam got stuck"
TOUR_QUESTIONS = ("what do you usually do?", "how close do you feel", MOMENT)


def at_the_moment_question(fake: FakeTelegram, user: int) -> None:
    fake.send_text(user, "/start")
    fake.wait_for_text(user, "Are you 18 or older?")
    onboard(fake, user)
    begin_tour(fake, user)
    fake.send_text(user, "Sam")
    fake.wait_for_text(user, MOMENT)


def in_fresh_chats(
    fake: FakeTelegram, first: int, items: list[T], size: int = 200
) -> Iterator[tuple[int, T]]:
    """Each item with the user to send it, a new user at the tour's moment question every
    `size` items: a chat of thousands of messages would make every wait slower than the last."""
    user = first
    for i, item in enumerate(items):
        if i % size == 0:
            user = first * 1000 + i // size
            at_the_moment_question(fake, user)
        yield user, item


def safety_buttons(message: BotMessage) -> list[str]:
    return [
        b["callback_data"]
        for row in message.buttons
        for b in row
        if b.get("callback_data", "").startswith("a|")
    ]


def shown_since(fake: FakeTelegram, user: int, mark: int) -> list[BotMessage]:
    return [m for m in fake.messages(user) if m.changed_seq > mark]


def tour_status(db: Path) -> str:
    return rows(db, "select status from runs where flow_id = 'tour' order by id desc limit 1")[0][0]


def press_yes(fake: FakeTelegram, user: int, message: BotMessage) -> None:
    yes = next(d for d in safety_buttons(message) if d.endswith(":y"))
    fake.press(user, message.message_id, yes)


def test_every_crisis_line_mid_flow_pauses_it_and_shows_the_right_card(fake, bot):
    crisis = [(c, line) for c, lines in SET.items() if c != "none" for line in lines]
    for user, (category, line) in in_fresh_chats(fake, 501, crisis):
        mark = fake.mark()
        fake.send_text(user, line)
        question = fake.wait_for_message(
            user,
            lambda m: any(":y" in d for d in safety_buttons(m)),
            since=mark,
            what=f"a safety question after {line!r}",
        )
        assert tour_status(bot.db) == "paused", line
        if "Has someone hurt you" in question.content:  # the gentle check comes first
            press_yes(fake, user, question)
            question = fake.wait_for_text(user, QUESTION["violence"], since=question.sent_seq)
        assert QUESTION[category] in question.content, (line, question.content)
        press_yes(fake, user, question)
        fake.wait_for_text(user, CARD[category], since=question.sent_seq)
        shown = " ".join(m.content for m in shown_since(fake, user, mark))
        assert not any(q in shown for q in TOUR_QUESTIONS), line  # nothing went on
        assert line not in shown  # never repeated back
        again = fake.mark()
        fake.send_text(user, "/start tour")  # the person chooses to go back to it
        fake.wait_for_text(user, MOMENT, since=again)
    logs = bot.logs()
    for lines in SET.values():
        for line in lines:
            # As words of their own: a line such as "k" is part of many a flow id.
            assert not re.search(rf"(?<!\w){re.escape(line)}(?!\w)", logs), line
    assert fake.token not in logs


def test_every_benign_look_alike_mid_flow_is_taken_as_the_answer(fake, bot):
    for user, line in in_fresh_chats(fake, 502, SET["none"]):
        mark = fake.mark()
        fake.send_text(user, line)
        # A word or two ("ok", "later") is too short for this question: it asks again, kindly.
        reply = fake.wait_for_message(
            user,
            lambda m: (
                "what do you usually do?" in m.content
                or "A few words is enough" in m.content
                or "Did you mean one of these?" in m.content  # typed at a button question
            ),
            since=mark,
            what=f"the next question, or a re-prompt, after {line!r}",
        )
        assert not any(safety_buttons(m) for m in shown_since(fake, user, mark)), line
        if "A few words is enough" in reply.content:
            continue
        back = fake.mark()
        fake.send_text(user, "/back")
        fake.wait_for_text(user, MOMENT, since=back)
    assert rows(bot.db, "select count(*) from safety_events") == [(0,)]


def test_sos_works_at_any_moment_and_the_exercise_waits(fake, bot):
    user = 503
    at_the_moment_question(fake, user)
    fake.send_text(user, "/sos")
    card = fake.wait_for_text(user, "Here is help you can reach now")
    assert "Samaritans: 116 123" in card.text and "112 or 999" in card.text
    assert tour_status(bot.db) == "paused"
    fake.press_button(user, "Go back to the exercise")
    fake.wait_for_text(user, MOMENT, since=card.sent_seq)
    assert tour_status(bot.db) == "active"


def test_violence_path_offers_to_clear_the_chat_and_does(fake, bot):
    user = 504
    at_the_moment_question(fake, user)
    fake.send_text(user, "he strangled me last night")
    question = fake.wait_for_text(user, "Are you safe to talk right now?")
    assert "If you are in danger right now, call 112 or 999." in question.text
    fake.press_button(user, "No, not right now")
    short = fake.wait_for_text(user, "let's keep this short")
    assert "Women's Aid" in short.text
    assert fake.user_messages(user)
    fake.press_button(user, "Clear this chat")
    after = fake.wait_for_text(user, "I've deleted the messages of the last two days")
    fake.wait_until(
        lambda: [m.message_id for m in fake.messages(user)] == [after.message_id],
        what="every earlier message of the bot's to be deleted",
    )
    fake.wait_until(lambda: not fake.user_messages(user), what="the person's messages deleted")
    # What is still kept, and shown to anyone holding the phone, is said; she chooses.
    assert "anyone who opens this chat could see them with /journal or /safety" in after.text
    assert "an exercise you started" in after.text
    assert after.button_labels == ["Erase them too", "Keep them"]
    fake.press_button(user, "Erase them too")
    fake.wait_for_text(user, "Erased. Your journal and your safety plan are empty now.")
    assert rows(
        bot.db, "select count(*) from runs where user_id = ? and flow_id = 'tour'", user
    ) == [(0,)]
    fake.send_text(user, "/flows")
    overview = fake.wait_for_text(user, "Which conversation would you like?")
    assert "Reaching out · locked" in overview.button_labels


def test_export_holds_every_answer_and_delete_leaves_no_row(fake, bot):
    user = 505
    at_the_moment_question(fake, user)
    fake.send_text(user, "the dishes after the party, again")
    fake.wait_for_text(user, "what do you usually do?")
    fake.send_text(user, "/export")
    fake.wait_until(
        lambda: len([m for m in fake.messages(user) if m.kind == "document"]) == 2,
        what="two files",
    )
    files = {m.file["file_name"]: m.data for m in fake.messages(user) if m.kind == "document"}
    data = next(v for k, v in files.items() if k.endswith(".json"))
    readable = next(v for k, v in files.items() if k.endswith(".md"))
    exported = json.loads(data)
    answers = [a["value"] for a in exported["tables"]["answers"]]
    assert "Sam" in answers and "the dishes after the party, again" in answers
    assert "the dishes after the party, again" in readable.decode()
    fake.send_text(user, "/privacy")
    privacy = fake.wait_for_text(user, "not end-to-end encrypted")
    assert "/delete" in privacy.text
    fake.send_text(user, "/delete")
    fake.wait_for_text(user, "Delete everything?")
    fake.press_button(user, "Yes, delete everything")
    fake.wait_for_text(user, "Everything about you has been deleted")
    bot.kill(signal.SIGTERM)
    scanned = rows_naming(bot.db, user)
    assert ("users", "id") in scanned and not any(scanned.values()), scanned
    assert oct(bot.db.stat().st_mode & 0o777) == "0o600"


def test_a_caption_is_screened_like_a_message(fake, bot):
    user = 506
    at_the_moment_question(fake, user)
    fake.send_photo(user, caption="he hit me, this is my arm")
    fake.wait_for_text(user, "Are you safe to talk right now?")
    assert tour_status(bot.db) == "paused"


def test_typed_answers_and_messages_with_no_exercise_open_are_read_too(fake, bot):
    user = 507
    fake.send_text(user, "/start")
    fake.wait_for_text(user, "Are you 18 or older?")
    onboard(fake, user)
    fake.send_text(user, "i dont want to be here anymore")  # nothing open: still screened
    fake.wait_for_text(user, "Are you having thoughts of ending your life")
    fake.send_text(user, "yes")
    fake.wait_for_text(user, "Samaritans: 116 123")
    mark = fake.mark()
    fake.send_text(user, "ok")
    fake.wait_for_text(user, "There is no conversation open right now", since=mark)
    assert rows(bot.db, "select category, shown from safety_events where user_id = ?", user) == [
        ("suicide", "question"),
        ("suicide", "card_yes"),
    ]


def test_after_a_card_an_ordinary_message_does_not_restart_the_exercise(fake, bot):
    user = 508
    at_the_moment_question(fake, user)
    fake.send_text(user, "i want to kill myself")
    fake.wait_for_text(user, "ending your life")
    fake.press_button(user, "Yes")
    card = fake.wait_for_text(user, "Samaritans")
    fake.send_text(user, "we argued about the dishes")
    # Read as distress (an offer of a minute to settle) or as nothing (the list): either way the
    # exercise stays paused.
    fake.wait_for_message(
        user,
        lambda m: (
            "There is no conversation open right now" in m.content
            or "A minute to settle" in m.button_labels
        ),
        since=card.sent_seq,
    )
    shown = " ".join(m.content for m in shown_since(fake, user, card.sent_seq))
    assert not any(q in shown for q in TOUR_QUESTIONS)
    assert tour_status(bot.db) == "paused"
