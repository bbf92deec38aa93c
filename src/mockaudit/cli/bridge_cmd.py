"""``mockaudit bridge-letter``: draft management's bridge letter (soc2-domain.md §3.6).

Thin command over ``Session.write_bridge_letter``: the letter covers the gap from the
program's period end to --as-of and is written as Markdown or HTML by the suffix of --out.
A gap over 12 months is refused in one line (the report is stale: a new examination is
needed, not a letter).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from mockaudit.cli.common import chosen_member, read_passphrase, resolve_vault, vault_options
from mockaudit.errors import InputError
from mockaudit.session import Session


def _as_of(_ctx: click.Context, _param: click.Parameter, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


@click.command("bridge-letter")
@vault_options
@click.option(
    "--as-of",
    "as_of",
    required=True,
    callback=_as_of,
    help="The date the letter covers to (YYYY-MM-DD), after the period end, at most 12 months.",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write: .md (Markdown) or .html.",
)
def bridge_letter_command(
    vault_dir: Path | None, passphrase_file: Path | None, as_of: date, out: Path
) -> None:
    """Draft management's bridge letter for the gap from the period end to --as-of."""
    if out.suffix.lower() not in (".md", ".markdown", ".html", ".htm"):
        raise InputError(f"--out {out.name}: write the letter to a .md or .html file")
    folder = resolve_vault(vault_dir)
    with Session.open(
        folder, read_passphrase(passphrase_file), member=chosen_member(), write=False
    ) as session:
        letter = session.write_bridge_letter(as_of, out)
    click.echo(
        f"wrote the bridge letter from {letter.period_end} to {letter.as_of} "
        f"({letter.gap_days} days, {_changes(len(letter.changes))}) to {out}"
    )


def _changes(count: int) -> str:
    return f"{count} material change{'' if count == 1 else 's'}"


def register(cli: click.Group) -> None:
    cli.add_command(bridge_letter_command)
