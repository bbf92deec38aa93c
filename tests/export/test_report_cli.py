"""``mockaudit report --format html|pdf``: the mock report as a file, PDF printed by Chromium."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from mockaudit.session import Session
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.export.conftest import PACK
from tests.export.rendering import CHROMIUM_NAMES, needs_tool, pdf_pages


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> list[str | Path]:
    root = tmp_path_factory.mktemp("report-cli")
    with Session.create(root / "vault", PASSPHRASE, kdf=FAST_KDF) as s:
        s.import_scenario(PACK)
        s.run_audit(seed=7, as_of=date(2026, 7, 15))
    (root / "pass.txt").write_text(PASSPHRASE + "\n")
    return ["--vault", root / "vault", "--passphrase-file", root / "pass.txt"]


def test_report_html(vault, run_cli, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = run_cli("report", *vault, "--out", out)
    assert result.code == 0, result.err
    assert "as html to" in result.out
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@needs_tool(*CHROMIUM_NAMES)
@needs_tool("pdftotext")
def test_report_pdf_on_letter_paper(vault, run_cli, tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    result = run_cli("report", *vault, "--format", "pdf", "--paper", "letter", "--out", out)
    assert result.code == 0, result.err
    pages = pdf_pages(out)
    assert len(pages) > 5 and all((p.width, p.height) == (612, 792) for p in pages)
    text = " ".join(w.text for w in pages[0].words)
    assert "Mock SOC 2 Type 2 Report" in text and "Globex Freight Systems" in text


def test_report_pdf_without_chromium_names_the_package(
    vault, run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    out = tmp_path / "report.pdf"
    result = run_cli("report", *vault, "--format", "pdf", "--out", out)
    assert result.code == 2
    assert result.err.count("\n") == 1 and "'chromium' package" in result.err
    assert "Traceback" not in result.err and not out.exists()
