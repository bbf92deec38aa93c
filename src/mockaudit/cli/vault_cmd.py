"""``mockaudit init`` and ``mockaudit vault …``: create, verify, re-key, checkpoint."""

from __future__ import annotations

from pathlib import Path

import click

from mockaudit.cli.common import (
    chosen_member,
    new_passphrase,
    new_passphrase_option,
    read_passphrase,
    resolve_vault,
    vault_options,
)
from mockaudit.cli.progress import counting, progress_on_stderr
from mockaudit.errors import IntegrityError
from mockaudit.session import KdfParams, Session


@click.command()
@vault_options
@click.option(
    "--kdf-memory-mib",
    type=click.IntRange(8, 4096),
    default=KdfParams().memory_kib // 1024,
    show_default=True,
    help="Argon2id memory per unlock. Lower only for tests or very small machines.",
)
@click.option(
    "--kdf-iterations",
    type=click.IntRange(1, 20),
    default=KdfParams().iterations,
    show_default=True,
)
@click.option(
    "--display",
    metavar="TEXT",
    help="Your name as custody records it (with --member; default: the member name).",
)
def init(
    vault_dir: Path | None,
    passphrase_file: Path | None,
    kdf_memory_mib: int,
    kdf_iterations: int,
    display: str | None,
) -> None:
    """Create a new encrypted vault (default ./vault).

    You are its first member (--member NAME, default "owner"); you choose a passphrase,
    which is never stored. Add the team with `mockaudit member add`, and make a recovery
    kit (`mockaudit vault recovery-kit`): a lost passphrase with no kit loses the vault.
    """
    folder = resolve_vault(vault_dir)
    passphrase = read_passphrase(passphrase_file, confirm=True)
    hint = passphrase_hint(passphrase)
    if hint:
        click.echo(f"warning: {hint}", err=True)
    kdf = KdfParams(memory_kib=kdf_memory_mib * 1024, iterations=kdf_iterations)
    with Session.create(
        folder, passphrase, kdf=kdf, member=chosen_member(), display=display
    ) as session:
        facts = session.facts()
        me = session.me().label
    click.echo(f"created vault {facts['vault_id']} at {folder}; first member: {me}")
    click.echo(
        f"SQLCipher {facts.get('cipher_version', '?')} ({facts.get('cipher_provider', '?')})"
    )
    click.echo(f"custody verifier key: {facts['verifier_key']}")
    click.echo(f"key ID to pin: {facts['key_id']}")


def passphrase_hint(passphrase: str) -> str:
    """A short warning for weak passphrases (never echoes the passphrase)."""
    if len(passphrase) < 12:
        return "passphrase is shorter than 12 characters; a long passphrase is much safer"
    if len(set(passphrase)) < 6:
        return "passphrase repeats few characters; consider a longer, more varied one"
    return ""


@click.group("vault")
def vault_group() -> None:
    """Check, re-key and checkpoint the vault."""


@vault_group.command()
@vault_options
@click.option("--full", is_flag=True, help="Also decrypt and re-hash every evidence blob.")
@click.option(
    "--against",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A checkpoint file kept outside the vault: prove nothing was rolled back or rewritten.",
)
def verify(
    vault_dir: Path | None, passphrase_file: Path | None, full: bool, against: Path | None
) -> None:
    """Check database pages, the custody log, blobs and checkpoints (exit 4 on damage)."""
    folder = resolve_vault(vault_dir)
    passphrase = read_passphrase(passphrase_file)  # asked before any progress is drawn
    with (
        Session.open(folder, passphrase, member=chosen_member(), write=False) as session,
        progress_on_stderr() as shown,
    ):
        report = session.verify(
            full=full, against=against, progress=counting(shown, "re-hashing bytes")
        )
    click.echo(f"custody log: {report.tree_size} events, root {report.root_hex}")
    click.echo(
        f"blobs checked: {report.blobs_checked}"
        + (f" ({report.bytes_checked} bytes re-hashed)" if full else "")
        + f"; populations checked: {report.populations_checked}"
    )
    for note in report.notes:
        click.echo(f"note: {note}")
    for name in report.quarantined:
        click.echo(f"quarantined: quarantine/{name}")
    for problem in report.problems:
        click.echo(f"PROBLEM: {problem}")
    *lines, last = report.verdict()
    if not report.ok:
        raise IntegrityError(last)
    for line in [*lines, last]:
        click.echo(line)


