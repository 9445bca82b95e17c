"""The Dockerfile: hadolint finds nothing, and it runs as a non-root user with a data volume."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


def hadolint() -> str:
    found = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    assert Path(found).exists(), "hadolint is part of the test extra: pip install -e '.[test]'"
    return found


def test_hadolint_reports_nothing():
    run = subprocess.run(
        [hadolint(), "Dockerfile"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.strip() == ""


def test_the_image_runs_as_a_non_root_user_with_the_database_on_a_volume():
    assert "USER 10001" in DOCKERFILE
    assert 'VOLUME ["/data"]' in DOCKERFILE
    assert "BOT_DB_PATH=/data/" in DOCKERFILE
    assert "TELEGRAM_BOT_TOKEN=" not in DOCKERFILE.replace("-e TELEGRAM_BOT_TOKEN=", "")
