"""The flow checker: each kind of mistake gives one exact message, located as path:line:col.

Every file in tests/data/flows/invalid is a valid flow except for one mistake (the YAML 1.1 file
has four). Messages are compared in full, so a change of wording, hint or position shows up here.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bot.flows import Option, check_paths, load_catalog, shipped_flows_dir
from bot.flows.catalog import check_files

ROOT = Path(__file__).resolve().parent.parent
INVALID = Path("tests/data/flows/invalid")
"""Relative to ROOT, so that messages carry a short path; the tests run from ROOT."""
LOCATED = re.compile(r"^(?P<path>[^:\s][^:]*):(?P<line>[1-9]\d*):(?P<col>[1-9]\d*): \S")


CASES = [
    pytest.param(
        "yaml_syntax.yaml",
        [
            "yaml_syntax.yaml:5:13: YAML syntax error: mapping values are not allowed here"
            " (check the indentation and quoting on this line and the one before it)"
        ],
        id="yaml-syntax-error",
    ),
    pytest.param(
        "unknown_key.yaml",
        ["unknown_key.yaml:3:1: unknown key 'titel' in a flow (did you mean 'title'?)"],
        id="unknown-key",
    ),
    pytest.param(
        "wrong_kind_key.yaml",
        [
            "wrong_kind_key.yaml:7:5: 'button' does not apply to a choice step (allowed here:"
            " id, when, next, back, share, ask, say, options, invalid, retries, fallback,"
            " optional, remember)"
        ],
        id="key-of-another-kind",
    ),
    pytest.param(
        "missing_version.yaml",
        [
            "missing_version.yaml:1:1: missing required key 'version'"
            " (add version: 1, and raise it when you publish a change)"
        ],
        id="missing-version",
    ),
    pytest.param(
        "missing_say.yaml",
        [
            "missing_say.yaml:4:5: missing required key 'say' in text step"
            " (what should the bot say?)"
        ],
        id="missing-say",
    ),
    pytest.param(
        "duplicate_step_id.yaml",
        [
            "duplicate_step_id.yaml:6:9: duplicate step id 'hello'"
            " (it is already used on line 4; step ids must be unique)"
        ],
        id="duplicate-step-id",
    ),
    pytest.param(
        "goto_unknown.yaml",
        ["goto_unknown.yaml:8:44: 'wrap_upp' is not a step of this flow (did you mean 'wrap_up'?)"],
        id="goto-unknown-step",
    ),
    pytest.param(
        "call_unknown.yaml",
        [
            "call_unknown.yaml:7:11: step 'breathing' calls flow 'nowhere-at-all', which does"
            " not exist (check the flow id in the other file)"
        ],
        id="call-unknown-flow",
    ),
    pytest.param(
        "with_param",
        [
            "with_param/caller.yaml:8:37: flow 'param-callee' has no parameter 'mood'"
            " (it declares: feeling) (declare it under 'params:')"
        ],
        id="with-undeclared-parameter",
    ),
    pytest.param(
        "unreachable.yaml",
        [
            "unreachable.yaml:7:9: step 'orphan' can never be reached"
            " (no earlier step, option or rule leads to it)"
        ],
        id="unreachable-step",
    ),
    pytest.param(
        "no_way_forward.yaml",
        [
            "no_way_forward.yaml:6:9: step 'last' has no way forward and is not an end"
            " (add an 'end:' step after it, or a 'next:')"
        ],
        id="last-step-not-an-end",
    ),
    pytest.param(
        "rules_can_fail.yaml",
        [
            "rules_can_fail.yaml:16:7: if none of the rules of step 'mood' match, it has"
            " nowhere to go (add a last rule without 'when')"
        ],
        id="next-rules-can-all-fail",
    ),
    pytest.param(
        "placeholder_unset.yaml",
        [
            "placeholder_unset.yaml:14:16: '{name}' may be empty at step 'done': 'name' is not"
            " answered on every path here (give it a fallback, like {name|...})"
        ],
        id="placeholder-before-set",
    ),
    pytest.param(
        "when_unset.yaml",
        [
            "when_unset.yaml:15:12: the condition tests 'closeness' before it is answered on"
            " some path to step 'check' (check answered(closeness) first, or ask it earlier)"
        ],
        id="condition-before-set",
    ),
    pytest.param(
        "unknown_name.yaml",
        [
            "unknown_name.yaml:9:12: the condition uses 'closness', which is not a question of"
            " this flow (did you mean 'closeness'?)"
        ],
        id="condition-unknown-name",
    ),
    pytest.param(
        "invalid_when.yaml",
        [
            # Column 31 is the second 'and', not the start of the condition (column 12).
            "invalid_when.yaml:9:31: invalid condition 'closeness <= 2 and and closeness > 0':"
            " expected a value but found 'and'"
            " (conditions look like: closeness <= 2 and 'scared' in under)"
        ],
        id="invalid-condition",
    ),
    pytest.param(
        "long_label.yaml",
        [
            "long_label.yaml:9:13: button label 'Not good at all, and I would like to talk about"
            " it' is 50 characters; keep it to 40"
            " (long labels are cut off on a phone; move detail into the question)"
        ],
        id="label-too-long",
    ),
    pytest.param(
        "payload_budget.yaml",
        [
            "payload_budget.yaml:9:9: button payload for option 'rather_not_say_right_now' is 66"
            " bytes; it must stay within 48 (Telegram allows 64, the bot needs 16)"
            " (shorten the step id or the option value)"
        ],
        id="payload-over-budget",
    ),
    pytest.param(
        "long_text.yaml",
        [
            "long_text.yaml:5:11: 'say' is 4097 characters; Telegram allows 4096 in one message"
            " (split it into two steps)"
        ],
        id="text-too-long",
    ),
    pytest.param(
        "yaml11_booleans.yaml",
        [
            "yaml11_booleans.yaml:8:7: 'yes' is read by YAML as the boolean true"
            ' (put it in quotes, "yes", if you mean the word)',
            "yaml11_booleans.yaml:9:7: 'no' is read by YAML as the boolean false"
            ' (put it in quotes, "no", if you mean the word)',
            "yaml11_booleans.yaml:14:9: 'on' is read by YAML as the boolean true"
            ' (put it in quotes, "on", if you mean the word)',
            "yaml11_booleans.yaml:15:29: 'off' is read by YAML as the boolean false"
            ' (put it in quotes, "off", if you mean the word)',
        ],
        id="yaml-1.1-booleans",
    ),
    pytest.param(
        "empty_options.yaml",
        ["empty_options.yaml:7:14: 'options' is empty (a question needs at least one option)"],
        id="empty-options",
    ),
    pytest.param(
        "synonym_twice.yaml",
        [
            "synonym_twice.yaml:9:63: 'tight' would mean both 'chest' and 'throat'"
            " (give each typed word to one option only)"
        ],
        id="synonym-for-two-options",
    ),
    pytest.param(
        "scale_min_max.yaml",
        ["scale_min_max.yaml:7:12: scale min (5) must be below its max (1)"],
        id="scale-min-not-below-max",
    ),
    pytest.param(
        "silent_loop.yaml",
        [
            "silent_loop.yaml:10:9: these steps loop without asking anything:"
            " again -> and_again -> again (put a question in the loop, or end it)"
        ],
        id="loop-without-question",
    ),
    pytest.param(
        "duplicate_yaml_key.yaml",
        [
            "duplicate_yaml_key.yaml:6:5: duplicate key 'say'"
            " (YAML keeps only the last one; remove one)"
        ],
        id="duplicate-yaml-key",
    ),
    pytest.param(
        "label_placeholder.yaml",
        [
            "label_placeholder.yaml:14:36: '{name}' in a label can only name memory or"
            " parameters (declare it under 'memory')"
        ],
        id="label-names-a-question",
    ),
    pytest.param(
        "unmatched_brace.yaml",
        ["unmatched_brace.yaml:8:16: unmatched '{' (write {{ for a literal brace)"],
        id="unmatched-brace",
    ),
]


@pytest.fixture(autouse=True)
def _at_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def full(message: str) -> str:
    """An expected message with its path made relative to the repository root."""
    return f"{INVALID}/{message}"


def expected_total() -> int:
    return sum(len(case.values[1]) for case in CASES)


@pytest.mark.parametrize(("target", "expected"), CASES)
def test_each_mistake_gives_exactly_its_message(target, expected):
    _, problems = check_paths([INVALID / target])
    assert [str(p) for p in problems] == [full(m) for m in expected]


def test_every_invalid_file_is_in_the_table():
    covered = {f"{INVALID}/{m.split(':')[0]}" for case in CASES for m in case.values[1]}
    on_disk = {str(p) for p in INVALID.rglob("*.yaml")}
    assert on_disk - covered == {f"{INVALID}/with_param/callee.yaml"}  # the valid half of a pair
    assert covered <= on_disk


def test_folder_gives_one_located_message_per_problem():
    _, problems = check_paths([INVALID])
    texts = [str(p) for p in problems]
    assert len(problems) == expected_total()
    expected_per_file = Counter(
        f"{INVALID}/{m.split(':')[0]}" for case in CASES for m in case.values[1]
    )
    assert Counter(p.where.path for p in problems) == expected_per_file
    assert all(LOCATED.match(text) for text in texts)
    for case in CASES:
        if not case.marks:
            for message in case.values[1]:
                assert full(message) in texts


def test_cli_check_exits_1_with_located_lines():
    result = subprocess.run(
        [sys.executable, "-m", "bot", "check", str(INVALID)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines
    bad = [line for line in lines if not LOCATED.match(line)]
    assert bad == []
    assert len(lines) == expected_total()


def test_shipped_flows_have_no_problems():
    flows, problems = check_paths([shipped_flows_dir()])
    assert [str(p) for p in problems] == []
    assert {"tour", "settle"} <= set(flows)


SHAPES = """\
flow: shapes
version: 1
steps:
  - id: plain
    ask: choice
    say: "Tea or coffee?"
    options: [tea, coffee]
  - id: mapped
    ask: multi
    say: "What was there?"
    options:
      lonely: "Lonely"
      hurt: "Hurt inside"
  - id: detailed
    ask: choice
    say: "Shall we go on?"
    options:
      - {value: go_on, label: "Yes, please", goto: done}
      - {value: later, label: "Later"}
      - {value: pause}
  - id: aside
    say: "All right."
  - id: done
    end: "Bye."
