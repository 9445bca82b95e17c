"""The learned half of the crisis screen: its weights match the corpus they were trained on, and
the screen as the bot runs it decides from the lists and the classifier together."""

from __future__ import annotations

import itertools
import json
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bot.meaning.encoder import MODEL_SHA256, Encoder
from bot.safety.learned import (
    PART_LIFT,
    Classifier,
    Reader,
    classifier_from,
    parts,
    shipped_classifier,
)
from bot.safety.screen import (
    VETO,
    listed_flag,
    rules_from,
    scored,
    screen,
    shipped_rules,
    sure_flag,
)
from bot.usecases.screening import learned_screen, shipped_reader

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import train_screen  # noqa: E402


def test_the_weights_were_trained_on_the_corpus_as_it_is_now():
    files = train_screen.corpus_files()
    assert len(files) >= 8
    lines = sum(len(train_screen.labelled(p)) for p in files)
    assert lines >= 4000
    assert shipped_classifier().corpus_sha256 == train_screen.corpus_sha256(files), (
        "the corpus changed: run .venv/bin/python scripts/train_screen.py"
    )


def test_the_corpus_hash_covers_every_file():
    files = train_screen.corpus_files()
    whole = train_screen.corpus_sha256(files)
    assert train_screen.corpus_sha256(files) == whole
    assert all(train_screen.corpus_sha256(files[:i] + files[i + 1 :]) != whole
               for i in range(len(files)))  # fmt: skip


def test_the_classifier_was_trained_for_the_installed_sentence_model():
    assert shipped_classifier().model_sha256 == MODEL_SHA256


def test_a_weights_file_that_does_not_fit_is_refused():
    data = json.loads((ROOT / "bot/content/safety/screen_model.json").read_text("utf-8"))
    data["layers"][-1]["bias"] = data["layers"][-1]["bias"][:-1]
    with pytest.raises(ValueError, match="bias does not fit"):
        classifier_from(data)


def test_a_long_message_is_read_in_parts_too():
    text = "We had the usual row about his mum. I don't want to be here anymore. Anyway, dishes."
    assert parts(text)[0] == text
    assert "I don't want to be here anymore." in parts(text)
    assert parts("just one sentence") == ["just one sentence"]
    assert parts("   ") == []


@pytest.mark.parametrize(
    "text",
    [
        "kill me now, his cousins are staying the whole bank holiday",
        "it would be career suicide to turn down the promotion",
        "it really hit me today how much I miss him",
        "I'm killing myself at work to pay for this house",
    ],
)
def test_the_everyday_hyperbole_the_lists_fired_on_is_left_alone(text):
    assert learned_screen(text) is None


def test_an_urgent_listed_phrase_fires_unless_the_classifier_is_sure_it_is_ordinary():
    for text, category in [("he choked me", "violence"), ("i want to kill myself", "suicide")]:
        flag = learned_screen(text)
        assert flag is not None and flag.category == category and flag.phrase


def vetoed_look_alikes() -> list[tuple[str, str]]:
    """Look-alikes of the labelled sets where an urgent or high phrase matched and the
    classifier kept the screen quiet, with the phrase."""
    found = []
    for path in sorted((ROOT / "tests" / "data").glob("screen_*.yaml")):
        for line, label in train_screen.labelled(path):
            sure = sure_flag(line)
            if label == "lookalike" and sure is not None and learned_screen(line) is None:
                found.append((line, sure.phrase))
    return found


def test_an_always_phrase_fires_even_where_the_classifier_is_sure():
    vetoed = vetoed_look_alikes()
    assert vetoed, "no listed urgent phrase was ever second-guessed"
    text, phrase = vetoed[0]
    rules = replace(shipped_rules(), always=frozenset({phrase}))
    flag, score = scored(text, rules, shipped_reader())
    assert flag is not None and flag.phrase == phrase
    assert score is not None and score < VETO


