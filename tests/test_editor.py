"""The flow schema in a real editor: yaml-language-server, the engine of VS Code's YAML extension.

`tests/lsp` holds it (`npm ci --prefix tests/lsp`, which `.ci/run` does). Each test talks to it
over the Language Server Protocol as VS Code does (`tests/lsp_client.py`), with the settings of
`.vscode/settings.json` (YAML 1.1, which is how the bot reads a flow), and checks what a therapist
sees while typing: no squiggle on any shipped flow, the right one under each common mistake, a
hover headed by the kind of step it is in, completion that offers only keys that fit there, and
a flow in a folder of their own (FLOWS_DIR) that finds its schema. Without Node.js or the server
every test here skips, saying which is missing.
"""

from __future__ import annotations

import json
import re
import shutil
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lsp_client import LanguageServer

from bot.cli import main
from bot.flows import Kind
from bot.flows.catalog import flow_files

ROOT = Path(__file__).resolve().parents[1]
SERVER_JS = ROOT / "tests/lsp/node_modules/yaml-language-server/bin/yaml-language-server"
NODE = shutil.which("node")
SCHEMA = json.loads((ROOT / "schema" / "flow.schema.json").read_text(encoding="utf-8"))
DEFS = SCHEMA["$defs"]
TITLE = {kind: DEFS[f"{kind.value}Step"]["title"] for kind in Kind}
SHIPPED = flow_files([ROOT / "bot" / "content" / "flows"])
VSCODE = json.loads((ROOT / ".vscode" / "settings.json").read_text(encoding="utf-8"))
HERE = "# <-"
"""Marks the line of a broken flow where the editor should put its squiggle."""


def missing() -> str | None:
    """Why the editor cannot run here, or None when it can."""
    if NODE is None:
        return "Node.js is not installed (apt-get install nodejs npm), so there is no editor to ask"
    if not SERVER_JS.exists():
        return "yaml-language-server is not installed: npm ci --prefix tests/lsp"
    return None


pytestmark = pytest.mark.skipif(missing() is not None, reason=missing() or "")


def settings(yaml_version: str | None = None) -> dict[str, Any]:
    """The editor's settings: .vscode/settings.json, and never the online schema store."""
    yaml: dict[str, Any] = {
        key.removeprefix("yaml."): value for key, value in VSCODE.items() if key.startswith("yaml.")
    }
    if yaml_version is not None:
        yaml["yamlVersion"] = yaml_version
    yaml["schemaStore"] = {"enable": False}
    return {"yaml": yaml}


def start(yaml_version: str | None = None) -> LanguageServer:
    """A yaml-language-server on pipes, its workspace the repository."""
    return LanguageServer([str(NODE), str(SERVER_JS), "--stdio"], ROOT, settings(yaml_version))


@pytest.fixture(scope="module")
def editor() -> Iterator[LanguageServer]:
    """The editor as this repository sets it up (.vscode/settings.json)."""
    with start() as server:
        yield server


@pytest.fixture(scope="module", params=["1.1", "1.2"], ids=lambda v: f"yaml-{v}")
def any_editor(request: pytest.FixtureRequest) -> Iterator[LanguageServer]:
    """The editor at either YAML version: 1.1 as set here, 1.2 as it comes."""
    with start(request.param) as server:
        yield server


