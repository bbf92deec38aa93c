"""``new --from-reference``: a starter program that loads, imports and audits.

Acceptance 1 (issue 17): the folder for security + availability on GitHub, Okta,
AWS and Google Workspace loads and audits; the first audit's findings are only
"assign an owner / provide population / provide evidence" kinds; ≥ 35 controls;
every criterion of the chosen categories covered. Acceptance 2's last clause: a
self-approved PR in the GitHub fixture is found by the starter's change control.
Acceptance 4: the request list holds every §4 item for the categories.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from mockaudit import session as session_api
from mockaudit.domain import Category, FindingCode, ReportType, criteria_for
from mockaudit.domain.native_import import NativeImport
from mockaudit.domain.standard_requests import NOT_MODELLED, standard_items
from mockaudit.domain.starter import StarterOptions
from mockaudit.errors import InputError
from mockaudit.scenarios.loader import load_scenario
from mockaudit.session import Session

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
SYSTEMS = ("github", "okta", "aws", "google-workspace")


def options(**over: object) -> StarterOptions:
    base: dict[str, object] = {
        "company": "Acme Inc.",
        "categories": (Category.SECURITY, Category.AVAILABILITY),
        "systems": SYSTEMS,
        "report_type": ReportType.TYPE2,
        "period_start": date(2026, 1, 1),
        "period_end": date(2026, 12, 31),
    }
    return StarterOptions(**(base | over))  # type: ignore[arg-type]


@pytest.fixture
def acme(tmp_path: Path) -> Path:
    folder = tmp_path / "acme"
    session_api.new_from_reference(folder, options())
    return folder


def test_starter_loads_with_enough_controls_covering_every_criterion(acme: Path) -> None:
    program = load_scenario(acme).program
    assert len(program.controls) >= 35
    in_scope = {c.id for c in criteria_for([Category.SECURITY, Category.AVAILABILITY])}
    covered = {c for control in program.controls for c in control.criteria}
    assert in_scope <= covered
    assert not program.people  # owners are placeholders to assign
    assert all(policy.approved_on is None for policy in program.policies)  # nothing invented
    assert any(p.commitments for p in program.policies)
    assert all(risk.controls for risk in program.risks)
    assert {p.system for p in program.populations} >= {"github", "okta", "aws", "google-workspace"}
    collect = (acme / "COLLECT.md").read_text()
    assert "gh pr list" in collect and "aws backup list-backup-jobs" in collect
    assert "/api/v1/logs" in collect


def test_first_audit_only_asks_for_owners_populations_and_evidence(acme: Path) -> None:
    run = session_api.audit_folder(acme, seed=1)
    kinds = {
        FindingCode.CONTROL_OWNERLESS: "assign an owner",
        FindingCode.CONTROL_NOT_OPERATED: "provide population",
        FindingCode.EVIDENCE_MISSING: "provide evidence",
        FindingCode.POLICY_STALE: "provide evidence (policy approval)",
    }
    assert {f.code for f in run.findings} <= set(kinds)
    program = load_scenario(acme).program
    for finding in run.findings:
        assert finding.control is not None and finding.control in finding.title
        if finding.code is FindingCode.POLICY_STALE:  # the approving control, then the policy
            assert finding.title.startswith(f"{finding.control}: provide the approved")
            assert finding.policy is not None and finding.policy in finding.title
            assert "policies approved" in program.control(finding.control).title  # type: ignore[union-attr]
        if finding.code is FindingCode.CONTROL_NOT_OPERATED:
            assert "provide population" in finding.title
    ownerless = {f.control for f in run.findings if f.code is FindingCode.CONTROL_OWNERLESS}
    assert ownerless == {c.id for c in program.controls}


def test_systems_filter_controls(tmp_path: Path) -> None:
    session_api.new_from_reference(tmp_path / "a", options(systems=("github",)))
    session_api.new_from_reference(tmp_path / "b", options())
    only_github = load_scenario(tmp_path / "a").program
    wider = load_scenario(tmp_path / "b").program
    assert only_github.population("access_removals") is None  # no IdP named
    assert wider.population("access_removals") is not None
    assert wider.population("access_removals").system == "okta"  # type: ignore[union-attr]


def test_refuses_a_folder_that_is_not_empty(acme: Path) -> None:
    with pytest.raises(InputError, match="not empty"):
        session_api.new_from_reference(acme, options())


def test_self_approved_pr_is_found_by_change_control(acme: Path, session: Session) -> None:
    session.import_scenario(acme)
    done = session.import_population(
        "changes", file=FIXTURES / "gh-prs.json", native=NativeImport("github-prs")
    )
    assert done.rows == 4
    run = session.run_audit(seed=3)
    deviations = [
        f for f in run.findings if f.code is FindingCode.SAMPLE_DEVIATION and f.control == "CHG-01"
    ]
    items = {item for f in deviations for item in f.items}
    assert "acme/app#102" in items  # carol approved her own pull request
    assert not any(
        f.code is FindingCode.CONTROL_NOT_OPERATED and f.control == "CHG-01" for f in run.findings
    )


def test_request_list_has_every_section4_item(acme: Path, session: Session, tmp_path: Path) -> None:
    session.import_scenario(acme)
    run = session.run_audit(seed=1)
    program = session.program()
    standard = {r.standard: r for r in run.requests if r.standard}
    sections = {"description", "systems", "policies", "risks", "walkthroughs"}
    for item in standard_items(program.engagement.categories):
        tokens = set(item.answered_by)
        if item.id in standard and not tokens & sections:
            assert NOT_MODELLED in standard[item.id].missing
            continue
        asked = {r.control for r in run.requests} | {r.population for r in run.requests}
        asked |= {
            p.id
            for p in program.policies
            if any(f"({p.id})" in r.description for r in run.requests)
        }
        assert (
            tokens & sections
            or tokens & asked
            or any(
                program.control(t) is not None and program.control(t).population in asked  # type: ignore[union-attr]
                for t in tokens
            )
        ), item.id
    assert {"R15", "R28", "R53", "R66"} <= set(standard)
    roster = tmp_path / "roster.csv"
    roster.write_text("employee_id,name\nE1,Alice\n")
    code = standard["R15"].code
    session.add_evidence_for_request([roster], code)
    # the system description: the program's services line answers it only in part (issue
    # 23: it said "provided" with nothing found) until a document is added for it
    assert standard["R01"].status.value == "partial" and not standard["R01"].found
    description = tmp_path / "system-description.md"
    description.write_text("# System description\n\nServices, boundaries, components.\n")
    [added] = session.add_evidence_for_request([description], standard["R01"].code)
    again = {r.standard: r for r in session.run_audit(seed=1).requests if r.standard}
    assert again["R15"].status.value == "provided"
    assert again["R28"].status.value == "not_available"
    assert again["R01"].status.value == "provided"
    assert again["R01"].found == (added.evidence_id,)


def test_assigning_owners_as_the_header_says_clears_ownerless(acme: Path) -> None:
    text = (acme / "scenario.toml").read_text()
    blocks = re.findall(
        r'#   \[\[people\]\]\n#   id = "([^"]+)"\n#   name = "…"\n#   role = "([^"]+)"', text
    )
    assert len(blocks) >= 5
    text += "".join(
        f'\n[[people]]\nid = "{i}"\nname = "Person {i}"\nrole = "{r}"\n' for i, r in blocks
    )
    (acme / "scenario.toml").write_text(text)
    run = session_api.audit_folder(acme, seed=1)
    assert not [f for f in run.findings if f.code is FindingCode.CONTROL_OWNERLESS]


def test_okta_deactivations_take_termination_dates_from_hr(acme: Path, session: Session) -> None:
    """Terminations from the HR roster, reconciled to IdP deactivations (§4 R22/R23)."""
    session.import_scenario(acme)
    hr = session.import_population(
        "terminations", file=FIXTURES / "hr-roster.csv", native=NativeImport("hr-roster")
    )
    assert hr.rows == 2
    session.import_population(
        "access_removals", file=FIXTURES / "okta-log.json", native=NativeImport("okta-log")
    )
    removals = {
        r.values["email"]: r.values for r in session.population_page("access_removals", 0, 10)
    }
    assert removals["gone@acme.example"]["terminated_on"] == "2026-03-14"
    assert removals["gone@acme.example"]["removed_on"] == "2026-03-15"
    assert removals["leaver@acme.example"]["terminated_on"] == "2026-03-31"
