"""The on-device sentence encoder: the fine-tuned int8 file the bot runs is checked against the
official all-MiniLM-L6-v2 weights it was made from, and a missing or altered model file stops
the bot with advice."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from minilm_reference import OFFICIAL_SHA256, embed, official_bytes, tensors
from tokenizers import Tokenizer

from bot.meaning.encoder import (
    MAX_TOKENS,
    MODEL_SHA256,
    Encoder,
    ModelError,
    ModelFiles,
    shipped_files,
)

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    return Encoder()


def option_labels() -> list[str]:
    """Every fixed option label of the shipped flows (typed answers are compared with them)."""
    labels = []
    for path in sorted((ROOT / "bot" / "content" / "flows").glob("*.yaml")):
        for step in yaml.safe_load(path.read_text(encoding="utf-8")).get("steps") or []:
            for option in step.get("options") or []:
                if isinstance(option, dict) and "{" not in str(option.get("label", "{")):
                    labels.append(str(option["label"]))
    return labels


def everyday_lines(count: int) -> list[str]:
    lines: list[str] = []
    for path in sorted(DATA.glob("screen_*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        lines += [str(x) for x in data.get("everyday", [])]
    return lines[:: max(1, len(lines) // count)][:count]


@pytest.fixture(scope="module")
def official():
    data = official_bytes()
    assert hashlib.sha256(data).hexdigest() == OFFICIAL_SHA256
    weights = tensors(data)
    tokenizer = Tokenizer.from_file(str(shipped_files().tokenizer))
    tokenizer.no_padding()  # the file pads; the reference reads only the real tokens
    tokenizer.enable_truncation(MAX_TOKENS)
    return lambda texts: np.array([embed(weights, tokenizer.encode(t).ids) for t in texts])


def test_the_shipped_model_says_what_it_was_made_from():
    record = json.loads((ROOT / "bot" / "content" / "model" / "model.json").read_text("utf-8"))
    assert record["base_sha256"] == OFFICIAL_SHA256
    assert record["model_sha256"] == MODEL_SHA256
    assert hashlib.sha256(shipped_files().model.read_bytes()).hexdigest() == MODEL_SHA256
    assert all((ROOT / name).exists() for name in record["corpus_files"])


def test_tuning_kept_what_option_labels_and_everyday_answers_mean(encoder, official):
    # Typed answers are matched by meaning against option labels: the fine-tuned vectors of
    # ordinary words must stay where the official weights put them.
    for texts, lowest, mean in ((option_labels(), 0.95, 0.98), (everyday_lines(150), 0.85, 0.97)):
        assert len(texts) >= 150
        cosines = (encoder.embed(texts) * official(texts)).sum(axis=1)
        assert cosines.min() >= lowest, texts[int(cosines.argmin())]
        assert cosines.mean() >= mean


def test_a_batch_gives_each_text_the_vector_it_gets_alone(encoder):
    # Long and short texts are run in separate batches (bot.meaning.encoder._similar_lengths):
    # each still comes back in its place, with its own vector.
    texts = [
        "We fought about his mother again. " * 8,
        "ok",
        "he pushed me against the wall and took my phone so I couldn't call anyone",
        "fine",
    ]
    together = encoder.embed(texts)
    for i, text in enumerate(texts):
        assert np.allclose(together[i], encoder.embed([text])[0], atol=1e-5)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    assert encoder.embed([]).shape == (0, 384)


def test_closeness_of_vectors_follows_meaning(encoder):
    a, b, c = encoder.embed(
        ["I don't want to be alive anymore", "I wish I could just stop existing", "Pass the salt"]
    )
    assert a @ b > a @ c + 0.2


def copy_of_the_model(folder: Path) -> Path:
    files = shipped_files()
    shutil.copy(files.model, folder / "model.onnx")
    shutil.copy(files.tokenizer, folder / "tokenizer.json")
    return folder


def test_a_missing_model_file_is_refused_with_advice(tmp_path):
    with pytest.raises(ModelError) as refused:
        Encoder(ModelFiles(tmp_path / "model.onnx", shipped_files().tokenizer))
    assert "cannot be read" in str(refused.value)
    assert "SCREEN_MODEL_DIR" in str(refused.value) and "pip install -e ." in str(refused.value)


def test_an_altered_model_file_is_refused(tmp_path):
    folder = copy_of_the_model(tmp_path)
    data = bytearray((folder / "model.onnx").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (folder / "model.onnx").write_bytes(bytes(data))
    with pytest.raises(ModelError) as refused:
        Encoder(shipped_files(folder))
    assert f"not the expected file (its sha256 differs from {MODEL_SHA256[:12]}" in str(
        refused.value
    )


def test_another_copy_of_the_same_files_is_taken_from_screen_model_dir(tmp_path):
    folder = copy_of_the_model(tmp_path)
    copy = Encoder(shipped_files(folder))
    assert copy.embed(["hello"]).shape == (1, 384)


def bot(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **env},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("damage", ["missing", "corrupted"])
def test_the_bot_does_not_start_without_its_model_and_says_what_to_do(tmp_path, damage):
    folder = copy_of_the_model(tmp_path)
    if damage == "missing":
        (folder / "model.onnx").unlink()
    else:
        (folder / "model.onnx").write_bytes(b"not a model at all")
    env = {"TELEGRAM_BOT_TOKEN": "123:abc", "SCREEN_MODEL_DIR": str(folder),
           "BOT_DB_PATH": str(tmp_path / "bot.db")}  # fmt: skip
    for args in [(), ("screen",), ("chat",)]:
        run = bot(env, *args, stdin="hello\n")
        assert run.returncode == 4, (args, run.stderr)
        assert "The crisis screen's language model cannot be loaded" in run.stderr
        assert "does not start without it" in run.stderr
        assert "Traceback" not in run.stderr and "123:abc" not in run.stderr
