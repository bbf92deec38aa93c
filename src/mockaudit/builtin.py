"""Where the built-in scenario packs are: inside an installed wheel, or in the checkout."""

from __future__ import annotations

from pathlib import Path

from mockaudit.errors import InputError

DEMO_SCENARIO = "northwind-first-type2"
# The demo vault's fixed passphrase (it holds only made-up evidence). ``mockaudit demo``
# writes DEMO_MARKER into the demo vault's folder, and only there the lock screen shows it.
DEMO_PASSPHRASE = "demo vault - not for real evidence"  # noqa: S105 - printed on purpose
DEMO_MARKER = "DEMO-VAULT.txt"
_PACKAGE = Path(__file__).resolve().parent


def scenarios_root() -> Path:
    installed = _PACKAGE / "builtin_scenarios"  # the wheel force-includes scenarios/ here
    return installed if installed.is_dir() else _PACKAGE.parents[1] / "scenarios"


def builtin_scenarios() -> list[str]:
    root = scenarios_root()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "scenario.toml").is_file())


def builtin_scenario(name: str) -> Path:
    path = scenarios_root() / name
    if not (path / "scenario.toml").is_file():
        known = ", ".join(builtin_scenarios()) or "none found"
        raise InputError(f"no built-in scenario {name!r} (available: {known})")
    return path
