"""End to end: an author publishes a new version of a flow while a person is half-way through
it, and the running bot reloads on SIGHUP (`python -m bot reload`); the real bot process and
python-telegram-bot's HTTP stack against the fake Bot API server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from test_versions import V1, V2, V3_UNMAPPED, write

ROOT = Path(__file__).resolve().parents[1]
FLOW_CHANGED = "This conversation has changed since you began it"


def reload(bot_env: dict[str, str], workdir: Path) -> subprocess.CompletedProcess[str]:
    """`python -m bot reload`, as an author would run it beside the bot."""
    return subprocess.run(
        [sys.executable, "-m", "bot", "reload"],
        capture_output=True, text=True, env=bot_env, cwd=workdir, timeout=120,
    )  # fmt: skip


def test_an_author_publishes_a_new_version_while_a_person_is_half_way(fake, launch, tmp_path):
    flows = tmp_path / "flows"
    write(flows, V1)
    bot = launch(FLOWS_DIR=str(flows))
    user = 301
    fake.send_text(user, "/start evening")
    fake.wait_for_text(user, "How was your day?")
    fake.press_button(user, "Good")
    fake.wait_for_text(user, "What would you like tonight?")
    fake.send_text(user, "a quiet walk by the canal")
    fake.wait_for_text(user, "Anything else on your mind?")
    fake.send_text(user, "the boiler man on Tuesday")
    fake.wait_for_text(user, "What will you do first?")

    write(flows, V2)
    env = {**os.environ, **bot.env}
    sent = reload(env, tmp_path)
    assert sent.returncode == 0, sent.stderr
    fake.wait_until(lambda: "flows reloaded" in bot.logs(), what="the bot to reload")
    assert "new versions: evening v2; open runs moved on: 1" in bot.logs()

    fake.send_text(user, "put the kettle on")
    fake.wait_for_text(user, "Tonight: a quiet walk by the canal. First: put the kettle on.")
    assert not any(FLOW_CHANGED in m.text for m in fake.messages(user))
    assert not any("no longer in it" in m.text for m in fake.messages(user))

    fake.send_text(user, "/journal")
    fake.wait_for_text(user, "Tonight: a quiet walk by the canal.")
    fake.send_text(user, "/export")
    fake.wait_until(
        lambda: len([m for m in fake.messages(user) if m.kind == "document"]) == 2,
        what="two files",
    )
    files = {m.file["file_name"]: m.data for m in fake.messages(user) if m.kind == "document"}
    exported = json.loads(next(v for k, v in files.items() if k.endswith(".json")))
    answers = {a["step"]: a["value"] for a in exported["tables"]["answers"]}
    assert answers == {
        "mood": "good",
        "hope": "a quiet walk by the canal",
        "extra": "the boiler man on Tuesday",
        "plan": "put the kettle on",
    }
    readable = next(v for k, v in files.items() if k.endswith(".md")).decode()
    # Each answer under its question: today's, or the one the removed step asked.
    assert "- How was your day?\n  **Good**" in readable
    assert "- What are you hoping for tonight?\n  **a quiet walk by the canal**" in readable
    assert "- Anything else on your mind?\n  **the boiler man on Tuesday**" in readable

    # A version that renames a step without saying where it went is refused, by the command
    # and by the bot itself when signalled anyway; the bot keeps running version 2.
    path = write(flows, V3_UNMAPPED)
    refused = reload(env, tmp_path)
    assert refused.returncode == 1
    assert f"{path}:2:1: version 3 drops step id(s) 'plan'" in refused.stderr
    assert bot.proc is not None
    bot.proc.send_signal(1)  # SIGHUP, as an operator's own script might
    fake.wait_until(lambda: "reload refused" in bot.logs(), what="the bot to refuse")
    other = 302
    fake.send_text(other, "/start evening")
    fake.wait_for_text(other, "What are you hoping for tonight?")
    assert bot.proc.poll() is None
    # Nothing a person wrote reached the log.
    logs = bot.logs()
    for words in ("quiet walk", "boiler man", "kettle"):
        assert words not in logs

    # Restarted with that version in place, the bot does not start, and says why.
    bot.stop()
    started = subprocess.run(
        [sys.executable, "-m", "bot"], capture_output=True, text=True, env=env, cwd=tmp_path,
        timeout=120,
    )  # fmt: skip
    assert started.returncode == 1
    assert "The bot will not start: these flows would strand people half-way through" in (
        started.stderr
    )
    assert f"{path}:2:1: version 3 drops step id(s) 'plan'" in started.stderr
