"""``mockaudit audit``: works on a folder with no vault, writes schema-valid JSON, compares runs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema

from mockaudit.export.findings_json import schema
from mockaudit.session import Session
from tests.conftest import FAST_KDF, PASSPHRASE

PACKS = Path(__file__).parents[2] / "scenarios"


def test_audit_scenario_without_any_vault(tmp_path: Path, run_cli, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # no ./vault here, and none may be created
    out = tmp_path / "out.json"
    result = run_cli(
        "audit",
        "--scenario",
        PACKS / "globex-renewal-type2",
        "--seed",
        "7",
        "--json",
        out,
        "--as-of",
        "2026-07-15",
    )
    assert result.code == 0, result.err
    assert "likely opinion:  qualified" in result.out and "seed 7" in result.out  # CC6.1 (README)
    doc = json.loads(out.read_text())
    jsonschema.validate(doc, schema())
    assert doc["schema"] == "mockaudit.findings/1" and doc["run"]["seed"] == 7
    # The period ended before the as-of date: reported as run, the next period after it.
    t = doc["readiness"]["timeline"]
    assert (
        f"timeline:        Type 2 2025-07-01 to 2026-06-30 is over: report about "
        f"{t['type2_report_date']} with its exceptions; next period 2026-07-01 to "
        f"{t['next_period_end']}, report about {t['next_report_date']} (exceptions until "
        f"remediation, about {t['remediated_on']}, fall into it too)"
    ) in result.out
    assert not (tmp_path / "vault").exists()


def test_fail_on_high_exits_1(tmp_path: Path, run_cli) -> None:
    result = run_cli("audit", "--scenario", PACKS / "globex-renewal-type2", "--fail-on", "high")
    assert result.code == 1 and "findings at or above high severity" in result.err
    clean = run_cli("audit", "--scenario", PACKS / "acme-type1-ready", "--fail-on", "high")
    assert clean.code == 0


def test_compare_lists_fixed_new_and_still_open(tmp_path: Path, run_cli, passfile: Path) -> None:
    vault, folder = tmp_path / "vault", tmp_path / "pack"
    shutil.copytree(PACKS / "globex-renewal-type2", folder)
    with Session.create(vault, PASSPHRASE, kdf=FAST_KDF) as s:
        s.import_scenario(folder)
        first = s.run_audit(seed=3)
    # The team fixes the two late deprovisionings and lets one policy go stale.
    removals = folder / "populations" / "access-removals.csv"
    text = removals.read_text()
    text = text.replace("okta,2025-11-26,2025-12-01,", "okta,2025-11-26,2025-11-26,")
    text = text.replace("okta,2026-03-06,2026-03-13,", "okta,2026-03-06,2026-03-06,")
    removals.write_text(text)
    toml = folder / "scenario.toml"
    toml.write_text(
        toml.read_text().replace("approved_on = 2025-08-05", "approved_on = 2023-01-05", 1)
    )
    with Session.open(vault, PASSPHRASE) as s:
        s.import_scenario(folder)
    result = run_cli(
        "audit",
        "--vault",
        vault,
        "--passphrase-file",
        passfile,
        "--seed",
        "3",
        "--compare",
        first.id,
    )
    assert result.code == 0, result.err
    summary = next(
        line for line in result.out.splitlines() if line.startswith("since the previous run")
    )
    fixed, new, still = (int(part.split()[0]) for part in summary.split(":")[1].split(","))
    assert fixed >= 4 and new == 1 and still == len(first.findings) - fixed, result.out
    assert "  fixed      reconciliation.break" in result.out
    assert "  new        policy.stale" in result.out
