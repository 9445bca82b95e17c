"""Draw a flow for review (the same as `python -m bot draw`).

Usage: python scripts/render_flow.py FLOW [--format mermaid|dot|svg|png] [--out FILE]
       python scripts/render_flow.py --docs docs/flows
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.cli import main as bot_main


def main(argv: Sequence[str] | None = None) -> int:
    """Run `python -m bot draw` with these arguments."""
    return bot_main(["draw", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
