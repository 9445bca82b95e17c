"""Import boundaries, checked mechanically: the core stays pure."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[1] / "bot"
PURE = ["flows", "engine", "safety"]
FORBIDDEN_IN_PURE = {
    "telegram",
    "sqlite_utils",
    "sqlite3",
    "asyncio",
    "bot.storage",
    "bot.usecases.service",
    "bot.tg",
    "os",
    "time",
    "random",
    "requests",
    "httpx",
}


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def offending(names: set[str], forbidden: set[str]) -> set[str]:
    return {n for n in names if any(n == f or n.startswith(f + ".") for f in forbidden)}


@pytest.mark.parametrize("package", PURE)
def test_the_core_imports_no_io(package):
    for path in sorted((BOT / package).rglob("*.py")):
        bad = offending(imports_of(path), FORBIDDEN_IN_PURE)
        assert not bad, f"{path.relative_to(BOT)} imports {sorted(bad)}"


def test_the_flow_model_does_not_import_the_engine():
    for path in sorted((BOT / "flows").rglob("*.py")):
        bad = offending(imports_of(path), {"bot.engine"})
        assert not bad, f"{path.relative_to(BOT)} imports {sorted(bad)}"


def test_only_storage_imports_sqlite_utils():
    for path in sorted(BOT.rglob("*.py")):
        if "storage" in path.parts:
            continue
        bad = offending(imports_of(path), {"sqlite_utils", "sqlite3"})
        assert not bad, f"{path.relative_to(BOT)} imports {sorted(bad)}"


def test_only_the_adapter_imports_telegram():
    for path in sorted(BOT.rglob("*.py")):
        if "tg" in path.parts:
            continue
        bad = offending(imports_of(path), {"telegram"})
        assert not bad, f"{path.relative_to(BOT)} imports {sorted(bad)}"


def test_only_config_reads_the_environment():
    for path in sorted(BOT.rglob("*.py")):
        if path.name == "config.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert "os.environ" not in text and "getenv" not in text, path.relative_to(BOT)


def test_the_checker_itself_is_caught(tmp_path):
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("from telegram import Bot\nimport sqlite_utils.db\n")
    assert offending(imports_of(sneaky), FORBIDDEN_IN_PURE) == {"telegram", "sqlite_utils.db"}


def test_no_eval_anywhere():
    for path in sorted(BOT.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = {
            n.func.id
            for n in ast.walk(tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
        }
        assert not calls & {"eval", "exec", "compile"}, path.relative_to(BOT)
