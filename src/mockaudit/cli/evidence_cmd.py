"""``mockaudit evidence …``: add, list, show and export evidence files."""

from __future__ import annotations

from pathlib import Path

import click

from mockaudit.cli.common import chosen_member, read_passphrase, resolve_vault, vault_options
from mockaudit.cli.progress import counting, progress_on_stderr
from mockaudit.errors import InputError
from mockaudit.session import Session


@click.group("evidence")
def evidence_group() -> None:
    """Store evidence files in the vault and get them back out."""


@evidence_group.command("add")
@vault_options
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--control", help="Control id this evidence supports (e.g. CHG-01).")
@click.option("--population", help="Population id of the item this evidence belongs to.")
@click.option("--item", help="Key of the population item (with --population).")
@click.option("--request", help="Request code these files answer (PBC-NNN of the latest run).")
def add(
    vault_dir: Path | None,
    passphrase_file: Path | None,
    files: tuple[Path, ...],
    control: str | None,
    population: str | None,
    item: str | None,
    request: str | None,
) -> None:
    """Encrypt FILES into the vault with a custody record each."""
    folder = resolve_vault(vault_dir)
    passphrase = read_passphrase(passphrase_file)  # asked before any progress is drawn
    with (
        Session.open(folder, passphrase, member=chosen_member()) as session,
        progress_on_stderr() as shown,
    ):
        if request is not None:
            if control or population or item:
                raise InputError("--request goes alone (the request says what it concerns)")
            results = session.add_evidence_for_request(list(files), request.upper())
        else:
            results = session.add_evidence(
                list(files),
                control=control,
                population=population,
                item=item,
                progress=counting(shown, "encrypting bytes"),
            )
    for path, result in zip(files, results, strict=True):
        again = (
            " (same content already stored; custody event recorded)" if result.deduplicated else ""
        )
        click.echo(f"{result.evidence_id}  {result.size:>12}  {result.sha256}  {path.name}{again}")


@evidence_group.command("list")
@vault_options
@click.option("--control", help="Only evidence linked to this control.")
@click.option("--search", help="Only evidence whose name or id contains this text.")
def list_(
    vault_dir: Path | None, passphrase_file: Path | None, control: str | None, search: str | None
) -> None:
    """One line per item: id, name, size, SHA-256, when it was added."""
    folder = resolve_vault(vault_dir)
    with Session.open(
        folder, read_passphrase(passphrase_file), member=chosen_member(), write=False
    ) as session:
        items = session.list_evidence(control=control, search=search)
    for info in items:
        click.echo(
            f"{info.evidence_id}\t{info.original_name}\t{info.size}\t{info.sha256}\t{info.added_at}"
        )
    if not items:
        click.echo("no evidence yet: add some with 'mockaudit evidence add FILE'", err=True)


@evidence_group.command("show")
@vault_options
@click.argument("evidence_id")
def show(vault_dir: Path | None, passphrase_file: Path | None, evidence_id: str) -> None:
    """Metadata and custody history of one item."""
    folder = resolve_vault(vault_dir)
    with Session.open(
        folder, read_passphrase(passphrase_file), member=chosen_member(), write=False
    ) as session:
        detail = session.evidence_detail(evidence_id)
    info = detail.info
    click.echo(f"id:          {info.evidence_id}")
    click.echo(f"name:        {info.original_name}")
    click.echo(f"size:        {info.size} bytes")
    click.echo(f"sha256:      {info.sha256}")
    click.echo(f"media type:  {info.media_type}")
    click.echo(f"source:      {info.source}")
    click.echo(f"added:       {info.added_at}")
    click.echo(f"provenance:  {detail.collected_by}")
    for link in info.links:
        parts = [
            f"control {link.control_id}" if link.control_id else "",
            f"population {link.population_id}" if link.population_id else "",
            f"item {link.item_key}" if link.item_key else "",  # never an empty "item"
        ]
        said = ", ".join(p for p in parts if p)
        if said:
            click.echo(f"linked to:   {said}")
    click.echo("custody:")
    for event in detail.history:
        click.echo(f"  {event.summary}")


@evidence_group.command("export")
@vault_options
@click.argument("ids", nargs=-1, required=True)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write the decrypted files into (created if missing).",
)
def export(
    vault_dir: Path | None, passphrase_file: Path | None, ids: tuple[str, ...], out: Path
) -> None:
    """Decrypt evidence IDS into a folder, verifying each against its custody hash."""
    folder = resolve_vault(vault_dir)
    with Session.open(folder, read_passphrase(passphrase_file), member=chosen_member()) as session:
        written = session.export_evidence(list(ids), out)
    for path in written:
        click.echo(str(path))


def register(cli: click.Group) -> None:
    cli.add_command(evidence_group)
