"""``mockaudit import``: the whole program into the vault, idempotent, atomic, with custody."""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

import pytest

from mockaudit.errors import InputError
from mockaudit.session import Session
from mockaudit.vault.population_store import get_table

FIXTURE = Path(__file__).parents[1] / "scenarios" / "fixtures" / "valid"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "scenario"
    shutil.copytree(FIXTURE, target)
    return target


def _column_digests(rows: list[list[str]]) -> list[str]:
    return [
        hashlib.sha256("\x1f".join(col).encode()).hexdigest() for col in zip(*rows, strict=True)
    ]


def test_rows_keys_and_column_checksums_match_the_csv(session: Session, folder: Path) -> None:
    report = session.import_scenario(folder)
    assert {p.population: p.status for p in report.populations} == {
        "changes": "new", "terminations": "new", "access-removals": "new",
    }  # fmt: skip
    path = folder / "populations" / "changes.csv"
    with open(path, encoding="utf-8-sig", newline="") as fh:
        header, *expected = list(csv.reader(fh))
    table = get_table(session.vault.conn, "changes")
    assert table is not None and table.columns == tuple(header) and table.row_count == len(expected)
    stored = [list(r.values.values()) for r in session.source().rows("changes")]
    assert stored == expected
    assert _column_digests(stored) == _column_digests(expected)
    assert {r.key for r in session.source().rows("changes")} == {row[0] for row in expected}


def test_every_named_file_is_evidence_with_custody(session: Session, folder: Path) -> None:
    session.import_scenario(folder)
    names = {i.original_name: i for i in session.list_evidence()}
    assert "populations/changes.csv" in names  # the CSV itself is IPE evidence
    assert "evidence/config/branch-protection.png" in names
    csv_item = names["populations/changes.csv"]
    assert [link.population_id for link in csv_item.links] == ["changes"]
    [event] = session.evidence_detail(csv_item.evidence_id).history
    assert event.event == "imported" and event.fields["original_name"] == "populations/changes.csv"
    row_item = names["evidence/changes/PR-1.txt"]
    assert row_item.links[0].population_id == "changes" and row_item.links[0].item_key == "PR-1"


def test_reimport_is_idempotent(session: Session, folder: Path) -> None:
    session.import_scenario(folder)
    events = session.vault.tree_size()
    evidence = len(session.list_evidence())
    again = session.import_scenario(folder)
    assert again.changes == [] and again.program_version == 1 and again.files_stored == 0
    assert {p.status for p in again.populations} == {"unchanged"}
    assert session.vault.tree_size() == events and len(session.list_evidence()) == evidence


def test_changed_folder_records_what_changed(session: Session, folder: Path) -> None:
    session.import_scenario(folder)
    toml = folder / "scenario.toml"
    toml.write_text(toml.read_text().replace("declared_count = 4", "declared_count = 5"))
    with open(folder / "populations" / "changes.csv", "a") as fh:
        fh.write("PR-9,ana,ben,2026-06-01,2026-06-02,success,low,2026-06-03,,\n")
    report = session.import_scenario(folder)
    assert report.program_version == 2
    assert report.changes == ["populations: changes changed"]
    assert {p.population: p.status for p in report.populations}["changes"] == "replaced"
    assert get_table(session.vault.conn, "changes").row_count == 5  # type: ignore[union-attr]
    old = [i for i in session.list_evidence() if i.original_name == "populations/changes.csv"][0]
    assert [e.event for e in session.evidence_detail(old.evidence_id).history] == [
        "imported",
        "superseded",
    ]
    assert [v for v, *_ in session.program_history()] == [1, 2]


def test_ragged_row_fails_in_one_line_and_leaves_nothing_visible(
    session: Session, folder: Path
) -> None:
    with open(folder / "populations" / "terminations.csv", "a") as fh:
        fh.write("E-3;x@example.com\n")
    with pytest.raises(
        InputError, match=r"populations/terminations.csv line 4: 2 fields, header has 4"
    ):
        session.import_scenario(folder)
    assert session.vault.conn.execute("SELECT count(*) FROM program_versions").fetchone()[0] == 0
    assert get_table(session.vault.conn, "changes") is None
    assert session.verify(full=True).ok


def test_missing_row_evidence_is_reported_not_fatal(session: Session, folder: Path) -> None:
    (folder / "evidence" / "changes" / "PR-1.txt").unlink()
    report = session.import_scenario(folder)
    assert "evidence/changes/PR-1.txt" in report.files_missing
    ref = session.source().evidence(["evidence/changes/PR-1.txt"])["evidence/changes/PR-1.txt"]
    assert ref.evidence_id is None


def test_row_evidence_escaping_the_folder_is_refused(session: Session, folder: Path) -> None:
    path = folder / "populations" / "changes.csv"
    path.write_text(
        path.read_text(encoding="utf-8-sig").replace(
            "evidence/changes/PR-1.txt", "../../etc/passwd"
        )
    )
    with pytest.raises(InputError, match="populations/changes.csv line 2"):
        session.import_scenario(folder)
    assert session.list_evidence() == [] or all(
        "passwd" not in i.original_name for i in session.list_evidence()
    )


def test_cli_import_and_criteria(tmp_path: Path, folder: Path, run_cli, passfile: Path) -> None:
    from tests.conftest import FAST_KDF_ARGS

    vault = tmp_path / "v"
    assert (
        run_cli("init", "--vault", vault, "--passphrase-file", passfile, *FAST_KDF_ARGS).code == 0
    )
    result = run_cli("import", folder, "--vault", vault, "--passphrase-file", passfile)
    assert result.code == 0, result.err
    assert "population changes: 4 rows (new)" in result.out
    bad = run_cli("import", tmp_path / "nowhere", "--vault", vault, "--passphrase-file", passfile)
    assert bad.code == 2 and bad.err.count("\n") == 1
    listing = run_cli("criteria")
    assert listing.code == 0 and len(listing.out.splitlines()) == 61


def test_export_program_back_loads_to_the_same_program(
    session: Session, folder: Path, tmp_path: Path
) -> None:
    from mockaudit.scenarios.loader import load_scenario

    session.import_scenario(folder)
    out = tmp_path / "exported"
    count = session.export_program(out)
    again = load_scenario(out)
    assert again.program == load_scenario(folder).program
    assert count >= 1 + 3  # scenario.toml and the three populations at least
    original = [c for _, c in load_scenario(folder).table("changes").rows()]
    assert [c for _, c in again.table("changes").rows()] == original
    assert (out / "evidence/config/branch-protection.png").read_bytes() == (
        folder / "evidence/config/branch-protection.png"
    ).read_bytes()
    with pytest.raises(InputError, match="not empty"):
        session.export_program(out)


def test_population_page_reads_any_window(session: Session, folder: Path) -> None:
    session.import_scenario(folder)
    [changes] = [p for p in session.populations() if p.population_id == "changes"]
    everything = list(session.source().rows("changes"))
    assert session.population_page("changes", 0, 2) == everything[:2]
    assert session.population_page("changes", changes.row_count - 1, 10) == everything[-1:]
    assert session.population_page("changes", changes.row_count + 5, 10) == []
    with pytest.raises(InputError, match="has not been imported"):
        session.population_page("nope", 0)
