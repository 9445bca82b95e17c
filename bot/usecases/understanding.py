"""Typed words read for their meaning: the sentence encoder (loaded once, shared with the
crisis screen) as the similarity the engine's reading of typed answers asks for."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache, lru_cache
from pathlib import Path

import numpy as np

from bot.engine.reading import Similar
from bot.usecases.screening import shipped_reader

Embed = Callable[[Sequence[str]], np.ndarray]


def similarity(embed: Embed) -> Similar:
    """Cosine similarity of a text to phrases; the phrases (labels, synonyms, examples), the
    same for everyone, are encoded once each and kept."""

    @lru_cache(maxsize=8192)
    def phrase(text: str) -> np.ndarray:
        return np.asarray(embed([text])[0], dtype=np.float32)

    def similar(text: str, phrases: Sequence[str]) -> list[float]:
        if not phrases:
            return []
        typed = np.asarray(embed([text])[0], dtype=np.float32)
        known = np.stack([phrase(p) for p in phrases])
        return [float(x) for x in known @ typed]

    return similar


@cache
def shipped_similarity(folder: Path | None = None) -> Similar:
    """The similarity over the installed sentence encoder, built once (raises ModelError)."""
    return similarity(shipped_reader(folder).embed)


def shipped_similar(text: str, phrases: Sequence[str]) -> Sequence[float]:
    """The installed encoder's similarity, loaded on first use."""
    return shipped_similarity()(text, phrases)
