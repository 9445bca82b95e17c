"""The first /start: getting-started, its safety answers, and the two-weekly readiness offer.

These play the shipped flows through the real service and an SQLite store.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.engine import Ask, Choice, Finished, Start
from bot.engine.transcript import event_for, last_ask
from bot.usecases.service import Service

CLEAR = ["adult_yes", "gb", "she", "never", "never", "none", "none", "not_in_therapy"]
READINESS = CLEAR[3:]
"""The readiness answers of CLEAR, after the country and the partner's pronoun."""
CHOICES = ["reminders_yes", "share_status"]


def play(service: Service, user: int, flow: str, answers: list[str], now) -> list:
    """Start `flow` and press the buttons with these values; every effect, in order."""
    outcome = service.handle(user, Start(flow), now)
    effects = list(outcome.effects)
    for value in answers:
        ask = [e for e in outcome.effects if isinstance(e, Ask)][-1]
        outcome = service.handle(user, Choice(value, ask.seq), now)
        effects += outcome.effects
    return effects


@pytest.fixture
def service(shipped, store) -> Service:
    return Service(store, shipped)


def test_a_newcomer_must_begin_with_getting_started(service, now):
    assert service.needs_onboarding(7)
    gated = [f for f in service.flows() if any("done_getting_started" in k.source for k in f.locks)]
    assert gated, "the shipped exercises wait for getting-started"
    for line in service.overview(7):
        if line.flow in gated:
            assert line.state == "locked" and "/start" in line.reason, line.flow.id
    effects = play(service, 7, "getting-started", CLEAR + CHOICES, now)
    assert any(isinstance(e, Finished) for e in effects)
    assert not service.needs_onboarding(7)
    kept = service.store.memory_of(7)
    assert kept["country"]["value"] == "gb"
    assert kept["consent_sharing"]["value"] == "share_status"
    assert kept["consent_reminders"]["value"] == "reminders_yes"
    assert kept["afraid"]["value"] == "never"


def test_consent_choices_are_kept_apart_and_can_be_changed_later(service, now):
    play(service, 7, "getting-started", CLEAR + CHOICES, now)
    play(service, 7, "your-choices", ["reminders_no", "share_none"], now + timedelta(days=3))
    kept = service.store.memory_of(7)
    assert kept["consent_reminders"]["value"] == "reminders_no"
    assert kept["consent_sharing"]["value"] == "share_none"
    assert kept["country"]["value"] == "gb"  # untouched


def test_under_18_closes_every_exercise(service, now):
    effects = play(service, 8, "getting-started", ["adult_no"], now)
    reflection = next(e for e in effects if isinstance(e, Finished)).reflection
    assert "only for adults" in reflection
    for line in service.overview(8):
        if line.flow.locks:
            assert line.state == "locked", line.flow.id
    assert not service.offer_readiness(8, now + timedelta(days=60))


def test_the_readiness_questions_come_back_every_two_weeks(service, now):
    play(service, 9, "getting-started", CLEAR + CHOICES, now)
    assert not service.offer_readiness(9, now + timedelta(days=13))
    assert service.offer_readiness(9, now + timedelta(days=14))
    assert not service.offer_readiness(9, now + timedelta(days=15))  # offered once
    assert service.offer_readiness(9, now + timedelta(days=28))  # not taken: offered again
    play(service, 9, "readiness", READINESS, now + timedelta(days=30))
    assert not service.offer_readiness(9, now + timedelta(days=43))
    assert service.offer_readiness(9, now + timedelta(days=44))


def test_no_offer_in_the_middle_of_a_conversation(service, now):
    play(service, 10, "getting-started", CLEAR + CHOICES, now)
    service.handle(10, Start("your-choices"), now + timedelta(days=20))
    assert not service.offer_readiness(10, now + timedelta(days=20))


