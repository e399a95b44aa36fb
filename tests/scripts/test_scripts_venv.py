"""scripts/venv.sh: demo.sh and test.sh reinstall only when pyproject.toml (or Python) changed,
so restarting the demo takes a second; a fresh clone, with no stamp, always installs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


def _sh(cwd: Path, script: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-c", f"set -euo pipefail; . {SCRIPTS / 'venv.sh'}; {script}"],
        cwd=cwd, capture_output=True, text=True, timeout=30,
    )


def _needs(cwd: Path, extra: str) -> bool:
    return _sh(cwd, f"if venv_needs_install {extra}; then echo yes; else echo no; fi") \
        .stdout.strip() == "yes"


def _project(tmp_path: Path) -> Path:
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = []\n')
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "python").symlink_to(sys.executable)
    return tmp_path


def test_a_fresh_clone_installs(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project]\n")
    assert _needs(tmp_path, "base") and _needs(tmp_path, "test")  # no .venv at all
    assert _needs(_project(tmp_path / "p"), "base")  # a .venv with no stamp


def test_a_restart_skips_the_install_until_pyproject_changes(tmp_path):
    root = _project(tmp_path)
    assert _sh(root, "venv_mark_installed base").returncode == 0
    assert not _needs(root, "base")
    assert _needs(root, "test")  # the test extras were never installed
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("[]", '["httpx"]'))
    assert _needs(root, "base")  # a new dependency: install again
    _sh(root, "venv_mark_installed base test")
    assert not _needs(root, "base") and not _needs(root, "test")


def test_demo_and_test_scripts_use_the_stamp():
    for name in ("demo.sh", "test.sh"):
        text = (SCRIPTS / name).read_text()
        assert ". scripts/venv.sh" in text and "venv_install" in text
        assert "pip install" not in text  # only venv.sh installs
