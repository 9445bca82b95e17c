"""Authors publish new versions of a flow while people are half-way through it: the checker
refuses a version that would strand them, and open runs go on in the new one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.engine import Ask, Choice, Finished, Say, Start, Text
from bot.flows import FlowError, load_catalog
from bot.storage import Store, open_db
from bot.usecases.conversations import FLOW_CHANGED, MOVED_ON
from bot.usecases.publishing import publish, refusals
from bot.usecases.service import Service

ROOT = Path(__file__).resolve().parents[1]

V1 = """\
flow: evening
version: 1
title: An evening plan
steps:
  - id: mood
    ask: choice
    say: How was your day?
    options: {good: Good, hard: Hard}
  - id: wish
    ask: text
    say: What would you like tonight?
  - id: extra
    ask: text
    say: Anything else on your mind?
  - id: plan
    ask: text
    say: What will you do first?
  - id: done
    end: "Tonight: {wish}. First: {plan}."
"""

# Renames wish to hope and removes mood and extra, saying where each went.
V2 = """\
flow: evening
version: 2
title: An evening plan
migrate:
  from: 1
  renamed: {wish: hope}
  removed: {mood: hope, extra: plan}
steps:
  - id: hope
    ask: text
    say: What are you hoping for tonight?
  - id: plan
    ask: text
    say: What will you do first?
  - id: done
    end: "Tonight: {hope}. First: {plan}."
"""

# Renames plan without a mapping.
V3_UNMAPPED = (
    V2.replace("version: 2", "version: 3")
    .replace("from: 1", "from: 2")
    .replace("  renamed: {wish: hope}\n  removed: {mood: hope, extra: plan}\n", "  renamed: {}\n")
    .replace("id: plan", "id: first_step")
    .replace("{plan}", "{first_step}")
)


def write(folder: Path, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / "evening.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def asked(outcome: object) -> Ask:
    return [e for e in outcome.effects if isinstance(e, Ask)][-1]  # type: ignore[attr-defined]


def said(outcome: object) -> list[str]:
    return [e.text for e in outcome.effects if isinstance(e, Say)]  # type: ignore[attr-defined]


@pytest.fixture
def flows(tmp_path: Path) -> Path:
    return tmp_path / "flows"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(open_db(tmp_path / "bot.db"))


def test_a_person_carries_on_in_the_new_version_without_being_told(flows, store, now):
    write(flows, V1)
    v1 = load_catalog([flows])
    publish(store, v1, now)
    service = Service(store, v1)
    service.handle(5, Start("evening"), now)
    service.handle(5, Choice("good"), now)
    service.handle(5, Text("a quiet walk"), now)
    on_extra = service.handle(5, Text("work, a bit"), now)
    assert asked(on_extra).key == "plan"

    write(flows, V2)
    v2 = load_catalog([flows])
    assert refusals(v2, store.versions.latest()) == []
    outcome = publish(store, v2, now)
    assert [(p.flow_id, p.version) for p in outcome.new] == [("evening", 2)]
    assert (outcome.carried, outcome.moved) == (1, 0)
    after = Service(store, v2).handle(5, Text("put the kettle on"), now)

    texts = said(after)
    assert FLOW_CHANGED not in texts and MOVED_ON not in texts
    finished = [e for e in after.effects if isinstance(e, Finished)]
    assert [f.reflection for f in finished] == ["Tonight: a quiet walk. First: put the kettle on."]
    run = store.runs_of(5)[0]
    assert run.flow_version == 2
    steps = {step: value for step, value, _ in store.answers_of(run.id)}
    # The renamed step's answer follows it; the removed steps' answers are kept as they were.
    assert steps == {
        "mood": "good",
        "hope": "a quiet walk",
        "extra": "work, a bit",
        "plan": "put the kettle on",
    }
    assert store.versions.question("evening", "mood") == (
        "How was your day?",
        {"good": "Good", "hard": "Hard"},
    )


def test_a_person_on_a_removed_step_is_told_and_shown_where_it_goes_on(flows, store, now):
    write(flows, V1)
    v1 = load_catalog([flows])
    publish(store, v1, now)
    service = Service(store, v1)
    service.handle(5, Start("evening"), now)
    service.handle(5, Choice("good"), now)
    on_extra = service.handle(5, Text("a quiet walk"), now)
    assert asked(on_extra).key == "extra"

    write(flows, V2)
    v2 = load_catalog([flows])
    assert publish(store, v2, now).moved == 1
    service = Service(store, v2)
    # Typed as the answer to a question that is gone: not taken as the answer to another.
    moved = service.handle(5, Text("my sister's news"), now)
    assert said(moved)[0] == MOVED_ON
    assert asked(moved).key == "plan"
    run = store.runs_of(5)[0]
    assert "my sister's news" not in [v for _, v, _ in store.answers_of(run.id)]
    # Told once: the next message is an answer again.
    done = service.handle(5, Text("a bath"), now)
    finished = [e.reflection for e in done.effects if isinstance(e, Finished)]
    assert finished == ["Tonight: a quiet walk. First: a bath."]


def test_a_version_that_renames_a_step_without_a_mapping_is_refused(flows, store, now):
    write(flows, V1)
    publish(store, load_catalog([flows]), now)
    publish(store, load_catalog([write(flows, V2)]), now)
    path = write(flows, V3_UNMAPPED)
    problems = refusals(load_catalog([flows]), store.versions.latest())
    assert [str(p) for p in problems] == [
        f"{path}:2:1: version 3 drops step id(s) 'plan' of published version 2 without a"
        " mapping (name each under migrate's renamed (old: new) or removed (old: the step to"
        " go on from))"
    ]


def test_steps_dropped_without_raising_the_version_are_refused(flows, store, now):
    write(flows, V1)
    publish(store, load_catalog([flows]), now)
    same = V2.replace("version: 2", "version: 1").replace("from: 1", "from: 1")
    write(
        flows,
        same.replace("migrate:\n  from: 1\n", "").replace(
            "  renamed: {wish: hope}\n  removed: {mood: hope, extra: plan}\n", ""
        ),
    )
    problems = refusals(load_catalog([flows]), store.versions.latest())
    assert len(problems) == 1
    assert "step id(s) 'mood', 'wish', 'extra' of published version 1 are gone" in str(problems[0])
    assert "raise it to 2" in str(problems[0])


def test_a_migration_must_point_at_steps_that_exist(flows):
    broken = V2.replace("removed: {mood: hope, extra: plan}", "removed: {mood: hpoe, plan: hope}")
    path = write(flows, broken)
    with pytest.raises(FlowError) as error:
        load_catalog([flows])
    text = str(error.value)
    assert f"{path}:7:" in text and "'mood' removed to 'hpoe', which is not a step" in text
    assert "did you mean 'hope'?" in text
    assert "'plan' is still a step of this flow, so it was not removed" in text


def test_check_refuses_against_the_running_bots_database(flows, tmp_path, store, now):
    write(flows, V1)
    publish(store, load_catalog([flows]), now)
    path = write(flows, V2.replace("renamed: {wish: hope}", "renamed: {}"))
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
        "BOT_DB_PATH": str(tmp_path / "bot.db"),
    }
    checked = subprocess.run(
        [sys.executable, "-m", "bot", "check", str(path)],
        capture_output=True, text=True, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert checked.returncode == 1
    assert f"{path}:2:1: version 2 drops step id(s) 'wish' of published version 1" in (
        checked.stdout
    )
    # The check only reads the bot's database.
    assert [p.version for p in store.versions.history("evening")] == [1]
    assert json.loads(store.versions.history("evening")[0].to_json())["steps"][0] == "mood"
