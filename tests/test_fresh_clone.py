"""A fresh clone runs its tests with nothing beside it (issue 16, step 1).

Three ways that broke before: tests read sample payloads from a folder beside the clone, a
conftest edited `sys.path` so its folder's helpers imported by bare name, and folders
differed in being packages or not (so two helpers with one name could shadow each other).
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
#: A path climbing one level, with either separator (spelled so this file has none).
CLIMB = ("." * 2 + "/", "." * 2 + "\\")


def _sources() -> list[Path]:
    return sorted(p for p in TESTS.rglob("*.py") if "__pycache__" not in p.parts)


def test_every_test_folder_is_a_package():
    folders = {p.parent for p in _sources()}
    loose = [str(f.relative_to(ROOT)) for f in folders if not (f / "__init__.py").exists()]
    assert sorted(loose) == []


def _is_sys_path(node: ast.AST) -> bool:
    return ast.unparse(node) == "sys.path"


def _edits_sys_path(tree: ast.AST) -> bool:
    """`sys.path.insert/append/...(...)` or `sys.path = ...` / `sys.path[:] = ...`."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and _is_sys_path(node.func.value)
        ):
            return True
        if isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(_is_sys_path(getattr(t, "value", t)) for t in targets):
                return True
    return False


def test_no_test_edits_sys_path():
    edits = [
        str(p.relative_to(ROOT))
        for p in _sources()
        if _edits_sys_path(ast.parse(p.read_text(encoding="utf-8")))
    ]
    assert edits == [], "import helpers through the tests package instead"


def _climbs(path: Path, tree: ast.AST) -> list[str]:
    """`Path(__file__)...parents[N]` above the repository, and a literal that climbs a level."""
    out = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "parents"
            and isinstance(node.slice, ast.Constant)
            and isinstance(node.slice.value, int)
            and "__file__" in ast.unparse(node.value)
        ):
            target = path.resolve().parents[node.slice.value]
            if not target.is_relative_to(ROOT):
                out.append(f"{ast.unparse(node)} -> {target}")
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and any(up in node.value for up in CLIMB)
        ):
            out.append(repr(node.value))
    return out


def test_no_test_reads_outside_the_repository():
    outside = {
        str(p.relative_to(ROOT)): found
        for p in _sources()
        if (found := _climbs(p, ast.parse(p.read_text(encoding="utf-8"))))
    }
    assert outside == {}, "copy what a test needs into tests/payloads/ with a source note"


def test_the_checks_can_fail():
    deep = TESTS / "report" / "test_x.py"
    tree = ast.parse(
        "import sys\nsys.path.insert(0, 'x')\n"
        "SHARED = Path(__file__).resolve().parents[3] / 'shared'\n"
        f"P = '{'.' * 2}/shared/payloads'\n"
    )
    assert _edits_sys_path(tree)
    assert not _edits_sys_path(ast.parse("import sys\nprint(sys.path[0])\n"))
    assert len(_climbs(deep, tree)) == 2
