"""Run in a subprocess by test_crash_redaction: unlock a vault, then fail inside a screen
while the passphrase (the canary) sits in local variables and in the exception message."""

from __future__ import annotations

import sys
from pathlib import Path

from textual.pilot import Pilot

from tests.tui.helpers import settle, tui_app


def main(vault: str, canary: str, where: str) -> int:
    app = tui_app(Path(vault), passphrase=canary)

    def fail_in_screen() -> None:
        passphrase = canary  # noqa: F841 - the canary rich's show_locals would print
        key_material = canary.encode()  # noqa: F841
        raise RuntimeError(f"forced failure holding {canary}")

    async def auto_pilot(pilot: Pilot[int]) -> None:
        await settle(pilot)
        if where == "handler":
            app.screen.call_later(fail_in_screen)
        else:  # a worker's failure: the screen's load fails
            app.screen.fetch("boom", lambda session: fail_in_screen(), lambda _: None)  # type: ignore[attr-defined]
            await settle(pilot)
            print(f"STATUS {app.status}")
            app.exit(0)
        await settle(pilot)

    app.run(headless=True, size=(100, 30), auto_pilot=auto_pilot)
    app.gate.close()
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
