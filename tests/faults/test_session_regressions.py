"""Bugs the fault loops found in session.py's walkthrough storage and export.

Each test states the behaviour the rest of the vault already has: the Markdown export
records its custody event before the copy appears and sweeps the temp files of an
earlier failed write; a failed save removes its transcript blob at once.
"""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

import pytest

from mockaudit.errors import MockauditError
from mockaudit.session import Session
from tests.conftest import PASSPHRASE
from tests.faults.faulty_ops import FaultyOps, installed
from tests.faults.faulty_sql import IOERR, FaultyConnection, sql_faults
from tests.faults.program_paths import Material, build_material


@pytest.fixture(scope="module")
def material(scratch_root: Path) -> Material:
    return build_material(scratch_root / "session-regressions")


@pytest.fixture
def vault(material: Material, scratch: Path) -> Path:
    folder = scratch / "vault"
    shutil.copytree(material.programmed, folder)
    return folder


def _blob_files(folder: Path) -> set[str]:
    return {p.name for p in (folder / "blobs").rglob("*") if p.is_file()}


def _exported_to(s: Session) -> set[str]:
    return {
        str(e.fields.get("destination"))
        for info in s.list_evidence()
        for e in s.evidence_detail(info.evidence_id).history
        if e.event == "exported"
    }


def _export_md(s: Session, folder: Path) -> None:
    out = folder.parent / "out"
    out.mkdir(exist_ok=True)
    s.export_walkthrough_markdown("WT-000001", out / "WT-000001.md")


def test_walkthrough_markdown_never_appears_without_its_exported_event(
    vault: Path, scratch: Path
) -> None:
    """The custody INSERT of the export fails: there must be no Markdown copy without it."""
    with Session.open(vault, PASSPHRASE) as s:
        fault = FaultyConnection(s.vault.conn, 1, IOERR, match="INSERT INTO custody")
        with sql_faults(s.vault, fault):
            with pytest.raises(MockauditError):
                _export_md(s, vault)
        assert fault.tripped
        out = vault.parent / "out" / "WT-000001.md"
        assert not out.exists() or str(out) in _exported_to(s), (
            "a decrypted transcript left the vault without a custody event"
        )


def test_walkthrough_markdown_retry_sweeps_the_temp_file_of_a_failed_write(
    vault: Path, scratch: Path
) -> None:
    """A dying disk fails the write and its clean-up; the retry must remove the temp file
    (as every other export does through export.output.write_export)."""
    out = vault.parent / "out"
    with Session.open(vault, PASSPHRASE) as s:
        with installed(FaultyOps(2, errno.EIO, persistent=True)), pytest.raises(MockauditError):
            _export_md(s, vault)
        assert [p.name for p in out.iterdir() if p.name.startswith(".")], "nothing to sweep"
        _export_md(s, vault)
    leftovers = sorted(p.name for p in out.iterdir() if p.name != "WT-000001.md")
    assert not leftovers, f"temp files with decrypted transcript text left: {leftovers}"


def test_failed_walkthrough_save_removes_its_transcript_blob_at_once(
    material: Material, vault: Path
) -> None:
    """The walkthroughs INSERT fails after the transcript blob was stored: the blob must be
    gone right away (as after a failed import), not only after the next open's sweep."""
    before = _blob_files(vault)
    with Session.open(vault, PASSPHRASE) as s:
        fault = FaultyConnection(s.vault.conn, 1, IOERR, match="INSERT INTO walkthroughs")
        with sql_faults(s.vault, fault), pytest.raises(MockauditError):
            s.save_walkthrough(material.walkthrough)
        assert fault.tripped
        assert _blob_files(vault) == before, "the failed save's transcript blob is still there"
