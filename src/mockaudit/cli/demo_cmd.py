"""``mockaudit demo``: a demo vault holding a built-in company, audited, ready to explore.

The demo vault lives in ``./demo-vault`` with a fixed, printed passphrase — it
holds only made-up evidence. Each run imports the demo scenario (idempotent:
unchanged files are not stored twice), runs the mock audit with a fixed seed,
verifies every blob and signs a custody checkpoint, then opens the terminal UI
(or, with --headless, prints what the auditor concluded).
"""

from __future__ import annotations

import importlib
import time
from pathlib import Path

import click

from mockaudit.builtin import (
    DEMO_MARKER,
    DEMO_PASSPHRASE,
    DEMO_SCENARIO,
    builtin_scenario,
    builtin_scenarios,
)
from mockaudit.cli.audit_cmd import print_summary
from mockaudit.cli.progress import counting, progress_on_stderr
from mockaudit.paths import KEY_FILE
from mockaudit.session import Session

DEMO_DIR = Path("demo-vault")
DEMO_SEED = 7


def mark_demo(vault_dir: Path) -> None:
    """Say in the folder that this is the demo vault: its lock screen shows the passphrase."""
    (vault_dir / DEMO_MARKER).write_text(
        "This folder is mockaudit's demo vault (made-up evidence only); its lock screen "
        "shows the demo passphrase. Never put real evidence here.\n",
        encoding="utf-8",
    )


@click.command()
@click.option(
    "--vault",
    "vault_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEMO_DIR,
    show_default=True,
    help="Where the demo vault lives.",
)
@click.option(
    "--scenario",
    default=DEMO_SCENARIO,
    show_default=True,
    help=f"Built-in scenario to load ({', '.join(builtin_scenarios())}).",
)
@click.option("--headless", is_flag=True, help="Print the summary instead of opening the UI.")
def demo(vault_dir: Path, scenario: str, headless: bool) -> None:
    """Create or reopen a demo vault, load a built-in company, audit it, and open the UI."""
    folder = builtin_scenario(scenario)
    fresh = not (vault_dir / KEY_FILE).exists()
    started = time.monotonic()
    opened = Session.create if fresh else Session.open
    with opened(vault_dir, DEMO_PASSPHRASE) as session:
        unlocked = time.monotonic() - started
        with progress_on_stderr() as progress:
            report = session.import_scenario(folder, progress=progress)
            run = session.run_audit(seed=DEMO_SEED, progress=progress)
            check = session.verify(full=True, progress=counting(progress, "re-hashing bytes"))
        checkpoint = vault_dir.parent / f"{vault_dir.name}-checkpoint.txt"
        session.checkpoint(checkpoint)
        facts = session.facts()
    mark_demo(vault_dir)
    state = "created" if fresh else "reopened"
    click.echo(
        f"demo vault {state} at {vault_dir} (unlock {unlocked:.2f} s); passphrase: "
        f"{DEMO_PASSPHRASE!r} (demo only)"
    )
    click.echo(
        f"scenario {scenario}: program version {report.program_version}, "
        f"{report.files_stored} files stored, {report.files_unchanged} unchanged"
    )
    verdict = "all verified" if check.ok else f"{len(check.problems)} PROBLEM(S)"
    click.echo(
        f"{check.blobs_checked} evidence blobs decrypted and re-hashed: {verdict}; "
        f"custody log {facts['custody_events']} events, checkpoint {checkpoint}"
    )
    click.echo("")
    print_summary(run, top=12)
    if headless:
        click.echo("")
        click.echo(
            f"next: MOCKAUDIT_PASSPHRASE='{DEMO_PASSPHRASE}' mockaudit findings export "
            f"--format xlsx --out findings.xlsx --vault {vault_dir}"
        )
        return
    _open_ui(vault_dir)


def _open_ui(vault_dir: Path) -> None:
    tui = importlib.import_module("mockaudit.tui")  # Textual loads only here
    tui_main = getattr(tui, "tui_main", None)
    if tui_main is None:
        click.echo("(the terminal UI is not available in this build; shown headless)")
        return
    tui_main(vault_dir, passphrase=DEMO_PASSPHRASE)


def register(cli: click.Group) -> None:
    cli.add_command(demo)
