"""The pure engine, driven step by step over small real YAML flows."""

from __future__ import annotations

import json

import pytest

from bot.engine import (
    SKIPPED,
    Answered,
    Ask,
    Back,
    Choice,
    Finished,
    Picks,
    Resume,
    RunState,
    Say,
    Skip,
    StateError,
    Text,
    start,
    step,
    texts,
)
from bot.engine.transcript import event_for

MINI = """
flow: mini
version: 2
title: Mini
steps:
  - id: name
    ask: text
    say: "Who is it about?"
    validate: {min_chars: 2, max_chars: 10}
    optional: "Skip it"
  - id: move
    ask: choice
    say: "And {name|they}: what do you do?"
    options:
      - {value: pursue, label: "Push to talk"}
      - {value: withdraw, label: "Go quiet", goto: quiet}
    retries: 2
    fallback: lost
  - id: feel
    ask: multi
    say: "What else is there?"
    min: 1
    max: 2
    options: {scared: scared, hurt: hurt, alone: alone}
    next:
      - {when: "'scared' in feel", goto: close}
      - {goto: done}
  - id: quiet
    say: "Quiet is a way to stay safe."
  - id: close
    ask: scale
    say: "How close, {name|friend}?"
    scale: {min: 0, max: 4, labels: {0: far, 4: near}}
  - id: done
    end: "You said {move.label|nothing} and felt {feel.labels|unsure}. Closeness {close|unknown}."
  - id: lost
    end: "Let's stop here for now."
"""


@pytest.fixture
def mini(make_catalog):
    return make_catalog(mini=MINI)


def asks(effects):
    return [e for e in effects if isinstance(e, Ask)]


def only_ask(effects) -> Ask:
    found = asks(effects)
    assert len(found) == 1, effects
    return found[0]


def test_start_asks_the_first_question_with_progress(mini):
    state, effects = start(mini, "mini")
    ask = only_ask(effects)
    assert ask.key == "name" and ask.kind == "text"
    assert (ask.number, ask.total) == (1, 4)
    assert ask.skip_label == "Skip it"
    assert state.seq == ask.seq == 1
    assert state.root.version == 2


def test_answers_are_stored_and_interpolated(mini):
    state, _ = start(mini, "mini")
    state, effects = step(mini, state, Text("  Sam "))
    assert Answered("name", "Sam", None) in effects
    assert only_ask(effects).text == "And Sam: what do you do?"
    assert state.answers == {"name": "Sam"}


def test_skip_is_stored_as_skipped_and_fallback_text_is_used(mini):
    state, _ = start(mini, "mini")
    state, effects = step(mini, state, Skip())
    assert state.answers["name"] == SKIPPED
    assert only_ask(effects).text == "And they: what do you do?"


def test_a_required_question_cannot_be_skipped(mini):
    state, _ = start(mini, "mini")
    state, _ = step(mini, state, Text("Sam"))
    after, effects = step(mini, state, Skip())
    assert after == state
    assert effects[0] == Say(texts.NOT_SKIPPABLE)
    assert only_ask(effects).key == "move"


def test_text_too_short_gets_a_kind_reprompt_and_the_question_again(mini):
    state, _ = start(mini, "mini")
    state, effects = step(mini, state, Text("S"))
    assert effects[0] == Say(texts.TOO_SHORT)
    assert only_ask(effects).key == "name"
    assert "name" not in state.answers


def test_typed_label_or_number_counts_as_the_option(mini):
    state, _ = start(mini, "mini")
    state, _ = step(mini, state, Text("Sam"))
    by_label, _ = step(mini, state, Text("push to TALK!"))
    by_number, _ = step(mini, state, Text("1"))
    assert by_label.answers["move"] == by_number.answers["move"] == "pursue"


def test_option_goto_and_say_steps_flow_on(mini):
    state, _ = start(mini, "mini")
    state, _ = step(mini, state, Text("Sam"))
    state, effects = step(mini, state, Choice("withdraw", state.seq))
    assert effects[1] == Say("Quiet is a way to stay safe.")
    assert only_ask(effects).key == "close"
    assert "0 = far" in only_ask(effects).text


def test_too_many_wrong_answers_lead_to_the_fallback(mini):
    state, _ = start(mini, "mini")
    state, _ = step(mini, state, Text("Sam"))
    state, effects = step(mini, state, Text("banana"))
    assert effects[0].text.startswith(texts.UNCLEAR)  # the options follow, numbered
    assert "1. Push to talk\n2. Go quiet" in effects[0].text
    state, effects = step(mini, state, Text("banana"))
    assert isinstance(effects[-1], Finished)
    assert effects[-1].reflection == "Let's stop here for now."
    assert state.done


