"""``mockaudit report``: the mock SOC 2 report of a run, as HTML or as a printed PDF.

Thin command over ``Session.export_report`` / ``Session.export_report_pdf``. The
PDF is the same HTML printed by headless Chromium on A4 or Letter paper; without
Chromium the command says, in one line, which package to install. Like
``findings export --format html`` it signs a fresh custody checkpoint to embed,
so the vault is opened for writing.
"""

from __future__ import annotations

from pathlib import Path

import click

from mockaudit.cli.common import chosen_member, read_passphrase, resolve_vault, vault_options
from mockaudit.session import Session


@click.command("report")
@vault_options
@click.option(
    "--format",
    "format_",
    type=click.Choice(("html", "pdf"), case_sensitive=False),
    default="html",
    show_default=True,
    help="html: one self-contained file; pdf: the same report printed by headless Chromium.",
)
@click.option(
    "--paper",
    type=click.Choice(("a4", "letter"), case_sensitive=False),
    default="a4",
    show_default=True,
    help="PDF only: the paper size to print on.",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write (replaced atomically if it exists).",
)
@click.option("--run", "run_id", help="Run id (default: the latest run).")
def report_command(
    vault_dir: Path | None,
    passphrase_file: Path | None,
    format_: str,
    paper: str,
    out: Path,
    run_id: str | None,
) -> None:
    """Write the mock SOC 2 report of a run (the latest by default) to --out."""
    folder = resolve_vault(vault_dir)
    pdf = format_.lower() == "pdf"
    with Session.open(
        folder, read_passphrase(passphrase_file), member=chosen_member(), write=True
    ) as session:
        if pdf:
            run = session.export_report_pdf(out, run_id, paper=paper.lower())
        else:
            run = session.export_report(out, run_id)
    click.echo(f"wrote the mock report of run {run.id} as {format_.lower()} to {out}")


def register(cli: click.Group) -> None:
    cli.add_command(report_command)