@pytest.mark.parametrize(
    "text", ["XJ4-992B-77Q", "QX7-11B-90Z", "0808 2000 247", "/start@SecureBaseBot", "asdfghjkl"]
)
def test_keyboard_noise_and_codes_are_not_asked_about(text):
    assert learned_screen(text) is None


def test_a_new_wording_the_lists_miss_is_asked_about_softly():
    text = "I've started looking up how long it takes to bleed out"
    assert listed_flag(text) is None
    flag = learned_screen(text)
    assert flag is not None and flag.category == "suicide"
    assert flag.severity == "unclear" and flag.phrase == ""
    assert flag.score is not None and flag.score >= shipped_classifier().threshold_for("suicide")


def test_a_never_phrase_keeps_the_classifier_quiet():
    text = "I've started looking up how long it takes to bleed out"
    data = {"categories": {"suicide": {"phrases": {"high": ["hang myself"]}}}}
    quiet = rules_from({**data, "never": ["how long it takes"]})
    assert screen(text, rules_from(data), shipped_reader()) is not None
    assert screen(text, quiet, shipped_reader()) is None


def test_every_weighed_phrase_is_a_listed_phrase():
    rules = shipped_rules()
    listed = {p.text for p in rules.phrases} | {
        " + ".join(p.text for p in combo)
        for t in rules.together
        for combo in itertools.product(*t.groups)
    }
    assert rules.weigh and rules.weigh <= listed, rules.weigh - listed


def test_scores_are_chances():
    reader = shipped_reader()
    chances = reader.classifier.probabilities(
        reader.classifier.inputs(reader.embed(["hello", "he hit me"]), [None, None])
    )
    assert np.allclose(chances.sum(axis=1), 1.0)


def test_the_clause_of_a_long_crisis_line_that_says_the_crisis_is_learned_alone():
    embed = train_screen.Cache(Encoder())
    rows = [
        ("I don't want to be alive anymore", "suicide"),
        ("I keep thinking about ending my life", "suicide"),
        ("he hit me again last night", "violence"),
        ("we argued about the dishes", "everyday"),
        ("he never takes the bins out", "everyday"),
        ("my mum is visiting on Sunday", "everyday"),
        ("We argued about the bins again. Honestly I don't want to be alive anymore."
         " Anyway my mum visits on Sunday.", "suicide"),
        ("He forgot the shopping. We argued about the dishes. My mum visits Sunday.", "suicide"),
    ]  # fmt: skip
    clauses = train_screen.crisis_clauses(rows, embed)
    # The part about ending a life is learned as suicide; a line none of whose parts says a
    # crisis gives no clause (its label is learned from the whole only).
    assert clauses == [("Honestly I don't want to be alive anymore.", "suicide")]


def _reader_of(scores: dict[str, float]) -> Reader:
    """A reader whose classifier gives each text the chance of `suicide` listed for it."""

    def embed(texts: Sequence[str]) -> np.ndarray:
        return np.array([[np.log(scores[t]), np.log(1 - scores[t])] for t in texts], np.float32)

    layer = (np.eye(2), np.zeros(2))
    return Reader(embed, Classifier(("suicide", "none"), (layer,), 0.5, "", ""))


def test_a_clause_counts_for_no_more_than_the_whole_message_allows():
    warm = "What I'd say: I'm tired of being strong."
    reading = _reader_of({warm: 0.02, "I'm tired of being strong.": 0.95}).read_parts(
        [warm, "I'm tired of being strong."], [None, None]
    )
    assert reading is not None and reading.part == 1
    assert reading.score == pytest.approx(0.02 + PART_LIFT)
    # Where the whole message already leans towards a crisis, the clause is read in full.
    reading = _reader_of({warm: 0.4, "I'm tired of being strong.": 0.95}).read_parts(
        [warm, "I'm tired of being strong."], [None, None]
    )
    assert reading is not None and reading.score == pytest.approx(0.95)