def test_multi_respects_min_and_max_and_next_rules(mini):
    state, _ = start(mini, "mini")
    state, _ = step(mini, state, Text("Sam"))
    state, _ = step(mini, state, Choice("pursue"))
    same, effects = step(mini, state, Picks(("scared", "hurt", "alone")))
    assert same.answers == state.answers and "up to 2" in effects[0].text
    same, effects = step(mini, state, Picks(()))
    assert "feel" not in same.answers
    state, effects = step(mini, state, Picks(("hurt", "scared")))
    assert state.answers["feel"] == ["scared", "hurt"]  # kept in the options' order
    assert only_ask(effects).key == "close"
    state, effects = step(mini, state, Choice("3"))
    text = "You said Push to talk and felt scared and hurt. Closeness 3."
    # Nothing here is typed or private: each consent level's copy reads the same.
    assert effects[-1] == Finished("mini", text, shared={"summaries": text, "full": text})


def test_multi_can_be_typed_as_labels(mini):
    state, _ = start(mini, "mini")
    state, _ = step(mini, state, Skip())
    state, _ = step(mini, state, Choice("pursue"))
    state, effects = step(mini, state, Text("hurt, alone"))
    assert state.answers["feel"] == ["hurt", "alone"]
    text = "You said Push to talk and felt hurt and alone. Closeness unknown."
    assert effects[-1] == Finished("mini", text, shared={"summaries": text, "full": text})


def test_scale_out_of_range_is_refused(mini):
    state, _ = start(mini, "mini")
    state, _ = step(mini, state, Text("Sam"))
    state, _ = step(mini, state, Choice("withdraw"))
    same, effects = step(mini, state, Choice("9"))
    assert "close" not in same.answers
    assert effects[0] == Say(texts.scale(0, 4))


def test_a_stale_button_never_advances(mini):
    state, first = start(mini, "mini")
    old_seq = only_ask(first).seq
    state, _ = step(mini, state, Text("Sam"))
    state, _ = step(mini, state, Choice("pursue", state.seq))
    # The "move" button is pressed again on the old message.
    after, effects = step(mini, state, Choice("withdraw", old_seq + 1))
    assert after == state
    assert effects[0] == Say(texts.STALE)
    assert only_ask(effects).key == "feel"


def test_back_removes_later_answers_and_re_evaluates_branches(mini):
    state, _ = start(mini, "mini")
    state, _ = step(mini, state, Text("Sam"))
    state, _ = step(mini, state, Choice("pursue"))
    state, effects = step(mini, state, Back())
    assert only_ask(effects).key == "move"
    assert state.answers == {"name": "Sam"}
    state, effects = step(mini, state, Choice("withdraw"))
    assert only_ask(effects).key == "close"
    state, effects = step(mini, state, Choice("4"))
    assert effects[-1].reflection == "You said Go quiet and felt unsure. Closeness 4."


def test_back_at_the_first_question_explains(mini):
    state, _ = start(mini, "mini")
    same, effects = step(mini, state, Back())
    assert same == state
    assert effects[0] == Say(texts.NOTHING_BEFORE)


def test_resume_shows_the_same_question_without_changing_anything(mini):
    state, _ = start(mini, "mini")
    state, _ = step(mini, state, Text("Sam"))
    same, effects = step(mini, state, Resume())
    assert same is state
    assert only_ask(effects).key == "move"


def test_state_survives_json_and_refuses_unknown_schema(mini):
    state, _ = start(mini, "mini")
    state, _ = step(mini, state, Text("Sam"))
    data = json.loads(json.dumps(state.to_dict()))
    assert RunState.from_dict(data) == state
    data["schema"] = 99
    with pytest.raises(StateError, match="schema 99"):
        RunState.from_dict(data)


def test_events_after_the_end_are_answered_kindly(mini):
    state, _ = start(mini, "mini")
    state, _ = step(mini, state, Skip())
    state, _ = step(mini, state, Choice("withdraw"))
    state, _ = step(mini, state, Choice("1"))
    assert state.done
    same, effects = step(mini, state, Text("hello?"))
    assert same is state and effects == [Say(texts.FINISHED_ALREADY)]


SUB_CALLER = """
flow: caller
version: 1
steps:
  - id: mood
    ask: scale
    say: "How are you?"
    scale: {min: 1, max: 3}
  - id: calm
    call: calmer
    when: "mood <= 1"
    with: {topic: "the fight about {mood}"}
  - id: after
    ask: choice
    say: "Shall we go on?"
    back: false
    options: {yes_go: "Yes", not_now: "Not now"}
  - id: bye
    end: "You came back {calm.label|without a pause}."
"""

