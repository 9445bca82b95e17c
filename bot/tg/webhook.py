"""Webhook mode with the inbox: an update is in SQLite before Telegram gets its HTTP 200.

Telegram retries a webhook call that is not answered 200; answering only after the commit
means a crash between the two leaves the update with Telegram, which sends it again. The
update is then handled like one fetched by polling (bot/tg/intake.py), in the same order.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import signal
from collections.abc import Callable
from datetime import datetime
from typing import Any

import tornado.httpserver
import tornado.web
from telegram import Update
from telegram.ext import Application

from bot.config import Settings
from bot.storage import Store
from bot.tg.intake import Intake

log = logging.getLogger(__name__)

WEBHOOK_PATH = "telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class Receive(tornado.web.RequestHandler):
    """POST /telegram: check the secret, keep the update, answer 200, then hand it on."""

    def initialize(self, intake: Intake, secret: str | None) -> None:
        """Tornado passes the intake and the secret of this webhook."""
        self.intake = intake
        self.secret = secret

    def post(self) -> None:
        """One update from Telegram."""
        given = self.request.headers.get(SECRET_HEADER, "")
        if self.secret and not hmac.compare_digest(given.encode(), self.secret.encode()):
            self.set_status(403)
            return
        try:
            raw = json.loads(self.request.body)
        except ValueError:
            raw = None
        if not isinstance(raw, dict):
            self.set_status(400)
            return
        kept = self.intake.keep([raw])
        self.set_status(200)
        self.finish()
        for update_id, update in kept:
            self.intake.dispatch(update_id, update)


async def serve(
    app: Application[Any, Any, Any, Any, Any, Any],
    store: Store,
    clock: Callable[[], datetime],
    settings: Settings,
    reload: Callable[[], None] | None = None,
) -> None:
    """Run the application behind the webhook until SIGINT or SIGTERM, then stop cleanly;
    `reload` runs on SIGHUP, between two updates."""
    intake = Intake(app, store, clock)
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopped.set)
    if reload is not None:
        loop.add_signal_handler(signal.SIGHUP, reload)
    web = tornado.web.Application(
        [(rf"/{WEBHOOK_PATH}", Receive, {"intake": intake, "secret": settings.webhook_secret})]
    )
    server = tornado.httpserver.HTTPServer(web)
    async with app:
        if app.post_init is not None:
            await app.post_init(app)
        await app.start()
        intake.drain()
        server.listen(settings.webhook_port, address=settings.webhook_listen)
        await app.bot.set_webhook(
            url=str(settings.webhook_url),
            secret_token=settings.webhook_secret,
            allowed_updates=list(Update.ALL_TYPES),
        )
        try:
            await stopped.wait()
        finally:
            server.stop()
            await intake.finish()
            await app.stop()
