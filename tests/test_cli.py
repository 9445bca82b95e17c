"""`python -m bot` as an operator meets it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BROKEN = """\
flow: broken
version: 1
steps:
  - id: first
    ask: choice
    say: "Pick"
    options: {a: A}
    next: nowhere
"""


def bot(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT):
    base = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_passes_on_the_shipped_flows():
    run = bot("check")
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout == ""
    assert "transcript test(s) passed" in run.stderr


def test_the_bot_refuses_to_start_with_an_invalid_flow(tmp_path):
    (tmp_path / "broken.yaml").write_text(BROKEN)
    run = bot(env={"TELEGRAM_BOT_TOKEN": "123:abc", "FLOWS_DIR": str(tmp_path)}, cwd=tmp_path)
    assert run.returncode == 1
    assert "will not start while a flow is invalid" in run.stderr
    assert f"{tmp_path / 'broken.yaml'}:8:11: 'nowhere' is not a step of this flow" in run.stderr
    assert "123:abc" not in run.stdout + run.stderr


def test_the_token_can_come_from_a_dotenv_file(tmp_path):
    (tmp_path / ".env").write_text("TELEGRAM_BOT_TOKEN=123:abc\nFLOWS_DIR=flows\n")
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "broken.yaml").write_text(BROKEN)
    run = bot(cwd=tmp_path)
    assert "will not start while a flow is invalid" in run.stderr


def test_check_on_a_missing_path_says_so(tmp_path):
    run = bot("check", str(tmp_path / "nope"))
    assert run.returncode == 1
    assert "no such file or folder" in run.stderr


def test_a_failing_transcript_is_a_located_problem(tmp_path):
    (tmp_path / "t.yaml").write_text(
        "flow: t\nversion: 1\nsteps:\n  - id: q\n    ask: text\n    say: Hi\n"
        "  - id: e\n    end: Bye {q}\ntests:\n  - name: wrong\n    inputs: [hello]\n"
        "    expect: [Goodbye]\n"
    )
    run = bot("check", str(tmp_path))
    assert run.returncode == 1
    assert run.stdout.strip() == (
        f"{tmp_path / 't.yaml'}:10:5: test 'wrong': expected text not shown: 'Goodbye'"
    )


def test_understand_prints_how_each_typed_answer_is_read():
    run = subprocess.run(
        [sys.executable, "-m", "bot", "understand", "getting-started", "country"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        input="3\nUntied Kingdom\nidk\nwhat?\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert lines == [
        {"action": "accept", "values": ["ie"]},
        {"action": "accept", "values": ["gb"]},
        {"action": "retry", "values": []},
        {"action": "retry", "values": []},
    ]


def test_understand_names_the_button_questions_of_a_flow_when_the_step_is_wrong():
    run = bot("understand", "tour", "nowhere")
    assert run.returncode == 2
    assert "my_move, closeness, under" in run.stderr


CALLS_SETTLE = """\
flow: my-flow
version: 1
locks:
  - when: "not done_name_the_cycle"
    because: "This one opens after Naming the loop."
steps:
  - id: calm
    call: settle
    with: {feeling: "the rush"}
  - id: done
    end: "After the minute: {calm|not said}."
tests:
  - name: a calmer minute
    inputs: [ready, calmer]
    path: [breathe, after]
    expect: ["After the minute: A little calmer."]
"""


def test_check_of_one_file_sees_the_shipped_sub_flows_and_runs_only_its_own_tests(tmp_path):
    (tmp_path / "my-flow.yaml").write_text(CALLS_SETTLE)
    run = bot("check", str(tmp_path / "my-flow.yaml"))
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout == ""
    assert "1 flow(s) checked, 1 transcript test(s) passed." in run.stderr


def test_a_single_file_whose_test_fails_in_the_shipped_sub_flow_says_so(tmp_path):
    (tmp_path / "my-flow.yaml").write_text(CALLS_SETTLE.replace("calmer]", "worse]"))
    run = bot("check", str(tmp_path / "my-flow.yaml"))
    assert run.returncode == 1
    assert run.stdout.startswith(f"{tmp_path / 'my-flow.yaml'}:13:5: test 'a calmer minute':")


def test_a_file_that_takes_a_shipped_flow_id_is_told_so(tmp_path):
    (tmp_path / "settle.yaml").write_text(CALLS_SETTLE.replace("my-flow", "settle"))
    run = bot("check", str(tmp_path))
    assert run.returncode == 1
    assert run.stdout.startswith(f"{tmp_path / 'settle.yaml'}:1:7: flow id 'settle' is already")
    assert "bot/content/flows/settle.yaml (give each flow its own id)" in run.stdout


def test_checking_a_shipped_file_by_name_is_not_a_clash_with_itself():
    run = bot("check", "bot/content/flows/settle.yaml")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 flow(s) checked, 1 transcript test(s) passed." in run.stderr


def test_schema_prints_the_json_schema_of_flows():
    run = bot("schema")
    assert run.returncode == 0, run.stderr
    assert run.stdout == (ROOT / "schema" / "flow.schema.json").read_text(encoding="utf-8")


def test_schema_write_puts_the_schema_in_a_folder_and_says_how_to_point_flows_at_it(tmp_path):
    folder = tmp_path / "my flows"
    (folder / "older").mkdir(parents=True)
    shipped_line = "# yaml-language-server: $schema=../../../schema/flow.schema.json\n"
    own_line = "# yaml-language-server: $schema=./flow.schema.json\n"
    flow = 'flow: {id}\nversion: 1\nsteps:\n  - id: done\n    end: "Bye."\n'
    (folder / "copied.yaml").write_text(shipped_line + flow.format(id="copied"), "utf-8")
    (folder / "older" / "sub.yaml").write_text(flow.format(id="sub"), "utf-8")
    (folder / "ready.yaml").write_text(own_line + flow.format(id="ready"), "utf-8")

    run = bot("schema", "--write", str(folder))

    assert run.returncode == 0, run.stderr
    written = folder / "flow.schema.json"
    assert written.read_bytes() == (ROOT / "schema" / "flow.schema.json").read_bytes()
    lines = run.stdout.splitlines()
    assert own_line.strip() in lines
    assert f"  {folder / 'copied.yaml'}: {own_line.strip()}" in lines
    assert (
        f"  {folder / 'older' / 'sub.yaml'}: # yaml-language-server: $schema=../flow.schema.json"
        in lines
    )
    assert not any("ready.yaml" in line for line in lines)
    check = bot("check", str(folder))
    assert check.returncode == 0, check.stdout + check.stderr  # the schema is no flow to check


def test_schema_write_refuses_a_file(tmp_path):
    target = tmp_path / "flows.yaml"
    target.write_text("flow: x\n", encoding="utf-8")
    run = bot("schema", "--write", str(target))
    assert run.returncode == 2
    assert "is not a folder" in run.stderr
