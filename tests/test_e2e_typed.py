"""End to end: words typed at button questions and outside an exercise, read as people mean
them, through the real bot on the fake Bot API."""

from __future__ import annotations

from fake_telegram import FakeTelegram
from test_e2e import begin_tour, onboard


def type_and_wait(fake: FakeTelegram, user: int, text: str, expect: str) -> str:
    fake.send_text(user, text)
    return fake.wait_for_text(user, expect).text


def test_onboarding_answered_by_typing_says_how_each_answer_was_read(fake, bot):
    user = 301
    fake.send_text(user, "/start")
    fake.wait_for_text(user, "Are you 18 or older?")
    reply = type_and_wait(fake, user, "yse", "Which country are you in?")
    assert "I took that as “Yes, I'm 18 or older”. /back changes it." in reply
    reply = type_and_wait(fake, user, "Untied Kingdom", "which words should I use?")
    assert "I took that as “United Kingdom”." in reply
    type_and_wait(fake, user, "he/him", "afraid of your partner?")
    reply = type_and_wait(fake, user, "no idea", "no wrong answer")  # never taken as "No"
    assert "\n1. No\n2. Sometimes\n" in reply
    type_and_wait(fake, user, "nope", "has your partner hurt you")
    type_and_wait(fake, user, "no", "Is there an affair")
    type_and_wait(fake, user, "nah", "Is drinking, drug use or gambling")
    type_and_wait(fake, user, "no", "Are you seeing a therapist")
    type_and_wait(fake, user, "nope, cant afford it", "gentle reminder")
    type_and_wait(fake, user, "no thanks", "how much may they see?")
    setup = type_and_wait(fake, user, "status only", "You're set up.")
    assert "Country for helplines: United Kingdom" in setup


def test_unsure_other_and_idk_at_pick_one_questions(fake, bot):
    user = 302
    fake.send_text(user, "/start")
    fake.wait_for_text(user, "Are you 18 or older?")
    onboard(fake, user)
    fake.send_text(user, "/start name-the-cycle")
    fake.wait_for_text(user, "What is the fight usually about")
    # Unsure: "Did you mean…?" with the closest and "None of these"; nothing stored yet.
    fake.send_text(user, "not sure, maybe money or the kids")
    offer = fake.wait_for_text(user, "Did you mean one of these?")
    assert "money" in offer.button_labels and "None of these" in offer.button_labels
    fake.press_button(user, "money")
    fake.wait_for_text(user, "Just before you got stirred up")
    # Words that fit no option are kept as the catch-all, and its follow-up is not asked.
    fake.send_text(user, "/back")
    fake.wait_for_text(user, "What is the fight usually about", since=None)
    fake.send_text(user, "politics, brexit mainly")
    kept = fake.wait_for_text(user, "I kept that in your words")
    assert "Just before you got stirred up" in kept.text
    assert "In a few words, what is it usually about?" not in kept.text
    # "idk" is never forced onto an option: the options again, as numbered text too.
    fake.press_button(user, "a raised voice")
    fake.wait_for_text(user, "which is closer to what you do?")
    again = type_and_wait(fake, user, "idk", "no wrong answer")
    assert "1. I push towards it" in again and "Tap one, or type its number." in again


def test_scale_words_and_several_typed_options(fake, bot):
    user = 303
    begin_tour(fake, user)
    type_and_wait(fake, user, "Sam", "What happened, in a line or two?")
    type_and_wait(fake, user, "we argued about the bins", "what do you usually do?")
    reply = type_and_wait(fake, user, "i push to talk it out right away", "how close do you feel")
    assert "I took that as “I push to talk it out”." in reply
    type_and_wait(fake, user, "pretty close", "Did you mean one of these?")
    offered = fake.last_message(user).button_labels
    assert offered[:2] == ["4", "5 – very close"] and "None of these" in offered
    fake.press_button(user, "4")
    fake.wait_for_text(user, "Choose up to three")
    # A part that is read as no option: the rest is offered ticked, to change or confirm.
    fake.send_text(user, "lonely, and something about my dad")
    fake.wait_for_text(user, "I've ticked what I think you meant")
    assert "☑ lonely" in fake.last_message(user).button_labels
    fake.press_button(user, "Done ✓")
    reflection = fake.wait_for_text(user, "Your reflection")
    assert "lonely" in reflection.text


def test_typed_options_taken_at_a_multi_question(fake, bot):
    user = 304
    begin_tour(fake, user)
    type_and_wait(fake, user, "Sam", "What happened, in a line or two?")
    type_and_wait(fake, user, "we argued about the bins", "what do you usually do?")
    type_and_wait(fake, user, "2", "how close do you feel")
    type_and_wait(fake, user, "very close", "Choose up to three")
    reflection = type_and_wait(fake, user, "lonely and scared", "Your reflection")
    assert "lonely and scared" in reflection


def test_messages_outside_an_exercise_are_read_for_what_they_are(fake, bot):
    user = 305
    fake.send_text(user, "/start")
    fake.wait_for_text(user, "Are you 18 or older?")
    onboard(fake, user)
    fake.send_text(user, "we had another fight about money tonight and I feel awful")
    distress = fake.wait_for_text(user, "That sounds really hard")
    assert "A minute to settle" in distress.button_labels
    assert "/sos" in distress.text
    fake.press_button(user, "A minute to settle")
    fake.wait_for_text(user, "slow down for a minute")
    fake.send_text(user, "/cancel")
    fake.wait_for_text(user, "Close “")
    fake.press_button(user, "Yes, close it")
    fake.wait_for_text(user, "I've closed this conversation")
    type_and_wait(fake, user, "thanks so much", "You're welcome")
    type_and_wait(fake, user, "bye for now", "Take care of yourself")


def test_a_greeting_after_a_pause_offers_to_carry_on_with_a_recap(fake, bot):
    user = 306
    begin_tour(fake, user)
    type_and_wait(fake, user, "Sam", "What happened, in a line or two?")
    type_and_wait(fake, user, "we argued about the bins", "what do you usually do?")
    type_and_wait(fake, user, "/pause", "Saved. Take all the time you need")
    back = type_and_wait(fake, user, "hi", "Here is where you left off")
    assert "You were in “A first look around”." in back
    assert "what do you usually do?" in back  # the question again, nothing answered
    type_and_wait(fake, user, "1", "how close do you feel")
