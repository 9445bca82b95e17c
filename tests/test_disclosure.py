"""A disclosure holds: what a person told of danger is kept apart from every answer.

Through the real service and an SQLite file: a disclosure typed, chosen in an exercise, or
answered to the safety questions closes every exercise that turns towards the partner (and
"Naming the loop", which frames the partner's part as a move in a shared dance); no later "No"
reopens them; only the person's clear word, asked on its own no sooner than 14 days later, does.
"""

from __future__ import annotations

from datetime import timedelta

from test_onboarding import play
from test_safety_path import USER, actions, mid_tour, onboarded, only_offer

from bot.engine import Ask, Back, Choice, ClearChat, Offer, Start, Text
from bot.storage import PAUSED

PARTNER_FACING = ("name-the-cycle", "rocky-moment", "reaching-out", "responding", "weekly-check-in")
READINESS_ALL_NO = ["never", "never", "none", "none", "not_in_therapy"]


def closed(service) -> set[str]:
    """The flows closed to the person for their safety."""
    return {f.id for f in service.flows() if (lock := service.lock_of(USER, f.id)) and lock.safety}


def texts(effects) -> str:
    """Everything the person reads in these effects, reflections included."""
    return "\n".join(getattr(e, "text", "") or getattr(e, "reflection", "") for e in effects)


def disclose_by_typing(service, now) -> None:
    """She types it mid-exercise and says she is safe to talk."""
    mid_tour(service, now)
    asked = service.handle(
        USER, Text("he grabbed my arm last night and I'm scared to go home"), now
    )
    assert "Are you safe to talk right now?" in only_offer(asked.effects).text
    service.action(USER, "ans:violence:y", now)


def test_one_no_to_every_readiness_question_does_not_undo_a_disclosure(service, now):
    onboarded(service, now)
    disclose_by_typing(service, now)
    assert set(PARTNER_FACING) <= closed(service)
    later = now + timedelta(minutes=2)
    effects = play(service, USER, "readiness", READINESS_ALL_NO, later)
    assert "Earlier you told me something about your safety" in texts(effects)
    assert set(PARTNER_FACING) <= closed(service)
    # What fits instead stays open: the raw spot for herself, grounding, the safety plan.
    for flow_id in ("raw-spot", "grounding", "safety-plan"):
        assert service.lock_of(USER, flow_id) is None, flow_id
    started = service.handle(USER, Start("name-the-cycle"), later)
    assert "made for relationships where both feel safe" in texts(started.effects)
    assert not any(isinstance(e, Ask) for e in started.effects)


def test_the_question_that_names_it_comes_after_14_days_and_only_a_clear_answer_reopens(
    service, now
):
    onboarded(service, now)
    disclose_by_typing(service, now)
    # Before two weeks: the lock's reason, no question, and a forged answer changes nothing.
    day13 = now + timedelta(days=13)
    assert service.safety.review(USER, day13) is None
    early = service.handle(USER, Start("rocky-moment"), day13).effects
    assert "Is that still happening?" not in texts(early)
    service.action(USER, "rev:stopped", day13)
    assert set(PARTNER_FACING) <= closed(service)
    # At two weeks, trying a closed exercise asks the question, naming what she told.
    day14 = now + timedelta(days=14)
    question = only_offer(service.handle(USER, Start("reaching-out"), day14).effects)
    assert question.text == (
        "About two weeks ago you told me that someone had hurt you or made you afraid."
        " Is that still happening?"
    )
    assert actions(question) == ["rev:still", "rev:stopped", "rev:rather"]
    # "I'd rather not say" keeps them closed, and it is not asked again for two weeks.
    rather = service.action(USER, "rev:rather", day14).effects
    assert "stay closed for now" in texts(rather)
    assert set(PARTNER_FACING) <= closed(service)
    assert service.safety.review(USER, day14 + timedelta(days=13)) is None
    # Two weeks on: "it still is" keeps them closed too.
    day28 = now + timedelta(days=28)
    assert service.safety.review(USER, day28) is not None
    assert "stay closed" in texts(service.action(USER, "rev:still", day28).effects)
    assert set(PARTNER_FACING) <= closed(service)
    # Two weeks on again: "it has stopped", then the safety questions, answered clearly.
    day42 = now + timedelta(days=42)
    stopped = service.action(USER, "rev:stopped", day42)
    assert "I'm glad it has stopped" in texts(stopped.effects)
    assert service.active(USER).flow_id == "readiness"
    assert closed(service) & set(PARTNER_FACING)  # nothing opens before the questions
    for value in READINESS_ALL_NO[:-1]:
        ask = [e for e in stopped.effects if isinstance(e, Ask)][-1]
        stopped = service.handle(USER, Choice(value, ask.seq), day42)
    ask = [e for e in stopped.effects if isinstance(e, Ask)][-1]
    service.handle(USER, Choice(READINESS_ALL_NO[-1], ask.seq), day42)
    assert not closed(service) & set(PARTNER_FACING)


