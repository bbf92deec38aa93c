"""``mockaudit bridge-letter`` on Globex (issue 19, acceptance 3; soc2-domain.md §3.6).

Three months after Globex's period end the letter holds each element of §3.6 — the prior
report period, the material changes (the EDI gateway move of 10 August 2026 from the program's
change history), the no-other-changes statement, the CUEC reminder, the not-a-SOC-report
disclaimer — and 13 months after it the command refuses in one line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mockaudit.builtin import builtin_scenario
from mockaudit.session import Session


@pytest.fixture
def globex_vault(session: Session, vault_dir: Path) -> Path:
    session.import_scenario(builtin_scenario("globex-renewal-type2"))
    session.close()
    return vault_dir


def _letter(run_cli: Callable[..., Any], vault: Path, passfile: Path, as_of: str, out: Path) -> Any:
    return run_cli(
        "bridge-letter", "--vault", vault, "--passphrase-file", passfile,
        "--as-of", as_of, "--out", out,
    )  # fmt: skip


def test_globex_letter_three_months_after_period_end_has_every_element(
    run_cli: Callable[..., Any], globex_vault: Path, passfile: Path, tmp_path: Path
) -> None:
    out = tmp_path / "bridge.md"
    result = _letter(run_cli, globex_vault, passfile, "2026-09-30", out)
    assert result.code == 0, result.err
    text = out.read_text(encoding="utf-8")
    assert "SOC 2 Type 2 report" in text and "2025-07-01 to 2026-06-30" in text  # prior period
    assert "from 2026-07-01 to 2026-09-30 (92 days)" in text
    assert "## Material changes since the period end" in text
    assert "2026-08-10: Carrier EDI gateway moved to a second AWS region" in text
    assert "not aware of any other material changes" in text
    assert "complementary user entity controls (CUECs)" in text
    assert "Customers secure the EDI endpoints and credentials they operate" in text
    assert "is not a SOC report" in text
    assert "carves out Amazon Web Services" in text
    assert "(92 days, 1 material change)" in result.out


def test_html_letter_is_escaped_and_self_contained(
    run_cli: Callable[..., Any], globex_vault: Path, passfile: Path, tmp_path: Path
) -> None:
    out = tmp_path / "bridge.html"
    assert _letter(run_cli, globex_vault, passfile, "2026-09-30", out).code == 0
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<script" not in html and "http" not in html
    assert "<h2>This is not a SOC report</h2>" in html


def test_thirteen_months_is_refused_in_one_line(
    run_cli: Callable[..., Any], globex_vault: Path, passfile: Path, tmp_path: Path
) -> None:
    out = tmp_path / "late.md"
    result = _letter(run_cli, globex_vault, passfile, "2027-07-31", out)
    assert result.code == 2
    assert result.err.count("\n") == 1 and "Traceback" not in result.err
    assert "13 months after the period end 2026-06-30" in result.err
    assert "new SOC 2 examination" in result.err
    assert not out.exists()


def test_twelve_months_is_the_longest_gap_allowed(
    run_cli: Callable[..., Any], globex_vault: Path, passfile: Path, tmp_path: Path
) -> None:
    out = tmp_path / "year.md"
    assert _letter(run_cli, globex_vault, passfile, "2027-06-30", out).code == 0
    assert "longer than the about 3 months" in out.read_text(encoding="utf-8")


def test_wrong_suffix_and_bad_date_are_one_line_errors(
    run_cli: Callable[..., Any], globex_vault: Path, passfile: Path, tmp_path: Path
) -> None:
    bad = _letter(run_cli, globex_vault, passfile, "2026-09-30", tmp_path / "bridge.pdf")
    assert bad.code == 2 and ".md or .html" in bad.err and bad.err.count("\n") == 1
    worse = _letter(run_cli, globex_vault, passfile, "30/09/2026", tmp_path / "bridge.md")
    assert worse.code == 2 and "Traceback" not in worse.err
