"""The README keeps up with the code: every setting and every CLI command is in it."""

from __future__ import annotations

from pathlib import Path

from app.cli import parser
from app.config import env_names

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented():
    """Sections included (`settings.zoom`, `settings.retention`): one Settings, one table."""
    names = env_names()
    assert "FLOORBRIDGE_RETENTION_DAYS" in names and "FLOORBRIDGE_ZOOM_ACCOUNT_ID" in names
    assert [name for name in names if f"`{name}`" not in README] == []


def test_every_cli_command_is_documented():
    groups = parser()._subparsers._group_actions[0].choices  # noqa: SLF001
    commands = []
    for group, sub in groups.items():
        nested = [a for a in sub._actions if a.__class__.__name__ == "_SubParsersAction"]
        if nested:
            commands += [f"floorbridge {group} {name}" for name in nested[0].choices]
        else:
            commands.append(f"floorbridge {group}")
    assert [c for c in commands if c not in README] == []


def test_the_two_commands_are_the_scripts_ci_runs():
    assert "bash scripts/demo.sh" in README and "bash scripts/test.sh" in README
    ci = (Path(__file__).parents[1] / ".ci" / "run").read_text()
    assert "scripts/test.sh" in ci


def test_every_file_the_docs_name_exists():
    """docs/*.md point readers at code and tests by path: a moved file must not leave a
    dead pointer (security.md, for one, names the test that proves each claim).
    architecture.md also names the files of the target layout; its own test
    (tests/test_architecture_doc.py) keeps its "today" tables honest."""
    import re

    root = Path(__file__).parents[1]
    pointer = re.compile(r"`((?:app|integrations|tests|bench|scripts)/[\w/.-]+\.py)")
    named, dead = 0, []
    docs = [d for d in sorted((root / "docs").glob("*.md")) if d.name != "architecture.md"]
    for doc in [root / "README.md", *docs]:
        for path in pointer.findall(doc.read_text()):
            named += 1
            if not (root / path).is_file():
                dead.append(f"{doc.name}: {path}")
    assert named > 20 and dead == []