def test_a_sometimes_to_the_safety_questions_is_kept_as_a_disclosure_too(service, now):
    onboarded(service, now)
    play(service, USER, "readiness", ["sometimes", "never", "none", "none", "in_therapy"], now)
    assert set(PARTNER_FACING) <= closed(service)
    # A fortnight later, a "No" to every question is not enough on its own.
    later = now + timedelta(days=15)
    play(service, USER, "readiness", READINESS_ALL_NO, later)
    assert set(PARTNER_FACING) <= closed(service)
    assert (
        "that you feel afraid of your partner at times" in service.safety.review(USER, later).text
    )


def test_back_within_the_same_questions_corrects_a_mistaken_tap(service, now):
    onboarded(service, now)
    outcome = service.handle(USER, Start("readiness"), now)
    ask = [e for e in outcome.effects if isinstance(e, Ask)][-1]
    outcome = service.handle(USER, Choice("often", ask.seq), now)
    outcome = service.handle(USER, Back(), now)
    for value in READINESS_ALL_NO:
        ask = [e for e in outcome.effects if isinstance(e, Ask)][-1]
        outcome = service.handle(USER, Choice(value, ask.seq), now)
    assert not closed(service) & set(PARTNER_FACING)
    assert service.store.disclosures.open(USER) == []


def test_choosing_intimidation_in_naming_the_loop_stops_it_and_asks(service, now):
    onboarded(service, now)
    answers = ["money", "raised_voice", "withdraw", "agree", "blame"]
    effects = play(service, USER, "name-the-cycle", answers, now)
    ask = [e for e in effects if isinstance(e, Ask)][-1]
    assert "get right in my face" in [b.label for b in ask.buttons]
    outcome = service.handle(USER, Choice("in_my_face", ask.seq), now)
    shown = texts(outcome.effects)
    assert "not a step in a dance between two people, and it is not your fault" in shown
    assert "Are you safe to talk right now?" in shown
    assert "blame loop" not in shown and "nickname" not in shown
    assert not any(isinstance(e, Ask) for e in outcome.effects)
    assert set(PARTNER_FACING) <= closed(service)
    # The intimidation is not kept as "their move" for later flows, or /journal, to quote,
    # and the closed exercise is neither "done" nor in /journal for anyone holding the phone.
    assert "cycle_their_move" not in service.store.memory_of(USER)
    assert "name-the-cycle" not in service.store.finished_flows(USER)
    assert not [e for e in service.journal(USER) if e.flow_id == "name-the-cycle"]
    card = only_offer(service.action(USER, "ans:violence:y", now).effects)
    assert "resume" not in actions(card)


def test_a_paused_exercise_that_now_turns_to_the_partner_cannot_be_reopened(service, now):
    onboarded(service, now)
    outcome = service.handle(USER, Start("name-the-cycle"), now)
    assert any(isinstance(e, Ask) for e in outcome.effects)
    caught = service.handle(USER, Text("he hit me last night"), now)
    assert "Are you safe to talk right now?" in only_offer(caught.effects).text
    runs = [r for r in service.store.runs_of(USER) if r.flow_id == "name-the-cycle"]
    assert [r.status for r in runs] == [PAUSED]
    again = service.handle(USER, Start("name-the-cycle"), now)
    assert "both feel safe" in texts(again.effects)
    assert service.active(USER) is None
    back = service.action(USER, "resume", now)
    assert not any(isinstance(e, Ask) for e in back.effects)
    line = next(s for s in service.overview(USER) if s.flow.id == "name-the-cycle")
    assert line.state == "locked"


