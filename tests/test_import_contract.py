"""The layering contract of issue 16: `integrations/` and `ports/` import nothing from `app/`,
and `ports/` imports nothing from `integrations/` either.

An `ast` walk rather than import-linter: no new dependency for twenty lines, and it sees
what a lazy import would hide (imports inside functions, relative imports that climb out
of the package, `importlib.import_module("app....")` with a literal name).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: package -> the top-level packages it must never import
FORBIDDEN = {
    "integrations": ("app",),
    "ports": ("app", "integrations"),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(source: str, module: str, is_package: bool = False) -> set[str]:
    """Absolute names a module imports anywhere in its body, functions included."""
    package = module if is_package else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*up, base] if base else up)
            if base:
                found.add(base)
            found |= {f"{base}.{alias.name}".lstrip(".") for alias in node.names}
        elif (
            isinstance(node, ast.Call)
            and (getattr(node.func, "attr", None) or getattr(node.func, "id", None))
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add(node.args[0].value)
    return found


def crossings() -> list[tuple[str, str]]:
    bad = []
    for package, forbidden in FORBIDDEN.items():
        for path in sorted((ROOT / package).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            for imported in sorted(imports_of(text, module_name(path), path.name == "__init__.py")):
                if imported.split(".")[0] in forbidden:
                    bad.append((path.relative_to(ROOT).as_posix(), imported))
    return bad


def test_integrations_and_ports_import_nothing_from_app():
    assert crossings() == [], (
        "integrations/ and ports/ must not import app (and ports not integrations): move the "
        "shared piece to ports/, or the app-side piece to app/ (docs/architecture.md)"
    )


def test_the_walk_sees_imports_a_lazy_import_would_hide():
    """The contract can fail: each way of reaching `app` from channel code is caught."""
    source = (
        "import importlib\n"
        "def later():\n"
        "    from app.db import Store\n"
        "    import app.ingest\n"
        "    return importlib.import_module('app.sessions')\n"
        "from ... import app\n"
    )
    found = imports_of(source, "integrations.sub.deep")
    assert {"app.db", "app.ingest", "app.sessions", "app"} <= found
    assert imports_of("from .zoom import sign\n", "integrations.zoom_send") >= {
        "integrations.zoom"
    }


def test_the_contract_covers_every_package_it_names():
    """A package renamed or emptied would make the contract pass vacuously."""
    for package in FORBIDDEN:
        assert list((ROOT / package).rglob("*.py")), f"{package}/ has no modules"