@pytest.fixture(scope="module")
def own_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A therapist's folder of flows, with the schema written there by the bot's command."""
    folder = tmp_path_factory.mktemp("my-flows")
    assert main(["schema", "--write", str(folder)]) == 0
    return folder


def write_flow(folder: Path, name: str, body: str, first_line: str | None = None) -> Path:
    """A flow file in `folder` that starts with the modeline for the schema written there; the
    body is written as it is, so dedent it first."""
    path = folder / f"{name}.yaml"
    first = first_line or "# yaml-language-server: $schema=./flow.schema.json"
    path.write_text(first + "\n" + body, encoding="utf-8")
    return path


def flow_text(body: str) -> str:
    """A flow written inline in a test, as it would be in its file."""
    return textwrap.dedent(body).lstrip("\n")


def squiggles(editor: LanguageServer, path: Path) -> list[tuple[int, str]]:
    """Each diagnostic the editor shows for a file it opens, as (0-based line, message)."""
    editor.open(path)
    try:
        return shown(editor, path)
    finally:
        editor.close(path)


def shown(editor: LanguageServer, path: Path) -> list[tuple[int, str]]:
    """Each diagnostic the editor shows for a file already open, as (0-based line, message)."""
    return sorted((d["range"]["start"]["line"], d["message"]) for d in editor.diagnostics(path))


def line_of(lines: list[str], pattern: str) -> tuple[int, int]:
    """The (line, column) where `pattern` (a regex) first matches."""
    for number, text in enumerate(lines):
        found = re.search(pattern, text)
        if found:
            return number, found.start()
    raise AssertionError(f"no line matches {pattern!r}")


# -- every shipped flow is clean in the editor -----------------------------------------------
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_a_shipped_flow_shows_no_squiggle(any_editor, path):
    line, column = line_of(path.read_text(encoding="utf-8").splitlines(), r"^flow:")
    any_editor.open(path)
    try:
        assert shown(any_editor, path) == []
        # and the schema was found and read: hovering the flow's id explains it
        assert "The flow's id" in any_editor.hover(path, line, column)
    finally:
        any_editor.close(path)


# -- common mistakes get the right squiggle, on the right line -------------------------------
BROKEN = {
    "typo-in-a-key": (
        """
        flow: broken
        version: 1
        steps:
          - id: hello
            say: "Hi."
            sya: "A typo."  # <-
        """,
        "Property sya is not allowed.",
    ),
    "key-of-another-kind": (
        """
        flow: broken
        version: 1
        steps:
          - id: mood
            ask: choice
            say: "How are you?"
            button: "Go"  # <-
            options: [good, bad]
        """,
        "Property button is not allowed.",
    ),
    "a-call-that-also-speaks": (
        """
        flow: broken
        version: 1
        steps:
          - id: calm
            call: settle
            say: "Let's settle."  # <-
        """,
        "Property say is not allowed.",
    ),
    "unknown-question-kind": (
        """
        flow: broken
        version: 1
        steps:
          - id: mood
            ask: chioce  # <-
            say: "How are you?"
            options: [good, bad]
        """,
        'Valid values: "pause", "text", "choice", "multi", "scale".',
    ),
    "button-words-too-long": (
        """
        flow: broken
        version: 1
        steps:
          - id: mood
            ask: choice
            say: "How are you?"
            options:
              good: "Good"
              bad: "Not good at all, and I would like to talk about it"  # <-
        """,
        "longer than the maximum length of 40",
    ),
    "no-buttons": (
        """
        flow: broken
        version: 1
        steps:
          - id: mood
            ask: multi
            say: "How are you?"
            options: []  # <-
        """,
        "too few items",
    ),
    "a-placeholder-left-open": (
        """
        flow: broken
        version: 1
        steps:
          - id: name
            ask: text
            say: "What should I call you?"
          - id: done
            end: "Bye, {name."  # <-
        """,
        "Check the {placeholders}",
    ),
    "nothing-to-say": (
        """
        flow: broken
        version: 1
        steps:
          - id: hello
            say: "  "  # <-
        """,
        "Write something here",
    ),
    "a-scale-label-for-no-number": (
        """
        flow: broken
        version: 1
        steps:
          - id: close
            ask: scale
            say: "How close?"
            scale:
              labels:
                far: "Far apart"  # <-
        """,
        "Each label belongs to a number",
    ),
    "next-to-no-step-id": (
        """
        flow: broken
        version: 1
        steps:
          - id: hello
            say: "Hi."
            next: Wrap Up  # <-
          - id: wrap_up
            end: "Bye."
        """,
        "Write the id of a step",
    ),
    "bad-share-level": (
        """
        flow: broken
        version: 1
        steps:
          - id: feel
            ask: text
            say: "How do you feel?"
            share: therapist  # <-
        """,
        'Valid values: "never", "summary", "full".',
    ),
    "unquoted-no-read-as-false": (
        """
        flow: broken
        version: 1
        steps:
          - id: ready
            ask: choice
            say: "Ready?"
            options: [yes, no]  # <-
        """,
        "Incorrect type.",
    ),
    "no-steps": (
        """
        flow: broken  # <-
        version: 1
        title: "Nothing here yet"
        """,
        'Missing property "steps".',
    ),
}


@pytest.mark.parametrize("name", BROKEN)
def test_a_mistake_gets_its_squiggle_on_its_line(editor, own_folder, name):
    body, message = BROKEN[name]
    path = write_flow(own_folder, name, flow_text(body))
    lines = path.read_text(encoding="utf-8").splitlines()
    marked = {number for number, text in enumerate(lines) if text.endswith(HERE)}
    found = squiggles(editor, path)
    assert {line for line, _ in found} == marked, found
    assert any(message in text for _, text in found), found


# -- hover: headed by the kind of step the key belongs to ------------------------------------
EVERY_KIND = """
    flow: every-kind
    version: 1
    steps:
      - id: hello
        say: "Hi."
        next: name
      - id: name
        ask: text
        say: "What should I call you?"
        validate: {min_chars: 1, max_chars: 40}
        optional: true
      - id: mood
        ask: choice
        say: "How are you, {name|friend}?"
        options:
          - {value: good, label: "Good"}
          - bad
        remember: mood
      - id: ready
        ask: pause
        say: "Take a breath."
        button: "Done"
      - id: close
        ask: scale
        say: "How close do you feel?"
        scale: {min: 1, max: 5}
        retries: 2
      - id: feelings
        ask: multi
        say: "Which of these?"
        options: {lonely: "Lonely", scared: "Scared"}
        min: 1
        next:
          - {when: "feelings.count > 1", goto: calm}
      - id: calm
        call: settle
        with: {feeling: "the distance"}
      - id: done
        end: "Thank you, {name|friend}."
