"""The JSON Schema for flows, `schema/flow.schema.json`: completion and squiggles in an editor.

The checker (`bot.flows.validate`, `python -m bot check`) has the last word on a flow; the schema
is what VS Code's YAML extension shows while a therapist types. These tests keep the two in step:
the schema is a valid draft 2020-12 schema, it names exactly the keys the checker accepts, every
shipped flow passes it and points at it, flows the checker accepts pass it, and common mistakes
fail it at the right place.

An editor sees YAML through JSON's eyes, where a mapping's keys are always text (`1:` under a
scale's `labels` is the key "1"); `as_json` does the same to what `yaml.safe_load` returns.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from bot.flows import Kind
from bot.flows.catalog import flow_files
from bot.flows.validate import (
    ASK_KINDS,
    COMMON_KEYS,
    MAX_LABEL,
    MAX_TEXT,
    SHARE_LEVELS,
    STEP_KEYS,
    TOP_KEYS,
)

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_PATH = ROOT / "schema" / "flow.schema.json"
SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
DEFS = SCHEMA["$defs"]
VALIDATOR = Draft202012Validator(SCHEMA)
FLOWS_DIR = ROOT / "bot" / "content" / "flows"
SHIPPED = flow_files([FLOWS_DIR])
MODELINE = "# yaml-language-server: $schema="


def as_json(data: Any) -> Any:
    """YAML data as JSON sees it: mapping keys become text."""
    return json.loads(json.dumps(data, default=str))


def load(text: str) -> Any:
    """A flow written inline, as a JSON Schema validator sees it."""
    return as_json(yaml.safe_load(textwrap.dedent(text)))


def problems(data: Any) -> list[str]:
    """Every schema error, as `path: message`, in a stable order."""
    errors = sorted(VALIDATOR.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    return [f"{'/'.join(map(str, e.absolute_path)) or '<flow>'}: {e.message}" for e in errors]


def walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every subschema of `node`; `if` conditions only test, and snippets are not schemas."""
    if isinstance(node, dict):
        yield node
        for key, value in node.items():
            if key not in ("if", "defaultSnippets", "enum", "const", "required"):
                yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    """The subschema a local `$ref` points to, or the schema itself."""
    ref = schema.get("$ref")
    return DEFS[ref.removeprefix("#/$defs/")] if ref else schema


# -- the schema itself ---------------------------------------------------------------------------
def test_the_schema_is_a_valid_draft_2020_12_schema():
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(SCHEMA)


def test_every_ref_points_at_a_definition():
    refs = {s["$ref"] for s in walk(SCHEMA) if "$ref" in s}
    assert refs, "the schema should share its definitions through $ref"
    for ref in refs:
        assert ref.startswith("#/$defs/") and ref.removeprefix("#/$defs/") in DEFS, ref


def test_every_key_a_therapist_can_write_has_a_description():
    undescribed = []
    for schema in walk(SCHEMA):
        entries = dict(schema.get("properties", {}))
        if isinstance(schema.get("additionalProperties"), dict):
            entries["<any name>"] = schema["additionalProperties"]
        for key, sub in entries.items():
            if not (sub.get("description") or resolve(sub).get("description")):
                undescribed.append(key)
    assert not undescribed, f"keys without a description: {undescribed}"


# -- the schema and the checker agree on the format ----------------------------------------------
def test_top_level_keys_match_the_checker():
    assert set(SCHEMA["properties"]) == set(TOP_KEYS)
    assert set(SCHEMA["required"]) == {"flow", "version", "steps"}
    assert SCHEMA["additionalProperties"] is False


@pytest.mark.parametrize("kind", list(Kind), ids=str)
def test_each_step_kind_allows_exactly_the_checkers_keys(kind):
    step = DEFS[f"{kind.value}Step"]
    assert set(step["properties"]) == set(COMMON_KEYS) | set(STEP_KEYS[kind])
    assert step["additionalProperties"] is False


def test_question_kinds_and_share_levels_match_the_checker():
    assert set(DEFS["ask"]["enum"]) == set(ASK_KINDS)
    assert set(DEFS["share"]["enum"]) == set(SHARE_LEVELS)
    assert len(DEFS["ask"]["enumDescriptions"]) == len(ASK_KINDS)
    assert len(DEFS["share"]["enumDescriptions"]) == len(SHARE_LEVELS)


def test_limits_match_the_checker():
    assert DEFS["label"]["maxLength"] == MAX_LABEL
    assert DEFS["text"]["maxLength"] == MAX_TEXT


