"""The author's transcript tests: answers in order, and the path and texts they should give."""

from __future__ import annotations

from typing import Any

from bot.flows.checker.base import BuilderBase
from bot.flows.model import StepId, TranscriptTest


class TranscriptReader(BuilderBase):
    """Reads `tests:`; running them is `bot.engine.transcript`'s work."""

    def tests(self, raw: Any) -> tuple[TranscriptTest, ...]:
        """The flow's transcript tests."""
        if not isinstance(raw, list):
            self.report(("tests",), "'tests' must be a list of {name, inputs, path, expect}")
            return ()
        tests: list[TranscriptTest] = []
        for i, item in enumerate(raw):
            tpath = ("tests", i)
            if not isinstance(item, dict) or not isinstance(item.get("inputs"), list):
                self.report(tpath, "a test needs 'inputs': a list of answers in order")
                continue
            self.check_keys(item, tpath, ("name", "inputs", "path", "expect", "memory"), "a test")
            memory = item.get("memory", {})
            if not isinstance(memory, dict):
                self.report((*tpath, "memory"), "'memory' must map remembered names to values")
                memory = {}
            path = item.get("path")
            expect = item.get("expect", [])
            if isinstance(expect, str):
                expect = [expect]
            if not isinstance(expect, list):
                self.report((*tpath, "expect"), "'expect' must be a list of texts to be shown")
                expect = []
            tests.append(
                TranscriptTest(
                    name=str(item.get("name", f"test {i + 1}")),
                    inputs=tuple(item["inputs"]),
                    path=tuple(StepId(str(p)) for p in path) if isinstance(path, list) else None,
                    expect=tuple(str(e) for e in expect),
                    line=self.doc.at(tpath).line,
                    memory={str(k): str(v) for k, v in memory.items()},
                )
            )
        return tuple(tests)