"""


@pytest.fixture
def shapes(make_catalog):
    return make_catalog(shapes=SHAPES)["shapes"]


def test_options_as_a_list_of_strings(shapes):
    assert shapes.step("plain").options == (Option("tea", "tea"), Option("coffee", "coffee"))


def test_options_as_a_mapping_of_value_to_label(shapes):
    assert shapes.step("mapped").options == (
        Option("lonely", "Lonely"),
        Option("hurt", "Hurt inside"),
    )


def test_options_as_a_list_of_value_label_goto(shapes):
    assert shapes.step("detailed").options == (
        Option("go_on", "Yes, please", "done"),
        Option("later", "Later"),
        Option("pause", "pause"),  # the label defaults to the value
    )


# -- checker defects found while writing the table above; each test states the right result --


def test_loop_message_does_not_depend_on_hash_seed():
    code = (
        "import sys; from pathlib import Path; from bot.flows import check_paths;"
        " print(*check_paths([Path(sys.argv[1])])[1], sep='\\n')"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code, str(INVALID / "silent_loop.yaml")],
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
        for seed in range(6)
    }
    assert len(outputs) == 1, outputs


def test_loop_through_a_sub_flow_that_asks_is_not_silent(tmp_path):
    (tmp_path / "settle.yaml").write_text(
        (shipped_flows_dir() / "settle.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "again.yaml").write_text(
        "flow: again\n"
        "version: 1\n"
        "steps:\n"
        "  - id: intro\n"
        '    say: "Let\'s settle."\n'
        "  - id: grounding\n"
        "    call: settle\n"
        "    next:\n"
        "      - {when: \"grounding == 'worse'\", goto: intro}\n"
        "      - {goto: done}\n"
        "  - id: done\n"
        '    end: "Bye."\n',
        encoding="utf-8",
    )
    load_catalog([tmp_path])


def test_fault_in_a_folded_condition_points_into_the_condition(tmp_path):
    lines = [
        "flow: folded",
        "version: 1",
        "steps:",
        "  - id: closeness",
        "    ask: scale",
        '    say: "How close?"',
        "    scale: {min: 1, max: 5}",
        "  - id: low",
        "    when: >-",
        "      closeness <= 2",
        "      and and",
        '    say: "Hard."',
        "  - id: done",
        '    end: "Bye."',
    ]
    path = tmp_path / "folded.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, problems = check_paths([path])
    assert len(problems) == 1
    where = problems[0].where
    assert where.line in (10, 11)  # the condition's text, not the `when: >-` line
    assert where.col <= len(lines[where.line - 1])


def test_an_unquoted_no_where_a_boolean_is_wanted_gets_one_message(tmp_path):
    path = tmp_path / "flag.yaml"
    path.write_text(
        "flow: flag\nversion: 1\nsteps:\n  - id: q\n    ask: text\n    say: Hi\n"
        "    back: no\n  - id: e\n    end: Bye\n",
        encoding="utf-8",
    )
    flows, problems = check_paths([path])
    assert [str(p) for p in problems] == [
        f"{path}:7:11: 'no' is read by YAML as the boolean false (write false here)"
    ]
    assert flows["flag"].step("q").back is False


def test_odd_shapes_are_problems_not_crashes(tmp_path):
    path = tmp_path / "odd.yaml"
    path.write_text(
        "flow: odd\nversion: 1\nsteps:\n  - id: q\n    ask: [text]\n    say: Hi\n"
        "  - id: e\n    end: Bye\ntests:\n  - inputs: [x]\n    expect: 3\n",
        encoding="utf-8",
    )
    _, problems = check_paths([path])
    assert [str(p) for p in problems] == [
        f"{path}:5:10: unknown question kind ['text'] (did you mean 'text'?)",
        f"{path}:11:13: 'expect' must be a list of texts to be shown",
    ]


def test_flows_checked_beside_can_be_called_but_their_own_problems_are_not_reported(tmp_path):
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    (shipped / "helper.yaml").write_text(
        "flow: helper\nversion: 1\nparams: {topic: it}\nsteps:\n  - id: a\n    ask: text\n"
        "    say: About {topic}?\n  - id: b\n    end: Thanks.\n    return: a\n",
        encoding="utf-8",
    )
    (shipped / "broken.yaml").write_text(
        "flow: broken\nversion: 1\nsteps:\n  - id: a\n    say: Hi\n    next: nowhere\n",
        encoding="utf-8",
    )
    mine = tmp_path / "mine.yaml"
    mine.write_text(
        "flow: mine\nversion: 1\nsteps:\n  - id: ask\n    call: helper\n"
        "    with: {topic: work, mood: low}\n  - id: done\n    end: Bye {ask|}.\n",
        encoding="utf-8",
    )
    checked = check_files([mine], [shipped])
    assert [str(p) for p in checked.problems] == [
        f"{mine}:6:25: flow 'helper' has no parameter 'mood' (it declares: topic)"
        " (declare it under 'params:')"
    ]
    assert set(checked.flows) == {"mine"}
    assert set(checked.catalog) == {"mine", "helper", "broken"}
    alone = check_files([mine])
    assert [p.message for p in alone.problems] == [
        "step 'ask' calls flow 'helper', which does not exist"
    ]


UNKNOWN_KIND = """\
flow: unknown-kind
version: 1
scores:
  near: {label: Closeness, items: [closeness]}
