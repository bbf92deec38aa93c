"""Vaults written before issue 15 keep verifying: an item whose custody events carry
no content hash, or a population loaded before ``rows_loaded`` events existed, is
reported in a note (checked against the table only) — never a failure."""

from __future__ import annotations

from pathlib import Path

import pytest

import mockaudit.services.importer
from mockaudit.session import Session
from mockaudit.vault import custody, ingest
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.integrity.conftest import FIXTURE


def test_a_pre_issue_15_vault_verifies_with_notes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_append = custody.append

    def old_append(conn, event, **fields):  # noqa: ANN001, ANN003, ANN202 - as before
        fields.pop("sha256", None)
        fields.pop("size", None)
        return real_append(conn, event, **fields)

    monkeypatch.setattr(ingest.custody, "append", old_append)
    monkeypatch.setattr(mockaudit.services.importer, "record_rows", lambda *a: None)
    folder = tmp_path / "vault"
    with Session.create(folder, PASSPHRASE, kdf=FAST_KDF) as s:
        s.import_scenario(FIXTURE)
    monkeypatch.undo()

    with Session.open(folder, PASSPHRASE, write=False) as s:
        report = s.verify(full=True)
    assert report.ok, report.problems
    assert any("stored before custody events recorded content hashes" in n for n in report.notes)
    assert any("loaded before custody recorded row digests" in n for n in report.notes)
    assert report.blobs_checked == 8
