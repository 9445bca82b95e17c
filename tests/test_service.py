"""The store and the service together, on real SQLite files."""

from __future__ import annotations

import json
import stat
from datetime import timedelta

import pytest

from bot.engine import Ask, Back, Choice, Finished, Picks, Say, Skip, Start, Text
from bot.storage import Store, open_db
from bot.storage.migrations import migrations
from bot.usecases.service import FLOW_CHANGED, NOTHING_OPEN, WELCOME_BACK, Service


def ask_of(outcome) -> Ask:
    return [e for e in outcome.effects if isinstance(e, Ask)][-1]


def test_migrations_are_named_and_applied_once(tmp_path):
    path = tmp_path / "bot.db"
    db = open_db(path)
    names = [m.name for m in migrations.applied(db)]
    assert names == [
        "m001_users",
        "m002_runs",
        "m003_answers",
        "m004_processed_events",
        "m005_memory",
        "m006_scores",
        "m007_readiness_offer",
        "m008_safety",
        "m009_practice",
        "m010_disclosures",
        "m011_shared_copies",
        "m012_inbox",
        "m013_flow_versions",
        "m014_command_menus",
        "m015_consent_dates",
    ]
    db.close()
    again = open_db(path)
    assert [m.name for m in migrations.applied(again)] == names
    assert {"users", "runs", "answers", "processed_events"} <= set(again.table_names())


def test_database_file_is_private_and_uses_wal(tmp_path):
    path = tmp_path / "data" / "bot.db"
    db = open_db(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_answer_and_position_are_written_together(service, file_store, now):
    service.handle(7, Start("tour"), now)
    service.handle(7, Choice("ready"), now)
    service.handle(7, Text("Sam"), now)
    run = file_store.active_run(7)
    assert run is not None and run.state.frame.step_id == "moment"
    rows = file_store.answers_of(run.id)
    assert [(step, value) for step, value, _ in rows] == [("partner", "Sam")]
    assert run.state.answers == {"partner": "Sam"}


def test_a_repeated_event_id_changes_nothing(service, file_store, now):
    service.handle(7, Start("tour"), now, event_id="u1")
    first = service.handle(7, Choice("ready"), now, event_id="u2")
    again = service.handle(7, Choice("ready"), now, event_id="u2")
    assert ask_of(first).key == "partner"
    # Nothing moves; the person gets the live question again rather than silence.
    assert again.duplicate and ask_of(again).key == "partner"
    assert ask_of(again).seq == ask_of(first).seq
    assert file_store.active_run(7).state.seq == ask_of(first).seq


class FailingStore(Store):
    """A store whose disk 'fails' while saving the run, after the answer row was written."""

    def save_run(self, *args, **kwargs):
        raise OSError("disk went away")


def test_a_crash_mid_step_writes_nothing_half(tmp_path, shipped, now):
    path = tmp_path / "bot.db"
    good = Service(Store(open_db(path)), shipped)
    good.handle(7, Start("tour"), now)
    good.handle(7, Choice("ready"), now)
    broken = Service(FailingStore(open_db(path)), shipped)
    with pytest.raises(OSError):
        broken.handle(7, Text("Sam"), now, event_id="u9")
    reopened = Service(Store(open_db(path)), shipped)
    run = reopened.store.active_run(7)
    assert run.state.frame.step_id == "partner"
    assert reopened.store.answers_of(run.id) == []
    # The failed event was not marked as processed, so its redelivery is applied.
    outcome = reopened.handle(7, Text("Sam"), now, event_id="u9")
    assert ask_of(outcome).key == "moment"


def test_progress_survives_reopening_the_file(tmp_path, shipped, now):
    path = tmp_path / "bot.db"
    first = Service(Store(open_db(path)), shipped)
    first.handle(7, Start("tour"), now)
    first.handle(7, Choice("ready"), now)
    first.handle(7, Text("Sam"), now)
    first.store.db.close()
    second = Service(Store(open_db(path)), shipped)
    outcome = second.handle(7, Start("tour"), now + timedelta(days=3))
    assert outcome.effects[0] == Say(
        "Welcome back. You were in “A first look around”, on the question “Think of a recent"
        " moment when you and Sam got stuck.”\nHere is where you left off:"
    )
    assert ask_of(outcome).key == "moment"
    assert "Sam" in ask_of(outcome).text


def test_starting_another_flow_pauses_the_first(service, file_store, now):
    service.handle(7, Start("tour"), now)
    service.handle(7, Choice("ready"), now)
    other = service.handle(7, Start("settle"), now)
    assert ask_of(other).key == "breathe"
    back = service.handle(7, Start("tour"), now)
    welcome = back.effects[0]
    assert isinstance(welcome, Say) and welcome.text.startswith("Welcome back. You were in")
    assert welcome.text.endswith(WELCOME_BACK.split(". ", 1)[1]) and ask_of(back).key == "partner"
    statuses = {r.flow_id: r.status for r in file_store.runs_of(7)}
    assert statuses == {"tour": "active", "settle": "paused"}


def test_people_do_not_share_progress(service, now):
    service.handle(1, Start("tour"), now)
    service.handle(1, Choice("ready"), now)
    outcome = service.handle(2, Text("hello"), now)
    assert outcome.effects == [Say(NOTHING_OPEN)]


def test_a_finished_run_keeps_its_reflection(service, file_store, now):
    steps = [
        Start("tour"),
        Choice("ready"),
        Skip(),
        Text("a cold night"),
        Choice("pursue"),
        Choice("4"),
        Picks(("hurt",)),
    ]
    for event in steps:
        outcome = service.handle(7, event, now)
    finished = [e for e in outcome.effects if isinstance(e, Finished)]
    assert finished and "felt hurt" in finished[0].reflection
    run = file_store.runs_of(7)[0]
    assert run.status == "completed"
    assert file_store.active_run(7) is None
    row = file_store.db.execute("select reflection, completed_at from runs").fetchone()
    assert row[0] == finished[0].reflection and row[1]
    values = {step: value for step, value, _ in file_store.answers_of(run.id)}
    assert values["partner"] == {"skipped": True}


def test_back_keeps_the_journal_but_changes_the_live_answer(service, file_store, now):
    for event in [
        Start("tour"),
        Choice("ready"),
        Text("Sam"),
        Text("the dishes again"),
        Choice("pursue"),
        Back(),
        Choice("withdraw"),
    ]:
        service.handle(7, event, now)
    run = file_store.active_run(7)
    assert run.state.answers["my_move"] == "withdraw"
    journal = [value for step, value, _ in file_store.answers_of(run.id) if step == "my_move"]
    assert journal == ["pursue", "withdraw"]


def test_a_run_whose_step_was_removed_is_closed_kindly(service, file_store, now):
    service.handle(7, Start("tour"), now)
    run = file_store.active_run(7)
    data = run.state.to_dict()
    data["stack"][0]["step"] = "a_step_that_was_deleted"
    file_store.db.execute("update runs set state = ? where id = ?", [json.dumps(data), run.id])
    outcome = service.handle(7, Text("hello"), now)
    assert outcome.effects == [Say(FLOW_CHANGED)]
    assert file_store.runs_of(7)[0].status == "abandoned"


def test_old_event_ids_are_pruned_and_recent_ones_kept(service, file_store, now):
    service.handle(7, Start("tour"), now - timedelta(days=40), event_id="old")
    service.handle(7, Choice("ready"), now, event_id="new")
    assert file_store.prune_events(now - timedelta(days=30)) == 1
    assert not file_store.seen_event("old")
    assert file_store.seen_event("new")
