"""Issue 23, point 7: small CLI items a newcomer met (each fails on the old behaviour)."""

from __future__ import annotations

from pathlib import Path

from mockaudit.session import Session
from tests.conftest import FAST_KDF, PASSPHRASE

NORTHWIND = Path(__file__).resolve().parents[2] / "scenarios" / "northwind-first-type2"


def _vault(vault_dir: Path) -> Path:
    with Session.create(vault_dir, PASSPHRASE, kdf=FAST_KDF) as session:
        session.import_scenario(NORTHWIND)
    return vault_dir


def test_checkpoint_out_creates_the_missing_folder(
    run_cli, vault_dir: Path, passfile: Path, tmp_path: Path
) -> None:
    with Session.create(vault_dir, PASSPHRASE, kdf=FAST_KDF):
        pass
    out = tmp_path / "checkpoints" / "new" / "x.txt"
    done = run_cli("vault", "checkpoint", "--out", out, "--vault", vault_dir,
                   "--passphrase-file", passfile)  # fmt: skip
    assert done.code == 0, done.err
    assert out.is_file() and "checkpoint at size" in done.out


def test_evidence_add_rejects_unknown_controls_populations_and_items(
    run_cli, vault_dir: Path, passfile: Path, tmp_path: Path
) -> None:
    vault = _vault(vault_dir)
    file = tmp_path / "proof.txt"
    file.write_text("proof\n")
    common = ("--vault", vault, "--passphrase-file", passfile)
    bad = run_cli("evidence", "add", file, "--control", "CHG-99", *common)
    assert bad.code == 2 and "the program has no control 'CHG-99'" in bad.err
    bad = run_cli("evidence", "add", file, "--population", "changes", "--item", "nope", *common)
    assert bad.code == 2 and "population 'changes' has no item 'nope'" in bad.err
    bad = run_cli("evidence", "add", file, "--population", "nopes", "--item", "x", *common)
    assert bad.code == 2 and "no population 'nopes' is imported" in bad.err
    with Session.open(vault, PASSPHRASE, write=False) as session:
        assert not [e for e in session.list_evidence() if e.original_name.endswith("proof.txt")]
    good = run_cli("evidence", "add", file, "--control", "CHG-01", *common)
    assert good.code == 0, good.err


def test_evidence_show_never_prints_an_empty_item(run_cli, vault_dir: Path, passfile: Path) -> None:
    vault = _vault(vault_dir)
    with Session.open(vault, PASSPHRASE, write=False) as session:
        ids = [e.evidence_id for e in session.list_evidence() if e.links]
    for evidence_id in ids[:20]:
        shown = run_cli("evidence", "show", evidence_id, "--vault", vault,
                        "--passphrase-file", passfile)  # fmt: skip
        assert shown.code == 0, shown.err
        for line in shown.out.splitlines():
            if line.startswith("linked to:"):
                assert not line.rstrip().endswith("item") and line.split(":", 1)[1].strip()
                assert "item None" not in line and "item ," not in line


def test_disk_full_has_its_own_exit_code(
    run_cli, vault_dir: Path, passfile: Path, tmp_path: Path, monkeypatch
) -> None:
    """Not 2 (usage): a script can tell "free some space and retry" from "fix the command"."""
    import errno

    from mockaudit.vault.store import Vault

    with Session.create(vault_dir, PASSPHRASE, kdf=FAST_KDF):
        pass

    def full(self: Vault, out: Path) -> str:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Vault, "checkpoint", full)
    done = run_cli("vault", "checkpoint", "--out", tmp_path / "x.txt", "--vault", vault_dir,
                   "--passphrase-file", passfile)  # fmt: skip
    assert done.code == 5
    assert done.err.startswith("error: disk full while writing the checkpoint")
