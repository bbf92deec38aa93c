"""``mockaudit findings export`` and ``mockaudit requests export``: a run's results as files.

Thin commands over ``Session.export_findings`` / ``Session.export_requests``
(findings-format.md). The vault is opened read-only — exporting changes nothing
in it — except for the HTML report, which signs a fresh custody checkpoint.
Every file is written atomically, so a failed export leaves the previous file
(or nothing) in place.
"""

from __future__ import annotations

from pathlib import Path

import click

from mockaudit.cli.common import chosen_member, read_passphrase, resolve_vault, vault_options
from mockaudit.session import FINDINGS_FORMATS, REQUEST_FORMATS, Session

_OUT = click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write (replaced atomically if it exists).",
)
_RUN = click.option("--run", "run_id", help="Run id (default: the latest run).")
_BOM = click.option(
    "--bom",
    is_flag=True,
    help="CSV only: start with a UTF-8 byte-order mark so a double-clicked file opens "
    "in Excel with accents and symbols intact.",
)


@click.group("findings")
def findings_group() -> None:
    """The findings of a mock audit run, as files for people and tools."""


@findings_group.command("export")
@vault_options
@click.option(
    "--format",
    "format_",
    required=True,
    type=click.Choice(FINDINGS_FORMATS, case_sensitive=False),
    help="csv/xlsx for spreadsheets, json for tools (mockaudit.findings/1), md for a wiki "
    "or pull request, html for the mock report, oscal for assessment results.",
)
@_OUT
@_RUN
@_BOM
def findings_export(
    vault_dir: Path | None,
    passphrase_file: Path | None,
    format_: str,
    out: Path,
    run_id: str | None,
    bom: bool,
) -> None:
    """Write the findings of a run (the latest by default) to --out."""
    folder = resolve_vault(vault_dir)
    # Read-only, except the HTML report: it signs a fresh custody checkpoint to embed.
    writable = format_.lower() == "html"
    with Session.open(
        folder, read_passphrase(passphrase_file), member=chosen_member(), write=writable
    ) as session:
        run = session.export_findings(format_.lower(), out, run_id, bom=bom)
    click.echo(f"wrote {len(run.findings)} finding(s) of run {run.id} as {format_} to {out}")


@click.group("requests")
def requests_group() -> None:
    """The auditor's request (PBC) list of a mock audit run."""


@requests_group.command("export")
@vault_options
@click.option(
    "--format",
    "format_",
    required=True,
    type=click.Choice(REQUEST_FORMATS, case_sensitive=False),
    help="csv for tools and trackers, xlsx for people.",
)
@_OUT
@_RUN
@_BOM
def requests_export(
    vault_dir: Path | None,
    passphrase_file: Path | None,
    format_: str,
    out: Path,
    run_id: str | None,
    bom: bool,
) -> None:
    """Write the request list of a run (the latest by default) to --out."""
    folder = resolve_vault(vault_dir)
    with Session.open(
        folder, read_passphrase(passphrase_file), member=chosen_member(), write=False
    ) as session:
        run = session.export_requests(format_.lower(), out, run_id, bom=bom)
    click.echo(f"wrote {len(run.requests)} request(s) of run {run.id} as {format_} to {out}")


def register(cli: click.Group) -> None:
    cli.add_command(findings_group)
    cli.add_command(requests_group)
