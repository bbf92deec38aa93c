"""``mockaudit findings export`` / ``requests export`` on a vault that ran an audit."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from mockaudit.cli import cli, export_cmd
from mockaudit.session import Session
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.export.conftest import PACK


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """A vault holding the globex pack and one stored run; its passphrase file; the run id."""
    root = tmp_path_factory.mktemp("cli")
    with Session.create(root / "vault", PASSPHRASE, kdf=FAST_KDF) as s:
        s.import_scenario(PACK)
        run = s.run_audit(seed=7, as_of=date(2026, 7, 15))
    passfile = root / "pass.txt"
    passfile.write_text(PASSPHRASE + "\n")
    return root / "vault", passfile, run.id


@pytest.fixture(autouse=True)
def _registered() -> Iterator[None]:
    export_cmd.register(cli)  # the lead registers it in cli/__init__.py; idempotent
    yield


def _vault_args(audited: tuple[Path, Path, str]) -> list[str | Path]:
    vault, passfile, _ = audited
    return ["--vault", vault, "--passphrase-file", passfile]


@pytest.mark.parametrize("fmt", ["csv", "json", "md", "xlsx", "html", "oscal"])
def test_findings_export_each_format(fmt: str, audited, run_cli, tmp_path: Path) -> None:
    out = tmp_path / f"findings.{fmt}"
    result = run_cli("findings", "export", *_vault_args(audited), "--format", fmt, "--out", out)
    assert result.code == 0, result.err
    assert out.stat().st_size > 0
    run_id = audited[2]
    assert run_id in result.out and str(out) in result.out
    if fmt == "json":
        assert json.loads(out.read_text())["run"]["id"] == run_id
    elif fmt == "csv":
        rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
        assert rows and rows[0]["id"] == "F-0001"
    elif fmt == "xlsx":
        assert openpyxl.load_workbook(out).sheetnames[0] == "Summary"
    elif fmt == "md":
        assert out.read_text().startswith("# Mock SOC 2 audit")
    # html and oscal belong to the report writers (tests/export of issue 5's other half)


def test_explicit_run_id_and_bom(audited, run_cli, tmp_path: Path) -> None:
    out = tmp_path / "f.csv"
    result = run_cli(
        "findings", "export", *_vault_args(audited), "--format", "CSV", "--out", out,
        "--run", audited[2], "--bom",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")


def test_unknown_run_id_exits_2_with_one_line(audited, run_cli, tmp_path: Path) -> None:
    out = tmp_path / "f.csv"
    result = run_cli(
        "findings", "export", *_vault_args(audited), "--format", "csv", "--out", out,
        "--run", "run-does-not-exist",
    )  # fmt: skip
    assert result.code == 2
    assert result.err == "error: no run with id run-does-not-exist\n"
    assert not out.exists()


def test_unknown_format_exits_2(audited, run_cli, tmp_path: Path) -> None:
    result = run_cli(
        "findings", "export", *_vault_args(audited), "--format", "pdf", "--out", tmp_path / "x"
    )
    assert result.code == 2 and result.err.count("\n") == 1 and "'pdf'" in result.err


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_requests_export(fmt: str, audited, run_cli, tmp_path: Path) -> None:
    out = tmp_path / f"requests.{fmt}"
    result = run_cli("requests", "export", *_vault_args(audited), "--format", fmt, "--out", out)
    assert result.code == 0, result.err
    assert out.stat().st_size > 0 and "request(s)" in result.out


def test_requests_export_unknown_run(audited, run_cli, tmp_path: Path) -> None:
    result = run_cli(
        "requests", "export", *_vault_args(audited), "--format", "csv",
        "--out", tmp_path / "r.csv", "--run", "nope",
    )  # fmt: skip
    assert result.code == 2 and result.err == "error: no run with id nope\n"


def test_wrong_passphrase_exits_3(audited, run_cli, tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the passphrase\n")
    result = run_cli(
        "findings", "export", "--vault", audited[0], "--passphrase-file", wrong,
        "--format", "csv", "--out", tmp_path / "f.csv",
    )  # fmt: skip
    assert result.code == 3 and not (tmp_path / "f.csv").exists()


def test_vault_without_runs_says_so(run_cli, session: Session, passfile: Path, tmp_path) -> None:
    vault = session.vault.folder
    session.close()
    result = run_cli(
        "findings", "export", "--vault", vault, "--passphrase-file", passfile,
        "--format", "md", "--out", tmp_path / "f.md",
    )  # fmt: skip
    assert result.code == 2 and "no audit run yet" in result.err
