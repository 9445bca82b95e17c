"""The crisis screen as the bot runs it: the phrase lists and the learned classifier, over the
sentence encoder loaded once for the whole process."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

from bot.meaning.encoder import MODEL_SHA256, Encoder, ModelError, shipped_files
from bot.safety.learned import Reader, shipped_classifier, shipped_examples
from bot.safety.screen import Flag, screen

Screen = Callable[[str], Flag | None]
"""A message → what the screen finds in it, or None."""


@cache
def shipped_reader(folder: Path | None = None) -> Reader:
    """The encoder (from the installed files, or from `folder`) and the shipped classifier,
    loaded once (raises ModelError)."""
    # The encoder first: its load needs some 45 MB for a moment, and taken while the process
    # is still small, that moment sets the bot's peak some 20 MB lower.
    encoder = Encoder(shipped_files(folder))
    try:
        classifier = shipped_classifier()
        examples = shipped_examples()
    except (OSError, ValueError, KeyError) as error:
        raise ModelError(
            "The crisis screen's classifier (bot/content/safety/screen_model.json and"
            " screen_examples.npz) cannot be read: reinstall the bot, or run"
            " scripts/train_screen.py. The bot does not start without it."
        ) from error
    if classifier.model_sha256 != MODEL_SHA256:
        raise ModelError(
            "The crisis screen's classifier was trained on another sentence model than the one"
            " installed: run scripts/train_screen.py. The bot does not start without it."
        )
    return Reader(encoder.embed, classifier, examples)


def learned_screen(text: str) -> Flag | None:
    """The shipped screen over the installed model: the lists and the classifier together."""
    return screen(text, reader=shipped_reader())


def load(folder: Path | None = None) -> Screen:
    """Load the model now (at start-up, so that a missing or damaged file stops the bot before
    anyone writes to it) and return the screen."""
    reader = shipped_reader(folder)
    return lambda text: screen(text, reader=reader)
