"""End to end: never silent, never stalled. One slow chat never holds up another person, and the
bot never sends a call Telegram would refuse (measured through the fake Bot API server)."""

from __future__ import annotations

import time

from fake_telegram import FakeTelegram
from test_e2e import begin_tour

WELCOME = "Are you 18 or older?"


def refused(fake: FakeTelegram) -> list[str]:
    """Every call Telegram refused that the test did not inject, as 'method status text'."""
    return [
        f"{c.method} {c.status} {c.description}"
        for c in fake.call_log
        if c.status is not None and c.status >= 400 and not c.injected
    ]


def reply_time(fake: FakeTelegram, user: int, command: str, expected: str) -> float:
    """Seconds from a person's command to the reply that contains `expected`."""
    began = time.monotonic()
    fake.send_text(user, command)
    fake.wait_for_text(user, expected, timeout=10)
    return time.monotonic() - began


def test_chats_waiting_out_flood_control_do_not_delay_another_persons_reply(fake, bot):
    waiting = [201, 202, 203, 204]
    for chat in waiting:
        fake.fail_next("sendMessage", 429, retry_after=6, chat_id=chat)
        fake.send_text(chat, "/start")
    fake.wait_until(
        lambda: len([c for c in fake.call_log if c.status == 429]) == len(waiting),
        what="four chats in flood control",
    )
    assert reply_time(fake, 205, "/start", WELCOME) < 0.5
    for chat in waiting:  # and the waiting ones get theirs once the wait is over
        fake.wait_for_text(chat, WELCOME, timeout=15)
    assert refused(fake) == []


def test_hung_sends_to_some_chats_do_not_delay_another_persons_reply(fake, bot):
    slow = [211, 212, 213, 214]
    for chat in slow:
        fake.hang_next("sendMessage", 3, chat_id=chat)
        fake.send_text(chat, "/start")
    fake.wait_until(
        lambda: (
            len([c for c in fake.call_log if c.method == "sendMessage" and c.status is None])
            == len(slow)
        ),
        what="four sends hanging",
    )
    assert reply_time(fake, 215, "/start", WELCOME) < 0.5
    for chat in slow:
        fake.wait_for_text(chat, WELCOME, timeout=15)
    assert refused(fake) == []


def test_two_quick_taps_on_one_option_send_no_edit_telegram_would_refuse(fake, bot):
    user = 221
    begin_tour(fake, user)
    fake.send_text(user, "Sam")
    fake.wait_for_text(user, "What happened, in a line or two?")
    fake.send_text(user, "we argued about the dishes again")
    fake.wait_for_text(user, "what do you usually do?")
    fake.press_button(user, "I push to talk it out")
    fake.wait_for_text(user, "how close do you feel")
    fake.press_button(user, "4")
    question = fake.wait_for_text(user, "Choose up to three")
    data = question.button("☐ lonely")["callback_data"]
    # Both taps come before the first edit arrives: both carry the keyboard as first shown.
    first = fake.press(user, question.message_id, data)
    second = fake.press(user, question.message_id, data)
    fake.wait_until(lambda: fake.was_answered(first) and fake.was_answered(second))
    fake.wait_until(lambda: "☑ lonely" in fake.last_message(user).button_labels)
    fake.press_button(user, "Done ✓")
    reflection = fake.wait_for_text(user, "Your reflection")
    assert "you felt lonely" in reflection.text
    assert refused(fake) == []


def test_a_callback_answer_that_fails_is_retried_and_the_spinner_stops(fake, bot):
    user = 231
    fake.send_text(user, "/start tour")
    fake.wait_for_text(user, "Tap the button when you're ready")
    fake.fail_next("answerCallbackQuery", 500)
    pressed = fake.press_button(user, "I'm ready")
    fake.wait_until(lambda: fake.was_answered(pressed), timeout=5, what="the spinner to stop")
    fake.wait_for_text(user, "What would you like me to call your partner here?")
    assert len(fake.requests_to("answerCallbackQuery")) == 2
    assert refused(fake) == []


def test_an_answer_lost_on_the_way_back_is_not_an_error(fake, bot):
    # Telegram took the answer but the reply was lost: the retry is "query is too old", which
    # means the spinner already stopped. Nothing to report, and the press still counts.
    user = 232
    fake.send_text(user, "/start tour")
    fake.wait_for_text(user, "Tap the button when you're ready")
    fake.fail_next("answerCallbackQuery", 502, applied=True)
    pressed = fake.press_button(user, "I'm ready")
    fake.wait_for_text(user, "What would you like me to call your partner here?")
    fake.wait_until(lambda: len(fake.requests_to("answerCallbackQuery")) == 2)
    assert fake.was_answered(pressed)
    time.sleep(0.2)
    assert "could not answer" not in bot.logs()
    assert "query is too old" not in bot.logs()
