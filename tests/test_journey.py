"""Where an exercise leads: the next step offered at its end (never a locked one), care at a low
moment, the journey in /flows, a counter that never jumps up, the recap on coming back, and the
weekly check-in offered on a schedule the person can change or stop."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from bot.engine import Ask, Choice, Finished, Offer, Picks, Say, Skip, Start, Text
from bot.engine import start as start_run
from bot.engine import step as step_run
from bot.flows.journey import parse, shipped_journey
from bot.usecases.journey import CARE, ENOUGH
from bot.usecases.service import Service

USER = 31


def last_ask(effects: list[Any]) -> Ask:
    return [e for e in effects if isinstance(e, Ask)][-1]


def offers(effects: list[Any]) -> list[Offer]:
    return [e for e in effects if isinstance(e, Offer)]


def play(service: Service, flow_id: str, now, user: int = USER, test: int = 0) -> list[Any]:
    """Play a shipped flow as its transcript test does; every effect of the last answer."""
    outcome = service.handle(user, Start(flow_id), now)
    for item in service.catalog[flow_id].tests[test].inputs:
        ask = last_ask(outcome.effects)
        if item == "ready":
            event: Any = Choice("ready", ask.seq)
        elif item == "skip":
            event = Skip(ask.seq)
        elif isinstance(item, list):
            event = Picks(tuple(item), ask.seq)
        elif str(item) in {b.value for b in ask.buttons}:
            event = Choice(str(item), ask.seq)
        else:
            event = Text(str(item))
        outcome = service.handle(user, event, now)
    return list(outcome.effects)


def test_the_journey_names_only_shipped_flows(shipped):
    assert shipped_journey().problems(shipped) == []
    wrong = parse("journey: [nowhere]").problems(shipped)
    assert wrong == ["journey.yaml: no flow named 'nowhere'"]


def test_a_new_exercise_on_the_way_is_one_line(shipped):
    text = "journey:\n  - getting-started\n  - name-the-cycle\n  - raw-spot\n"
    longer = parse(text.replace("  - raw-spot\n", "  - grounding\n  - raw-spot\n"))
    assert longer.after("name-the-cycle")[0] == "grounding"


def test_each_end_offers_the_next_open_step_and_enough_for_today(service, now):
    end = play(service, "getting-started", now)
    offer = offers(end)[-1]
    assert [b.value for b in offer.actions] == ["go:name-the-cycle", "rest"]
    assert offer.actions[-1].label == ENOUGH
    end = play(service, "name-the-cycle", now)
    assert offers(end)[-1].actions[0].value == "go:attachment"
    rest = service.action(USER, "rest", now)
    assert "Everything you wrote is saved" in rest.effects[0].text  # type: ignore[union-attr]


def test_a_locked_flow_is_never_offered(service, now):
    # Fear at home closes the exercises that turn towards the partner.
    end = play(service, "getting-started", now, test=2)
    offered = [b.value for o in offers(end) for b in o.actions if b.value.startswith("go:")]
    assert offered == ["go:raw-spot"]


def test_worse_after_grounding_is_met_with_care_and_an_offer(service, now):
    play(service, "getting-started", now)
    end = play(service, "grounding", now, test=1)
    said = " ".join(e.text for e in end if isinstance(e, Say))
    finished = next(e for e in end if isinstance(e, Finished))
    assert "That counts" not in finished.reflection and "“Worse”" not in finished.reflection
    assert "not a failure on your part" in said
    care = offers(end)[-1]
    assert care.text == CARE
    assert [b.value for b in care.actions] == ["ground", "safety", "sos"]
    assert not any(b.value == "rest" for o in offers(end) for b in o.actions)  # no next step
    assert "safety plan" in " ".join(str(e) for e in service.action(USER, "safety", now).effects)


def test_more_stirred_up_after_settle_gets_the_offer_before_going_on(service, now):
    outcome = service.handle(USER, Start("settle"), now)
    outcome = service.handle(USER, Choice("ready", last_ask(outcome.effects).seq), now)
    outcome = service.handle(USER, Choice("worse", last_ask(outcome.effects).seq), now)
    said = " ".join(e.text for e in outcome.effects if isinstance(e, Say))
    assert "Thank you for taking that minute" not in said
    assert offers(outcome.effects)[0].text == CARE


def test_flows_lists_the_journey_without_the_tour_or_the_questions_just_answered(service, now):
    play(service, "getting-started", now)
    ids = [line.flow.id for line in service.overview(USER)]
    assert ids[:4] == ["getting-started", "name-the-cycle", "attachment", "raw-spot"]
    assert "tour" not in ids and "settle" not in ids and "readiness" not in ids
    assert "your-choices" in ids  # where reminders and sharing are changed
    service.handle(USER, Start("tour"), now)
    assert "tour" in [line.flow.id for line in service.overview(USER)]


def test_the_counter_never_goes_up_within_a_run(shipped):
    for flow_id in shipped:
        for seed in range(60):
            rnd = random.Random(seed)
            state, effects = start_run(shipped, flow_id)
            shown: tuple[int, int] | None = None
            hidden = False
            for _ in range(80):
                asks = [e for e in effects if isinstance(e, Ask)]
                if not asks:
                    break
                ask = asks[-1]
                if ask.number:
                    assert not hidden, (flow_id, seed)
                    if shown is not None:
                        assert ask.total <= shown[1] and ask.number >= shown[0], (flow_id, seed)
                    shown = (ask.number, ask.total)
                elif shown is not None:
                    hidden = True  # once past the count, no marker comes back
                values = [b.value for b in ask.buttons]
                if ask.kind == "multi":
                    event: Any = Picks(tuple(rnd.sample(values, ask.min_picks)), ask.seq)
                elif values:
                    event = Choice(rnd.choice(values), ask.seq)
                else:
                    event = Text("a few words of my own about it")
                state, effects = step_run(shipped, state, event)


def test_resume_shows_where_the_person_was(service, now):
    play(service, "getting-started", now)
    service.handle(USER, Start("name-the-cycle"), now)
    recap = service.recap(USER)
    assert recap is not None and recap.startswith("You were in “Naming the loop”, on the question")
    paused = service.handle(USER, Start("grounding"), now)
    assert paused.effects
    back = service.handle(USER, Start("name-the-cycle"), now + timedelta(hours=5))
    assert back.effects[0].text.startswith("Welcome back. You were in “Naming the loop”")  # type: ignore[union-attr]


def test_the_nudge_recaps_where_the_person_was(service, now):
    play(service, "getting-started", now)  # with reminders
    service.handle(USER, Start("name-the-cycle"), now)
    due = service.due_reminders(now + timedelta(days=4))
    nudge = next(o for d in due for o in offers(d.effects) if "part-way" in o.text)
    assert "You had got to the question “" in nudge.text


def test_the_weekly_check_in_comes_weekly_and_can_be_moved_or_stopped(service, now):
    play(service, "getting-started", now)
    end = play(service, "weekly-check-in", now)
    schedule = next(o for o in offers(end) if "next check-in" in o.text)
    assert "a week from now" in schedule.text
    assert [b.value for b in schedule.actions] == ["week:day", "week:stop"]
    assert service.due_reminders(now + timedelta(days=5)) == []
    due = [d for d in service.due_reminders(now + timedelta(days=7, hours=1)) if d.user_id == USER]
    offer = offers(due[0].effects)[0]
    assert "weekly check-in" in offer.text and offer.actions[0].value == "go:weekly-check-in"
    # The next one is already waiting; move it to Sunday night, then stop it.
    days = offers(service.action(USER, "week:day", now + timedelta(days=8)).effects)[0]
    assert [b.label for b in days.actions][-1] == "Sunday"
    times = offers(service.action(USER, "week:set:6", now + timedelta(days=8)).effects)[0]
    assert "what time on Sunday" in times.text
    assert [b.value for b in times.actions] == [f"week:at:6:{h}" for h in (9, 13, 18, 21)]
    assert service.store.personal.pending_reminder(USER, "weekly") is not None  # not moved yet
    moved = service.action(USER, "week:at:6:21", now + timedelta(days=8))
    assert "every Sunday at 21:00" in moved.effects[0].text  # type: ignore[union-attr]
    pending = service.store.personal.pending_reminder(USER, "weekly")
    assert pending is not None and pending.payload == {"weekday": 6, "hour": 21}
    when = datetime.fromisoformat(pending.due_at)
    local = when.astimezone(service.weekly.zone(USER))
    assert (local.weekday(), local.hour, local.minute) == (6, 21, 0)
    assert not [d for d in service.due_reminders(when - timedelta(minutes=1)) if d.user_id == USER]
    due = service.due_reminders(when + timedelta(minutes=1))
    sent = [o for d in due if d.user_id == USER for o in offers(d.effects)]
    assert sent and "It's Sunday" in sent[0].text
    again = service.store.personal.pending_reminder(USER, "weekly")
    assert again is not None and again.payload == {"weekday": 6, "hour": 21}  # the week after
    service.action(USER, "week:stop", now + timedelta(days=8))
    assert service.store.personal.pending_reminder(USER, "weekly") is None


def test_the_check_in_asks_how_last_weeks_step_went(service, now):
    play(service, "getting-started", now)
    play(service, "weekly-check-in", now)  # the small step: phones away at dinner
    outcome = service.handle(USER, Start("weekly-check-in"), now + timedelta(days=7))
    ask = last_ask(outcome.effects)
    assert ask.key == "last_step"
    assert "Last week your small step was “Phones away at dinner”" in ask.text
