"""The terminal UI (the only package that imports textual). Entry points for the CLI.

``tui_main`` is what ``mockaudit`` (no subcommand) and ``mockaudit demo`` call;
importing this package loads no textual — the app is imported when it runs.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

__all__ = ["run_app", "tui_main"]


def run_app(vault_dir: Path, *, passphrase: str | None = None, create: bool = False) -> int:
    """Run the TUI on ``vault_dir`` until the user quits; return the exit code (70: crash)."""
    from mockaudit.tui.app import make_app
    from mockaudit.tui.settings import TuiSettings

    _no_core_dumps()
    app = make_app(
        Path(vault_dir), passphrase=passphrase, create=create, settings=TuiSettings.from_env()
    )
    try:
        app.run()
    finally:
        app.gate.close()
    return app.return_code or 0


def tui_main(vault_dir: Path, passphrase: str | None = None, create: bool = False) -> None:
    """CLI hook: run the TUI; a crash exits with code 70 after one redacted line."""
    code = run_app(vault_dir, passphrase=passphrase, create=create)
    if code:
        raise SystemExit(code)


def _no_core_dumps() -> None:
    """A core file would hold the keys (vault-security.md §1.6)."""
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
