"""Check flow files: every problem as path:line:col, exit 1 on any (as `python -m bot check`).

Usage: python scripts/validate_flows.py [PATHS...]   (default: the shipped flows and FLOWS_DIR)
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.cli import main as bot_main


def main(argv: Sequence[str] | None = None) -> int:
    """Run the checker with these arguments."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    return bot_main(["check", *args])


if __name__ == "__main__":
    sys.exit(main())
