"""The JSON Schema of the flow format, shipped in the package for editors.

VS Code's YAML extension (yaml-language-server) checks a flow as it is typed when the file's
first line names the schema: `# yaml-language-server: $schema=PATH`, PATH relative to the flow
file. The shipped flows point at the repository's `schema/flow.schema.json`; a therapist's own
folder (`FLOWS_DIR`) gets its own copy (`python -m bot schema --write FOLDER`), so the line works
wherever the folder is. The copy in the package is the same file as `schema/flow.schema.json` (a
test keeps them so).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from bot.flows.catalog import flow_files

SCHEMA_NAME = "flow.schema.json"
MODELINE = "# yaml-language-server: $schema="


def schema_text() -> str:
    """The schema as shipped in the package."""
    return (resources.files("bot") / "content" / "flows" / SCHEMA_NAME).read_text("utf-8")


def relative_path(target: Path, start: Path) -> str:
    """`target` as seen from the folder `start`, like ./flow.schema.json or ../flow.schema.json."""
    to, base = target.resolve().parts, start.resolve().parts
    common = 0
    while common < min(len(to), len(base)) and to[common] == base[common]:
        common += 1
    ups = [".."] * (len(base) - common)
    return "/".join(ups or ["."]) + "/" + "/".join(to[common:])


def modeline_for(flow_file: Path, schema: Path) -> str:
    """The first line that points `flow_file` at `schema`, by a path relative to the flow."""
    return MODELINE + relative_path(schema, flow_file.resolve().parent)


def points_at(flow_file: Path, schema: Path) -> bool:
    """Whether the flow's first line is a modeline naming `schema` (by any relative path)."""
    with flow_file.open(encoding="utf-8", errors="replace") as handle:
        first = handle.readline().strip()
    if not first.startswith(MODELINE):
        return False
    named = first.removeprefix(MODELINE).strip()
    return (flow_file.parent / named).resolve() == schema.resolve()


def flows_not_pointing_at(folder: Path, schema: Path) -> list[Path]:
    """The flow files under `folder` whose first line does not point at `schema`."""
    return [path for path in flow_files([folder]) if not points_at(path, schema)]