def test_fear_in_a_later_check_closes_partner_flows_at_once(service, now):
    play(service, 11, "getting-started", CLEAR + CHOICES, now)
    later = now + timedelta(days=14)
    effects = play(
        service, 11, "readiness", ["sometimes", "never", "none", "none", "in_therapy"], later
    )
    said = " ".join(getattr(e, "text", "") for e in effects)
    assert "Your safety comes first." in said
    closed = []
    for flow in service.flows():
        first = flow.locks[0] if flow.locks else None
        if first is not None and first.safety and "afraid" in first.source:
            assert service.lock_of(11, flow.id) == first, flow.id
            closed.append(flow.id)
    assert {
        "name-the-cycle", "attachment", "rocky-moment", "reaching-out", "responding",
        "weekly-check-in",
    } <= set(closed)  # fmt: skip
    # What fits instead opens for them, even without the loop that raw-spot usually builds on.
    for open_to_them in ("raw-spot", "grounding", "safety-plan", "settle", "tour"):
        assert service.lock_of(11, open_to_them) is None, open_to_them


def test_the_list_follows_the_journey(service):
    ids = [f.id for f in service.flows()]
    assert ids[:4] == ["getting-started", "name-the-cycle", "attachment", "raw-spot"]
    assert ids.index("weekly-check-in") < ids.index("grounding") < ids.index("your-choices")
    assert set(ids[-2:]) == {"tour", "settle"}  # listed only while someone is in one


def play_first_test(service: Service, user: int, flow_id: str, now) -> list:
    """Play a shipped flow the way its first transcript test does; every effect, in order."""
    outcome = service.handle(user, Start(flow_id), now)
    effects = list(outcome.effects)
    for item in service.catalog[flow_id].tests[0].inputs:
        ask = last_ask(list(outcome.effects))
        assert ask is not None, f"{flow_id} stopped asking early"
        outcome = service.handle(user, event_for(ask, item), now)
        effects += outcome.effects
    return effects


def reason(service: Service, user: int, flow_id: str) -> str:
    lock = service.lock_of(user, flow_id)
    return lock.because if lock else ""


def test_reaching_out_opens_after_the_loop_and_the_raw_spot(service, now):
    play(service, 12, "getting-started", CLEAR + CHOICES, now)
    assert "once you've named your loop and found your raw spot" in reason(
        service, 12, "reaching-out"
    )
    refused = service.handle(12, Start("reaching-out"), now).effects
    assert "found your raw spot" in " ".join(getattr(e, "text", "") for e in refused)
    play_first_test(service, 12, "name-the-cycle", now)
    assert "found your raw spot" in reason(service, 12, "reaching-out")
    play_first_test(service, 12, "raw-spot", now)
    assert service.lock_of(12, "reaching-out") is None
    started = service.handle(12, Start("reaching-out"), now).effects
    ask = last_ask(list(started))
    assert ask is not None and "Underneath: scared" in ask.text


def test_an_affair_keeps_reaching_out_closed_and_suggests_a_therapist(service, now):
    answers = ["adult_yes", "gb", "they", "never", "never", "yes_affair", "none", "in_therapy"]
    play(service, 13, "getting-started", answers + CHOICES, now)
    assert not service.needs_onboarding(13)
    play_first_test(service, 13, "name-the-cycle", now)
    play_first_test(service, 13, "raw-spot", now)
    lock = service.lock_of(13, "reaching-out")
    assert lock is not None and not lock.safety
    assert "with a therapist alongside you" in lock.because
    assert service.lock_of(13, "rocky-moment") is None  # a look back stays open


def test_fear_closes_reaching_out_for_safety_even_after_the_first_two(service, now):
    play(service, 14, "getting-started", CLEAR + CHOICES, now)
    play_first_test(service, 14, "name-the-cycle", now)
    play_first_test(service, 14, "raw-spot", now)
    assert service.lock_of(14, "reaching-out") is None
    play(service, 14, "readiness", ["never", "sometimes", "none", "none", "in_therapy"], now)
    lock = service.lock_of(14, "reaching-out")
    assert lock is not None and lock.safety
    assert "because of what you shared about feeling safe" in lock.because
