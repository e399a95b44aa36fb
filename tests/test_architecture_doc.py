"""docs/architecture.md keeps up with the code: its "today" lists are what the code holds.

In the spirit of tests/test_docs.py: the page names every domain folder; every registry it
lists as "today" exists and is filled where it says; and its lists of side-effect imports,
`importlib` discoveries, `AppState.extras` keys, settings classes, `app` -> `integrations`
imports and emitted event types (with the filter each reaches) are exactly the code's, both
ways. The refactor of issue 16 removes these one by one; each removal fails here until the
page says so (an empty list is a fine answer). That `integrations/` and `ports/` import
nothing from `app` is tests/test_import_contract.py's.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
TICKED = re.compile(r"`([^`]+)`")


def source_files(*tops: str) -> Iterator[Path]:
    for top in tops:
        yield from sorted((ROOT / top).rglob("*.py"))


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def imported_modules(tree: ast.AST) -> set[str]:
    """Absolute modules a file imports anywhere (also inside functions); `from a import b`
    counts as `a`, and as `a.b` when `b` may be a module."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def section(title: str) -> str:
    """The text under a heading of the page, up to the next heading of any level."""
    match = re.search(rf"^#+ {re.escape(title)}\n(.*?)(?=^#+ |\Z)", DOC, re.M | re.S)
    assert match, f"docs/architecture.md has no section {title!r}"
    return match.group(1)


def table(title: str) -> list[list[str]]:
    """Rows of the first table in a section, as cells (header and rule left out)."""
    rows: list[str] = []
    for line in section(title).splitlines():
        if line.startswith("|"):
            rows.append(line)
        elif rows:
            break  # the first table ended
    return [[c.strip() for c in row.strip("|").split("|")] for row in rows[2:]]


def ticked(cell: str) -> list[str]:
    return TICKED.findall(cell)


def test_every_domain_folder_is_named():
    domains = sorted(p.parent.name for p in (ROOT / "app").glob("*/endpoints.py"))
    assert domains, "no domain folder found: has the layout moved? update this test"
    assert [d for d in domains if f"app/{d}/" not in DOC] == []


