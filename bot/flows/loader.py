"""Read YAML text into plain Python data while remembering where every node came from.

PyYAML's SafeLoader throws positions away once it builds dicts and lists. We compose the node
graph ourselves instead, so the checker can say `file:line:col` for any key or value, and so we
can catch the traps PyYAML lets through silently: duplicate keys and YAML 1.1 booleans.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from bot.flows.errors import Location, Problem

Path = tuple[Any, ...]
KEY = "<key>"  # path suffix that addresses a mapping key rather than its value

_TRUE_WORDS = {"true", "false"}


@dataclass
class Document:
    """Plain data from one YAML file plus the position of every node in it."""

    path: str
    data: Any
    positions: dict[Path, tuple[int, int]] = field(default_factory=dict)
    exact: set[Path] = field(default_factory=set)
    """Scalars written on one line without escapes: an offset into the value is a column."""
    traps: dict[Path, tuple[str, bool]] = field(default_factory=dict)
    """Unquoted yes/no/on/off: the word written, and the boolean YAML 1.1 reads it as."""

    def at(self, path: Path) -> Location:
        """Where the node at `path` starts; falls back to the nearest known parent."""
        probe = path
        while probe not in self.positions and probe:
            probe = probe[:-1]
        line, col = self.positions.get(probe, (1, 1))
        return Location(self.path, line, col)

    def inside(self, path: Path, offset: int) -> Location:
        """Where character `offset` of the scalar at `path` is; its start if that is unknown."""
        where = self.at(path)
        if path in self.exact:
            return Location(where.path, where.line, where.col + offset)
        return where

    def key_at(self, path: Path) -> Location:
        """Where the key of the mapping entry at `path` starts."""
        return self.at((*path, KEY)) if (*path, KEY) in self.positions else self.at(path)


def load_document(text: str, path: str) -> tuple[Document | None, list[Problem]]:
    """Parse `text`; return the document (None on a syntax error) and any problems found."""
    problems: list[Problem] = []
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or "cannot be read"
        problems.append(
            Problem(
                Location(path, line, col),
                f"YAML syntax error: {what}",
                "check the indentation and quoting on this line and the one before it",
            )
        )
        return None, problems
    except yaml.YAMLError as exc:  # pragma: no cover - errors without marks are rare
        problems.append(Problem(Location(path, 1, 1), f"YAML syntax error: {exc}"))
        return None, problems
    finally:
        loader.dispose()
    doc = Document(path, None)
    if node is None:
        doc.data = None
        return doc, problems
    doc.data = _build(node, (), doc, loader, problems)
    return doc, problems


def _build(
    node: yaml.Node, path: Path, doc: Document, loader: yaml.SafeLoader, problems: list[Problem]
) -> Any:
    doc.positions[path] = _content_start(node)
    if isinstance(node, yaml.ScalarNode) and _columns_are_exact(node):
        doc.exact.add(path)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = (
                _scalar(key_node, (*path, key_node.value, KEY), doc, loader)
                if isinstance(key_node, yaml.ScalarNode)
                else str(key_node.start_mark)
            )
            where = Location(doc.path, key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if key in result:
                problems.append(
                    Problem(
                        where, f"duplicate key '{key}'", "YAML keeps only the last one; remove one"
                    )
                )
            doc.positions[(*path, key, KEY)] = (where.line, where.col)
            result[key] = _build(value_node, (*path, key), doc, loader, problems)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(item, (*path, i), doc, loader, problems) for i, item in enumerate(node.value)
        ]
    return _scalar(node, path, doc, loader)


def _content_start(node: yaml.Node) -> tuple[int, int]:
    """1-based line and column of a node's first character of content.

    For a quoted scalar that is just inside the quote; for a block scalar (| or >) it is the
    first character on the line after the indicator, so a fault inside points into the text.
    """
    line, col = node.start_mark.line + 1, node.start_mark.column + 1
    if not isinstance(node, yaml.ScalarNode):
        return line, col
    if node.style in ("'", '"'):
        return line, col + 1
    if node.style in ("|", ">") and node.start_mark.buffer:
        rest = node.start_mark.buffer[node.start_mark.pointer :].split("\n")
        for offset, text in enumerate(rest[1:], start=1):
            if text.strip():
                return line + offset, len(text) - len(text.lstrip()) + 1
    return line, col


def _columns_are_exact(node: yaml.ScalarNode) -> bool:
    """True when the value's characters sit one-to-one on a single line of the file."""
    if node.start_mark.line != node.end_mark.line or node.style in ("|", ">"):
        return False
    buffer = node.start_mark.buffer
    if buffer is None:  # a loader reading a stream keeps no text to compare against
        return False
    raw = buffer[node.start_mark.pointer : node.end_mark.pointer]
    if node.style == '"':
        return "\\" not in raw
    if node.style == "'":
        return "''" not in raw
    return True


def _scalar(node: yaml.Node, path: Path, doc: Document, loader: yaml.SafeLoader) -> Any:
    value = loader.construct_object(node, deep=True)
    if (
        isinstance(value, bool)
        and isinstance(node, yaml.ScalarNode)
        and node.style is None
        and node.value.lower() not in _TRUE_WORDS
    ):
        # Keep the word; the flow builder reports it, knowing whether a boolean was wanted.
        doc.traps[path] = (node.value, value)
        return node.value
    return value
