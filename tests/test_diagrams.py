"""The review diagrams show the paths a person can really take, in words cut where words end."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.flows import load_catalog
from bot.flows.graph import START, Arrow, arrows, caption, dot, mermaid, shorten

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
        for step in flow.steps:
            full = " ".join(step.text.split()) or f"call {step.call}"
            shown = caption(step).removeprefix(f"{step.id}: ")
            if shown != full:
                kept = shown.removesuffix("…")
                assert full.startswith(kept), (flow.id, step.id, shown)
                assert not full[len(kept)].isalnum(), (flow.id, step.id, shown)


# -- the real Mermaid parser (npm package `mermaid`, under Node, in tests/js) -----------------

ROOT = Path(__file__).resolve().parents[1]
JS = ROOT / "tests" / "js"
NODE = shutil.which("node")
BLOCK = re.compile(r"^```mermaid\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def docs_diagrams() -> dict[str, str]:
    """Every Mermaid block of the docs (and the README), by file and number."""
    found: dict[str, str] = {}
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        for number, match in enumerate(BLOCK.finditer(text), start=1):
            found[f"{path.relative_to(ROOT)}#{number}"] = match.group(1)
    return found


DIAGRAMS = docs_diagrams()

QUOTING = """\
flow: quoting
version: 1
steps:
  - id: pick
    ask: choice
    say: 'Said "no" | {{x}} #1 <b> #quot; &amp;'
    options:
      - {value: a, label: 'a "quote" | a bar', goto: done}
      - {value: b, label: "b & <c>", goto: aside}
  - id: aside
    when: "pick == 'b' or pick in ['x', 'y']"
    say: "Aside."
  - id: done
    end: "Done."
"""


def _mermaid_parser() -> None:
    """Skip (with the reason) where the real parser cannot run; in CI with npm, fail."""
    if NODE is None:
        pytest.skip("Node is not installed: the diagrams are not read by the real Mermaid parser")
    if not (JS / "node_modules" / "mermaid").is_dir():
        why = "the Mermaid parser is not installed in tests/js: run (cd tests/js && npm ci)"
        if os.environ.get("CI") and shutil.which("npm"):
            pytest.fail(f"{why}; .ci/run installs it where npm is present")
        pytest.skip(why)


@pytest.fixture(scope="module")
def quoting(tmp_path_factory):
    folder = tmp_path_factory.mktemp("quoting")
    (folder / "quoting.yaml").write_text(QUOTING, encoding="utf-8")
    return load_catalog([folder])["quoting"]


@pytest.fixture(scope="module")
def parsed(quoting) -> dict[str, dict]:
    """Every docs diagram, a diagram of awkward texts and a broken one, read by real Mermaid."""
    _mermaid_parser()
    extra = {
        "quoting": mermaid(quoting),
        "broken": 'flowchart TD\n    a["a"] -->|"unclosed| b\n',
    }
    run = subprocess.run(
        [NODE, str(JS / "parse_mermaid.mjs")],
        input=json.dumps([{"name": n, "text": t} for n, t in {**DIAGRAMS, **extra}.items()]),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return {item["name"]: item for item in json.loads(run.stdout)}


def test_the_docs_have_the_diagrams_of_every_flow(shipped):
    assert {f"docs/flows/{flow_id}.md#1" for flow_id in shipped} <= set(DIAGRAMS)
    assert "docs/architecture.md#1" in DIAGRAMS


@pytest.mark.parametrize("name", sorted(DIAGRAMS))
def test_every_docs_diagram_parses_with_the_real_mermaid(parsed, name):
    assert parsed[name]["error"] is None, f"{name}: {parsed[name]['error']}"
    assert parsed[name]["nodes"], name


def read_back(item: dict) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    nodes = {node_id: text for node_id, text in item["nodes"]}
    return nodes, sorted((a, b, label) for a, b, label in item["edges"])


def drawn(flow) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    nodes = {step.id: caption(step) for step in flow.steps}
    edges = sorted((a.source, a.target, a.label) for a in arrows(flow))
    if any(source == START for source, _, _ in edges):
        nodes[START] = "start"
    return nodes, edges


@pytest.mark.parametrize("flow_id", sorted(load_catalog()))
def test_each_flow_diagram_reads_back_as_the_steps_and_arrows_it_was_drawn_from(
    parsed, shipped, flow_id
):
    assert read_back(parsed[f"docs/flows/{flow_id}.md#1"]) == drawn(shipped[flow_id])


def test_quotes_bars_and_brackets_in_texts_reach_the_reader_as_written(parsed, quoting):
    item = parsed["quoting"]
    assert item["error"] is None, item["error"]
    nodes, edges = read_back(item)
    assert nodes["pick"] == 'pick: Said "no" | {{x}} #1 <b> #quot; &amp;'
    assert ("pick", "done", 'a "quote" | a bar') in edges
    assert ("pick", "aside", "b & <c>") in edges
    assert (
        "pick",
        "done",
        "b & <c>; aside skipped unless pick == 'b' or pick in ['x', 'y']",
    ) in edges
    assert drawn(quoting) == (nodes, edges)


def test_a_broken_diagram_is_refused_by_the_parser(parsed):
    assert "Parse error" in parsed["broken"]["error"]
