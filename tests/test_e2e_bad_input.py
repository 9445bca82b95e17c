"""End to end, no input crashes anything: huge typed numbers, forged and stale button payloads
pressed on real messages, through the real bot process and the fake Bot API on 127.0.0.1.

Each press must be answered (the spinner stops), each input must get a kind reply, and the
bot's log must hold no traceback and no failed update.
"""

from __future__ import annotations

from bot_process import BotProcess
from fake_telegram import FakeTelegram
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_e2e import begin_tour, onboard
from test_e2e_practice import CLIENT, THERAPIST, invite

from bot.tg import texts
from bot.usecases.practice.homework import TYPE_A_DATE

HUGE = "9" * 4301


def quiet(bot: BotProcess, fake: FakeTelegram, user: int) -> None:
    """No traceback or failed update in the log, and no apology in the chat."""
    logs = bot.logs()
    assert "Traceback" not in logs and "failed with" not in logs, logs[-3000:]
    assert not [m for m in fake.messages(user) if texts.SORRY in m.content]


def forge(fake: FakeTelegram, user: int, data: str) -> tuple[int, int]:
    """Press `data` on the newest bot message; (the mark before, the update id), once answered."""
    mark = fake.mark()
    update_id = fake.press(user, fake.last_message(user).message_id, data)
    fake.wait_until(lambda: fake.was_answered(update_id), what=f"{data!r} answered")
    return mark, update_id


def to_scale(fake: FakeTelegram, user: int) -> None:
    """The tour up to its choice question, a huge number there, then on to the scale."""
    begin_tour(fake, user)
    fake.send_text(user, "Sam")
    fake.wait_for_text(user, "What happened, in a line or two?")
    fake.send_text(user, "we argued about the dishes again")
    choice = fake.wait_for_text(user, "what do you usually do?")
    fake.send_text(user, HUGE)
    fake.wait_for_text(user, "what do you usually do?", since=choice.changed_seq)
    fake.send_text(user, "I push to talk it out")
    fake.wait_for_text(user, "how close do you feel")


def done_button(fake: FakeTelegram, user: int) -> str:
    """The callback data of the live multi-select's Done button."""
    found = [
        b["callback_data"]
        for row in fake.last_message(user).buttons
        for b in row
        if str(b.get("callback_data", "")).startswith("d|")
    ]
    assert found, fake.last_message(user).button_labels
    return str(found[0])


def test_huge_numbers_and_forged_presses_on_a_question(fake, bot):
    user = 301
    to_scale(fake, user)
    mark = fake.mark()
    fake.send_text(user, HUGE)
    fake.wait_for_text(user, "Please choose a number from 1 to 5.", since=mark)
    fake.send_text(user, "4")
    question = fake.wait_for_text(user, "Choose up to three")
    done = done_button(fake, user)
    run_seq = done.rsplit("|", 1)[0]  # d|run|seq
    # A forged Done: the bounds come from the keyboard, so nothing ticked gets the pop-up.
    _, pressed = forge(fake, user, f"{run_seq}|abc")
    answers = fake.callback_answers
    assert answers[-1].get("text") == texts.TOO_FEW.format(low=1)
    # A tick of an option the keyboard does not have changes nothing.
    before = fake.last_message(user)
    mark, _ = forge(fake, user, "t" + run_seq[1:] + "|bogus")
    assert not [p for p in fake.requests_to("editMessageReplyMarkup")]
    assert fake.last_message(user).message_id == question.message_id
    assert fake.last_message(user).button_labels == before.button_labels
    # The real buttons still work, and a forged Done counts what is really ticked.
    fake.press_button(user, "☐ hurt")
    fake.wait_until(lambda: "☑ hurt" in fake.last_message(user).button_labels)
    forge(fake, user, f"{run_seq}|abc")
    reflection = fake.wait_for_text(user, "Your reflection")
    assert "you felt hurt" in reflection.text
    assert fake.was_answered(pressed)
    quiet(bot, fake, user)


def test_forged_actions_get_a_kind_word(fake, bot):
    user = 302
    to_scale(fake, user)
    for data in ("a|0|0|snooze:abc", "a|0|0|scope:abc:full", "a|0|0|chk:x", "a|0|0|bogus"):
        mark, _ = forge(fake, user, data)
        fake.wait_for_text(user, "That button no longer works.", since=mark)
    mark, _ = forge(fake, user, "a|0|0|tz:x")
    fake.wait_for_text(user, "Which is closest to you?", since=mark)
    # The live question is still there and still takes its answer.
    fake.send_text(user, "4")
    fake.wait_for_text(user, "Choose up to three")
    quiet(bot, fake, user)


def test_forged_assign_presses_ask_again(fake, launch):
    bot = launch(THERAPIST_IDS=str(THERAPIST))
    fake.send_text(CLIENT, "/start")
    fake.wait_for_text(CLIENT, "Are you 18 or older?")
    onboard(fake, CLIENT)
    fake.send_text(CLIENT, f"/start {invite(fake, 'Sam')}")
    fake.wait_for_text(CLIENT, "invites you to share your progress")
    fake.press_button(CLIENT, "Status only")
    fake.wait_for_text(CLIENT, "You're linked")
    fake.send_text(THERAPIST, "/assign")
    fake.wait_for_text(THERAPIST, "Which client is this homework for?")
    fake.press_button(THERAPIST, "Sam")
    fake.wait_for_text(THERAPIST, "Which conversation for “Sam”?")
    mark, _ = forge(fake, THERAPIST, "a|0|0|as:c:abc")
    fake.wait_for_text(THERAPIST, "That client is no longer linked.", since=mark)
    fake.press_button(THERAPIST, "Reaching out")
    fake.wait_for_text(THERAPIST, "When is it due?")
    for value in ("abc", "±99999999999", HUGE[:50]):
        mark, _ = forge(fake, THERAPIST, f"a|0|0|as:d:{value}")
        fake.wait_for_text(THERAPIST, TYPE_A_DATE, since=mark)
    fake.press_button(THERAPIST, "In 3 days")
    fake.wait_for_text(THERAPIST, "Add a note for them?")
    quiet(bot, fake, THERAPIST)


PAYLOADS = st.one_of(
    st.builds(
        lambda kind, rest: f"{kind}|{rest}",
        st.sampled_from(sorted("ctdsbfkan")),  # not e (erase everything) nor x (close the run)
        st.text(max_size=40),
    ),
    st.text(min_size=1, max_size=70),
)


def test_any_callback_data_is_answered_and_crashes_nothing(fake, bot):
    user = 303
    to_scale(fake, user)

    @settings(
        max_examples=40,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(data=PAYLOADS)
    def press(data: str) -> None:
        forge(fake, user, data)

    press()
    # One person's updates are handled in order: when /help is answered, every press was.
    mark = fake.mark()
    fake.send_text(user, "/help")
    fake.wait_for_text(user, "Here is what you can do", since=mark)
    quiet(bot, fake, user)
