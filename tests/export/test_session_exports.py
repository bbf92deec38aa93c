"""Session.export_findings / export_requests: the right program, the right errors, no torn files."""

from __future__ import annotations

import errno
import shutil
from datetime import date
from pathlib import Path

import pytest

from mockaudit.errors import InputError, MockauditError
from mockaudit.export import formats
from mockaudit.session import Session
from tests.export.conftest import PACK
from tests.faults.faulty_ops import injected


@pytest.fixture
def audited(session: Session) -> Session:
    session.import_scenario(PACK)
    session.run_audit(seed=7, as_of=date(2026, 7, 15))
    return session


def test_export_uses_the_program_version_the_run_audited(session: Session, tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(PACK, pack)
    session.import_scenario(pack)
    first = session.run_audit(seed=7, as_of=date(2026, 7, 15))
    toml = pack / "scenario.toml"
    toml.write_text(toml.read_text().replace("Globex Freight Systems, Inc.", "Globex Renamed Ltd"))
    session.import_scenario(pack)
    session.export_findings("md", tmp_path / "old.md", first.id)
    assert "Globex Freight Systems, Inc." in (tmp_path / "old.md").read_text()
    session.run_audit(seed=7, as_of=date(2026, 7, 15))
    session.export_findings("md", tmp_path / "new.md")
    assert "Globex Renamed Ltd" in (tmp_path / "new.md").read_text()


def test_unknown_format_is_refused_before_anything_is_read(session: Session, tmp_path) -> None:
    with pytest.raises(InputError, match="unknown findings format 'pdf'"):
        session.export_findings("pdf", tmp_path / "x")  # the vault has no run: not reached
    with pytest.raises(InputError, match="unknown request list format 'md'"):
        session.export_requests("md", tmp_path / "x")


def test_missing_writer_module_is_not_available_yet(
    audited: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A format whose writer module (or function) is not there yet: one clear line."""
    writers = dict(formats.FINDINGS_WRITERS)
    writers["future"] = formats.Writer("no_such_writer_module", "write_future", program=True)
    writers["half"] = formats.Writer("findings_csv", "write_half", program=True, evidence=True)
    monkeypatch.setattr(formats, "FINDINGS_WRITERS", writers)
    for fmt in ("future", "half"):
        with pytest.raises(InputError, match=f"^format {fmt} is not available yet$"):
            audited.export_findings(fmt, tmp_path / f"x.{fmt}")
        assert not (tmp_path / f"x.{fmt}").exists()


def test_table_writer_gets_run_program_and_evidence(
    audited: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The extension point: a row in FINDINGS_WRITERS is called with what it asks for."""
    import mockaudit.export.findings_markdown as host

    calls: list[tuple[object, ...]] = []
    monkeypatch.setattr(host, "write_probe", lambda *a: calls.append(a), raising=False)
    writers = dict(formats.FINDINGS_WRITERS)
    writers["probe"] = formats.Writer(
        "findings_markdown", "write_probe", program=True, evidence=True
    )
    monkeypatch.setattr(formats, "FINDINGS_WRITERS", writers)
    run = audited.export_findings("probe", tmp_path / "p.json")
    (got_run, program, out, evidence) = calls[0]
    assert got_run == run and program == audited.program() and out == tmp_path / "p.json"
    assert [e.evidence_id for e in evidence] == [e.evidence_id for e in audited.list_evidence()]


@pytest.mark.parametrize(("fmt", "start"), [("html", b"<!DOCTYPE html>"), ("oscal", b"{")])
def test_report_formats_go_through_the_report_writers(
    fmt: str, start: bytes, audited: Session, tmp_path: Path
) -> None:
    out = tmp_path / f"f.{fmt}"
    run = audited.export_findings(fmt, out)
    assert run == audited.run() and out.read_bytes().startswith(start)


@pytest.mark.parametrize("fmt", ["csv", "json", "md", "xlsx"])
def test_a_failed_export_leaves_the_previous_file_whole(
    fmt: str, audited: Session, tmp_path: Path
) -> None:
    out = tmp_path / f"findings.{fmt}"
    out.write_bytes(b"previous export")
    with injected() as counter:  # count the file operations of one clean export
        audited.export_findings(fmt, tmp_path / f"probe.{fmt}")
    total = counter.calls
    assert total >= 4
    for fail_at in range(1, total + 1):
        out.write_bytes(b"previous export")
        with injected(fail_at, errno.ENOSPC) as ops, pytest.raises(MockauditError) as caught:
            audited.export_findings(fmt, out)
        assert "\n" not in caught.value.message
        failed_kind = ops.failed[0][1]
        if failed_kind != "fsync_dir":  # after the rename the new file is already complete
            assert out.read_bytes() == b"previous export", (fail_at, failed_kind)
        leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")]
        assert leftovers == [], (fail_at, failed_kind)


def test_export_into_a_missing_folder_is_one_line(audited: Session, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="^not found while writing .*/missing/f.csv$"):
        audited.export_findings("csv", tmp_path / "missing" / "f.csv")
    with pytest.raises(InputError, match="^not found while writing"):
        audited.export_requests("xlsx", tmp_path / "missing" / "r.xlsx")