steps:
  - id: hello
    say: "Hi."
  - id: closeness
    ask: scal
    say: "How close do you feel?"
    scale: {min: 1, max: 5}
    next:
      - {when: "closeness <= 2", goto: low}
      - {goto: done}
  - id: low
    when: "closeness <= 2"
    say: "That sounds hard at {closeness}."
  - id: pick
    ask: choice
    say: "Again?"
    options:
      - {value: again, label: "Again", goto: closeness}
      - {value: "on", label: "On"}
  - id: done
    end: "You felt {closeness} out of 5."
    return: closeness
"""


def test_an_unknown_question_kind_is_one_problem_not_a_cascade(tmp_path):
    path = tmp_path / "unknown-kind.yaml"
    path.write_text(UNKNOWN_KIND, encoding="utf-8")
    _, problems = check_paths([path])
    assert [str(p) for p in problems] == [
        f"{path}:9:10: unknown question kind 'scal' (did you mean 'scale'?)"
    ]


def test_a_real_mistake_beside_an_unknown_kind_is_still_reported(tmp_path):
    path = tmp_path / "unknown-kind.yaml"
    path.write_text(
        UNKNOWN_KIND.replace("goto: closeness}", "goto: closenes}").replace(
            "at {closeness}", "at {closeness} for {nobody}"
        ),
        encoding="utf-8",
    )
    _, problems = check_paths([path])
    assert [str(p) for p in problems] == [
        f"{path}:9:10: unknown question kind 'scal' (did you mean 'scale'?)",
        f"{path}:17:47: '{{nobody}}' does not name a question of this flow (use a question's id)",
        f"{path}:22:46: 'closenes' is not a step of this flow (did you mean 'closeness'?)",
    ]


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ("    ask: txt\n", "7:10: unknown question kind 'txt' (did you mean 'text'?)"),
        ("    ask: text\n    end: Bye\n", "8:5: a step cannot have both 'ask' and 'end'"),
    ],
    ids=["unknown-kind", "two-kinds"],
)
def test_the_step_before_a_last_step_left_out_is_no_dead_end(tmp_path, broken, message):
    path = tmp_path / "last.yaml"
    path.write_text(
        "flow: last\nversion: 1\nsteps:\n  - id: hello\n    say: Hi\n  - id: q\n"
        + broken
        + "    say: How are you?\n",
        encoding="utf-8",
    )
    _, problems = check_paths([path])
    assert [str(p) for p in problems] == [
        f"{path}:{message}" + ("" if "(" in message else " (split it into two steps)")
    ]