SUB_CALLEE = """
flow: calmer
version: 1
params: {topic: "this"}
steps:
  - id: breathe
    ask: pause
    say: "Breathe with {topic}."
    button: "Done"
  - id: how
    ask: choice
    say: "Better?"
    options: {yes_better: "a bit calmer", no_better: "still upset"}
  - id: out
    end: "Thanks."
    return: how
"""


def test_sub_flow_gets_parameters_and_returns_a_value(make_catalog):
    catalog = make_catalog(caller=SUB_CALLER, calmer=SUB_CALLEE)
    state, _ = start(catalog, "caller")
    state, effects = step(catalog, state, Choice("1"))
    ask = only_ask(effects)
    assert ask.key == "calm/breathe" and ask.text == "Breathe with the fight about 1."
    assert ask.buttons[0].label == "Done"
    state, effects = step(catalog, state, Choice("ready", ask.seq))
    state, effects = step(catalog, state, Choice("yes_better"))
    assert Say("Thanks.") in effects
    assert state.answers["calm"] == "yes_better"
    assert state.answers["calm/how"] == "yes_better"
    assert only_ask(effects).key == "after"
    # Back from the caller's question goes into the sub-flow's last question.
    state, effects = step(catalog, state, Back())
    assert only_ask(effects).key == "calm/how"
    assert "calm" not in state.answers
    state, effects = step(catalog, state, Choice("no_better"))
    state, effects = step(catalog, state, Choice("yes_go"))
    text = "You came back still upset."
    assert effects[-1] == Finished("caller", text, shared={"summaries": text, "full": text})


def test_when_false_skips_the_call(make_catalog):
    catalog = make_catalog(caller=SUB_CALLER, calmer=SUB_CALLEE)
    state, _ = start(catalog, "caller")
    state, effects = step(catalog, state, Choice("3"))
    assert only_ask(effects).key == "after"
    state, effects = step(catalog, state, Choice("not_now"))
    assert effects[-1].reflection == "You came back without a pause."


def test_back_false_protects_an_answer(make_catalog):
    catalog = make_catalog(
        c="""
        flow: c
        version: 1
        steps:
          - id: a
            ask: choice
            say: "Sure?"
            back: false
            options: {sure: "Sure"}
          - id: b
            ask: text
            say: "Why?"
          - id: end
            end: "ok"
        """
    )
    state, _ = start(catalog, "c")
    state, _ = step(catalog, state, Choice("sure"))
    same, effects = step(catalog, state, Back())
    assert same == state
    assert effects[0] == Say(texts.CANNOT_GO_BACK)


def test_typed_braces_are_shown_as_typed_never_filled_in(mini):
    state, _ = start(mini, "mini")
    state, effects = step(mini, state, Text("{move}"))
    assert only_ask(effects).text == "And {move}: what do you do?"


def test_a_double_tapped_back_button_goes_back_once(mini):
    state, _ = start(mini, "mini")
    state, _ = step(mini, state, Text("Sam"))
    state, effects = step(mini, state, Choice("pursue"))
    seq = only_ask(effects).seq
    state, effects = step(mini, state, Back(seq))
    assert only_ask(effects).key == "move"
    same, effects = step(mini, state, Back(seq))
    assert same == state and effects[0] == Say(texts.STALE)


def marks_along(catalog, flow_id: str, answers: list) -> list[tuple[int, int]]:
    """(k, n) of every question asked while answering `answers` in order."""
    state, effects = start(catalog, flow_id)
    seen = [(only_ask(effects).number, only_ask(effects).total)]
    for item in answers:
        state, effects = step(catalog, state, event_for(asks(effects)[-1], item))
        if found := asks(effects):
            seen.append((found[-1].number, found[-1].total))
    return seen


def test_progress_never_jumps_over_a_branch_not_taken(shipped):
    # A calm person is not asked the minute of settling: no question number is skipped.
    calm = marks_along(shipped, "tour", ["ready", "Sam", "the dishes", "pursue", 4])
    assert [k for k, _ in calm] == [1, 2, 3, 4, 5, 6]
    assert calm[-1] == (6, 6)
    # Someone who feels far away settles first: the two questions of `settle` count.
    far = marks_along(shipped, "tour", ["ready", "Sam", "the dishes", "pursue", 2, "ready"])
    assert far[-2:] == [(6, 8), (7, 8)]


def test_progress_goes_down_with_back(shipped):
    marks = marks_along(shipped, "tour", ["ready", "Sam", "back"])
    assert [k for k, _ in marks] == [1, 2, 3, 2]
