"""Run the real bot (`python -m bot`) as a child process against the fake Bot API server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parents[1]


class BotProcess:
    """The bot in its own process: started, killed and restarted like a real deployment."""

    def __init__(self, fake: FakeTelegram, workdir: Path, **env: str) -> None:
        self.fake = fake
        self.workdir = workdir
        self.db = workdir / "bot.db"
        self.log = workdir / "bot.log"
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONPATH": str(ROOT),
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "BOT_DB_PATH": str(self.db),
            "LOG_LEVEL": "DEBUG",
            **env,
        }
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30, ready: str = "getUpdates") -> BotProcess:
        """Start the bot and wait until it calls `ready` (polling, or setting its webhook)."""
        polls = len(self.fake.requests_to(ready))
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot"],
                cwd=self.workdir,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        proc = self.proc
        self.fake.wait_until(
            lambda: len(self.fake.requests_to(ready)) > polls or proc.poll() is not None,
            timeout,
            what=f"the bot to call {ready}",
        )
        assert self.proc.poll() is None, f"the bot exited early:\n{self.logs()}"
        return self

    def kill(self, sig: int = signal.SIGKILL, timeout: float = 20) -> int:
        """Send a signal and wait for the process to end; returns its exit code."""
        assert self.proc is not None
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise

    def stop(self) -> None:
        """Stop the bot if it still runs."""
        if self.proc is not None and self.proc.poll() is None:
            self.kill(signal.SIGTERM)

    def logs(self) -> str:
        """Everything the bot has logged so far."""
        time.sleep(0.05)
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
