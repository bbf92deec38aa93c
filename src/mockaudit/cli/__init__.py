"""The command line: thin click commands over ``session.py``.

Contract: ../shared/spec/findings-format.md. Exit codes: 0 ok; 1 audit found
blocking findings (with --fail-on); 2 usage or input error; 3 vault locked or
wrong passphrase; 4 integrity failure; 70 internal error (a bug: please report).
Errors print one line on stderr and never a traceback, a passphrase or evidence.
"""

from __future__ import annotations

import contextlib
import os
import sys

import click

from mockaudit import __version__
from mockaudit.errors import MockauditError

EXIT_INTERNAL = 70

# Each command's module, imported only when that command runs (or --help lists them all):
# the command modules import the session and the engine, which `mockaudit` alone (the
# TUI) and `mockaudit vault verify` need not pay for at start-up.
COMMAND_MODULES = {
    "audit": "audit_cmd",
    "bridge-letter": "bridge_cmd",
    "calendar": "remediation_cmd",
    "criteria": "program_cmd",
    "demo": "demo_cmd",
    "evidence": "evidence_cmd",
    "findings": "export_cmd",
    "import": "program_cmd",
    "init": "vault_cmd",
    "member": "member_cmd",
    "new": "program_cmd",
    "package": "package_cmd",
    "population": "program_cmd",
    "program": "program_cmd",
    "remediation": "remediation_cmd",
    "report": "report_cmd",
    "requests": "export_cmd",
    "scenario": "program_cmd",
    "vault": "vault_cmd",
    "walkthrough": "walkthrough_cmd",
}


class LazyGroup(click.Group):
    """A group whose commands are registered by their module on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMAND_MODULES) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            load_commands(COMMAND_MODULES[cmd_name])
        return super().get_command(ctx, cmd_name)


def load_commands(*modules: str) -> None:
    """Import command modules (all of them when none is named) and register them."""
    import importlib

    for name in modules or sorted(set(COMMAND_MODULES.values())):
        importlib.import_module(f"mockaudit.cli.{name}").register(cli)


@click.group(
    cls=LazyGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, "--version", prog_name="mockaudit")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """mockaudit — rehearse a SOC 2 audit offline, against an encrypted evidence vault.

    Run without a command to open the terminal UI on ./vault ($MOCKAUDIT_VAULT picks
    another; a missing vault is created). Every action is also a command below;
    `mockaudit COMMAND --help` explains each one. New here? `mockaudit demo`.
    """
    if ctx.invoked_subcommand is None:
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            click.echo(ctx.get_help())  # no terminal to draw on: say what there is
            return
        _open_tui()


def _open_tui() -> None:
    """``mockaudit`` alone: the terminal UI on the default vault (created if missing)."""
    import importlib

    from mockaudit.paths import KEY_FILE, default_vault_dir

    folder = default_vault_dir()
    tui = importlib.import_module("mockaudit.tui")  # Textual loads only here
    passphrase = os.environ.get("MOCKAUDIT_PASSPHRASE")
    tui.tui_main(folder, passphrase=passphrase, create=not (folder / KEY_FILE).exists())


def _no_core_dumps() -> None:
    """A core file would hold the keys and decrypted evidence (vault-security.md §1.6):
    off before any passphrase is read, as the TUI does."""
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def main(argv: list[str] | None = None) -> None:
    """Entry point: run click, turn every failure into one line and an exit code."""
    _no_core_dumps()
    try:
        rc = cli.main(args=argv, prog_name="mockaudit", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.exceptions.ClickException as exc:
        click.echo(f"error: {exc.format_message()}", err=True)
        sys.exit(2)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except MockauditError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except OSError as exc:
        from mockaudit.fsio import describe_os_error

        described = describe_os_error(exc, "running the command")
        click.echo(f"error: {described.message}", err=True)
        sys.exit(described.exit_code)  # 5 when the disk is full
    except Exception as exc:  # a bug: say what kind, never the message (it may hold data)
        if os.environ.get("MOCKAUDIT_DEBUG") == "1":
            raise
        click.echo(
            f"internal error ({type(exc).__name__}); nothing secret was printed. "
            "Re-run with MOCKAUDIT_DEBUG=1 to see the traceback and please report it.",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)
    if isinstance(rc, int) and rc:
        sys.exit(rc)
