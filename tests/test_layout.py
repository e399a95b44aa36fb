"""tests/ mirrors the source tree (issue 16, step 11): the tests of `app/floor/` are in
`tests/app/floor/`, of `app/hosts.py` in `tests/app/hosts/`, of `integrations/` in
`tests/integrations/`, and so on, so a newcomer finds them by the path of the code.

The page's "Where the tests are" table is the rule; a test module anywhere else fails here,
and so does a top-level `tests/test_*.py` the table does not list as cross-cutting."""

from __future__ import annotations

from pathlib import Path

from tests.test_architecture_doc import ROOT, table, ticked

TESTS = ROOT / "tests"
#: Mirrors of a top-level source folder (`tests/app/` has one more level, checked below).
MIRRORS = ("integrations", "ports", "moderator_ui", "bench", "scripts")
#: Suites that span the whole server, named for what they test.
SYSTEM = ("robust", "scale")


def rows() -> list[list[str]]:
    return table("Where the tests are")


def named_in_table() -> set[str]:
    return {path for row in rows() for path in ticked(row[1]) if path.startswith("tests/")}


def cross_cutting() -> set[str]:
    """The top-level modules the table lists (its last row)."""
    return {Path(p).name for p in named_in_table() if p.count("/") == 1}


def misplaced(path: Path) -> str | None:
    """Why a test module is outside the mirrored layout, or None."""
    parts = path.relative_to(TESTS).parts
    if len(parts) == 1:
        return None if parts[0] in cross_cutting() else "top level, not listed as cross-cutting"
    top = parts[0]
    if top in MIRRORS:
        return None if (ROOT / top).is_dir() else f"no source folder {top}/"
    if top in SYSTEM:
        return None
    if top == "app":
        if len(parts) < 3:
            return "directly in tests/app/: put it in the folder of the code it tests"
        name = parts[1]
        if (ROOT / "app" / name).is_dir() or (ROOT / "app" / f"{name}.py").is_file():
            return None
        return f"no app/{name}/ or app/{name}.py"
    return f"tests/{top}/ mirrors no source folder"


def test_every_test_module_sits_where_its_source_is():
    wrong = {
        path.relative_to(ROOT).as_posix(): why
        for path in sorted(TESTS.rglob("test_*.py"))
        if (why := misplaced(path))
    }
    assert wrong == {}


def test_the_table_names_every_folder_of_tests_and_only_files_that_exist():
    named = named_in_table()
    folders = {
        f"tests/{d.name}/"
        for d in TESTS.iterdir()
        if d.is_dir() and any(d.rglob("test_*.py"))
    }
    assert folders - named == set(), "add a row to the page's table"
    assert {p for p in named if not (ROOT / p).exists()} == set()


def test_the_rule_refuses_a_module_out_of_place():
    assert misplaced(TESTS / "test_queue.py")
    assert misplaced(TESTS / "app" / "test_queue.py")
    assert misplaced(TESTS / "app" / "nowhere" / "test_x.py")
    assert misplaced(TESTS / "zoom" / "test_zoom_parse.py")
    assert misplaced(TESTS / "app" / "questions" / "test_queue.py") is None
    assert misplaced(TESTS / "app" / "hosts" / "test_hosts.py") is None
    assert misplaced(TESTS / "test_docs.py") is None
