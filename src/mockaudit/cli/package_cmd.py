"""``mockaudit package``: the evidence package an auditor would receive, and its check.

``mockaudit package --out FILE.zip [--run ID]`` writes it from the vault;
``mockaudit package verify FILE.zip`` checks it with nothing but the ZIP (no vault,
no passphrase): every problem on its own line, then exit 4 naming the first bad file.
"""

from __future__ import annotations

from pathlib import Path

import click

from mockaudit import session
from mockaudit.cli.common import chosen_member, read_passphrase, resolve_vault, vault_options
from mockaudit.cli.progress import progress_on_stderr
from mockaudit.errors import InputError, IntegrityError


@click.group("package", invoke_without_command=True)
@vault_options
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The ZIP file to write (replaced atomically if it exists).",
)
@click.option("--run", "run_id", help="Run id (default: the latest run).")
@click.pass_context
def package_group(
    ctx: click.Context,
    vault_dir: Path | None,
    passphrase_file: Path | None,
    out: Path | None,
    run_id: str | None,
) -> None:
    """Write the evidence package of a run: decrypted files, manifest, signed checkpoint.

    Files go in folders per control and request; manifest.json lists each file's
    SHA-256 and custody events. Every packaged file gets an "exported" custody event.
    Check a package with `mockaudit package verify FILE.zip`.
    """
    if ctx.invoked_subcommand is not None:
        if out is not None or run_id is not None:
            raise InputError("--out and --run belong to `mockaudit package`, not to a subcommand")
        return
    if out is None:
        raise InputError("give --out FILE.zip (or `mockaudit package verify FILE.zip`)")
    folder = resolve_vault(vault_dir)
    passphrase = read_passphrase(passphrase_file)  # asked before any progress is drawn
    with session.Session.open(folder, passphrase, member=chosen_member()) as s:
        with progress_on_stderr() as progress:
            report = s.write_package(out, run_id, progress=progress)
        key_id = s.facts()["key_id"]
    click.echo(
        f"package written: {report.path} ({report.files} files, {report.evidence} evidence "
        f"items, {report.bytes} bytes decrypted)"
    )
    click.echo(f"manifest.json sha256: {report.manifest_sha256}")
    click.echo(f"custody checkpoint: {report.checkpoint.splitlines()[1]} events signed")
    click.echo(f"verifier key: {report.verifier_key}")
    click.echo(f"key ID to pin: {key_id} (`package verify --key {key_id}`)")
    if report.unavailable:
        shown = ", ".join(report.unavailable[:10])
        more = f" and {len(report.unavailable) - 10} more" if len(report.unavailable) > 10 else ""
        click.echo(f"not in the vault (not packaged): {shown}{more}", err=True)


@package_group.command("verify")
@click.argument("zip_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--key",
    metavar="FILE|KEYID",
    help="The signer you expect: its verifier key, a file holding it, or its key ID "
    "(>= 16 hex digits, as `vault checkpoint` prints it). Without it a package re-signed "
    "with any other key would verify too.",
)
def verify_command(zip_file: Path, key: str | None) -> None:
    """Check a package: every file's SHA-256, the manifest and the checkpoint signature."""
    check = session.verify_package(zip_file, key)
    for problem in check.problems:
        click.echo(f"PROBLEM: {problem}")
    for note in check.notes:
        click.echo(f"note: {note}")
    if check.signer_key_id:
        click.echo(f"signer key ID: {check.signer_key_id}")
    if check.pinned_key_id:
        click.echo(f"pinned key ID: {check.pinned_key_id}")
    if not check.ok:
        raise IntegrityError(
            f"package {zip_file} failed verification at {check.first_bad_file}: "
            f"{len(check.problems)} problem(s) listed above"
        )
    size = check.checkpoint.size if check.checkpoint else 0
    click.echo(
        f"package verified: {check.files_checked} files match manifest.json "
        f"({check.files_proven} proven against their collecting custody event); checkpoint "
        f"signature verifies ({size} custody events); manifest bound to the signed log"
    )
    if check.pinned_key_id:
        click.echo(f"signed by the pinned key {check.signer_key_id}")
    else:
        click.echo(
            f"signature valid for key {check.signer_key_id}…; no key was pinned: pin it with "
            "--key to prove who signed"
        )


def register(cli: click.Group) -> None:
    cli.add_command(package_group)
