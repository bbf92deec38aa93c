"""The command palette (ctrl+p): every action of the app, searchable by name.

``discover`` lists them all when the palette opens (cheap: it only builds a list);
``search`` fuzzy-matches the typed text. Actions that need an unlocked vault are
left out while it is locked.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from mockaudit.builtin import builtin_scenario, builtin_scenarios

if TYPE_CHECKING:
    from mockaudit.tui.app import MockAuditApp

Command = tuple[str, str, Callable[[], object]]


def app_commands(app: MockAuditApp) -> list[Command]:
    """(name, help, callback) for everything the app can do in its current state."""
    always: list[Command] = [
        ("Help", "Keys and what each screen shows", app.action_help),
        ("Quit", "Leave mockaudit (the vault is closed)", app.exit),
    ]
    if not app.gate.is_open:
        return always
    sections = [
        (f"Go to {name.title()}", f"Show the {name} screen", partial(app.switch_mode, name))
        for name in ("dashboard", "program", "vault", "fieldwork", "findings")
    ]
    builtins = [
        (
            f"Import built-in scenario: {name}",
            "Load a built-in company into the vault",
            partial(app.import_scenario, builtin_scenario(name)),
        )
        for name in builtin_scenarios()
    ]
    exports = [
        (
            f"Export {kind}…",
            f"Write the {kind} of the latest run to a file",
            partial(app.action_export, kind),
        )
        for kind in ("findings", "requests", "report", "package")
    ]
    actions: list[Command] = [
        (
            "Import scenario folder…",
            "Load a scenario folder (path with completion)",
            app.action_import_scenario,
        ),
        (
            "Run mock audit",
            f"Play the audit with the current seed ({app.seed})",
            app.action_run_audit,
        ),
        ("Run mock audit with a new seed", "Draw different samples", app.run_with_new_seed),
        (
            "Add evidence files…",
            "Store files in the vault with custody records",
            app.action_add_files,
        ),
        (
            "Walkthrough rehearsal: owners' readiness",
            "Per control owner: rehearsals, scores, what to rehearse next (o; w on a control)",
            app.action_owners,
        ),
        ("Verify vault", "Re-hash every blob and check the custody log", app.action_verify),
        ("Lock vault", "Close the session and forget the keys", app.action_lock),
    ]
    return [*sections, *actions, *exports, *builtins, *always]


class MockAuditCommands(Provider):
    """Finds app actions by name."""

    def _commands(self) -> list[Command]:
        return app_commands(cast("MockAuditApp", self.app))

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, text=name, help=help_text)
