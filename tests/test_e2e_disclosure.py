"""End to end on the fake Bot API: a disclosure of violence holds against a "No" to every
safety question; /safety puts the domestic-violence line first; two weeks later (the clock is a
file the test moves) the question that names it reopens the exercises only on a clear answer.
"""

from __future__ import annotations

from datetime import timedelta

from fake_telegram import FakeTelegram
from test_e2e import begin_tour, onboard
from test_e2e_practice import START, set_clock

USER = 801
PARTNER_FACING = ("Naming the loop", "When your partner reaches out", "Weekly check-in")
"""Exercises open to a newcomer who feels safe, that any sign of fear or harm closes."""
READINESS_QUESTIONS = [
    "has your partner hurt you",
    "Is there an affair",
    "Is drinking, drug use or gambling",
    "Are you seeing a therapist",
]


def overview(fake: FakeTelegram) -> list[str]:
    mark = fake.mark()
    fake.send_text(USER, "/flows")
    return fake.wait_for_text(USER, "Which conversation would you like?", since=mark).button_labels


def locked(labels: list[str]) -> set[str]:
    return {title for title in PARTNER_FACING if f"{title} · locked" in labels}


def no_to_every_safety_question(fake: FakeTelegram) -> str:
    """After "Do you ever feel afraid of your partner?": "No" to each; the closing text."""
    for next_question in READINESS_QUESTIONS:
        fake.press_button(USER, "No")
        fake.wait_for_text(USER, next_question)
    mark = fake.mark()
    fake.press_button(USER, "No")
    return fake.wait_for_text(USER, "Your answers are kept", since=mark).text


def test_a_disclosure_holds_until_a_clear_answer_two_weeks_later(fake, launch, tmp_path):
    clock = tmp_path / "clock"
    set_clock(clock, START)
    launch(BOT_CLOCK_FILE=str(clock))
    fake.send_text(USER, "/start")
    fake.wait_for_text(USER, "Are you 18 or older?")
    onboard(fake, USER)
    assert not locked(overview(fake))

    # She writes it in the middle of an exercise.
    begin_tour(fake, USER)
    fake.send_text(USER, "he grabbed my arm last night and I'm scared to go home")
    fake.wait_for_text(USER, "Are you safe to talk right now?")
    fake.press_button(USER, "Yes, I can talk")
    card = fake.wait_for_text(USER, "You deserve to be safe at home")
    assert "Women's Aid" in card.text
    assert locked(overview(fake)) == set(PARTNER_FACING)

    # /safety: the domestic-violence line comes first.
    fake.send_text(USER, "/safety")
    safety = fake.wait_for_text(USER, "Your safety plan is a short list")
    lines = safety.text.splitlines()
    assert lines[-3].startswith("If someone at home hurts or frightens you: Women's Aid")

    # Two minutes later, "No" to every safety question: nothing reopens.
    set_clock(clock, START + timedelta(minutes=2))
    fake.send_text(USER, "/start readiness")
    fake.wait_for_text(USER, "Do you ever feel afraid of your partner?")
    closing = no_to_every_safety_question(fake)
    assert "Earlier you told me something about your safety" in closing
    assert locked(overview(fake)) == set(PARTNER_FACING)
    mark = fake.mark()
    fake.send_text(USER, "/start name-the-cycle")
    reason = fake.wait_for_text(USER, "made for relationships where both feel safe", since=mark)
    assert "“Finding the raw spot”" in reason.text

    # Thirteen days: the reason again, no question yet.
    set_clock(clock, START + timedelta(days=13))
    mark = fake.mark()
    fake.send_text(USER, "/start reaching-out")
    fake.wait_for_text(USER, "closed for now", since=mark)
    assert not any("still happening" in (m.text or "") for m in fake.messages(USER))

    # Fourteen days: the question that names it. "I'd rather not say" keeps them closed.
    set_clock(clock, START + timedelta(days=14))
    mark = fake.mark()
    fake.send_text(USER, "/start reaching-out")
    question = fake.wait_for_text(USER, "Is that still happening?", since=mark)
    assert question.text == (
        "About two weeks ago you told me that someone had hurt you or made you afraid."
        " Is that still happening?"
    )
    answers = ["Yes, it still is", "No, it has stopped", "I'd rather not say"]
    assert question.button_labels == answers
    fake.press_button(USER, "I'd rather not say")
    fake.wait_for_text(USER, "stay closed for now")
    assert locked(overview(fake)) == set(PARTNER_FACING)

    # Four weeks: "No, it has stopped", then the safety questions answered clearly: they open.
    set_clock(clock, START + timedelta(days=28))
    mark = fake.mark()
    fake.send_text(USER, "/start rocky-moment")
    fake.wait_for_text(USER, "Is that still happening?", since=mark)
    fake.press_button(USER, "No, it has stopped")
    fake.wait_for_text(USER, "I'm glad it has stopped")
    fake.wait_for_text(USER, "Do you ever feel afraid of your partner?", since=mark)
    assert locked(overview(fake)) == set(PARTNER_FACING)  # not before the questions are done
    mark = fake.mark()
    fake.send_text(USER, "/resume")  # the question again, below the list
    fake.wait_for_text(USER, "Do you ever feel afraid of your partner?", since=mark)
    closing = no_to_every_safety_question(fake)
    assert "I'll ask these questions again in two weeks" in closing
    assert not locked(overview(fake))
