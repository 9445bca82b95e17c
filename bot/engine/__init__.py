"""The pure engine: moves a run from step to step. No asyncio, Telegram, SQLite or clock."""

from bot.engine.effects import (
    Answered,
    Ask,
    Button,
    ClearChat,
    Disclosed,
    Document,
    Effect,
    Finished,
    Offer,
    Picture,
    Remembered,
    Say,
)
from bot.engine.engine import EngineError, start, step
from bot.engine.events import Back, Choice, Event, Picks, Resume, Skip, Start, Text
from bot.engine.state import SCHEMA_VERSION, SKIPPED, Frame, RunState, StateError, is_skipped

__all__ = [
    "SCHEMA_VERSION",
    "SKIPPED",
    "Answered",
    "Ask",
    "Back",
    "Button",
    "Choice",
    "ClearChat",
    "Disclosed",
    "Document",
    "Effect",
    "EngineError",
    "Event",
    "Finished",
    "Frame",
    "Offer",
    "Picks",
    "Picture",
    "Remembered",
    "Resume",
    "RunState",
    "Say",
    "Skip",
    "Start",
    "StateError",
    "Text",
    "is_skipped",
    "start",
    "step",
]
