"""The command line loads a command's module only when that command is used.

`mockaudit` alone opens the TUI; importing every command module first (and through
them the session, the engine and the exports) doubled its start-up time (issue 8).
"""

from __future__ import annotations

import subprocess
import sys

from mockaudit.cli import COMMAND_MODULES

PROBE = """
import sys
import mockaudit.cli as c
before = "mockaudit.session" in sys.modules
c.load_commands()
print(before, sorted(c.cli.commands) == sorted(c.COMMAND_MODULES))
"""


def test_importing_the_cli_loads_no_command_and_every_command_is_mapped() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    before, complete = out.stdout.split()
    assert before == "False", "importing mockaudit.cli loaded the session"
    assert complete == "True", "a command module registers a name COMMAND_MODULES lacks"


def test_help_lists_every_command(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("--help")
    assert result.code == 0
    out = result.out
    listed = {line.split()[0] for line in out.split("Commands:")[1].splitlines() if line.strip()}
    assert listed == set(COMMAND_MODULES)
