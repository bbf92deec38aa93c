"""Options and prompts shared by the commands."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from mockaudit.errors import InputError
from mockaudit.paths import default_vault_dir

F = TypeVar("F", bound=Callable[..., Any])
PASSPHRASE_ENV = "MOCKAUDIT_PASSPHRASE"  # noqa: S105 - a variable name
NEW_PASSPHRASE_ENV = "MOCKAUDIT_NEW_PASSPHRASE"  # noqa: S105


MEMBER_META = "mockaudit.member"


def _keep_member(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    ctx.meta[MEMBER_META] = value


def chosen_member() -> str | None:
    """The ``--member`` of the running command (None: $MOCKAUDIT_MEMBER, then the member
    remembered for this vault, then its only member: the session decides)."""
    ctx = click.get_current_context(silent=True)
    return ctx.meta.get(MEMBER_META) if ctx is not None else None


def vault_options(func: F) -> F:
    """``--vault``, ``--member`` and ``--passphrase-file`` on every command that touches a
    vault."""
    func = click.option(
        "--member",
        metavar="NAME",
        default=None,
        expose_value=False,
        callback=_keep_member,
        help="Unlock as this member (else $MOCKAUDIT_MEMBER, else the member you last "
        "unlocked this vault as; a one-member vault needs none).",
    )(func)
    func = click.option(
        "--passphrase-file",
        type=click.Path(dir_okay=False, path_type=Path),
        help=f"Read the passphrase from this file (else ${PASSPHRASE_ENV}, else a prompt).",
    )(func)
    func = click.option(
        "--vault",
        "vault_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Vault folder (default: $MOCKAUDIT_VAULT or ./vault).",
    )(func)
    return func


def read_passphrase(passphrase_file: Path | None, *, confirm: bool = False) -> str:
    if passphrase_file is not None:
        try:
            text = passphrase_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            raise InputError(f"cannot read passphrase file {passphrase_file}") from None
        return text[:-1] if text.endswith("\n") else text
    env = os.environ.get(PASSPHRASE_ENV)
    if env is not None:
        return env
    return _prompt("Vault passphrase", confirm=confirm)


def new_passphrase(path: Path | None, label: str = "New passphrase") -> str:
    """A new passphrase from --new-passphrase-file, else $MOCKAUDIT_NEW_PASSPHRASE, else a
    confirmed prompt; never empty."""
    if path is not None:
        return read_passphrase(path)
    env = os.environ.get(NEW_PASSPHRASE_ENV)
    if env is not None:
        return env
    value = _prompt(label, confirm=True)
    if not value:
        raise InputError("the new passphrase is empty")
    return value


def new_passphrase_option(func: F) -> F:
    """``--new-passphrase-file`` on every command that sets a passphrase."""
    return click.option(
        "--new-passphrase-file",
        type=click.Path(dir_okay=False, path_type=Path),
        help=f"Read the new passphrase from this file (else ${NEW_PASSPHRASE_ENV}, else a prompt).",
    )(func)


def _prompt(label: str, *, confirm: bool) -> str:
    if not sys.stdin.isatty():
        raise InputError(
            f"no passphrase: use --passphrase-file FILE or set {PASSPHRASE_ENV} (no terminal)"
        )
    value: str = click.prompt(label, hide_input=True, confirmation_prompt=confirm, err=True)
    return value


def resolve_vault(vault_dir: Path | None) -> Path:
    return vault_dir if vault_dir is not None else default_vault_dir()
