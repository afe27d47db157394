#!/usr/bin/env python3
"""Keeps src/sql layered (docs/architecture.md, "The SQL layer").

Each folder of src/sql is one library; a file may include headers of its own folder and
of the folders below it, never above, and a folder's CMake target may depend only on the
targets of the folders below it. Also: no file in src/sql is longer than MAX_LINES
(STYLE.md: a file past ~600 lines usually holds two ideas).

Usage: check_sql_layers.py [repo root]   (exit 1 and one line per problem when it fails)
"""
import pathlib
import re
import sys

# Bottom to top. Top-level files of src/sql: errors.* is the lowest library,
# node_variables.h depends on nothing, sql.h is the session layer's front door.
LAYERS = ["errors", "parser", "types", "expression", "catalog", "binder", "planner",
          "optimizer", "execution", "session"]
TOP_LEVEL = {"errors.h": "errors", "errors.cc": "errors", "node_variables.h": "errors",
             "sql.h": "session", "CMakeLists.txt": None}
MAX_LINES = 600
TARGETS = {"strata_sql_errors": "errors", "strata_sql": "session"}
TARGETS.update({f"strata_sql_{layer}": layer for layer in LAYERS if layer not in ("errors", "session")})
DEPS = re.compile(r"DEPS\s+([^)]*)\)", re.S)
INCLUDE = re.compile(r'^\s*#\s*include\s+"sql/([^"]+)"', re.M)


def layer_of(relative: str):
    """The layer of a path relative to src/sql ("binder/binder.h", "sql.h")."""
    parts = relative.split("/")
    if len(parts) == 1:
        if parts[0] not in TOP_LEVEL:
            raise ValueError(f"src/sql/{relative}: a file at the top of src/sql must be listed in TOP_LEVEL")
        return TOP_LEVEL[parts[0]]
    if parts[0] not in LAYERS:
        raise ValueError(f"src/sql/{relative}: folder {parts[0]} is not a known layer")
    return parts[0]


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent.parent)
    sql = root / "src" / "sql"
    problems = []
    for path in sorted(sql.rglob("*")):
        if not path.is_file() or path.suffix not in (".h", ".cc"):
            continue
        relative = path.relative_to(sql).as_posix()
        try:
            own = layer_of(relative)
        except ValueError as e:
            problems.append(str(e))
            continue
        text = path.read_text()
        lines = text.count("\n")
        if lines > MAX_LINES:
            problems.append(f"src/sql/{relative}: {lines} lines (limit {MAX_LINES}): split it")
        for included in INCLUDE.findall(text):
            try:
                theirs = layer_of(included)
            except ValueError as e:
                problems.append(f"src/sql/{relative}: includes sql/{included}: {e}")
                continue
            if LAYERS.index(theirs) > LAYERS.index(own):
                problems.append(f"src/sql/{relative} ({own}) includes sql/{included} ({theirs}): "
                                f"includes must point down the layers {' < '.join(LAYERS)}")
    for layer in LAYERS[1:]:
        cmake = sql / layer / "CMakeLists.txt"
        if not cmake.exists():
            problems.append(f"src/sql/{layer}: no CMakeLists.txt (one library per folder)")
            continue
        for deps in DEPS.findall(cmake.read_text()):
            for target in re.findall(r"\bstrata_sql\w*", deps):
                if target not in TARGETS:
                    problems.append(f"src/sql/{layer}/CMakeLists.txt: unknown SQL target {target}")
                elif LAYERS.index(TARGETS[target]) >= LAYERS.index(layer):
                    problems.append(f"src/sql/{layer}/CMakeLists.txt: {layer} depends on {target} "
                                    f"({TARGETS[target]}), which is not below it")
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
