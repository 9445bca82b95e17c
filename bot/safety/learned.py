"""The learned half of the crisis screen: a small classifier over sentence meaning.

It reads vectors, not words: the encoder that turns a text into a vector is passed in as a plain
function (bot/meaning runs the model), so this module stays pure. Beside the sentence vector it is
given what the phrase lists found in the same text (a category and a severity, as evidence), so
that it can learn when a listed phrase is a figure of speech ("career suicide") and when it is
not. The classifier is a small network ending in a softmax over the categories and `none`,
trained by scripts/train_screen.py from the labelled corpus (corpus/screen and tests/data); its
weights are data (bot/content/safety/screen_model.json), with the corpus's hash.

A message is read whole and sentence by sentence, so that one clause about a crisis inside a long
message about a fight is not drowned by the rest. Its score is the highest chance, over those
parts, that a part is not `none`, a part counting for no more than the whole's chance plus
PART_LIFT; the category is the likeliest one of that part.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]
Evidence = tuple[str, str] | None
"""What the phrase lists found in a text: (category, severity), or None."""
Embed = Callable[[Sequence[str]], Vectors]
"""Texts → one unit vector each (bot.meaning.encoder.Encoder.embed)."""
NONE = "none"
_SENTENCE = re.compile(r"(?<=[.!?;…])\s+|\s*\n+\s*|\s+(?:but|and then|because|cause|cuz)\s+", re.I)
MAX_PARTS = 12
"""A very long message is read in at most this many parts besides the whole (the longest kept)."""


PART_LIFT = 0.6
"""A part of a message scores at most the whole message's score plus this. A clause read alone
loses what is around it: "I've been thinking about last night", "I'm tired of being strong" sound
like a hint of suicide alone and are not in the warm, long answer they came from, which the whole
reading sees (on blind set 13, untaught: 9 of 314 everyday answers asked about, 3 with this bar;
no crisis line missed for it). A crisis clause in a long message about a fight still lifts the
whole enough to pass."""
EXAMPLE_COSINE = 0.95
"""A message this close in meaning to a labelled line is read as that line was labelled."""
FAMILIAR = 0.45
"""A part of a message less close than this to every labelled line is unlike anything the
classifier learned from (a code, a name, keyboard noise): alone, it does not ask about it."""


@dataclass(frozen=True)
class Reading:
    """What the classifier makes of a message: its likeliest category, the chance that it is not
    ordinary, and which part (0 is the whole message) gave it; `known` is the label of a reviewed
    example the message says (the whole of it: any label; one part of it: a crisis label)."""

    category: str
    score: float
    part: int
    known: str | None = None
    familiar: float = 1.0
    """How close the part that gave the score is to the closest labelled line (cosine)."""


@dataclass(frozen=True)
class Examples:
    """The labelled lines the classifier was trained on, as unit vectors, with their labels:
    a message that says what one of them says gets its label. The vectors are kept as int8
    (×127), which moves a cosine by less than 0.01."""

    vectors: npt.NDArray[np.float32]
    labels: tuple[str, ...]

    def known(self, vectors: Vectors) -> tuple[list[str | None], list[float]]:
        """For each vector, the label of the closest example when it is close enough, and the
        cosine to the closest example."""
        if not self.labels:
            return [None] * len(vectors), [1.0] * len(vectors)
        cosines = vectors.astype(np.float32) @ self.vectors.T
        best = cosines.argmax(axis=1)
        closest = [float(cosines[row, i]) for row, i in enumerate(best)]
        labels = [self.labels[int(i)] if c >= EXAMPLE_COSINE else None
                  for i, c in zip(best, closest, strict=True)]  # fmt: skip
        return labels, closest


def examples_from(vectors: npt.NDArray[np.int8], labels: Sequence[str]) -> Examples:
    """Examples from their stored form."""
    if vectors.ndim != 2 or len(vectors) != len(labels):
        raise ValueError("screen_examples: vectors and labels do not match")
    return Examples((vectors.astype(np.float32) / 127.0), tuple(labels))


@dataclass(frozen=True)
class Classifier:
    """A small network over sentence vectors (layers of weights and biases, ReLU between them,
    softmax at the end), and the score from which the screen asks."""

    classes: tuple[str, ...]
    layers: tuple[tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]], ...]
    threshold: float
    corpus_sha256: str
    model_sha256: str
    evidence: tuple[str, ...] = ()
    """The names of the evidence inputs after the vector: categories, then severities."""
    thresholds: tuple[tuple[str, float], ...] = ()
    """Categories asked about from a lower score than `threshold` (suicide: a miss costs most)."""

    def threshold_for(self, category: str) -> float:
        """The score from which the screen asks about this category."""
        return dict(self.thresholds).get(category, self.threshold)

    def inputs(self, vectors: Vectors, found: Sequence[Evidence]) -> npt.NDArray[np.float64]:
        """Each vector followed by its text's evidence, one 0/1 input per name."""
        extra = np.zeros((len(found), len(self.evidence)))
        for row, item in enumerate(found):
            for name in item or ():
                if name in self.evidence:
                    extra[row, self.evidence.index(name)] = 1.0
        return np.concatenate([vectors.astype(np.float64), extra], axis=1)

    def probabilities(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """One row of class chances per row of inputs."""
        for i, (weights, bias) in enumerate(self.layers):
            x = x @ weights + bias
            if i < len(self.layers) - 1:
                x = np.maximum(x, 0.0)
        x -= x.max(axis=1, keepdims=True)
        exp = np.exp(x)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True), dtype=np.float64)


