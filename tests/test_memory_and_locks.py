"""What one flow keeps, later flows read; locks keep a flow closed and say why."""

from __future__ import annotations

import pytest

from bot.engine import Ask, Choice, Finished, Remembered, Say, Start, Text
from bot.usecases.service import Service

FIRST = """
flow: first-flow
version: 1
title: First
steps:
  - id: nickname
    ask: text
    say: "What will you call your loop?"
    remember: cycle_name
  - id: afraid
    ask: choice
    say: "Do you ever feel afraid of your partner?"
    options: {no_fear: "No", sometimes: "Sometimes", yes_fear: "Yes"}
    remember: afraid
  - id: bye
    end: "Thanks."
"""

SECOND = """
flow: second-flow
version: 1
title: Second
memory: {cycle_name: "the loop", afraid: "unknown"}
locks:
  - when: "afraid in ['sometimes', 'yes_fear']"
    because: "This one stays closed while you don't feel safe."
    safety: true
  - when: "not done_first_flow"
    because: "This one opens after “First”."
steps:
  - id: recall
    ask: choice
    say: "Last time you called it “{cycle_name}”. Still fits?"
    options: {fits: "It fits", changed: "Not quite"}
  - id: bye
    end: "Noted: {cycle_name}."
"""


@pytest.fixture
def service(make_catalog, store):
    return Service(store, make_catalog(first=FIRST, second=SECOND))


def finish_first(service, now, fear="no_fear", user=5):
    service.handle(user, Start("first-flow"), now)
    service.handle(user, Text("the tornado"), now)
    return service.handle(user, Choice(fear), now)


def test_remembered_answers_reach_later_flows(service, store, now):
    outcome = finish_first(service, now)
    assert any(isinstance(e, Finished) for e in outcome.effects)
    assert store.memory_of(5)["cycle_name"] == {"value": "the tornado", "label": "the tornado"}
    assert store.memory_of(5)["afraid"] == {"value": "no_fear", "label": "No"}
    started = service.handle(5, Start("second-flow"), now)
    ask = next(e for e in started.effects if isinstance(e, Ask))
    assert ask.text == "Last time you called it “the tornado”. Still fits?"


def test_the_remembered_effect_carries_value_and_label(service, now):
    service.handle(5, Start("first-flow"), now)
    outcome = service.handle(5, Text("the tornado"), now)
    assert Remembered("cycle_name", "the tornado", "the tornado") in outcome.effects


def test_a_locked_flow_says_why_and_what_opens_it(service, now):
    outcome = service.handle(5, Start("second-flow"), now)
    assert outcome.effects == [Say("This one opens after “First”.")]
    lines = {line.flow.id: line for line in service.overview(5)}
    assert lines["second-flow"].state == "locked"
    assert lines["second-flow"].reason == "This one opens after “First”."


def test_a_safety_answer_locks_the_flow_first(service, now):
    finish_first(service, now, fear="sometimes")
    outcome = service.handle(5, Start("second-flow"), now)
    assert outcome.effects == [Say("This one stays closed while you don't feel safe.")]
    assert service.lock_of(5, "second-flow").safety


def test_changing_a_remembered_answer_later_updates_the_lock(service, now):
    finish_first(service, now, fear="sometimes")
    finish_first(service, now, fear="no_fear")
    assert service.lock_of(5, "second-flow") is None
    started = service.handle(5, Start("second-flow"), now)
    assert any(isinstance(e, Ask) for e in started.effects)


def test_defaults_fill_in_when_nothing_was_kept(make_catalog, store, now):
    catalog = make_catalog(
        second=SECOND.replace(
            '  - when: "not done_first_flow"\n    because: "This one opens after “First”."\n', ""
        ),
        first=FIRST,
    )
    service = Service(store, catalog)
    started = service.handle(9, Start("second-flow"), now)
    ask = next(e for e in started.effects if isinstance(e, Ask))
    assert ask.text == "Last time you called it “the loop”. Still fits?"


def test_the_checker_knows_memory_and_flow_names(tmp_path):
    from bot.flows import check_paths

    (tmp_path / "a.yaml").write_text(
        "flow: a\nversion: 1\nmemory: {cycle_name: loop}\nlocks:\n"
        '  - {when: "not done_nowhere or mood == 1", because: Later.}\n'
        'steps:\n  - id: e\n    end: "{cycle_name} {cycle_nam}"\n'
    )
    _, problems = check_paths([tmp_path])
    assert [str(p).split(": ", 1)[1] for p in problems] == [
        "'done_nowhere' does not name a flow (use done_ and a flow id, - written as _)",
        "the lock tests 'mood', which is not in this flow's 'memory:' (declare it under"
        " 'memory:' with a default, or use done_<flow_id>)",
        "'{cycle_nam}' does not name a question of this flow (did you mean 'cycle_name'?)",
    ]


CARD = """
flow: card-flow
version: 1
title: Card
memory: {card_feeling: "hurt"}
steps:
  - id: feeling
    ask: choice
    say: "What was underneath this time?"
    options:
      - {value: card, label: "{card_feeling}, as on my card"}
      - {value: scared, label: "scared"}
    remember: last_feeling
  - id: bye
    end: "Underneath, you felt {feeling}."
"""


@pytest.fixture
def card_service(make_catalog, store):
    return Service(store, make_catalog(card=CARD))


def test_a_label_offers_what_an_earlier_flow_found(card_service, store, now):
    store.touch_user(5, now)
    store.remember(5, "card_feeling", "lonely", "lonely", "raw-spot", now)
    started = card_service.handle(5, Start("card-flow"), now)
    ask = next(e for e in started.effects if isinstance(e, Ask))
    assert [b.label for b in ask.buttons] == ["lonely, as on my card", "scared"]
    finished = card_service.handle(5, Choice("card"), now)
    reflection = next(e.reflection for e in finished.effects if isinstance(e, Finished))
    assert reflection == "Underneath, you felt lonely, as on my card."
    assert store.memory_of(5)["last_feeling"]["label"] == "lonely, as on my card"


def test_a_label_with_nothing_found_yet_shows_the_default(card_service, now):
    started = card_service.handle(6, Start("card-flow"), now)
    ask = next(e for e in started.effects if isinstance(e, Ask))
    assert ask.buttons[0].label == "hurt, as on my card"


def test_typing_the_label_as_shown_picks_it(card_service, store, now):
    store.touch_user(5, now)
    store.remember(5, "card_feeling", "lonely", "lonely", "raw-spot", now)
    card_service.handle(5, Start("card-flow"), now)
    card_service.handle(5, Text("Lonely, as on my card"), now)
    assert store.memory_of(5)["last_feeling"]["value"] == "card"
