"""Import boundaries, checked mechanically: the core stays pure, and each layer imports only
the layers below it (docs/architecture.md draws them)."""

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
    "bot.usecases",
    "bot.documents",
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


LAYERS = {
    "flows": {"flows"},
    "meaning": {"meaning"},
    "engine": {"engine", "flows"},
    "safety": {"safety", "engine", "flows"},
    "storage": {"storage", "engine", "flows"},
    "documents": {"documents", "storage", "engine", "flows"},
    "usecases": {"usecases", "documents", "storage", "safety", "engine", "flows", "meaning"},
    "tg": {"tg", "usecases", "documents", "storage", "safety", "engine", "flows", "config"}
    | {"meaning"},
}
"""Each package of bot/, and the packages of bot/ it may import: only the layers below it.
The core (flows, engine, safety) is pure; storage is the only SQLite; use cases own the
transaction; the shells (tg, chat.py, cli.py) sit on top and nothing below imports them."""
SHELLS = {"tg", "chat", "cli", "__main__"}
LANGUAGE_MODEL = {"onnxruntime", "tokenizers"}


def bot_packages(names: set[str]) -> set[str]:
    """The first part after `bot.` of every bot import: bot.flows.model -> flows."""
    return {n.split(".")[1] for n in names if n.startswith("bot.") and n.count(".") >= 1}


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_each_layer_imports_only_the_layers_below_it(layer):
    for path in sorted((BOT / layer).rglob("*.py")):
        found = bot_packages(imports_of(path)) - LAYERS[layer]
        assert not found, f"{path.relative_to(BOT)} imports bot.{sorted(found)}"


def test_every_package_of_bot_has_its_place_in_the_layers():
    packages = {p.name for p in BOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert packages <= set(LAYERS) | {"content"}, packages - set(LAYERS)


def test_nothing_below_the_shells_imports_them():
    for path in sorted(BOT.rglob("*.py")):
        part = path.relative_to(BOT).parts[0].removesuffix(".py")
        if part in SHELLS:
            continue
        found = bot_packages(imports_of(path)) & SHELLS
        assert not found, f"{path.relative_to(BOT)} imports the shell bot.{sorted(found)}"


def test_the_language_model_is_imported_by_one_module_outside_the_core_at_most():
    """The on-device encoder reaches the screen and the engine only as a plain function passed
    in: one module may load it (onnxruntime, tokenizers); no module of the core imports it,
    nor the module that wraps it."""
    loaders = [p for p in sorted(BOT.rglob("*.py")) if offending(imports_of(p), LANGUAGE_MODEL)]
    assert len(loaders) <= 1, [str(p.relative_to(BOT)) for p in loaders]
    wrapper = {"bot." + ".".join(p.relative_to(BOT).with_suffix("").parts) for p in loaders}
    for package in PURE:
        for path in sorted((BOT / package).rglob("*.py")):
            bad = offending(imports_of(path), LANGUAGE_MODEL | wrapper)
            assert not bad, f"{path.relative_to(BOT)} imports {sorted(bad)}"


def test_the_layer_rules_catch_an_import_upwards(tmp_path):
    upward = tmp_path / "upward.py"
    upward.write_text("from bot.usecases.service import Service\nimport bot.tg.app\n")
    assert bot_packages(imports_of(upward)) - LAYERS["storage"] == {"usecases", "tg"}
