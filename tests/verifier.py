"""The vault verifier every fault and crash test ends with (vault-security.md §6, harness (c)).

``assert_vault_sound`` opens the vault *writable* — so the recovery sweep that a
user's next open would run has run — and then requires: SQLCipher's page HMACs
clean, SQLite's b-tree ``ok``, every blob decrypting to its recorded SHA-256, the
Merkle root recomputed from the stored payloads, no orphan blob and no
``*.partial`` anywhere in the vault folder, no row without its blob, and every
acknowledged item present and identical.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mockaudit.session import Session
from mockaudit.vault import custody, merkle


@dataclass(frozen=True)
class VaultState:
    """What a sound vault holds, for tests that compare before and after."""

    evidence: dict[str, str]  # evidence id → sha256
    tree_size: int
    root_hex: str
    blob_files: frozenset[str]


def assert_vault_sound(
    folder: Path,
    passphrase: str,
    acknowledged: dict[str, str] | None = None,
    *,
    exact: bool = False,
    member: str | None = None,
) -> VaultState:
    """Fail the test unless the vault at ``folder`` is whole; return what it holds.

    ``exact``: the vault must hold exactly the acknowledged items (nothing
    half-imported became visible).
    """
    # writable: runs the recovery sweep; ``member``: whose key slot (team vaults, issue 20)
    with Session.open(folder, passphrase, member=member) as session:
        state = _check_open(session)
    leftovers = sorted(str(p.relative_to(folder)) for p in folder.rglob("*.partial"))
    assert not leftovers, f"temp files left after the sweep: {leftovers}"
    acked = acknowledged or {}
    wrong = {k: v for k, v in acked.items() if state.evidence.get(k) != v}
    assert not wrong, f"acknowledged items lost or changed: {sorted(wrong)[:5]}"
    if exact:
        extra = sorted(set(state.evidence) - set(acked))
        assert not extra, f"items that were never acknowledged are visible: {extra[:5]}"
    return state


def _check_open(session: Session) -> VaultState:
    conn = session.vault.conn
    hmac_rows = conn.execute("PRAGMA cipher_integrity_check").fetchall()
    assert hmac_rows == [], f"cipher_integrity_check: {hmac_rows[:5]}"
    structure = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    assert structure == ["ok"], f"integrity_check: {structure[:5]}"
    report = session.verify(full=True)
    assert report.ok, report.problems
    assert custody.check_log(conn) == []
    payloads = [bytes(r[0]) for r in conn.execute("SELECT payload FROM custody ORDER BY seq")]
    recomputed = merkle.root([merkle.leaf_hash(p) for p in payloads])
    assert recomputed == custody.root_at(conn), "Merkle root does not recompute from payloads"
    evidence = {i.evidence_id: i.sha256 for i in session.list_evidence()}
    rows = {i.blob_file for i in session.list_evidence()}
    files = {p.name for p in session.vault.blobs.iter_files()}
    assert not rows - files, f"rows without their blob (data loss): {sorted(rows - files)[:5]}"
    assert not files - rows, f"orphan blob files after the sweep: {sorted(files - rows)[:5]}"
    return VaultState(evidence, len(payloads), recomputed.hex(), frozenset(files))