@vault_group.command()
@vault_options
@new_passphrase_option
def passwd(
    vault_dir: Path | None, passphrase_file: Path | None, new_passphrase_file: Path | None
) -> None:
    """Change your passphrase (your key slot only; no data is rewritten).

    The same as `mockaudit member passwd`.
    """
    folder = resolve_vault(vault_dir)
    with Session.open(
        folder,
        read_passphrase(passphrase_file),
        member=chosen_member(),
        setting_passphrase=True,
    ) as session:
        new = new_passphrase(new_passphrase_file)
        session.set_member_passphrase(new)
        me = session.me().label
    click.echo(f"passphrase of {me} changed; vault.key and vault.key.bak updated")


@vault_group.command()
@vault_options
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Where to write the signed checkpoint (keep it outside the vault).",
)
def checkpoint(vault_dir: Path | None, passphrase_file: Path | None, out: Path) -> None:
    """Sign the custody log's current size and root (C2SP checkpoint) into FILE."""
    folder = resolve_vault(vault_dir)
    with Session.open(folder, read_passphrase(passphrase_file), member=chosen_member()) as session:
        note = session.checkpoint(out)
        vkey = session.facts()["verifier_key"]
        key_id = session.facts()["key_id"]
    size = note.splitlines()[1]
    click.echo(f"checkpoint at size {size} written to {out}")
    click.echo(f"verifier key: {vkey}")
    click.echo(
        f"key ID to pin: {key_id} (keep it outside the vault; `package verify --key {key_id}`)"
    )


@vault_group.command()
@vault_options
def rekey(vault_dir: Path | None, passphrase_file: Path | None) -> None:
    """Rotate the master key: every data key re-wrapped, vault.db re-keyed, epoch bumped.

    Old copies of vault.key (with any passphrase) no longer open the vault afterwards.
    Crash-safe: a rotation interrupted at any point is finished or undone at the next open.
    """
    folder = resolve_vault(vault_dir)
    passphrase = read_passphrase(passphrase_file)
    with Session.open(folder, passphrase, member=chosen_member()) as session:
        epoch = session.rekey(passphrase)
        vkey = session.facts()["verifier_key"]
    click.echo(f"master key rotated: key epoch {epoch}; vault.key and vault.key.bak updated")
    click.echo("old copies of vault.key no longer open this vault")
    click.echo(f"custody verifier key (unchanged): {vkey}")


@vault_group.command("purge-quarantine")
@vault_options
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def purge_quarantine(vault_dir: Path | None, passphrase_file: Path | None, yes: bool) -> None:
    """Delete the blob files in quarantine/ for good (orphans never deleted automatically)."""
    folder = resolve_vault(vault_dir)
    with Session.open(folder, read_passphrase(passphrase_file), member=chosen_member()) as session:
        if not yes:
            click.confirm(
                "Delete every file in quarantine/? They may be evidence an older vault.db "
                "does not know",
                abort=True,
                err=True,
            )
        files, size = session.purge_quarantine()
    click.echo(f"purged {files} quarantined file(s), {size} bytes")


@vault_group.command("recovery-kit")
@vault_options
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Where to write the printable kit (an HTML page; print it, then delete the file).",
)
def recovery_kit(vault_dir: Path | None, passphrase_file: Path | None, out: Path) -> None:
    """Make a recovery kit: a one-time-shown code that can set any member's passphrase.

    The code opens a recovery key slot (Argon2id, like a passphrase); mockaudit never
    stores it. A new kit replaces the previous one. Use it with
    `mockaudit member passwd --recovery --member NAME`.
    """
    folder = resolve_vault(vault_dir)
    with Session.open(folder, read_passphrase(passphrase_file), member=chosen_member()) as session:
        code = session.write_recovery_kit(out)
    click.echo(f"recovery kit written to {out}: print it, store the paper offline, delete the file")
    click.echo(f"recovery code (shown once): {code}")


def register(cli: click.Group) -> None:
    cli.add_command(init)
    cli.add_command(vault_group)
