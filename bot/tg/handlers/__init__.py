"""The Telegram handlers, one module per concern, put together in `Adapter`.

- `base`: the shared plumbing (claim an update, run an event, show and send replies)
- `conversation`: /start, /flows, /resume, /back, /skip, /cancel, /journal, messages
- `questions`: the buttons under a question
- `safety`: /sos, /safety, the readiness and disclosure-review offers
- `therapists`: /invite, /assign, /clients, /report, /therapist
- `rights`: /export, /delete
- `adapter`: registration, button routing, the repeating job, errors
"""

from bot.tg.handlers.adapter import Adapter
from bot.tg.handlers.base import App, Context

__all__ = ["Adapter", "App", "Context"]