"""


@pytest.fixture(scope="module")
def every_kind(own_folder: Path) -> Path:
    """A flow with a step of every kind, beside the schema the bot wrote."""
    return write_flow(own_folder, "every-kind", flow_text(EVERY_KIND))


def step_keys(path: Path) -> Iterator[tuple[Kind, str, int, int]]:
    """(kind, key, line, column) of every key written directly in a step of the flow."""
    lines = path.read_text(encoding="utf-8").splitlines()
    kind_of = {"ask": None, "end": Kind.END, "call": Kind.CALL}
    start = line_of(lines, r"^steps:")[0] + 1
    steps: list[list[tuple[str, int, int]]] = []
    for number in range(start, len(lines)):
        if re.match(r"^\S", lines[number]):
            break
        found = re.match(r"^(  - |    )([a-z_]+):", lines[number])
        if found:
            if found.group(1) == "  - ":
                steps.append([])
            steps[-1].append((found.group(2), number, found.start(2)))
    for keys in steps:
        written = {key: lines[line].split(":", 1)[1].strip() for key, line, _ in keys}
        kind = Kind.SAY
        for marker, marked in kind_of.items():
            if marker in written:
                kind = marked or Kind(written["ask"])
        for key, line, column in keys:
            yield kind, key, line, column


def test_every_kind_of_step_is_in_the_hover_flow(every_kind):
    assert {kind for kind, *_ in step_keys(every_kind)} == set(Kind)


def test_the_hover_on_every_key_of_a_step_is_headed_by_its_own_kind(editor, every_kind):
    editor.open(every_kind)
    try:
        wrong = []
        for kind, key, line, column in step_keys(every_kind):
            heading = editor.hover(every_kind, line, column + 1).split("\n")[0]
            if heading != f"#### {TITLE[kind]}":
                wrong.append(f"{key} of the {kind} step: {heading!r}")
        assert not wrong, wrong
    finally:
        editor.close(every_kind)


@pytest.mark.parametrize(
    ("kind", "key", "heading", "words"),
    [
        (Kind.CHOICE, "options", "Pick one", DEFS["options"]["description"]),
        (Kind.MULTI, "options", "Pick several", DEFS["options"]["description"]),
        (
            Kind.TEXT,
            "say",
            "A written answer",
            DEFS["textStep"]["properties"]["say"]["description"],
        ),
        (Kind.SAY, "say", "A message", DEFS["sayStep"]["properties"]["say"]["description"]),
        (Kind.SCALE, "ask", "A scale", DEFS["ask"]["description"]),
    ],
    ids=["choice-options", "multi-options", "text-say", "say-say", "scale-ask"],
)
def test_the_hover_names_the_step_and_explains_the_key(
    editor, every_kind, kind, key, heading, words
):
    found = [
        (line, col) for k, name, line, col in step_keys(every_kind) if (k, name) == (kind, key)
    ]
    editor.open(every_kind)
    try:
        text = editor.hover(every_kind, found[0][0], found[0][1] + 1)
    finally:
        editor.close(every_kind)
    assert text.split("\n")[0] == f"#### {heading}"
    first_words = re.sub(r"[\\`*_{}\[\]]", "", words)[:40]
    assert first_words in re.sub(r"[\\`*_{}\[\]]", "", text)


def test_the_hover_inside_a_button_or_a_rule_names_that_part(editor, every_kind):
    lines = every_kind.read_text(encoding="utf-8").splitlines()
    button = line_of(lines, r"\{value: good")
    rule = line_of(lines, r"\{when: ")
    editor.open(every_kind)
    try:
        on_value = editor.hover(every_kind, button[0], button[1] + 2)
        on_when = editor.hover(every_kind, rule[0], rule[1] + 2)
    finally:
        editor.close(every_kind)
    assert on_value.startswith(f"#### {DEFS['option']['title']}")
    assert on_when.startswith(f"#### {DEFS['rule']['title']}")


# -- completion: only keys that fit where the cursor is --------------------------------------
def completions(editor: LanguageServer, folder: Path, body: str) -> set[str]:
    """The labels the editor offers where `|` stands in `body` (the `|` is taken out)."""
    lines = flow_text(body).splitlines()
    line, column = line_of(lines, r"\|")
    lines[line] = lines[line].replace("|", "", 1)
    path = write_flow(folder, "completing", "\n".join(lines) + "\n")
    editor.open(path)
    try:
        return {item["label"] for item in editor.completion(path, line + 1, column)}
    finally:
        editor.close(path)


SNIPPETS = {s["label"] for s in DEFS["stepStart"]["defaultSnippets"]}
KEYS_OF = {kind: set(DEFS[f"{kind.value}Step"]["properties"]) for kind in Kind}


def test_completion_in_a_scale_step_offers_its_own_keys_only(editor, own_folder):
    offered = completions(
        editor,
        own_folder,
        """
        flow: completing
        version: 1
        steps:
          - id: close
            ask: scale
            say: "How close do you feel?"
            scale: {min: 1, max: 5}
            |
        """,
    )
    assert "call" not in offered and "end" not in offered
    assert not offered & SNIPPETS, offered & SNIPPETS
    unwritten = KEYS_OF[Kind.SCALE] - {"id", "ask", "say", "scale"}
    assert unwritten <= offered, unwritten - offered
    assert not offered - unwritten, offered - unwritten


def test_completion_in_a_message_offers_ask_but_not_end_or_call(editor, own_folder):
    offered = completions(
        editor,
        own_folder,
        """
        flow: completing
        version: 1
        steps:
          - id: hello
            say: "Hi."
            |
        """,
    )
    assert "ask" in offered
    assert not offered & {"end", "call", "options", "scale"}, offered
    assert not offered & SNIPPETS


def test_completion_on_a_new_step_offers_a_whole_step_of_each_kind(editor, own_folder):
    offered = completions(
        editor,
        own_folder,
        """
        flow: completing
        version: 1
        steps:
          - id: hello
            say: "Hi."
          - |
        """,
    )
    assert offered >= SNIPPETS, SNIPPETS - offered
    assert len(SNIPPETS) == len(Kind)


def test_completion_on_a_step_with_only_an_id_offers_every_kind(editor, own_folder):
    offered = completions(
        editor,
        own_folder,
        """
        flow: completing
        version: 1
        steps:
          - id: hello
            |
        """,
    )
    assert {"say", "ask", "end", "call"} <= offered, offered


# -- a flow in the therapist's own folder finds its schema -----------------------------------
TYPO = """
    flow: mine
    version: 1
    steps:
      - id: hello
        say: "Hi."
        sya: "A typo."
"""


def test_a_flow_in_an_own_folder_uses_the_modeline_the_bot_prints(editor, tmp_path, capsys):
    folder = tmp_path / "therapist-flows"
    assert main(["schema", "--write", str(folder)]) == 0
    printed = [line for line in capsys.readouterr().out.splitlines() if line.startswith("# yaml-")]
    assert printed, "the command prints the line to start each flow with"
    path = write_flow(folder, "mine", flow_text(TYPO), first_line=printed[0])
    found = squiggles(editor, path)
    assert [text for _, text in found] == ["Property sya is not allowed."], found


def test_the_shipped_modeline_does_not_reach_the_schema_from_another_folder(editor, tmp_path):
    shipped = SHIPPED[0].read_text(encoding="utf-8").splitlines()[0]
    path = write_flow(tmp_path, "copied", flow_text(TYPO), first_line=shipped)
    found = squiggles(editor, path)
    assert any("Unable to load schema" in text for _, text in found), found