def _module_level_names(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def test_every_registry_listed_as_today_exists():
    rows = table("Registries filled by import side effects")
    missing = []
    for cells in rows:
        name, path = ticked(cells[0])[0], ticked(cells[1])[0]
        file = ROOT / path
        if not file.exists() or name not in _module_level_names(file):
            missing.append(f"{path}: {name}")
    assert missing == [], "the page lists registries the code no longer has"


def test_registries_are_filled_where_the_page_says():
    """Each file named as filling a registry calls the registering function or appends."""
    wrong = []
    for cells in table("Registries filled by import side effects"):
        name = ticked(cells[0])[0]
        fillers = [p for p in ticked(cells[2]) if p.endswith(".py")]
        for path in fillers:
            text = (ROOT / path).read_text(encoding="utf-8")
            words = [name, *[w for w in ticked(cells[2]) if not w.endswith(".py")]]
            if not any(w in text for w in words):
                wrong.append(f"{path} does not fill {name}")
    assert wrong == []


def test_no_module_fills_a_registry_when_imported():
    """What the registries table must stay empty of: a top-level statement (run at import)
    that appends to, updates or registers into something (`X.append(...)`,
    `register_view(...)`), or a decorator that does (`@on_startup`)."""
    filling = ("append", "extend", "update", "setdefault", "add", "insert")
    found = []
    for path in source_files("app", "integrations"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            calls = []
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
                calls.append(node.value.func)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                calls += [d.func if isinstance(d, ast.Call) else d for d in node.decorator_list]
            for func in calls:
                name = getattr(func, "attr", None) or getattr(func, "id", None) or ""
                if name in filling or name.startswith(("register", "on_")):
                    found.append(f"{rel(path)}:{node.lineno} {name}")
    assert found == []


def _noqa_f401_files() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in source_files("app", "integrations"):
        text = path.read_text(encoding="utf-8")
        if "noqa: F401" in text:
            found[rel(path)] = imported_modules(ast.parse(text))
    return found


def test_side_effect_imports_are_the_ones_listed():
    in_code = _noqa_f401_files()
    rows = {
        ticked(cells[0])[0]: ticked(cells[1])
        for cells in table("Imports kept only for their side effect")
    }
    assert sorted(rows) == sorted(in_code), "a `# noqa: F401` import is missing from the page"
    not_imported = [
        f"{path}: {module}"
        for path, modules in rows.items()
        for module in modules
        if module.startswith("app.") and module not in in_code[path]
    ]
    assert not_imported == []


def test_importlib_discovery_is_where_the_page_says():
    in_code = sorted(
        rel(p)
        for p in source_files("app", "integrations")
        if "import_module(" in p.read_text(encoding="utf-8")
    )
    match = re.search(r"Modules that find others by name with `importlib`:(.*?)\n\n", DOC, re.S)
    listed = sorted(ticked(match.group(1))) if match else []
    assert listed == in_code


def _key_of(expr: ast.expr, consts: dict[str, str]) -> str | None:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, ast.Name):
        return consts.get(expr.id)
    return None


def _extras_keys() -> dict[str, set[str]]:
    """`extras` key -> files that use it: `x.extras[KEY]` and `x.extras.get/setdefault/pop(KEY)`,
    KEY a string or a module-level string constant."""
    keys: dict[str, set[str]] = {}
    for path in source_files("app", "integrations"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        consts = {
            t.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            for t in node.targets
            if isinstance(t, ast.Name) and isinstance(node.value.value, str)
        }

        for node in ast.walk(tree):
            key = None
            if (
                isinstance(node, ast.Subscript)
                and isinstance(node.value, ast.Attribute)
                and node.value.attr == "extras"
            ):
                key = _key_of(node.slice, consts)
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("get", "setdefault", "pop")
                and isinstance(node.func.value, ast.Attribute)
                and node.func.value.attr == "extras"
                and node.args
            ):
                key = _key_of(node.args[0], consts)
            if key is not None:
                keys.setdefault(key, set()).add(rel(path))
    return keys


def test_extras_keys_are_the_ones_listed():
    in_code = _extras_keys()
    rows = {
        ticked(cells[0])[0]: set(ticked(cells[1]))
        for cells in table("`AppState.extras` keys")
    }
    assert sorted(rows) == sorted(in_code)
    # The page names where each key is set; every file it names must still use the key.
    stale = {k: sorted(v - in_code[k]) for k, v in rows.items() if v - in_code[k]}
    assert stale == {}


def test_settings_classes_are_the_ones_listed():
    in_code = set()
    for path in source_files("app", "integrations"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                (isinstance(b, ast.Name) and b.id == "BaseSettings")
                or (isinstance(b, ast.Attribute) and b.attr == "BaseSettings")
                for b in node.bases
            ):
                in_code.add((node.name, rel(path)))
    rows = {(ticked(c[0])[0], ticked(c[1])[0]) for c in table("Settings classes (today)")}
    assert sorted(rows) == sorted(in_code)


def test_settings_sections_are_the_ones_listed():
    """The second table of the section: every nested section of `Settings`, by field."""
    from app.config import sections

    text = section("Settings classes (today)").split("| section |", 1)[1]
    rows = [
        [c.strip() for c in line.strip("|").split("|")]
        for line in text.splitlines()[2:]
        if line.startswith("|")
    ]
    listed = {(ticked(c[0])[0], ticked(c[1])[0]) for c in rows}
    from app.config import Settings

    in_code = {(cls.__name__, f"settings.{name}") for name, cls in sections(Settings)}
    assert sorted(listed) == sorted(in_code)


def _crossing(source: str, target: str) -> dict[str, set[str]]:
    """Files under `source` importing `target`, each with the `target.x` modules it takes."""
    found: dict[str, set[str]] = {}
    for path in source_files(source):
        taken = {
            ".".join(m.split(".")[:2])
            for m in imported_modules(ast.parse(path.read_text(encoding="utf-8")))
            if m.split(".")[0] == target and "." in m
        }
        if taken:
            found[rel(path)] = taken
    return found


def test_app_imports_of_integrations_are_the_ones_listed():
    text = section("Where `app` and `integrations` meet (today)")
    match = re.search(r"`app` imports `integrations` in (.*?)\n\n", text, re.S)
    listed = sorted(p for p in ticked(match.group(1)) if p.startswith("app/")) if match else []
    assert listed == sorted(_crossing("app", "integrations"))


#: Calls that emit, with the index of the event type among their arguments.
#: `app/rows.py` `store_and_emit` passes its caller's type on: its callers are counted.
EMITTERS = {"emit": 2, "store_and_emit": 3}
PASSES_THE_TYPE_ON = {"app/rows.py"}


def _emitted_types(*tops: str) -> set[str]:
    found = set()
    for path in source_files(*(tops or ("app", "integrations"))):
        if rel(path) in PASSES_THE_TYPE_ON:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name | ast.Attribute)):
                continue
            at = EMITTERS.get(getattr(node.func, "id", None) or getattr(node.func, "attr", ""))
            if at is not None and len(node.args) > at:
                arg = node.args[at]
                assert isinstance(arg, ast.Constant), f"{rel(path)}: emit with a computed type"
                found.add(arg.value)
    return found


def _served_registry():
    """The registry the server builds (app/domains.py DOMAINS), as create_app does."""
    from app.core.domain import Registry
    from app.domains import DOMAINS

    return Registry(DOMAINS)


def test_every_emitted_event_type_is_listed_with_the_filter_it_reaches():
    """A domain's events that reach no filter would go only to the moderator and the
    rapporteur, silently: every emitted type reaches a filter a domain declares in
    DOMAINS, or is one the core shapes itself; and the page lists each with its filter."""
    from app.core.domain import CORE_PREFIXES

    registry = _served_registry()
    emitted = _emitted_types()
    unreached = sorted(
        t for t in emitted if registry.filter_of(t) is None and not t.startswith(CORE_PREFIXES)
    )
    assert unreached == [], "emitted, but no domain in app/domains.py declares a filter for it"
    rows = {
        ticked(c[0])[0]: (ticked(c[1]) or [c[1]])[0]
        for c in table("Event types and the filter each reaches")
    }
    assert sorted(rows) == sorted(emitted)
    reached = {t: registry.filter_of(t) or "core" for t in emitted}
    assert reached == rows


def test_a_domain_emits_only_under_the_prefixes_it_declares():
    """A domain with views emits under its own prefixes (or the core's, for questions it
    changes): an event under another domain's prefix would be shaped by the wrong filter."""
    from app.core.domain import CORE_PREFIXES

    wrong = {}
    for domain in _served_registry().domains:
        if not domain.views:
            continue
        folder = "/".join(domain.views[0].event_filter.__module__.split(".")[:2])
        own = tuple(v.prefix for v in domain.views)
        stray = sorted(t for t in _emitted_types(folder) if not t.startswith(own + CORE_PREFIXES))
        if stray:
            wrong[domain.name] = stray
    assert wrong == {}
