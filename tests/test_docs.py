"""Docs that cannot rot: the README names every script, command and flow-format key."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.flows.validate import ALL_STEP_KEYS, ASK_KINDS, SHARE_LEVELS, TOP_KEYS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
SCRIPTS = sorted(p.name for p in (ROOT / "scripts").glob("*.py"))


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_script_is_documented_and_answers_help(script):
    assert f"scripts/{script}" in README
    run = subprocess.run(
        [sys.executable, f"scripts/{script}", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0 and "usage" in run.stdout.lower() + run.stderr.lower()


@pytest.mark.parametrize(
    "key",
    sorted(
        {
            *TOP_KEYS,
            *ALL_STEP_KEYS,
            *ASK_KINDS,
            *SHARE_LEVELS,
            "min_chars",
            "max_chars",
            "labels",
            "value",
            "label",
            "goto",
            "inputs",
            "expect",
            "path",
            "name",
        }
    ),
)
def test_every_flow_key_is_documented(key):
    prose = re.sub(r"```.*?```", "", README, flags=re.DOTALL)
    spans = re.findall(r"`([^`\n]+)`", prose)
    assert any(re.search(rf"\b{key}\b", span) for span in spans), (
        f"README does not explain the flow key '{key}'"
    )


@pytest.mark.parametrize(
    "command", ["python -m bot chat", "python -m bot check", "python -m pytest"]
)
def test_readme_shows_the_commands(command):
    assert command in README


def test_running_without_a_token_explains_and_fails(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    run = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode != 0
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 2
    assert "@BotFather" in lines[0] and "TELEGRAM_BOT_TOKEN" in lines[0]
    assert "python -m bot chat" in lines[1]
