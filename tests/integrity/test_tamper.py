"""Issue 15 acceptance 1 (and points 1 and 7): tampering by someone who holds the
passphrase, done with the vault's own keys, is reported by ``vault verify --full
--against`` a checkpoint kept outside the vault — naming the item.

Each case starts from a vault built through the CLI (init, import of the fixture
scenario, a checkpoint written outside the vault), edits it as an attacker with the
key would, then runs the real ``mockaudit vault verify``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mockaudit.vault import custody, population_store
from tests.integrity.conftest import Built, copy_folder, raw_conn, swap_blob


def _verify(b: Built, *extra: object):  # noqa: ANN202 - CliResult
    return b.cli("vault", "verify", "--full", "--against", b.checkpoint, *extra)


def test_untouched_vault_verifies_content_and_history(built: Built) -> None:
    out = _verify(built)
    assert out.code == 0, out.out
    assert "no problems found: every blob re-hashed and every population re-digested" in out.out
    assert "history proven against the external checkpoint" in out.out
    assert "populations checked: 3" in out.out


def test_swapped_blob_reencrypted_with_the_vault_key_is_named(built: Built, tmp_path: Path) -> None:
    conn = raw_conn(built.vault)
    target = conn.execute("SELECT evidence_id FROM evidence ORDER BY evidence_id").fetchone()[0]
    conn.close()
    swap_blob(built.vault, target, b"forged content, row updated to match\n", tmp_path)
    out = _verify(built)
    assert out.code == 4
    assert f"PROBLEM: {target}: evidence row says sha256" in out.out
    assert "(the row was edited)" in out.out


def test_swapped_blob_with_the_row_hash_left_alone_is_named_by_the_rehash(
    built: Built, tmp_path: Path
) -> None:
    conn = raw_conn(built.vault)
    target, sha, size = conn.execute(
        "SELECT evidence_id, sha256, size FROM evidence ORDER BY evidence_id"
    ).fetchone()
    conn.close()
    swap_blob(built.vault, target, b"forged", tmp_path)
    conn = raw_conn(built.vault)  # put the recorded hash back: only the blob differs now
    conn.execute(
        "UPDATE evidence SET sha256 = ?, size = ? WHERE evidence_id = ?", (sha, size, target)
    )
    conn.close()
    fast = built.cli("vault", "verify")
    assert fast.code == 0 and "run --full to re-hash every file" in fast.out
    out = _verify(built)
    assert out.code == 4
    assert (
        f"PROBLEM: {target}: content does not match the SHA-256 its custody event recorded"
        in out.out
    )


def test_swapped_blob_with_a_forged_later_custody_event_is_named(
    built: Built, tmp_path: Path
) -> None:
    """Appending a new 'collected' event for the forged content does not help: the
    content an id was collected with is its first content event."""
    conn = raw_conn(built.vault)
    target = conn.execute("SELECT evidence_id FROM evidence ORDER BY evidence_id").fetchone()[0]
    conn.close()
    forged = b"forged and re-logged"
    swap_blob(built.vault, target, forged, tmp_path)
    conn = raw_conn(built.vault)
    import hashlib

    with_event = hashlib.sha256(forged).hexdigest()
    from mockaudit.vault import db

    with db.atomic(conn):
        custody.append(conn, "collected", evidence_id=target, sha256=with_event, size=len(forged))
    conn.close()
    out = _verify(built)
    assert out.code == 4
    assert (
        f"PROBLEM: {target}: custody event #" in out.out and "records different content" in out.out
    )


def test_deleted_population_row_is_named(built: Built) -> None:
    conn = raw_conn(built.vault)
    table = population_store.get_table(conn, "terminations")
    assert table is not None
    conn.execute(
        f'DELETE FROM "{table.table}" WHERE _row = (SELECT max(_row) FROM "{table.table}")'
    )
    conn.execute(
        "UPDATE populations SET row_count = row_count - 1 WHERE population_id = ?",
        ("terminations",),
    )
    conn.close()
    fast = built.cli("vault", "verify")
    assert fast.code == 4 and "population terminations: rows were changed" in fast.out
    out = _verify(built)
    assert out.code == 4
    assert (
        f"PROBLEM: population terminations: rows were changed ({table.row_count - 1} rows, "
        f"custody event #" in out.out
    )


def test_edited_population_cell_is_named_by_the_full_digest(built: Built) -> None:
    conn = raw_conn(built.vault)
    table = population_store.get_table(conn, "terminations")
    assert table is not None
    conn.execute(f"UPDATE \"{table.table}\" SET c0 = c0 || 'x' WHERE _row = 1")
    conn.close()
    out = _verify(built)
    assert out.code == 4
    assert "PROBLEM: population terminations: rows were changed (row digest differs" in out.out


@pytest.mark.parametrize(
    "edit",
    [
        "UPDATE {t} SET _line = 'line ' || _line WHERE _row = 1",
        "UPDATE {t} SET c0 = X'00' WHERE _row = 1",
        "UPDATE {t} SET c0 = (SELECT c0 FROM {t} WHERE _row = 2), _key = (SELECT _key FROM {t} "
        "WHERE _row = 2) WHERE _row = 1",
    ],
    ids=["int-made-text", "cell-made-blob", "row-copied-over-another"],
)
def test_type_and_copy_edits_are_named_by_the_full_digest(built: Built, edit: str) -> None:
    """A value of another type (text for a line number, a BLOB nobody could import) or a
    row copied over another changes the digest; a BLOB is reported, not a crash."""
    conn = raw_conn(built.vault)
    table = population_store.get_table(conn, "terminations")
    assert table is not None
    conn.execute(edit.format(t=f'"{table.table}"'))
    conn.close()
    out = _verify(built)
    assert out.code == 4, out.out
    assert "PROBLEM: population terminations: rows were changed (row digest differs" in out.out
    assert "Traceback" not in out.out + out.err


def test_deleted_custody_row_is_named(built: Built) -> None:
    conn = raw_conn(built.vault)
    conn.execute("DROP TRIGGER custody_append_only_delete")
    seq, evidence_id = conn.execute(
        "SELECT seq, evidence_id FROM custody WHERE event_type = 'imported' ORDER BY seq LIMIT 1"
    ).fetchone()
    conn.execute("DELETE FROM custody WHERE seq = ?", (seq,))
    conn.close()
    out = _verify(built)
    assert out.code == 4
    assert f"PROBLEM: custody event #{seq} is missing" in out.out
    assert f"PROBLEM: {evidence_id}: no custody event records its content" in out.out
    assert "does not match the external checkpoint" in out.out or "rolled back" in out.out


def test_rolled_back_folder_is_named(built: Built, tmp_path: Path) -> None:
    old = tmp_path / "old-copy"
    copy_folder(built.vault, old)
    extra = tmp_path / "late.txt"
    extra.write_text("added after the copy was taken")
    assert built.cli("evidence", "add", extra).code == 0
    later = tmp_path / "outside" / "cp2.txt"
    assert built.cli("vault", "checkpoint", "--out", later).code == 0
    import shutil

    shutil.rmtree(built.vault)
    copy_folder(old, built.vault)
    out = built.cli("vault", "verify", "--full", "--against", later)
    assert out.code == 4
    assert "the vault was rolled back or events were removed" in out.out
    # Without the external checkpoint the rolled-back copy looks whole: the verdict says
    # the history was checked only against itself, never that it is proven.
    alone = built.cli("vault", "verify", "--full")
    assert alone.code == 0
    assert alone.out.rstrip().splitlines()[-1].startswith("history checked only against itself")
