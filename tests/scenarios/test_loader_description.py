"""The description and subservice keys load strictly (issue 19): a wrong reference or a
contradiction is one line naming the table row and key; old folders are unchanged."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mockaudit.errors import InputError
from mockaudit.scenarios.loader import load_scenario
from mockaudit.scenarios.writer import scenario_toml

CASE = Path(__file__).parents[1] / "fidelity" / "cases" / "engine-subservice-gaps"
PACKS = Path(__file__).parents[2] / "scenarios"


def _folder(tmp_path: Path, old: str, new: str) -> Path:
    folder = tmp_path / "case"
    shutil.copytree(CASE, folder)
    toml = folder / "scenario.toml"
    text = toml.read_text(encoding="utf-8")
    assert old in text
    toml.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def test_the_case_loads_with_every_table() -> None:
    program = load_scenario(CASE).program
    assert program.describes_system
    assert [v.id for v in program.vendors] == ["aws", "stripe", "okta"]
    aws = program.vendor("aws")
    assert aws is not None and aws.carved_out and aws.report is not None
    assert aws.report.covered_through.isoformat() == "2025-09-30"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'monitoring_controls = ["VEN-03"]',
            'monitoring_controls = ["VEN-99"]',
            'vendors[0] (aws).monitoring_controls: control "VEN-99" is not defined',
        ),
        (
            'id = "okta"\nname = "Okta"\n',
            'id = "okta"\nname = "Okta"\nmethod = "carve_out"\n',
            "method",
        ),
        (
            'column = "availability_pct"',
            'column = "uptime"',
            'service_commitments[0] (SLA-AVAIL).measure.column: "uptime" is not a column',
        ),
        (
            'commitments = ["SLA-AVAIL"]',
            'commitments = ["SLA-NONE"]',
            'incidents[0] (INC-0426).commitments: service commitment "SLA-NONE" is not defined',
        ),
        ('source = "sla"', 'source = "handshake"', "service_commitments[0] (SLA-AVAIL).source"),
        ("period_end = 2025-09-30", "period_end = 2024-09-30", "period_start"),
        ('opinion = "unqualified"', 'opinion = "clean"', "vendors[0] (aws).report.opinion"),
    ],
)
def test_bad_input_is_one_line_naming_where(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    with pytest.raises(InputError) as caught:
        load_scenario(_folder(tmp_path, old, new))
    text = str(caught.value)
    assert message in text and "\n" not in text


def test_old_folders_do_not_describe_their_system_and_write_back_unchanged() -> None:
    program = load_scenario(PACKS / "acme-type1-ready").program
    assert not program.describes_system
    toml = scenario_toml(program)
    for key in ("vendors", "cuecs", "incidents", "significant_changes", "service_commitments"):
        assert f"{key} =" not in toml and f"[[{key}]]" not in toml


def test_a_described_program_round_trips_through_the_writer(tmp_path: Path) -> None:
    program = load_scenario(CASE).program
    folder = tmp_path / "out"
    shutil.copytree(CASE, folder)
    (folder / "scenario.toml").write_text(scenario_toml(program), encoding="utf-8")
    assert load_scenario(folder).program == program