def classifier_from(data: dict[str, Any]) -> Classifier:
    """A classifier from the parsed weights file."""
    classes = tuple(str(c) for c in data["classes"])
    layers = []
    width = None
    for layer in data["layers"]:
        weights = np.array(layer["weights"], dtype=np.float64)
        bias = np.array(layer["bias"], dtype=np.float64)
        if weights.ndim != 2 or bias.shape != (weights.shape[1],):
            raise ValueError("screen_model.json: a layer's bias does not fit its weights")
        if width is not None and weights.shape[0] != width:
            raise ValueError("screen_model.json: a layer does not fit the one before it")
        width = weights.shape[1]
        layers.append((weights, bias))
    if NONE not in classes or width != len(classes):
        raise ValueError("screen_model.json: the last layer does not fit its classes")
    return Classifier(
        classes,
        tuple(layers),
        float(data["threshold"]),
        str(data["corpus_sha256"]),
        str(data["model_sha256"]),
        tuple(str(e) for e in data.get("evidence", [])),
        tuple((str(k), float(v)) for k, v in data.get("thresholds", {}).items()),
    )


@cache
def shipped_classifier() -> Classifier:
    """The classifier of bot/content/safety/screen_model.json."""
    path = resources.files("bot") / "content" / "safety" / "screen_model.json"
    return classifier_from(json.loads(path.read_text("utf-8")))


@cache
def shipped_examples() -> Examples:
    """The labelled lines of bot/content/safety/screen_examples.npz, checked against the hash
    the weights file records for them."""
    folder = resources.files("bot") / "content" / "safety"
    data = (folder / "screen_examples.npz").read_bytes()
    want = json.loads((folder / "screen_model.json").read_text("utf-8"))["examples_sha256"]
    if hashlib.sha256(data).hexdigest() != want:
        raise ValueError("screen_examples.npz is not the file screen_model.json was written with")
    with np.load(io.BytesIO(data), allow_pickle=False) as stored:
        names = [str(n) for n in stored["names"]]
        return examples_from(stored["vectors"], [names[int(i)] for i in stored["labels"]])


def parts(text: str) -> list[str]:
    """The message whole, then its sentences and clauses when it has more than one."""
    whole = " ".join(text.split())
    pieces = [p.strip(" ,") for p in _SENTENCE.split(text) if p and p.strip(" ,")]
    if len(pieces) <= 1:
        return [whole] if whole else []
    pieces = sorted(pieces, key=len, reverse=True)[:MAX_PARTS]
    return [whole, *pieces]


@dataclass(frozen=True)
class Reader:
    """The encoder and the classifier together: text → Reading."""

    embed: Embed
    classifier: Classifier
    examples: Examples = field(default_factory=lambda: Examples(np.zeros((0, 1), np.float32), ()))

    def read_parts(self, pieces: Sequence[str], found: Sequence[Evidence]) -> Reading | None:
        """The reading of given parts (the first is the whole message), each with what the
        phrase lists found in it."""
        if not pieces:
            return None
        vectors = self.embed(pieces)
        chances = self.classifier.probabilities(self.classifier.inputs(vectors, found))
        none = self.classifier.classes.index(NONE)
        scores = 1.0 - chances[:, none]
        scores[1:] = np.minimum(scores[1:], scores[0] + PART_LIFT)
        best = int(np.argmax(scores))
        row = chances[best].copy()
        row[none] = -1.0
        category = self.classifier.classes[int(np.argmax(row))]
        known, closest = self.examples.known(vectors)
        said = known[0] or next((k for k in known[1:] if k and k != NONE), None)
        return Reading(category, float(scores[best]), best, said, closest[best])
