"""The flow checker's public face: raw YAML → `Flow`, collecting every structural problem.

The checker itself lives in `bot.flows.checker`, one module per concern (see its docstring).
`bot.flows.checks` runs the checks that need the whole flow; `bot.flows.catalog` the checks
across flows. The names below are what the rest of the bot, the tests and the schema rely on.
"""

from __future__ import annotations

from bot.flows.checker.flow import FlowBuilder
from bot.flows.checker.vocabulary import (
    ALL_STEP_KEYS,
    ASK_KINDS,
    BOOLEAN_KEYS,
    COMMON_KEYS,
    DEFAULT_SKIP_LABEL,
    DISCLOSURES,
    FLOW_ID_PATTERN,
    ID_PATTERN,
    MAX_LABEL,
    MAX_PAYLOAD,
    MAX_SCALE_SPAN,
    MAX_TEXT,
    MEMORY_PATTERN,
    PAYLOAD_RESERVE,
    RESERVED_MEMORY,
    SHARE_LEVELS,
    STEP_KEYS,
    TOP_KEYS,
    payload_of,
    suggest,
)

__all__ = [
    "ALL_STEP_KEYS",
    "ASK_KINDS",
    "BOOLEAN_KEYS",
    "COMMON_KEYS",
    "DEFAULT_SKIP_LABEL",
    "DISCLOSURES",
    "FLOW_ID_PATTERN",
    "ID_PATTERN",
    "MAX_LABEL",
    "MAX_PAYLOAD",
    "MAX_SCALE_SPAN",
    "MAX_TEXT",
    "MEMORY_PATTERN",
    "PAYLOAD_RESERVE",
    "RESERVED_MEMORY",
    "SHARE_LEVELS",
    "STEP_KEYS",
    "TOP_KEYS",
    "FlowBuilder",
    "payload_of",
    "suggest",
]
