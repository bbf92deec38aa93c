"""Unlocking: wrong, empty and damaged inputs give distinct errors and change nothing."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from mockaudit.errors import HeaderDamagedError, InputError, WrongPassphraseError
from mockaudit.session import Session
from mockaudit.vault import keyfile
from mockaudit.vault.keyfile import KdfParams
from tests.conftest import FAST_KDF_ARGS, PASSPHRASE
from tests.helpers import snapshot_tree


@pytest.fixture
def populated(vault_dir: Path, session: Session, tmp_path: Path) -> Path:
    (tmp_path / "e.txt").write_text("evidence")
    session.add_evidence([tmp_path / "e.txt"])
    session.close()
    return vault_dir


def test_wrong_passphrase_is_exit_3_and_changes_no_byte(
    populated: Path, run_cli, tmp_path: Path
) -> None:
    before = snapshot_tree(populated)
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the passphrase")
    result = run_cli("evidence", "list", "--vault", populated, "--passphrase-file", wrong)
    assert result.code == 3
    assert result.err.strip() == "error: wrong passphrase for this vault"
    assert snapshot_tree(populated) == before


def test_empty_passphrase_is_its_own_error(populated: Path, run_cli, tmp_path: Path) -> None:
    before = snapshot_tree(populated)
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    result = run_cli("evidence", "list", "--vault", populated, "--passphrase-file", empty)
    assert result.code == 3
    assert result.err.strip() == "error: the passphrase is empty"
    assert snapshot_tree(populated) == before


@pytest.mark.parametrize(
    "damage", ["flip-salt", "truncate", "garbage", "flip-checksum", "huge-kdf"]
)
def test_damaged_header_is_exit_4_distinct_from_wrong_passphrase(
    populated: Path,
    run_cli,
    passfile: Path,
    damage: str,
) -> None:
    key = populated / keyfile.KEY_FILE
    data = bytearray(key.read_bytes())
    if damage == "flip-salt":
        i = data.index(b'"salt":"') + 10
        data[i] = ord("A") if data[i] != ord("A") else ord("B")
    elif damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "garbage":
        data = bytearray(b"\x00\xff" * 40)
    elif damage == "flip-checksum":
        i = data.index(b'"checksum":"') + 13
        data[i] = ord("0") if data[i] != ord("0") else ord("1")
    else:  # a crafted header asking for 64 GiB, with a valid checksum
        import hashlib
        import json

        doc = json.loads(data)
        doc.pop("checksum")
        doc["slots"][0]["kdf"]["memory_kib"] = 64 * 1024 * 1024
        doc["checksum"] = hashlib.sha256(keyfile.canonical_json(doc)).hexdigest()
        data = bytearray(keyfile.canonical_json(doc))
    key.write_bytes(bytes(data))
    before = snapshot_tree(populated)
    started = time.monotonic()
    result = run_cli("evidence", "list", "--vault", populated, "--passphrase-file", passfile)
    assert result.code == 4, result.err
    assert "vault.key" in result.err and len(result.err.strip().splitlines()) == 1
    assert "wrong passphrase" not in result.err
    assert snapshot_tree(populated) == before
    assert time.monotonic() - started < 5  # the crafted cost was refused, not computed


def test_passphrase_never_appears_in_errors(populated: Path, run_cli, tmp_path: Path) -> None:
    canary = "CANARY-pass-7f3a9"
    wrong = tmp_path / "w.txt"
    wrong.write_text(canary)
    result = run_cli("vault", "verify", "--vault", populated, "--passphrase-file", wrong)
    assert canary not in result.out + result.err


def test_mistyped_vault_path_creates_nothing(tmp_path: Path, run_cli, passfile: Path) -> None:
    missing = tmp_path / "vualt"
    result = run_cli("evidence", "list", "--vault", missing, "--passphrase-file", passfile)
    assert result.code == 2
    assert "no vault at" in result.err and "mockaudit init" in result.err
    assert not missing.exists()


def test_init_refuses_to_overwrite(populated: Path) -> None:
    with pytest.raises(InputError, match="already exists"):
        Session.create(populated, PASSPHRASE)


def test_cli_init_then_list(tmp_path: Path, run_cli, passfile: Path) -> None:
    folder = tmp_path / "v"
    result = run_cli("init", "--vault", folder, "--passphrase-file", passfile, *FAST_KDF_ARGS)
    assert result.code == 0, result.err
    assert "created vault" in result.out
    assert (folder / "vault.key").is_file() and (folder / "vault.key.bak").is_file()
    listed = run_cli("evidence", "list", "--vault", folder, "--passphrase-file", passfile)
    assert listed.code == 0 and "no evidence yet" in listed.err


def test_default_kdf_is_strong_and_unlock_runs_it_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    params = KdfParams()
    assert params.memory_kib >= 64 * 1024 and params.iterations >= 3
    calls: list[int] = []
    real = keyfile.derive_kek

    def counting(passphrase: str, p: KdfParams, salt: bytes) -> bytes:
        calls.append(p.memory_kib)
        return real(passphrase, p, salt)

    monkeypatch.setattr(keyfile, "derive_kek", counting)
    Session.create(tmp_path / "v", PASSPHRASE).close()
    calls.clear()
    started = time.monotonic()
    Session.open(tmp_path / "v", PASSPHRASE).close()
    elapsed = time.monotonic() - started
    assert calls == [params.memory_kib]  # exactly one Argon2id run per unlock
    assert elapsed < 5


def test_wrong_passphrase_error_class(populated: Path) -> None:
    with pytest.raises(WrongPassphraseError):
        Session.open(populated, "nope")
    with pytest.raises(HeaderDamagedError):
        (populated / keyfile.KEY_FILE).write_text("{}")
        Session.open(populated, PASSPHRASE)
