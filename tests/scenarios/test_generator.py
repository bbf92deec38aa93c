"""The scenario generator: clean programs are clean, planted defects are real, output is stable."""

from __future__ import annotations

import csv
import json
import re
import shutil
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest

from mockaudit.domain import Category, FindingCode
from mockaudit.errors import InputError
from mockaudit.scenarios.loader import load_scenario
from mockaudit.scenarios.synthetic.evidence_files import pdf_text, png_text
from mockaudit.scenarios.synthetic.generator import TRUTH_FILE, generate_scenario
from mockaudit.scenarios.synthetic.planted_defects import NOT_PLANTABLE, PLANTABLE
from mockaudit.scenarios.writer import write_scenario
from tests.scenarios.folder_checks import Folder, observe

SEEDS = (1, 2, 3)
RATE = 0.3


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    root = tmp_path_factory.mktemp("clean")
    for seed in SEEDS:
        generate_scenario(root / str(seed), seed=seed, size="small", defects=0.0)
    return {seed: root / str(seed) for seed in SEEDS}


@pytest.fixture(scope="module")
def defective(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    root = tmp_path_factory.mktemp("defective")
    for seed in SEEDS:
        generate_scenario(root / str(seed), seed=seed, size="small", defects=RATE)
    return {seed: root / str(seed) for seed in SEEDS}


def _truth(folder: Path) -> dict[str, Any]:
    data = json.loads((folder / TRUTH_FILE).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _planted(folder: Path) -> list[dict[str, Any]]:
    planted = _truth(folder)["planted"]
    assert isinstance(planted, list)
    return planted


# -- defects = 0: a program a competent auditor passes ------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_clean_scenario_loads_and_an_independent_reading_finds_nothing(
    clean: dict[int, Path], seed: int
) -> None:
    folder = Folder.read(clean[seed])
    assert observe(folder) == []
    assert _planted(clean[seed]) == []


@pytest.mark.parametrize("seed", SEEDS)
def test_clean_populations_are_complete_dated_unique_and_evidenced(
    clean: dict[int, Path], seed: int
) -> None:
    folder = Folder.read(clean[seed])
    for population in folder.program.populations:
        rows = folder.rows[population.id]
        assert population.declared_count == len(rows), population.id
        assert population.extracted_on is not None and population.extracted_on > folder.end
        assert population.query and population.count_evidence, population.id
        assert (clean[seed] / population.count_evidence).is_file()
        keys = [r[population.key] for r in rows]
        assert len(keys) == len(set(keys)), population.id
        for row in rows:
            assert folder.start.isoformat() <= row[population.date][:10] <= folder.end.isoformat()
            assert all(value.strip() for value in row.values()), (population.id, row)
            for path in filter(None, row.get(population.evidence_column or "", "").split(";")):
                assert (clean[seed] / path).is_file(), path


@pytest.mark.parametrize("seed", SEEDS)
def test_clean_program_has_the_shape_the_brief_asks_for(clean: dict[int, Path], seed: int) -> None:
    program = load_scenario(clean[seed]).program
    engagement = program.engagement
    assert engagement.report_type == "type2"
    assert engagement.categories == (Category.SECURITY, Category.AVAILABILITY)
    assert engagement.period_start is not None
    months = (engagement.period_end - engagement.period_start).days / 30.4
    assert round(months) in (6, 12)
    assert 28 <= len(program.controls) <= 32
    assert 15 <= len(program.people) <= 60
    leavers = [p for p in program.people if p.left_on is not None]
    assert leavers and all(
        engagement.period_start <= p.left_on <= engagement.period_end for p in leavers if p.left_on
    )
    roster = {p.email for p in program.people}
    hired = {r["email"] for r in Folder.read(clean[seed]).rows["hires"]}
    assert roster & hired, "some roster people were hired during the period"
    owners = {c.owner for c in program.controls}
    current = {p.id for p in program.people if p.left_on is None}
    assert owners <= current
    assert all(r.controls for r in program.risks)
    for name in (
        "changes",
        "hires",
        "terminations",
        "access_removals",
        "access_reviews",
        "backups",
        "restore_tests",
        "vulnerabilities",
        "incidents",
        "trainings",
        "vendor_reviews",
    ):
        assert program.population(name) is not None, name
    total = sum(p.declared_count or 0 for p in program.populations)
    assert 1_000 <= total <= 3_000


# -- defects > 0: every plantable code, each really in the files --------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_truth_lists_every_plantable_code(defective: dict[int, Path], seed: int) -> None:
    truth = _truth(defective[seed])
    assert {e["code"] for e in _planted(defective[seed])} == set(PLANTABLE)
    skipped = {e["code"] for e in truth["not_plantable"]}
    assert {FindingCode.EVIDENCE_INTEGRITY, FindingCode.WALKTHROUGH_DIVERGENCE} <= skipped
    assert skipped == set(NOT_PLANTABLE)
    for record in _planted(defective[seed]):
        assert {"code", "control", "population", "items"} <= set(record)


_MATCH_ON = {
    "scope.criterion_uncovered": ("criterion",),
    "scope.too_broad": ("system",),
    "policy.stale": ("policy",),
    "risk.unmitigated": ("risk",),
    "control.ownerless": ("control",),
    "control.no_population": ("control",),
    "control.no_evidence": ("control",),
    "sample.deviation": ("control", "population", "attribute"),
    "population.missing_field": ("population", "field"),
    "policy.practice_divergence": ("policy", "commitment"),
    "reconciliation.break": ("reconciliation",),
}


@pytest.mark.parametrize("seed", SEEDS)
def test_every_planted_defect_is_really_in_the_folder(
    defective: dict[int, Path], seed: int
) -> None:
    observed = observe(Folder.read(defective[seed]))
    for record in _planted(defective[seed]):
        keys = _MATCH_ON.get(str(record["code"]), ("population",))
        matches = [
            o
            for o in observed
            if o["code"] == record["code"] and all(o.get(k) == record.get(k) for k in keys)
        ]
        assert matches, f"planted but not found: {record}"
        found_items = {i for o in matches for i in o["items"]}
        assert set(record["items"]) <= found_items, record


@pytest.mark.parametrize("seed", SEEDS)
def test_nothing_is_wrong_that_truth_does_not_explain(
    defective: dict[int, Path], seed: int
) -> None:
    """Isolation: each objection is a planted defect or one it documents as implied."""
    planted = _planted(defective[seed])
    implied_items = {
        item
        for r in planted
        if r["code"] in ("population.missing_field", "evidence.missing")
        for item in r["items"]
    }
    for found in observe(Folder.read(defective[seed])):
        if found["code"] == "sample.deviation" and set(found["items"]) <= implied_items:
            continue
        keys = _MATCH_ON.get(str(found["code"]), ("population",))
        assert any(
            r["code"] == found["code"] and all(r.get(k) == found.get(k) for k in keys)
            for r in planted
        ), f"unexplained: {found}"


def test_higher_rates_hit_more_items(tmp_path: Path) -> None:
    low = generate_scenario(tmp_path / "low", seed=5, size="small", defects=0.05)
    high = generate_scenario(tmp_path / "high", seed=5, size="small", defects=1.0)
    assert set(low.planted) == set(high.planted) == set(PLANTABLE)
    items = [len(r["items"]) for r in _planted(tmp_path / "high")]
    assert sum(high.planted.values()) > sum(low.planted.values())
    assert sum(items) > sum(len(r["items"]) for r in _planted(tmp_path / "low"))


# -- stability and round trip -------------------------------------------------------------


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_same_seed_writes_byte_identical_folders(tmp_path: Path) -> None:
    generate_scenario(tmp_path / "a", seed=11, size="small", defects=0.5)
    generate_scenario(tmp_path / "b", seed=11, size="small", defects=0.5)
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")


def test_different_seeds_write_different_companies(clean: dict[int, Path]) -> None:
    texts = {(clean[s] / "scenario.toml").read_text(encoding="utf-8") for s in SEEDS}
    assert len(texts) == len(SEEDS)
    rows = {(clean[s] / "populations" / "changes.csv").read_bytes() for s in SEEDS}
    assert len(rows) == len(SEEDS)


@pytest.mark.parametrize("kind", ["clean", "defective"])
def test_load_write_load_gives_an_equal_program(
    request: pytest.FixtureRequest, tmp_path: Path, kind: str
) -> None:
    source: Path = request.getfixturevalue(kind)[1]
    before = load_scenario(source).program
    copy = tmp_path / "copy"
    shutil.copytree(source, copy)
    (copy / "scenario.toml").unlink()
    write_scenario(before, copy)
    assert load_scenario(copy).program == before
    text = (copy / "scenario.toml").read_text(encoding="utf-8")
    assert re.search(r"^period_end = \d{4}-\d{2}-\d{2}$", text, re.M), "dates are TOML dates"


# -- evidence files are real files --------------------------------------------------------


def test_png_evidence_is_a_valid_png() -> None:
    data = png_text(["RESTORE RT-1001", "Integrity check: passed"])
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset, kinds = 8, []
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind, body = data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        kinds.append(kind)
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        if kind == b"IDAT":
            raw = zlib.decompress(body)
        offset += 12 + length
    assert kinds == [b"IHDR", b"IDAT", b"IEND"]
    assert len(raw) == height * (width + 1)
    assert min(raw) < 0x80, "some pixels are ink"


def test_pdf_evidence_has_a_consistent_cross_reference_table() -> None:
    data = pdf_text(
        "Access Control Policy", ["Owner: dana (DO)", *[f"line {i}" for i in range(80)]]
    )
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
    startxref = int(data[data.rindex(b"startxref") + 9 :].split()[0])
    table = data[startxref:].split(b"trailer")[0].split(b"\n")
    entries = [line for line in table[3:] if line.strip()]
    for number, line in enumerate(entries, start=1):
        offset = int(line[:10])
        assert data[offset:].startswith(b"%d 0 obj" % number)
    assert b"/Count 2" in data, "81 lines make two pages"
    assert b"(Owner: dana \\(DO\\)) Tj" in data


def test_generated_evidence_is_readable(clean: dict[int, Path]) -> None:
    root = clean[1]
    reviews = sorted((root / "evidence" / "access_reviews").glob("*.csv"))
    assert reviews
    with reviews[0].open(newline="", encoding="utf-8") as fh:
        assert next(csv.reader(fh)) == ["user", "decision", "reviewer", "decided_on"]
    policies = sorted((root / "evidence" / "policies").glob("*.pdf"))
    assert policies and all(p.read_bytes().startswith(b"%PDF-") for p in policies)
    shots = sorted((root / "evidence" / "ipe").glob("*.png"))
    assert shots and all(p.read_bytes()[:4] == b"\x89PNG" for p in shots)


# -- refusals -----------------------------------------------------------------------------


def test_refuses_a_non_empty_folder_bad_size_and_bad_rate(tmp_path: Path) -> None:
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(InputError, match="not empty"):
        generate_scenario(tmp_path / "used", seed=1)
    assert (tmp_path / "used" / "notes.txt").read_text(encoding="utf-8") == "keep me"
    with pytest.raises(InputError, match="--size"):
        generate_scenario(tmp_path / "x", seed=1, size="enormous")
    with pytest.raises(InputError, match="--defects"):
        generate_scenario(tmp_path / "y", seed=1, defects=1.5)


@pytest.mark.slow
def test_medium_is_clean_and_wider_in_scope(tmp_path: Path) -> None:
    report = generate_scenario(tmp_path / "m", seed=4, size="medium", defects=0.0)
    assert 45_000 <= report.rows <= 55_000
    assert 58 <= report.controls <= 62
    folder = Folder.read(tmp_path / "m")
    assert Category.CONFIDENTIALITY in folder.program.engagement.categories
    assert observe(folder) == []
