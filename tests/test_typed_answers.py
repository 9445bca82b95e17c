"""Typed answers at button questions, read as a person meant them: through the pure reading
(with the real sentence encoder) and through the engine, on the shipped flows."""

from __future__ import annotations

import pytest

from bot.engine import Ask, Choice, Say, Text, start, step
from bot.engine.engine import NONE_OF_THESE
from bot.engine.reading import ACCEPT, CONFIRM, OTHER, RETRY, read
from bot.flows.catalog import load_catalog
from bot.usecases.understanding import shipped_similarity

CATALOG = load_catalog()
SIMILAR = shipped_similarity()


def reading(flow: str, step_id: str, text: str):
    return read(CATALOG[flow].step(step_id), text, str, SIMILAR)


@pytest.mark.parametrize(
    ("flow", "step_id", "text", "values"),
    [
        ("getting-started", "adult", "yes", ["adult_yes"]),
        ("getting-started", "adult", "yse", ["adult_yes"]),
        ("getting-started", "country", "Untied Kingdom", ["gb"]),
        ("getting-started", "country", "3", ["ie"]),
        ("raw-spot", "body", "tight chest", ["chest"]),
        ("name-the-cycle", "my_push", "critisize", ["criticise"]),
        ("name-the-cycle", "their_pull", "he just stares at his phone", ["phone"]),
        ("weekly-check-in", "partner_reach", "mostly", [4]),
        ("weekly-check-in", "partner_reach", "not at all", [1]),
        ("tour", "under", "lonely and scared", ["lonely", "scared"]),
        ("responding", "name", "the second one", ["miss"]),
    ],
)
def test_sure_readings_are_taken(flow, step_id, text, values):
    got = reading(flow, step_id, text)
    assert got.action == ACCEPT
    assert [int(v) if v.isdigit() else v for v in got.values] == values


@pytest.mark.parametrize(
    ("flow", "step_id", "text"),
    [
        ("name-the-cycle", "my_way", "idk"),
        ("name-the-cycle", "my_way", "both"),
        ("readiness", "afraid", "no idea"),
        ("rocky-moment", "safe", "what do you mean unsafe?"),
        ("weekly-check-in", "me_close", "dunno"),
    ],
)
def test_answers_that_mean_no_option_are_never_taken(flow, step_id, text):
    assert reading(flow, step_id, text).action in (RETRY, CONFIRM)


def test_not_sure_goes_to_the_questions_own_not_sure_option():
    assert reading("raw-spot", "body", "idk").values == ("unsure",)
    assert reading("rocky-moment", "safe", "not sure tbh").values == ("unsure",)


def test_a_doubtful_answer_is_offered_not_taken():
    got = reading("name-the-cycle", "topic", "not sure, maybe the money")
    assert got.action == CONFIRM and "money" in got.values


def test_words_fitting_no_option_go_to_the_catch_all():
    got = reading("name-the-cycle", "topic", "politics, brexit mainly")
    assert (got.action, got.values) == (OTHER, ("other",))


def test_a_disclosure_of_danger_is_never_taken_by_meaning_alone():
    got = reading("name-the-cycle", "their_way", "he scares me sometimes")
    assert got.action != ACCEPT or got.how != "meaning"


def test_a_softened_scale_word_offers_the_points_around_it():
    got = reading("tour", "closeness", "pretty close")
    assert got.action == CONFIRM and got.values[:2] == ("4", "5")


# -- through the engine ---------------------------------------------------------------------


def at(flow: str, step_id: str):
    """A run of `flow` standing at `step_id`, reached by pressing the first button of
    every earlier question (or typing a word at a text one)."""
    state, effects = start(CATALOG, flow, memory={"partner": {"value": "Sam", "label": "Sam"}})
    for _ in range(40):
        ask = next(e for e in effects if isinstance(e, Ask))
        if state.frame.step_id == step_id:
            return state, ask
        event = Choice(ask.buttons[0].value, ask.seq) if ask.buttons else Text("a few words")
        state, effects = step(CATALOG, state, event)
    raise AssertionError(f"never reached {step_id}")


def test_a_typed_answer_is_taken_and_the_reply_says_how_it_was_read():
    state, _ = at("name-the-cycle", "my_push")
    after, effects = step(CATALOG, state, Text("i push to talk it out right now"), similar=SIMILAR)
    assert after.answers["my_push"] == "talk_now"
    assert effects[0] == Say("I took that as “push to talk it out now”. /back changes it.")


def test_unsure_reading_asks_did_you_mean_with_none_of_these():
    state, _ = at("name-the-cycle", "topic")
    same, effects = step(CATALOG, state, Text("not sure, maybe money or the kids"), similar=SIMILAR)
    assert same is state  # nothing stored yet
    ask = effects[-1]
    assert isinstance(ask, Ask) and ask.text == "Did you mean one of these?"
    assert ask.buttons[-1].value == NONE_OF_THESE and "money" in [b.value for b in ask.buttons]
    chosen, _ = step(CATALOG, state, Choice("money", ask.seq))
    assert chosen.answers["topic"] == "money"
    # "None of these" at a question with a catch-all opens its own question for the words
    other, effects = step(CATALOG, state, Choice(NONE_OF_THESE, ask.seq))
    assert other.answers["topic"] == "other" and other.frame.step_id == "topic_own"


def test_words_for_the_catch_all_answer_its_follow_up_too():
    state, _ = at("name-the-cycle", "topic")
    after, effects = step(CATALOG, state, Text("politics, brexit mainly"), similar=SIMILAR)
    assert after.answers["topic"] == "other"
    assert after.answers["topic_own"] == "politics, brexit mainly"  # not asked again
    assert effects[0] == Say("I kept that in your words, as “something else”. /back changes it.")
    assert not any(isinstance(e, Ask) and e.key == "topic_own" for e in effects)


def test_idk_without_a_not_sure_option_gets_the_options_as_numbered_text():
    state, _ = at("name-the-cycle", "my_way")
    same, effects = step(CATALOG, state, Text("idk"), similar=SIMILAR)
    assert same.answers == state.answers
    assert "no wrong answer" in effects[0].text and "\n1. I push towards it\n" in effects[0].text


def test_a_multi_reading_is_offered_ticked():
    state, _ = at("tour", "under")
    _, effects = step(CATALOG, state, Text("lonely, and something about my dad"), similar=SIMILAR)
    ask = effects[-1]
    assert isinstance(ask, Ask) and ask.kind == "multi"
    assert "lonely" in [b.value for b in ask.buttons if b.on]


def test_a_scale_word_is_stored_as_its_point():
    state, _ = at("weekly-check-in", "partner_reach")
    after, _ = step(CATALOG, state, Text("mostly"), similar=SIMILAR)
    assert after.answers["partner_reach"] == 4
