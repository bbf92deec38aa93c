"""``mockaudit member …``: who may unlock the vault — add, list, remove, passwd.

Members are for attribution, revocation and recovery, not for hiding evidence from each
other: every member can read everything (README, "Team access").
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from mockaudit.cli.common import (
    _prompt,
    chosen_member,
    new_passphrase,
    new_passphrase_option,
    read_passphrase,
    resolve_vault,
    vault_options,
)
from mockaudit.errors import InputError
from mockaudit.session import Session

RECOVERY_ENV = "MOCKAUDIT_RECOVERY_CODE"


@click.group("member")
def member_group() -> None:
    """Who may unlock the vault: one key slot per member."""


@member_group.command("list")
@vault_options
def list_members(vault_dir: Path | None, passphrase_file: Path | None) -> None:
    """Members, the recovery kit and removed members."""
    folder = resolve_vault(vault_dir)
    with Session.open(
        folder, read_passphrase(passphrase_file), member=chosen_member(), write=False
    ) as session:
        me = session.me().member_id
        rows = session.members()
    for m in rows:
        note = " (you)" if m.member_id == me and m.kind == "passphrase" else ""
        note += " (enrolment code not used yet)" if m.pending else ""
        what = {"passphrase": "member", "recovery": "recovery kit"}.get(m.kind, m.kind)
        when = "removed" if m.kind == "removed" else "since"
        click.echo(f"{m.member_id:<16} {m.display:<28} {what:<12} {when} {m.since[:10]}{note}")


@member_group.command("add")
@vault_options
@click.argument("name")
@click.option("--display", metavar="TEXT", help='Their name as custody shows it ("Dana Lee").')
@click.option(
    "--enrol",
    is_flag=True,
    help="Print a one-time enrolment code instead; they set their own passphrase with it.",
)
@new_passphrase_option
def add(
    vault_dir: Path | None,
    passphrase_file: Path | None,
    name: str,
    display: str | None,
    enrol: bool,
    new_passphrase_file: Path | None,
) -> None:
    """Give NAME a key slot: they type their passphrase now, or get an enrolment code."""
    folder = resolve_vault(vault_dir)
    with Session.open(folder, read_passphrase(passphrase_file), member=chosen_member()) as session:
        secret = None if enrol else new_passphrase(new_passphrase_file, f"Passphrase for {name}")
        code = session.add_member(name, display or name, secret)
        label = next(m.label for m in session.members() if m.member_id == name)
    click.echo(f"added {label}; they unlock with --member {name}")
    if code is not None:
        click.echo(f"enrolment code for {name} (give it to them privately; it only lets them")
        click.echo(f"set their passphrase, with `mockaudit member passwd --member {name}`): {code}")


@member_group.command("remove")
@vault_options
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def remove(vault_dir: Path | None, passphrase_file: Path | None, name: str, yes: bool) -> None:
    """Remove NAME's key slot and rotate the master key.

    Their copy of an old vault.key, with their passphrase, opens nothing written
    afterwards. What they could read before, they may have kept: removal is revocation
    from now on, not erasure.
    """
    folder = resolve_vault(vault_dir)
    with Session.open(folder, read_passphrase(passphrase_file), member=chosen_member()) as session:
        if not yes:
            click.confirm(f"Remove {name} and rotate the master key?", abort=True, err=True)
        epoch = session.remove_member(name)
    click.echo(f"removed {name}; master key rotated (key epoch {epoch})")
    click.echo(f"{name}'s old copies of vault.key no longer open this vault")


@member_group.command("passwd")
@vault_options
@click.option(
    "--recovery",
    is_flag=True,
    help=f"Unlock with the recovery kit's code (--passphrase-file, ${RECOVERY_ENV} or a "
    "prompt) and set a new passphrase for --member.",
)
@new_passphrase_option
def passwd(
    vault_dir: Path | None,
    passphrase_file: Path | None,
    recovery: bool,
    new_passphrase_file: Path | None,
) -> None:
    """Set a member's passphrase: your own, a new member's (with their enrolment code as
    the current passphrase), or anyone's with the recovery kit (--recovery)."""
    folder = resolve_vault(vault_dir)
    target = chosen_member()
    secret = _recovery_code(passphrase_file) if recovery else read_passphrase(passphrase_file)
    with Session.open(
        folder,
        secret,
        member=target,
        recovery=recovery,
        setting_passphrase=True,
    ) as session:
        if recovery and target is None:
            people = [m for m in session.members() if m.kind == "passphrase"]
            if len(people) != 1:
                raise InputError("say whose passphrase to set: --member NAME")
            target = people[0].member_id
        new = new_passphrase(new_passphrase_file)
        session.set_member_passphrase(new, target)
        label = next(
            m.label for m in session.members() if m.member_id == (target or session.me().member_id)
        )
    click.echo(f"passphrase of {label} set; vault.key and vault.key.bak updated")


def _recovery_code(path: Path | None) -> str:
    if path is not None:
        return read_passphrase(path)
    env = os.environ.get(RECOVERY_ENV)
    if env is not None:
        return env
    return _prompt("Recovery code", confirm=False)


def register(cli: click.Group) -> None:
    cli.add_command(member_group)
