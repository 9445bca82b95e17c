"""The sentence encoder: all-MiniLM-L6-v2 run on this machine through onnxruntime.

The model is our own int8 ONNX export of the official weights after fine-tuning them on the
screen's labelled corpus (scripts/tune_encoder.py; bot/content/model/README.md says how it was
made and measured); it and the official tokenizer.json ship in bot/content/model and are read
once at start-up, each checked against the sha256 pinned here: a file that does not match is refused
with a message saying what to do. Nothing is downloaded, and nothing a person writes leaves the
process or reaches a log. SCREEN_MODEL_DIR (bot.config) points at another copy of the same two
files, for machines that cannot install the package.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt
import onnxruntime
from tokenizers import Tokenizer

MODEL_NAME = "all-MiniLM-L6-v2, fine-tuned for the screen (int8 ONNX)"
MODEL_SHA256 = "a9a326a490b82c4faf4dcc843918a69d9259e7c06687514983ece620209380ae"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
MAX_TOKENS = 256
"""As sentence-transformers reads this model: longer texts are cut."""
DIMENSIONS = 384
Vectors = npt.NDArray[np.float32]


class ModelError(RuntimeError):
    """The model files are missing or are not the ones this bot was built and checked with."""


@dataclass(frozen=True)
class ModelFiles:
    """Where the two files are read from."""

    model: Path
    tokenizer: Path


def shipped_files(folder: Path | None = None) -> ModelFiles:
    """The installed files, or those in `folder` (the operator's SCREEN_MODEL_DIR)."""
    if folder is not None:
        return ModelFiles(folder / "model.onnx", folder / "tokenizer.json")
    shipped = Path(str(resources.files("bot") / "content" / "model"))
    return ModelFiles(shipped / "model.onnx", shipped / "tokenizer.json")


def _advice(what: str) -> str:
    return (
        f"The crisis screen's language model cannot be loaded: {what}. "
        f"Reinstall the bot (pip install -e .), or put model.onnx and tokenizer.json of "
        f"{MODEL_NAME} in a folder and set SCREEN_MODEL_DIR to it."
        " The bot does not start without it."
    )


def _check(path: Path, sha256: str) -> None:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as file:
            while chunk := file.read(1 << 20):
                digest.update(chunk)
    except OSError as error:
        raise ModelError(_advice(f"{path} cannot be read ({error.strerror})")) from error
    if digest.hexdigest() != sha256:
        raise ModelError(
            _advice(f"{path} is not the expected file (its sha256 differs from {sha256[:12]}…)")
        )


class Encoder:
    """Turns texts into unit vectors whose closeness is closeness of meaning."""

    def __init__(self, files: ModelFiles | None = None, threads: int = 1) -> None:
        files = files or shipped_files()
        _check(files.model, MODEL_SHA256)
        _check(files.tokenizer, TOKENIZER_SHA256)
        self._tokenizer = Tokenizer.from_file(str(files.tokenizer))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # Without the arena a long message's buffers go back when it is read: some 70 MB less
        # resident memory, at no cost in speed measured here.
        options.enable_cpu_mem_arena = False
        try:
            # By path, not bytes: onnxruntime maps the file, some 30 MB less at the peak.
            self._session = onnxruntime.InferenceSession(
                str(files.model), options, providers=["CPUExecutionProvider"]
            )
        except Exception as error:  # onnxruntime raises its own kinds for a damaged graph
            raise ModelError(
                _advice(f"{files.model} is not a model onnxruntime can run")
            ) from error

    def embed(self, texts: Sequence[str]) -> Vectors:
        """One 384-number unit vector a text (mean of the token states, as the model is meant
        to be read); an empty sequence gives an empty array."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        encoded = self._tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encoded], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
        lengths = mask.sum(axis=1)
        unit = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        # A long message is read with its short clauses: run together, every clause would be
        # padded to the whole message's length, most of the work spent on padding.
        for rows in _similar_lengths(lengths):
            width = int(lengths[rows].max())
            unit[rows] = self._run(ids[rows, :width], mask[rows, :width])
        return unit

    def _run(self, ids: npt.NDArray[np.int64], mask: npt.NDArray[np.int64]) -> Vectors:
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        states = np.asarray(self._session.run(None, feed)[0], dtype=np.float32)
        weights = mask[:, :, None].astype(np.float32)
        pooled = (states * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        unit: Vectors = (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
        return unit


SIMILAR = 2
"""Texts are run in one batch while the longest is at most this many times the shortest (or
SHORT tokens at most)."""
SHORT = 16


def _similar_lengths(lengths: npt.NDArray[np.int64]) -> list[list[int]]:
    """The indices of the texts, shortest first, in groups of similar token length."""
    groups: list[list[int]] = []
    for i in (int(i) for i in np.argsort(lengths, kind="stable")):
        if groups and lengths[i] <= max(SIMILAR * lengths[groups[-1][0]], SHORT):
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups
