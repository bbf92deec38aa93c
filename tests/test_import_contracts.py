"""The import-linter contracts in pyproject.toml hold, and they do catch a face that reaches
past the session: a copy of the package with one bad import in a TUI screen breaks them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import tomli_w

import mockaudit

pytestmark = pytest.mark.slow

PACKAGE = Path(mockaudit.__file__).parent
PYPROJECT = PACKAGE.parents[1] / "pyproject.toml"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
FACES = "cli and tui reach the core only through the session"


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """Run the project's contracts on the copy of the package under ``root / 'src'``."""
    config = {
        "tool": {"importlinter": tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]}
    }
    (root / "contracts.toml").write_text(tomli_w.dumps(config), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(root / "contracts.toml")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    if not PYPROJECT.is_file() or not LINT_IMPORTS.is_file():
        pytest.skip("needs the source checkout's pyproject.toml and import-linter (.[dev])")
    shutil.copytree(
        PACKAGE, tmp_path / "src" / "mockaudit", ignore=shutil.ignore_patterns("__pycache__")
    )
    return tmp_path


def test_the_contracts_hold_on_an_untouched_copy(copy: Path) -> None:
    result = lint_imports(copy)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert f"{FACES} KEPT" in result.stdout
    assert (
        str(copy / "src")
        in subprocess.run(
            [sys.executable, "-c", "import mockaudit; print(mockaudit.__file__)"],
            env={**os.environ, "PYTHONPATH": str(copy / "src")},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    ), "the contracts were checked on the installed package, not the copy"


def test_a_screen_importing_the_fieldwork_breaks_the_contract(copy: Path) -> None:
    screen = copy / "src" / "mockaudit" / "tui" / "screens" / "owners.py"
    screen.write_text(screen.read_text() + "\nimport mockaudit.fieldwork  # noqa\n")
    result = lint_imports(copy)
    assert result.returncode != 0
    assert f"{FACES} BROKEN" in result.stdout
    assert "mockaudit.tui.screens.owners -> mockaudit.fieldwork" in result.stdout