def test_safety_shows_the_violence_line_first_after_fear_and_the_crisis_line_after_suicide(
    service, now
):
    onboarded(service, now, "gb")
    plain = texts(service.safety_plan(USER)).splitlines()
    assert plain[-3].startswith("Emergency: ")
    assert any(line.startswith("If someone at home hurts or frightens you:") for line in plain)
    disclose_by_typing(service, now)
    lines = texts(service.safety_plan(USER)).splitlines()
    assert lines[-3].startswith("If someone at home hurts or frightens you: ")
    service.handle(USER, Text("i want to kill myself"), now + timedelta(hours=1))
    service.action(USER, "ans:suicide:y", now + timedelta(hours=1))
    lines = texts(service.safety_plan(USER)).splitlines()
    assert lines[-3].startswith("To talk to someone: ")


def test_the_safety_plan_asks_what_fits_violence_at_home(service, now):
    onboarded(service, now)
    disclose_by_typing(service, now)
    answers = [
        "when he starts drinking",
        "my sister's flat",
        "my sister Ana",
        "pineapple, Ana knows it",
        "at Ana's: passport, cash, pills",
        "Ana 07700 900123",
    ]
    outcome = service.handle(USER, Start("safety-plan"), now)
    shown = texts(outcome.effects)
    assert "anyone who can open your phone can read what you write here" in shown
    assert "A walk, music, a shower" not in shown
    for answer in answers:
        outcome = service.handle(USER, Text(answer), now)
        shown += texts(outcome.effects)
    assert "code word" in shown and "documents" in shown and "leave in a hurry" in shown
    plan = texts(service.safety_plan(USER))
    assert "My code word: pineapple, Ana knows it" in plan
    assert "Safe places I can go: my sister's flat" in plan
    assert "Numbers to keep written down: Ana 07700 900123" in plan


def test_clear_chat_says_what_is_still_kept_and_can_erase_it(service, now):
    onboarded(service, now)
    disclose_by_typing(service, now)
    play(service, USER, "grounding", ["ready"] * 6, now)
    service.handle(USER, Start("safety-plan"), now)
    service.handle(USER, Text("when he starts drinking"), now)
    cleared, stored = service.action(USER, "clear", now).effects
    assert cleared == ClearChat()
    assert isinstance(stored, Offer)
    assert "anyone who opens this chat could see them with /journal or /safety" in stored.text
    assert "your safety plan" in stored.text and "an exercise you started" in stored.text
    assert actions(stored) == ["wipe", "keep"]
    kept = service.action(USER, "keep", now).effects
    assert "They stay." in texts(kept)
    assert "Warning signs: when he starts drinking" in texts(service.safety_plan(USER))
    wiped = service.action(USER, "wipe", now).effects
    assert "Erased." in texts(wiped)
    assert "Warning signs" not in texts(service.safety_plan(USER))
    assert {e.flow_id for e in service.journal(USER)} <= {"getting-started"}
    assert service.active(USER) is None
    # What keeps her safe stays: the disclosure, the first questions, the closed exercises.
    assert set(PARTNER_FACING) <= closed(service)
    assert not service.needs_onboarding(USER)
    again = service.action(USER, "clear", now).effects
    assert "Nothing else of yours is shown here" in texts(again)


def test_a_flow_cannot_remember_what_only_the_bot_keeps(make_catalog):
    import pytest

    from bot.flows.errors import FlowError

    with pytest.raises(FlowError) as caught:
        make_catalog(
            a="""
            flow: a
            version: 1
            steps:
              - id: q
                ask: choice
                say: "?"
                options: [x, y]
                remember: disclosed
              - id: done
                end: "ok"
            """
        )
    assert "'disclosed' is kept by the bot itself" in str(caught.value)


def test_after_it_has_stopped_a_new_sign_of_danger_keeps_everything_closed(service, now):
    onboarded(service, now)
    disclose_by_typing(service, now)
    day14 = now + timedelta(days=14)
    stopped = service.action(USER, "rev:stopped", day14)
    # Left half-way, the questions reopen nothing.
    service.cancel(USER, day14)
    assert set(PARTNER_FACING) <= closed(service)
    play(service, USER, "readiness", ["never", "sometimes", "none", "none", "in_therapy"], day14)
    assert set(PARTNER_FACING) <= closed(service)
    assert "I'm glad it has stopped" in texts(stopped.effects)
