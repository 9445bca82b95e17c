"""Settings from the environment (and a `.env` file if present): the only reader of os.environ."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DB = Path("data") / "secure-base.db"


def read_dotenv(path: Path) -> dict[str, str]:
    """KEY=value lines of a .env file; comments and blank lines are ignored."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip().removeprefix("export ").strip()] = value.strip().strip("'\"")
    return values


@dataclass(frozen=True)
class Settings:
    """Everything configurable about a running bot."""

    token: str | None
    db_path: Path
    flows_dir: Path | None
    api_base_url: str | None
    log_level: str
    webhook_url: str | None = None
    webhook_port: int = 8443
    webhook_secret: str | None = None
    webhook_listen: str = "0.0.0.0"  # Telegram must reach a webhook from outside
    tick_seconds: float = 30.0
    """How often due reminders are looked for."""
    therapist_ids: frozenset[int] = frozenset()
    """People who are therapists by the operator's setting (besides `therapists add`)."""
    clock_file: Path | None = None
    """Tests only: a file holding the current time (ISO), so a test can move the clock."""
    max_sends_per_second: float = 30.0
    """Telegram's overall limit for a bot's messages (0: no limit kept by the bot itself)."""
    screen_model_dir: Path | None = None
    """Another copy of the crisis screen's model files (model.onnx, tokenizer.json)."""

    def __repr__(self) -> str:
        # Never show the token, even in a traceback or a debug print.
        shown = "set" if self.token else "unset"
        return f"Settings(token={shown}, db_path={self.db_path!s}, flows_dir={self.flows_dir!s})"

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None, dotenv: Path | None = None) -> Settings:
        """Settings from `environ` (default os.environ) over the .env file."""
        env = {**read_dotenv(dotenv or Path(".env")), **(environ or os.environ)}
        flows = env.get("FLOWS_DIR")
        return cls(
            token=env.get("TELEGRAM_BOT_TOKEN") or None,
            db_path=Path(env.get("BOT_DB_PATH") or DEFAULT_DB),
            flows_dir=Path(flows) if flows else None,
            api_base_url=env.get("TELEGRAM_API_BASE_URL") or None,
            log_level=env.get("LOG_LEVEL", "INFO").upper(),
            webhook_url=env.get("WEBHOOK_URL") or None,
            webhook_port=int(env.get("WEBHOOK_PORT") or 8443),
            webhook_secret=env.get("WEBHOOK_SECRET") or None,
            webhook_listen=env.get("WEBHOOK_LISTEN") or "0.0.0.0",
            tick_seconds=float(env.get("REMINDER_TICK_SECONDS") or 30),
            therapist_ids=frozenset(
                int(part)
                for part in (env.get("THERAPIST_IDS") or "").replace(" ", "").split(",")
                if part
            ),
            clock_file=Path(env["BOT_CLOCK_FILE"]) if env.get("BOT_CLOCK_FILE") else None,
            screen_model_dir=(
                Path(env["SCREEN_MODEL_DIR"]) if env.get("SCREEN_MODEL_DIR", "").strip() else None
            ),
            max_sends_per_second=float(env.get("TELEGRAM_MAX_SENDS_PER_SECOND") or 30),
        )
