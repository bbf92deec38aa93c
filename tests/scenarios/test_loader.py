"""The scenario loader: the valid fixture loads; each malformed variant fails in one clear line."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import tomli_w

from mockaudit.domain import Category, Program
from mockaudit.errors import InputError
from mockaudit.scenarios.loader import load_scenario

VALID = Path(__file__).parent / "fixtures" / "valid"


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    """A private copy of the valid fixture, safe to patch."""
    target = tmp_path / "scenario"
    shutil.copytree(VALID, target)
    return target


def replace(old: str, new: str) -> Callable[[Path], None]:
    """An edit of scenario.toml replacing ``old`` (which must occur exactly once) by ``new``."""

    def edit(folder: Path) -> None:
        toml = folder / "scenario.toml"
        text = toml.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"fixture drifted: {old!r} occurs {text.count(old)} times"
        toml.write_text(text.replace(old, new), encoding="utf-8")

    return edit


def append(extra: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        with (folder / "scenario.toml").open("a", encoding="utf-8") as fh:
            fh.write(extra)

    return edit


def replace_bytes(old: bytes, new: bytes) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        toml = folder / "scenario.toml"
        toml.write_bytes(toml.read_bytes().replace(old, new))

    return edit


def write_file(relative: str, data: bytes) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        (folder / relative).write_bytes(data)

    return edit


def remove_file(relative: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        (folder / relative).unlink()

    return edit


def symlink_outside(folder: Path) -> None:
    secret = folder.parent / "secret.txt"
    secret.write_text("not for the vault\n")
    os.symlink(secret, folder / "evidence" / "ipe" / "link.png")
    replace('"evidence/ipe/changes-count.png"', '"evidence/ipe/link.png"')(folder)


@dataclass(frozen=True)
class Case:
    name: str
    edit: Callable[[Path], None]
    fragment: str


CASES = [
    Case(
        "toml syntax error names the line",
        replace('name = "Northwind Cloud Inc."', 'name = "Northwind'),
        "scenario.toml: invalid TOML: Illegal character '\\n' (at line 4, column",
    ),
    Case(
        "format missing",
        replace('format = "mockaudit.scenario/1"\n', ""),
        'scenario.toml: format: missing key (expected "mockaudit.scenario/1")',
    ),
    Case(
        "format from the future",
        replace('"mockaudit.scenario/1"', '"mockaudit.scenario/2"'),
        "scenario.toml: format: 'mockaudit.scenario/2' is not supported",
    ),
    Case(
        "unknown top-level key",
        replace(
            'format = "mockaudit.scenario/1"\n', 'format = "mockaudit.scenario/1"\ncolour = 1\n'
        ),
        "scenario.toml: colour: unknown key",
    ),
    Case(
        "unknown key in a control (typo)",
        replace('owner = "sam"', 'ownr = "sam"'),
        "scenario.toml: controls[1] (IAM-03).ownr: unknown key",
    ),
    Case(
        "wrong type: string for an integer",
        replace("likelihood = 3", 'likelihood = "3"'),
        "scenario.toml: risks[0] (R-01).likelihood: Input should be a valid integer (got a string)",
    ),
    Case(
        "wrong type: boolean for a count",
        replace("declared_count = 4", "declared_count = true"),
        "scenario.toml: populations[0] (changes).declared_count: Input should be a valid integer",
    ),
    Case(
        "likelihood out of 1..5",
        replace("likelihood = 2", "likelihood = 7"),
        "scenario.toml: risks[1] (R-02).likelihood: Input should be less than or equal to 5",
    ),
    Case(
        "unknown frequency",
        replace('frequency = "quarterly"', 'frequency = "hourly"'),
        "scenario.toml: controls[3] (GOV-01).frequency: Input should be 'per_event'",
    ),
    Case(
        "unknown category",
        replace('categories = ["security", "availability"]', 'categories = ["securty"]'),
        "scenario.toml: engagement.categories[0]: Input should be 'security'",
    ),
    Case(
        "unknown criterion id",
        replace('criteria = ["CC8.1"]', 'criteria = ["CC8.9"]'),
        'scenario.toml: controls[0] (CHG-01).criteria: unknown criterion "CC8.9"',
    ),
    Case(
        "missing required key",
        replace('title = "Employees terminated in the period"\n', ""),
        "scenario.toml: populations[1] (terminations).title: missing key",
    ),
    Case(
        "invalid date",
        replace('approved_on = "2026-01-10"', 'approved_on = "2026-13-01"'),
        "scenario.toml: policies[1] (POL-CHANGE).approved_on: not an ISO-8601 date: '2026-13-01'",
    ),
    Case(
        "id with surrounding spaces",
        replace('id = "R-01"', 'id = " R-01"'),
        "scenario.toml: risks[0] ( R-01).id: must be a non-empty id without surrounding spaces",
    ),
    Case(
        "confidence not 0.90/0.95",
        replace("confidence = 0.90", "confidence = 0.8"),
        "scenario.toml: engagement.confidence: must be 0.90 or 0.95, got 0.8",
    ),
    Case(
        "period_start after period_end",
        replace("period_start = 2026-01-01", "period_start = 2026-07-01"),
        "scenario.toml: engagement: period_start 2026-07-01 is after period_end 2026-06-30",
    ),
    Case(
        "type2 without period_start",
        replace("period_start = 2026-01-01\n", ""),
        "scenario.toml: engagement: type2 needs period_start",
    ),
    Case(
        "type1 with period_start",
        replace('report_type = "type2"', 'report_type = "type1"'),
        "scenario.toml: engagement: period_start applies to type2 only",
    ),
    Case(
        "duplicate person id",
        replace('id = "sam"', 'id = "dana"'),
        'scenario.toml: people[1] (dana): duplicate id "dana"',
    ),
    Case(
        "duplicate policy id",
        replace('id = "POL-CHANGE"', 'id = "POL-ACCESS"'),
        'scenario.toml: policies[1] (POL-ACCESS): duplicate id "POL-ACCESS"',
    ),
    Case(
        "duplicate risk id",
        replace('id = "R-02"', 'id = "R-01"'),
        'scenario.toml: risks[1] (R-01): duplicate id "R-01"',
    ),
    Case(
        "duplicate population id",
        replace('id = "access-removals"', 'id = "terminations"'),
        'scenario.toml: populations[2] (terminations): duplicate id "terminations"',
    ),
    Case(
        "duplicate control id",
        replace('id = "GOV-01"', 'id = "OPS-02"'),
        'scenario.toml: controls[3] (OPS-02): duplicate id "OPS-02"',
    ),
    Case(
        "duplicate reconciliation id",
        append(
            '\n[[reconciliations]]\nid = "terminations-vs-removals"\nleft = "terminations"\n'
            'left_match = "email"\nleft_date = "terminated_on"\nright = "access-removals"\n'
            'right_match = "email"\nright_date = "removed_on"\nmax_days = 3\n'
        ),
        "scenario.toml: reconciliations[1] (terminations-vs-removals): duplicate id",
    ),
    Case(
        "duplicate attribute id",
        replace('id = "ci-green"', 'id = "evidenced"'),
        'scenario.toml: controls[0] (CHG-01): duplicate attribute id "evidenced"',
    ),
    Case(
        "duplicate commitment id",
        append(
            '\n[[policies]]\nid = "POL-X"\ntitle = "X"\n'
            '[[policies.commitments]]\nid = "c"\nstatement = "s"\ncontrol = "CHG-01"\n'
            'attribute = "ci-green"\n'
            '[[policies.commitments]]\nid = "c"\nstatement = "t"\ncontrol = "CHG-01"\n'
            'attribute = "ci-green"\n'
        ),
        'scenario.toml: policies[2] (POL-X): duplicate commitment id "c"',
    ),
    Case(
        "control names a missing population",
        replace('population = "terminations"', 'population = "leavers"'),
        'scenario.toml: controls[1] (IAM-03).population: population "leavers" is not defined',
    ),
    Case(
        "attributes on a control without a population",
        replace('population = "terminations"\n', ""),
        "scenario.toml: controls[1] (IAM-03): attributes are tested on population items",
    ),
    Case(
        "commitment names a missing control",
        replace('control = "CHG-01"', 'control = "CHG-09"'),
        "scenario.toml: policies[1] (POL-CHANGE).commitments[0] (independent-review).control: "
        'control "CHG-09" is not defined',
    ),
    Case(
        "commitment names a missing attribute",
        replace('attribute = "independent-approval"', 'attribute = "independence"'),
        "scenario.toml: policies[1] (POL-CHANGE).commitments[0] (independent-review).attribute: "
        'control "CHG-01" has no attribute "independence"',
    ),
    Case(
        "commitment names a missing reconciliation",
        replace('reconciliation = "terminations-vs-removals"', 'reconciliation = "leavers"'),
        "scenario.toml: policies[0] (POL-ACCESS).commitments[0] (deprovision-1-day)"
        '.reconciliation: reconciliation "leavers" is not defined',
    ),
    Case(
        "commitment with both forms",
        replace("max_days = 1\n\n[[policies]]", 'max_days = 1\ncontrol = "CHG-01"\n\n[[policies]]'),
        "scenario.toml: policies[0] (POL-ACCESS).commitments[0] (deprovision-1-day): "
        'use either "reconciliation" or "control" + "attribute", not both',
    ),
    Case(
        "risk names a missing control",
        replace('controls = ["IAM-03"]', 'controls = ["IAM-09"]'),
        'scenario.toml: risks[1] (R-02).controls: control "IAM-09" is not defined',
    ),
    Case(
        "reconciliation names a missing population",
        replace('right = "access-removals"', 'right = "okta"'),
        "scenario.toml: reconciliations[0] (terminations-vs-removals).right: "
        'population "okta" is not defined',
    ),
    Case(
        "reconciliation names a missing column",
        replace('right_match = "email"', 'right_match = "mail"'),
        "scenario.toml: reconciliations[0] (terminations-vs-removals).right_match: "
        '"mail" is not a column of populations/access-removals.csv',
    ),
    Case(
        "attribute field absent from the CSV header",
        replace('fields = ["approved_at", "merged_at"]', 'fields = ["approved_on", "merged_at"]'),
        "scenario.toml: controls[0] (CHG-01).attributes[1] (approved-before-merge): "
        'field "approved_on" is not a column of populations/changes.csv',
    ),
    Case(
        "attribute check missing its key",
        replace('value = "success"\n', ""),
        "scenario.toml: controls[0] (CHG-01).attributes[2] (ci-green): "
        'key "value" is required by check "equals"',
    ),
    Case(
        "attribute check with a key it does not use",
        replace('fields = ["author", "approver"]', 'fields = ["author", "approver"]\ndays = 2'),
        "scenario.toml: controls[0] (CHG-01).attributes[0] (independent-approval): "
        'key "days" does not apply to check "different"',
    ),
    Case(
        "two-field check with three fields",
        replace('fields = ["merged_at", "deployed_at"]', 'fields = ["a", "b", "c"]'),
        "scenario.toml: controls[0] (CHG-01).attributes[4] (deployed-promptly): "
        'check "within_days" needs exactly 2 fields, got 3',
    ),
    Case(
        "evidence check without evidence_column",
        replace('evidence_column = "evidence"\n', ""),
        "scenario.toml: controls[0] (CHG-01).attributes[7] (evidenced): "
        'check "evidence" needs evidence_column on population "changes"',
    ),
    Case(
        "population key column absent",
        replace('key = "pr_id"', 'key = "pr"'),
        'scenario.toml: populations[0] (changes).key: "pr" is not a column of '
        "populations/changes.csv",
    ),
    Case(
        "population date column absent",
        replace('\ndate = "removed_on"', '\ndate = "deactivated_at"'),
        'scenario.toml: populations[2] (access-removals).date: "deactivated_at" is not a column',
    ),
    Case(
        "evidence_column absent",
        replace('evidence_column = "evidence"', 'evidence_column = "files"'),
        'scenario.toml: populations[0] (changes).evidence_column: "files" is not a column',
    ),
    Case(
        "path with ..",
        replace('"populations/changes.csv"', '"../scenario/populations/changes.csv"'),
        "scenario.toml: populations[0] (changes).file: "
        '"../scenario/populations/changes.csv" leaves the scenario folder',
    ),
    Case(
        "absolute path",
        replace('"evidence/policies/access-control.pdf"', '"/etc/passwd"'),
        'scenario.toml: policies[0] (POL-ACCESS).file: "/etc/passwd" is absolute',
    ),
    Case(
        "symlink pointing outside the folder",
        symlink_outside,
        "scenario.toml: populations[0] (changes).count_evidence: "
        '"evidence/ipe/link.png" points outside the scenario folder',
    ),
    Case(
        "population file does not exist",
        replace('"populations/terminations.csv"', '"populations/leavers.csv"'),
        'scenario.toml: populations[1] (terminations).file: "populations/leavers.csv" '
        "does not exist",
    ),
    Case(
        "control evidence path is a folder",
        replace('"evidence/config/backup-policy.png"', '"evidence/config"'),
        'scenario.toml: controls[2] (OPS-02).evidence[0]: "evidence/config" is not a file',
    ),
    Case(
        "duplicate CSV header name",
        write_file("populations/terminations.csv", b"employee_id;email;terminated_on;email\n"),
        'populations/terminations.csv line 1: header names "email" twice (columns 2 and 4)',
    ),
    Case(
        "empty population CSV",
        write_file("populations/access-removals.csv", b""),
        "populations/access-removals.csv: empty file, expected a header row",
    ),
    Case(
        "scenario.toml not UTF-8",
        replace_bytes(b"Dana Ortiz", b"Dana Ort\xffiz"),
        "scenario.toml line 17: not valid UTF-8",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_malformed_scenario_fails_with_one_clear_line(scenario: Path, case: Case) -> None:
    case.edit(scenario)
    with pytest.raises(InputError) as caught:
        load_scenario(scenario)
    message = caught.value.message
    assert case.fragment in message
    assert "\n" not in message
    assert caught.value.exit_code == 2
    assert "validation error" not in message  # never pydantic's multi-line dump


def test_enough_malformed_variants() -> None:
    assert len(CASES) >= 25
    assert len({c.name for c in CASES}) == len(CASES)


def test_valid_fixture_loads_with_resolved_paths() -> None:
    loaded = load_scenario(VALID)
    program = loaded.program
    assert loaded.root == VALID.resolve()
    assert [p.id for p in program.populations] == ["changes", "terminations", "access-removals"]
    assert loaded.population_files["changes"] == VALID.resolve() / "populations/changes.csv"
    assert all(path.is_absolute() and path.is_file() for path in loaded.population_files.values())
    assert set(loaded.evidence_files) == {
        "evidence/policies/access-control.pdf",
        "evidence/ipe/changes-count.png",
        "evidence/config/branch-protection.png",
        "evidence/config/backup-policy.png",
    }
    assert loaded.headers["access-removals"] == ("event_id", "email", "removed_on")
    assert program.engagement.categories == (Category.SECURITY, Category.AVAILABILITY)


def test_missing_evidence_files_load_because_they_are_audit_findings(scenario: Path) -> None:
    remove_file("evidence/config/backup-policy.png")(scenario)
    loaded = load_scenario(scenario)
    missing = loaded.evidence_files["evidence/config/backup-policy.png"]
    assert not missing.exists() and missing.parent == (scenario / "evidence/config").resolve()


def test_ownerless_and_unknown_owners_load(scenario: Path) -> None:
    program = load_scenario(scenario).program
    ops, gov = program.control("OPS-02"), program.control("GOV-01")
    assert ops is not None and ops.owner is None  # owner = "" means ownerless
    assert gov is not None and gov.owner == "ghost" and program.person("ghost") is None


def test_rows_stream_through_the_scenario(scenario: Path) -> None:
    rows = list(load_scenario(scenario).table("terminations").rows())
    assert rows == [
        (2, ["E-1", "zoe@northwind.example", "2026-02-10", "HR-11"]),
        (3, ["E-2", "yan@northwind.example", "2026-05-03", ""]),
    ]


def test_program_dump_is_the_toml_a_writer_emits(scenario: Path) -> None:
    """model_dump(json, exclude_none) written as TOML loads back to an equal Program."""
    program = load_scenario(scenario).program
    dumped = program.model_dump(mode="json", exclude_none=True)
    (scenario / "scenario.toml").write_text(tomli_w.dumps(dumped), encoding="utf-8")
    assert load_scenario(scenario).program == program


def test_symlink_inside_the_folder_is_allowed(scenario: Path) -> None:
    os.symlink(scenario / "evidence/ipe/changes-count.png", scenario / "evidence/ipe/alias.png")
    replace('"evidence/ipe/changes-count.png"', '"evidence/ipe/alias.png"')(scenario)
    loaded = load_scenario(scenario)
    assert loaded.evidence_files["evidence/ipe/alias.png"].name == "changes-count.png"


def test_row_evidence_paths_cannot_escape(scenario: Path) -> None:
    loaded = load_scenario(scenario)
    assert loaded.resolve("evidence/changes/PR-1.txt", "x").is_file()
    with pytest.raises(InputError, match=r"populations/changes.csv line 5: .* leaves the scenario"):
        loaded.resolve("../../etc/passwd", "populations/changes.csv line 5")


def test_json_population_is_accepted(scenario: Path) -> None:
    (scenario / "populations/access-removals.json").write_text(
        '[{"event_id": "OK-1", "email": "zoe@northwind.example", "removed_on": "2026-02-10"}]'
    )
    replace('"populations/access-removals.csv"', '"populations/access-removals.json"')(scenario)
    loaded = load_scenario(scenario)
    assert list(loaded.table("access-removals").rows()) == [
        (1, ["OK-1", "zoe@northwind.example", "2026-02-10"])
    ]


def test_missing_folder_and_missing_toml(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a scenario folder"):
        load_scenario(tmp_path / "nope")
    with pytest.raises(InputError, match="no scenario.toml"):
        load_scenario(tmp_path)


def test_program_model_is_the_shared_contract() -> None:
    assert Program.model_config.get("extra") == "forbid"
    assert Program.model_config.get("frozen") is True
