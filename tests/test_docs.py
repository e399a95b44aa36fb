"""The README keeps up with the code: every setting and every CLI command is in it."""

from __future__ import annotations

from pathlib import Path

from app.cli import parser
from app.config import Settings

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented():
    missing = [
        f"FLOORBRIDGE_{name.upper()}"
        for name in Settings.model_fields
        if f"`FLOORBRIDGE_{name.upper()}`" not in README
    ]
    assert missing == []


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
