"""The crisis screen: the labelled sets, the forms people type in, the tool, and the data files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.flows import load_catalog
from bot.safety import responses
from bot.safety.learned import shipped_classifier
from bot.safety.normalize import words
from bot.safety.screen import screen
from bot.usecases.screening import learned_screen

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
SETS = [
    "screen_set.yaml",
    "screen_holdout.yaml",
    "screen_holdout2.yaml",
    "screen_holdout3.yaml",
    "screen_blind_1.yaml",
    "screen_blind_2.yaml",
    "screen_blind_3.yaml",
    "screen_blind_4.yaml",
    "screen_blind_5.yaml",
    "screen_blind_6.yaml",
    "screen_blind_7.yaml",
    "screen_blind_8.yaml",
]
"""The first is the development set; the others were written by people who had not seen the
rules, measured once (see the closing notes, and corpus/screen/README.md, for those first
figures), and then taught."""
ORDINARY = ("none", "lookalike", "everyday")


def labelled() -> list[tuple[str, str, str]]:
    out = []
    for name in SETS:
        data = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
        out += [(name, category, str(line)) for category, lines in data.items() for line in lines]
    return out


LINES = labelled()
CRISIS = [(n, c, line) for n, c, line in LINES if c not in ORDINARY]
BENIGN = [(n, line) for n, c, line in LINES if c in ORDINARY]


def test_the_sets_are_big_enough_to_mean_something():
    assert len(LINES) >= 300
    assert len(BENIGN) >= 100 and len(CRISIS) >= 200


@pytest.mark.parametrize(("source", "category", "line"), CRISIS, ids=[x[2][:40] for x in CRISIS])
def test_every_crisis_line_is_found_in_its_category(source, category, line):
    flag = learned_screen(line)
    assert flag is not None, f"{source}: missed {line!r}"
    assert flag.category == category, f"{source}: {line!r} read as {flag}"


def test_no_ordinary_line_of_the_sets_raises_an_alarm():
    alarms = [(line, learned_screen(line)) for _, line in BENIGN if learned_screen(line)]
    assert not alarms


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("kms", "suicide"),
        ("wanna die", "suicide"),
        ("i cant go on", "suicide"),
        ("I CAN'T GO ON", "suicide"),
        ("i can’t go on", "suicide"),
        ("i   want  to    die", "suicide"),
        ("i want to dieeee", "suicide"),
        ("I want to kil myself", "suicide"),
        ("he strangled me.", "violence"),
    ],
)
def test_case_punctuation_typos_contractions_and_spacing_do_not_hide_a_crisis(text, category):
    flag = screen(text)
    assert flag is not None and flag.category == category


@pytest.mark.parametrize(
    "text",
    [
        "this argument is killing me",
        "I could die of embarrassment",
        "he'd kill me if I forgot the milk",
        "my feet are killing me",
        "I was dying to tell you",
    ],
)
def test_the_ordinary_hyperbole_of_a_fight_is_left_alone(text):
    assert screen(text) is None


def test_an_unclear_phrase_asks_rather_than_assumes():
    flag = screen("I can't do this anymore")
    assert flag is not None and flag.severity == "unclear"


def test_means_raise_the_severity():
    assert screen("i want to die").severity == "urgent"  # type: ignore[union-attr]
    assert screen("i want to die, i have the pills here").severity == "high"  # type: ignore[union-attr]


def test_strangulation_and_weapons_are_the_highest_markers_of_violence():
    for text in ("he choked me", "he held a knife to my throat", "he has a gun"):
        flag = screen(text)
        assert flag is not None and (flag.category, flag.severity) == ("violence", "high"), text


def test_words_spell_out_what_people_abbreviate():
    assert words("I can't, won't, wanna, gonna, kms") == [
        "i", "cannot", "will", "not", "want", "to", "going", "to", "kill", "myself",
    ]  # fmt: skip


def test_python_m_bot_screen_prints_one_json_object_per_line():
    run = subprocess.run(
        [sys.executable, "-m", "bot", "screen"],
        input="i wanna die\nthis fight is killing me\nhe choked me\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    out = [json.loads(line) for line in run.stdout.splitlines()]
    scores = [line.pop("score") for line in out]
    assert out == [
        {"category": "suicide", "severity": "urgent", "phrase": "want to die"},
        {"category": None, "severity": None},
        {"category": "violence", "severity": "high", "phrase": "chok* me"},
    ]
    assert all(isinstance(s, float) and 0 <= s <= 1 for s in scores)
    assert scores[1] < shipped_classifier().threshold_for("suicide")


def test_the_report_script_prints_recall_per_category_and_false_alarms_per_kind():
    run = subprocess.run(
        [sys.executable, "scripts/screen_report.py", "--set", *(f"tests/data/{n}" for n in SETS)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "crisis lines found: " in run.stdout and "targets met" in run.stdout
    for kind in ("lookalike", "everyday"):
        assert f"false alarms on {kind} lines: 0/" in run.stdout
    for category in ("suicide", "violence", "harm_others", "child", "emergency", "affair"):
        assert f"    {category:<13}" in run.stdout


def test_crisis_resources_cover_twenty_countries_and_every_onboarding_choice():
    known = responses.countries()
    assert len(known) >= 20
    for code in known:
        lines = responses.lines_for(code)
        assert all(lines[k] for k in ("emergency", "crisis", "violence")), code
    country = load_catalog()["getting-started"].step("country")  # type: ignore[index]
    offered = {o.value for o in country.options} - {"other"}
    assert offered == set(known)
    elsewhere = responses.lines_for("other")
    assert "findahelpline.com" in elsewhere["crisis"]


def test_every_category_has_its_reviewed_texts():
    texts = responses.texts()["categories"]
    for category in ("suicide", "violence", "harm_others", "child", "emergency", "affair",
                     "addiction"):  # fmt: skip
        for key in ("acknowledge", "acknowledge_unclear", "question", "on_yes", "on_no"):
            assert texts[category][key].strip(), (category, key)
