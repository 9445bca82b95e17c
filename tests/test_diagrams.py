"""The review diagrams show the paths a person can really take, in words cut where words end."""

from __future__ import annotations

import pytest

from bot.flows.graph import START, Arrow, arrows, dot, mermaid, shorten

NOTE = """\
flow: note
version: 1
steps:
  - id: mood
    ask: choice
    say: "How is it?"
    options:
      - {value: low, label: "Low"}
      - {value: ok, label: "All right", goto: ok_note}
  - id: low_note
    when: "mood == 'low'"
    say: "That sounds heavy."
  - id: ok_note
    when: "mood == 'ok'"
    say: "Good to hear."
  - id: done
    end: "Bye."
"""


@pytest.fixture
def note(make_catalog):
    return make_catalog(note=NOTE)["note"]


def test_a_skipped_step_is_passed_over_from_the_step_before_it(note):
    drawn = arrows(note)
    # The person at `mood` either sees low_note or goes straight on: the branch is at mood.
    assert Arrow("mood", "low_note", "") in drawn
    assert Arrow("mood", "ok_note", "low_note skipped unless mood == 'low'") in drawn
    # low_note itself only ever moves on; nothing is skipped from there.
    assert [a for a in drawn if a.source == "low_note"] == [
        Arrow("low_note", "ok_note", ""),
        Arrow("low_note", "done", "ok_note skipped unless mood == 'ok'"),
    ]


def test_passing_over_two_steps_in_a_row_names_both_and_keeps_the_option(note):
    drawn = arrows(note)
    assert Arrow("mood", "done", "low_note skipped; ok_note skipped unless mood == 'ok'") in drawn
    assert Arrow("mood", "ok_note", "All right") in drawn
    assert Arrow("mood", "done", "All right; ok_note skipped unless mood == 'ok'") in drawn
    assert not [a for a in drawn if a.source == "ok_note" and a.label]


def test_every_arrow_of_the_diagram_is_a_move_the_engine_can_make(note):
    assert sorted((a.source, a.target) for a in arrows(note)) == sorted(
        [
            ("mood", "low_note"),  # Low, low_note shown
            ("mood", "ok_note"),  # Low, low_note skipped; or All right
            ("mood", "done"),  # Low, both skipped; or All right, ok_note skipped
            ("mood", "done"),
            ("mood", "ok_note"),
            ("low_note", "ok_note"),
            ("low_note", "done"),
            ("ok_note", "done"),
        ]
    )


def test_a_flow_that_may_skip_its_first_step_starts_from_a_start_node(make_catalog):
    flow = make_catalog(
        first=NOTE.replace("flow: note", "flow: first").replace(
            "  - id: mood\n", '  - id: hello\n    when: "1 == 2"\n    say: "Hi."\n  - id: mood\n'
        )
    )["first"]
    drawn = arrows(flow)
    assert drawn[:2] == [
        Arrow(START, "hello", ""),
        Arrow(START, "mood", "hello skipped unless 1 == 2"),
    ]
    assert '    _start(("start"))' in mermaid(flow).splitlines()
    assert '  "_start" [shape=circle, label="start"];' in dot(flow).splitlines()
    assert "_start" not in mermaid(make_catalog(note=NOTE)["note"])


@pytest.mark.parametrize(
    ("text", "limit", "short"),
    [
        ("Line two is what's underneath. Underneath: {card_feeling}", 48, None),
        ("Line two is what's underneath. Underneath: {card_feeling} and more", 48, None),
        ("Read it once as your partner might hear it. Tick what fits.", 48, None),
        ("Tell {partner|your partner} what you felt", 24, "Tell…"),
        ("Supercalifragilisticexpialidocious", 10, "Supercali…"),
        ("Short enough", 12, "Short enough"),
    ],
)
def test_a_long_text_is_shortened_where_a_word_ends(text, limit, short):
    got = shorten(text, limit)
    assert len(got) <= limit
    if short is not None:
        assert got == short
    else:
        kept = got.removesuffix("…")
        assert text.startswith(kept) and not text[len(kept)].isalnum(), got
        assert kept.count("{") == kept.count("}"), got


def test_no_caption_of_a_shipped_diagram_ends_inside_a_word(shipped):
    for flow in shipped.values():
        captions = {
            line.split('"')[1].split(": ", 1)[0]: line.split('"')[1].split(": ", 1)[1]
            for line in mermaid(flow).splitlines()[1:]
            if '"' in line and "-->" not in line and not line.strip().startswith(START)
        }
        for step in flow.steps:
            full = " ".join(step.text.split()).replace('"', "#quot;").replace("|", "#124;")
            caption = captions[step.id]
            if caption.endswith("…") and not full.endswith("…"):
                kept = caption.removesuffix("…")
                assert full.startswith(kept), (flow.id, step.id, caption)
                assert not full[len(kept)].isalnum(), (flow.id, step.id, caption)
