"""Wiring: settings → database → service → python-telegram-bot Application → polling or webhook."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import warnings
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from telegram import BotCommand
from telegram.ext import ApplicationBuilder
from telegram.warnings import PTBDeprecationWarning

from bot.config import Settings
from bot.flows.model import Catalog, LiveCatalog
from bot.storage import Store, open_db
from bot.tg import texts
from bot.tg.handlers import Adapter, App
from bot.tg.intake import poll
from bot.tg.ordering import PerPersonOrder
from bot.tg.pacing import Courtesy
from bot.tg.webhook import serve
from bot.usecases.publishing import checked, publish, refusals
from bot.usecases.screening import Screen
from bot.usecases.service import Service
from bot.usecases.understanding import shipped_similarity

log = logging.getLogger(__name__)

# Libraries that log request parameters (what people wrote) or URLs (the token) at DEBUG or
# INFO: they never go below WARNING, whatever LOG_LEVEL says.
CHATTY_LOGGERS = ("httpx", "httpcore", "telegram", "apscheduler", "tornado")


class Redact(logging.Filter):
    """Replaces the token in any log record, as a last line of defence."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message without the secret."""
        message = record.getMessage()
        if self.secret and self.secret in message:
            record.msg = message.replace(self.secret, "<token>")
            record.args = None
        return True


def configure_logging(settings: Settings) -> None:
    """Our own logs at LOG_LEVEL; libraries at WARNING; the token redacted everywhere."""
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # PTB 22 announces that retry_after becomes a timedelta; the presenter takes both.
    warnings.filterwarnings("ignore", category=PTBDeprecationWarning, message=".*retry_after.*")
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLogger().level))
    # The rate limiter logs every 429 it passes on with a traceback; the sender that waits it
    # out logs it once, in a line.
    logging.getLogger("telegram.ext.AIORateLimiter").setLevel(logging.CRITICAL)
    if settings.token:
        for handler in logging.getLogger().handlers:
            handler.addFilter(Redact(settings.token))


def _set_commands(adapter: Adapter) -> Callable[[App], Coroutine[Any, Any, None]]:
    """At start-up: everyone's command menu, and the therapists' in each therapist's chat."""

    async def post_init(app: App) -> None:
        await app.bot.set_my_commands([BotCommand(name, about) for name, about in texts.COMMANDS])
        await adapter.sync_menus(app.bot, everyone=True)

    return post_init


def build_application(
    settings: Settings,
    service: Service,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> App:
    """The PTB application with every handler installed."""
    assert settings.token, "a token is required"
    adapter = Adapter(service, clock)
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .post_init(_set_commands(adapter))
        # Many people at a time, each one's updates in order: a chat waiting out a 429 or a
        # slow send holds up no one else. Sending is paced by Telegram's overall limit; the
        # HTTP pool stays small (its bookkeeping grows with every open connection).
        .concurrent_updates(PerPersonOrder())
        .rate_limiter(Courtesy(overall_max_rate=settings.max_sends_per_second, in_flight=8))
        .connection_pool_size(8)
    )
    if settings.api_base_url:
        builder = builder.base_url(settings.api_base_url)
    app = builder.build()
    adapter.install(app)
    if app.job_queue is not None:
        # Reminders are rows in SQLite; this only looks for the due ones, so none is lost
        # across a restart and a reminder due while the bot was down goes out once after it.
        app.job_queue.run_repeating(adapter.tick, interval=settings.tick_seconds, first=1)
    return app


def clock_from(settings: Settings) -> Callable[[], datetime]:
    """The real clock; in tests, the time written in BOT_CLOCK_FILE (read at every call)."""
    path = settings.clock_file
    if path is None:
        return lambda: datetime.now(UTC)

    def read() -> datetime:
        try:
            return datetime.fromisoformat(path.read_text(encoding="utf-8").strip())
        except (OSError, ValueError):
            return datetime.now(UTC)

    return read


def pid_file(settings: Settings) -> Path:
    """Where a running bot writes its process id, for `python -m bot reload`."""
    return settings.db_path.with_suffix(".pid")


def reloader(
    live: LiveCatalog, store: Store, paths: list[Path], clock: Callable[[], datetime]
) -> Callable[[], None]:
    """What SIGHUP does: load the flows again and swap them in only if the whole catalog checks
    clean and strands no open run; otherwise keep the flows the bot has. Only flow ids,
    versions and the authors' problems reach the log."""

    def reload() -> None:
        try:
            catalog, problems = checked(paths, store.versions.latest())
            if catalog is None:
                log.error("reload refused; still running the flows loaded before:\n%s", problems)
                return
            added = sorted(set(catalog) - set(live))
            removed = sorted(set(live) - set(catalog))
            outcome = publish(store, catalog, clock())
            live.replace(catalog)
            log.info(
                "flows reloaded: %d flows; added: %s; removed: %s; %s",
                len(catalog),
                ", ".join(added) or "none",
                ", ".join(removed) or "none",
                outcome.summary(),
            )
        except Exception:  # a reload must never stop the bot
            log.exception("reload failed; still running the flows loaded before")

    return reload


def run(settings: Settings, catalog: Catalog, screen: Screen, paths: list[Path]) -> int:
    """Run until SIGINT or SIGTERM, screening with `screen`; reload the flows in `paths` on
    SIGHUP; returns an exit status."""
    configure_logging(settings)
    db = open_db(settings.db_path)
    store = Store(db)
    refused = refusals(catalog, store.versions.latest())
    if refused:
        print(
            "The bot will not start: these flows would strand people half-way through:",
            *refused,
            sep="\n",
            file=sys.stderr,
        )
        db.close()
        return 1
    clock = clock_from(settings)
    log.info("flows published: %s", publish(store, catalog, clock()).summary())
    # Redelivered updates arrive within minutes; a month of event ids is more than enough.
    store.prune_events(datetime.now(UTC) - timedelta(days=30))
    similar = shipped_similarity(settings.screen_model_dir)
    live = LiveCatalog(catalog)
    service = Service(store, live, settings.therapist_ids, screen, similar)
    app = build_application(settings, service, clock)
    reload = reloader(live, store, paths, clock)
    pid = pid_file(settings)
    pid.write_text(f"{os.getpid()}\n", encoding="utf-8")
    log.info("starting with %d flows, database %s", len(catalog), settings.db_path)
    try:
        if settings.webhook_url:
            asyncio.run(serve(app, store, clock, settings, reload))
        else:
            # Our own polling: each update is in SQLite before Telegram is told it arrived.
            asyncio.run(poll(app, store, clock, reload))
    finally:
        db.close()
        pid.unlink(missing_ok=True)
    log.info("stopped cleanly")
    return 0