# -- the shipped flows ---------------------------------------------------------------------------
def test_there_are_shipped_flows():
    assert SHIPPED, f"no flows found in {FLOWS_DIR}"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_flow_matches_the_schema(path):
    data = as_json(yaml.safe_load(path.read_text(encoding="utf-8")))
    assert problems(data) == []


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_flow_starts_with_the_modeline(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith(MODELINE), f"{path.name} must start with: {MODELINE}<path to schema>"
    target = (path.parent / first.removeprefix(MODELINE).strip()).resolve()
    assert target == SCHEMA_PATH.resolve()


# -- flows the checker accepts pass the schema too: no red squiggles on good flows ---------------
ACCEPTED = {
    "shapes": """
        flow: shapes
        version: 2
        title: Every way to write options
        description: Written to test the schema.
        steps:
          - id: words
            ask: choice
            say: "Pick a word."
            options: [lonely, scared, 3]
            optional: true
            back: false
            share: summary
          - id: pairs
            ask: multi
            say: "Pick some of these, {words|friend} {{2 at most}}."
            options: {pursue: "I push to talk it out", withdraw: "I go quiet"}
            min: 0
            max: 2
            optional: "Not sure yet"
            invalid: "Pick up to two."
            retries: 2
            fallback: done
          - id: jumps
            ask: choice
            say: "And now?"
            options:
              - {value: on_we_go}
              - {value: stop, label: "Stop here", goto: done}
            optional: false
            next:
              - {when: "jumps == 'on_we_go'", goto: rate}
              - {goto: done}
          - id: rate
            ask: scale
            say: "How close do you feel?"
            scale: {min: 0, max: 10, labels: {0: "far apart", 10: "very close"}}
            share: never
          - id: name
            ask: text
            say: 42
            validate: {min_chars: 0, max_chars: 10}
          - id: ready
            ask: pause
            say: "Ready, {name|you}?"
            button: "Go on"
          - id: done
            end: ""
        tests:
          - name: the long way round
            inputs: [lonely, [pursue], on_we_go, 7, {text: back}, ready]
            path: [words, pairs, jumps, rate, name, ready]
            expect: "How close"
          - inputs: [skip, skip, stop]
    """,
    "caller": """
        flow: caller
        version: 1
        steps:
          - id: hello
            say: "Hi."
          - id: calm
            call: callee
            with: {feeling: "the distance", other: 7}
          - id: done
            end: "Bye, you felt {calm|calmer}."
    """,
    "callee": """
        flow: callee
        version: 1
        params: {feeling: "what you are carrying", other: "something"}
        steps:
          - id: how
            ask: choice
            say: "How is {feeling} now?"
            options: [better, same]
          - id: back_up
            end: "Thank you."
            return: how
    """,
}


def test_flows_the_checker_accepts_pass_the_schema(make_catalog):
    make_catalog(**{name: text for name, text in ACCEPTED.items()})  # raises if the checker objects
    for name, text in ACCEPTED.items():
        assert problems(load(text)) == [], name


# -- broken flows are rejected at the right place ------------------------------------------------
GOOD_STEPS = """
          - id: mood
            ask: choice
            say: "How are you?"
            options: {good: "Good", bad: "Not so good"}
          - id: done
            end: "Bye."
"""

BROKEN = [
    pytest.param(
        """
        flow: broken
        version: 1
        steps:
          - id: hello
            say: "Hi."
            sya: "A typo."
        """,
        "steps/0",
        "additionalProperties",
        id="unknown-step-key",
    ),
    pytest.param(
        """
        flow: broken
        version: 1
        steps:
          - id: mood
            ask: choice
            say: "How are you?"
            button: "Go"
            options: [good, bad]
        """,
        "steps/0",
        "additionalProperties",
        id="key-of-another-kind",
    ),
    pytest.param(
        """
        flow: broken
        version: 1
        steps:
          - id: mood
            ask: chioce
            say: "How are you?"
            options: [good, bad]
        """,
        "steps/0/ask",
        "enum",
        id="wrong-ask-kind",
    ),
    pytest.param(
        """
        flow: broken
        version: 1
        steps:
          - id: mood
            ask: [choice]
            say: "How are you?"
        """,
        "steps/0/ask",
        "enum",
        id="ask-kind-not-a-word",
    ),
    pytest.param(
        """
        flow: broken
        version: 1
        steps:
          - id: mood
            ask: choice
            say: "How are you?"
            options: {good: "Good", bad: "Not good at all, and I would like to talk about it"}
        """,
        "steps/0/options/bad",
        "maxLength",
        id="long-label-in-a-mapping",
    ),
    pytest.param(
        """
        flow: broken
        version: 1
        steps:
          - id: mood
            ask: choice
            say: "How are you?"
            options:
              - {value: bad, label: "Not good at all, and I would like to talk about it"}
        """,
        "steps/0/options/0/label",
        "maxLength",
        id="long-label-in-a-list",
    ),
    pytest.param(
        """
        flow: broken
        version: 1
        steps:
          - id: mood
            ask: multi
            say: "How are you?"
            options: [fine, "not good at all, and I would like to talk about it"]
        """,
        "steps/0/options/1",
        "maxLength",
        id="long-word-as-option",
    ),
    pytest.param(
        """
        flow: broken
        version: 1
        steps:
          - id: mood
            ask: choice
            say: "How are you?"
            options: []
        """,
        "steps/0/options",
        "minItems",
        id="empty-options",
    ),
    pytest.param(
        """
        flow: broken
        version: 1
        steps:
          - id: mood
            ask: text
            say: "How are you?"
            share: therapist
        """,
        "steps/0/share",
        "enum",
        id="bad-share",
    ),
    pytest.param(
        """
        flow: broken
        version: 1
        title: "No steps"
        """,
        "",
        "required",
        id="missing-steps",
    ),
    pytest.param(
        "flow: broken\nversion: 1\ntitel: typo\nsteps:" + GOOD_STEPS,
        "",
        "additionalProperties",
        id="unknown-top-level-key",
    ),
    pytest.param(
        "flow: Broken Flow\nversion: 1\nsteps:" + GOOD_STEPS,
        "flow",
        "pattern",
        id="bad-flow-id",
    ),
    pytest.param(
        """
        flow: broken
        version: 1
        steps:
          - id: My Move
            say: "Hi."
        """,
        "steps/0/id",
        "pattern",
        id="bad-step-id",
    ),
    pytest.param(
        """
        flow: broken
        version: 1
        steps:
          - id: name
            ask: text
            say: "What should I call you?"
          - id: done
            end: "Bye, {name."
        """,
        "steps/1/end",
        "pattern",
        id="unmatched-brace",
    ),
    pytest.param(
        "flow: broken\nversion: 1\nsteps:\n  - id: hello\n    say: " + "x" * (MAX_TEXT + 1),
        "steps/0/say",
        "maxLength",
        id="text-too-long",
    ),
    pytest.param(
        """
        flow: broken
        version: 1
        steps:
          - id: name
            ask: text
            say: "What should I call you?"
            validate: {min_chars: 2, max_char: 40}
        """,
        "steps/0/validate",
        "additionalProperties",
        id="typo-in-validate",
    ),
    pytest.param(
        "flow: broken\nversion: 1\nsteps:"
        + GOOD_STEPS
        + "tests:\n  - inputs: [good]\n    expect: 3\n",
        "tests/0/expect",
        "anyOf",
        id="expect-not-text",
    ),
]


@pytest.mark.parametrize(("text", "where", "keyword"), BROKEN)
def test_broken_flow_is_rejected_at_the_right_place(text, where, keyword):
    errors = list(VALIDATOR.iter_errors(load(text)))
    found = [("/".join(map(str, e.absolute_path)), e.validator) for e in errors]
    assert (where, keyword) in found, f"expected {keyword} at '{where}', got {found}"


# -- the schema ships inside the package, for a therapist's own folder of flows ------------------
PACKAGED = ROOT / "bot" / "content" / "flows" / "flow.schema.json"


def test_the_package_carries_the_same_schema():
    assert PACKAGED.read_bytes() == SCHEMA_PATH.read_bytes(), (
        "the schema changed: cp schema/flow.schema.json bot/content/flows/flow.schema.json"
    )


def test_the_schema_is_part_of_what_pip_installs(tmp_path):
    # build_py copies exactly the modules and package data that go into the wheel.
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "import setuptools; setuptools.setup()",
            "-q",
            "build_py",
            "--build-lib",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    built = tmp_path / "bot" / "content" / "flows" / "flow.schema.json"
    assert built.exists(), "pyproject.toml's package-data must include the schema"
    assert built.read_bytes() == SCHEMA_PATH.read_bytes()
