"""Checks that need a whole built flow: targets, reachability, dead ends, loops and variables.

They live in `bot.flows.checker` (`edges`, `graph`, `variables`); these are their public names.
"""

from __future__ import annotations

from bot.flows.checker.edges import Edge, edges, holds_answer, step_paths
from bot.flows.checker.graph import FlowChecker

__all__ = ["Edge", "FlowChecker", "edges", "holds_answer", "step_paths"]
