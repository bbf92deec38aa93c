"""The request (PBC) list and its rounds: wording, business-day clock, vault answers, follow-ups."""

from __future__ import annotations

from mockaudit.domain import FindingCode, Severity
from mockaudit.domain.description import Description
from mockaudit.domain.observations import EvidenceRef
from mockaudit.domain.program import Risk
from mockaudit.domain.run import ControlConclusion, RequestKind, RequestStatus
from mockaudit.fieldwork.requests import (
    ANSWER_DUE,
    MAX_ROUNDS,
    PBC_DUE,
    REPULL_DUE,
    SAMPLE_DUE,
    RequestLog,
    build_requests,
)
from tests.fieldwork.fake_source import FakeSource
from tests.readiness.builders import (
    PERIOD_END,
    PERIOD_START,
    clean_tests,
    control_test,
    finding,
    program,
)

S = RequestStatus


def _source(prog, missing=("evidence/changes/PR-6.txt",), absent=()):
    changes = [
        {
            "pr_id": f"PR-{n}",
            "merged_at": f"2026-0{n}-10",
            "author": "a",
            "approver": "b",
            "ci": "success",
            "evidence": f"evidence/changes/PR-{n}.txt",
        }
        for n in range(1, 7)
    ]
    terminations = [
        {"email": "x@n.example", "terminated_on": "2026-02-02", "removed_on": "2026-02-02"}
    ]
    paths = [
        *(row["evidence"] for row in changes),
        "evidence/ipe/changes-count.png",
        "evidence/policies/access-control.pdf",
        "evidence/policies/register.pdf",
        "evidence/config/branch-protection.png",
        "evidence/config/logging.png",
    ]
    files = {
        p: EvidenceRef(p, f"ev-{i:02d}")
        for i, p in enumerate(paths)
        if p not in missing and p not in absent
    }
    return FakeSource(prog, {"changes": changes, "terminations": terminations}, files)


def _profiles(source):
    return {
        p.id: source.profile(p.id, PERIOD_START, PERIOD_END, unit=None, columns=())
        for p in source.prog.populations
    }


def _tests(prog, **overrides):
    tests = []
    for t in clean_tests(prog):
        tests.append(overrides.get(t.control, t))
    return tests


def _chg01(
    prog, keys=("PR-1", "PR-2", "PR-6"), expansion=0, conclusion=ControlConclusion.NO_EXCEPTIONS
):
    size = len(keys) - expansion
    return control_test(prog, "CHG-01", conclusion, size=size, keys=list(keys), expansion=expansion)


def _run(prog, findings=(), tests=None, source=None) -> RequestLog:
    source = source or _source(prog)
    tests = tests if tests is not None else _tests(prog, **{"CHG-01": _chg01(prog)})
    return build_requests(prog, _profiles(source), tests, list(findings), source)


def _by_code(log: RequestLog):
    return {r.code: r for r in log.requests}


def _one(log: RequestLog, **fields):
    hits = [r for r in log.requests if all(getattr(r, k) == v for k, v in fields.items())]
    assert len(hits) == 1, hits
    return hits[0]


def test_population_request_is_worded_as_an_auditor_writes_it() -> None:
    log = _run(program())
    changes = _one(log, kind=RequestKind.POPULATION, population="changes")
    assert changes.description == (
        "Please provide the complete population of merged pull requests to production "
        "repositories from 2026-01-01 to 2026-06-30 from the system of record (github), with "
        "the query used and a screenshot of the total count."
    )
    assert changes.status is S.PROVIDED
    assert changes.found == ("ev-06",)  # the count screenshot
    assert changes.owner == "dana"
    assert changes.criteria == ("CC8.1",)


def test_hand_made_population_is_asked_from_its_system() -> None:
    log = _run(program())
    terminations = _one(log, kind=RequestKind.POPULATION, population="terminations")
    assert "rather than a spreadsheet list" in terminations.description
    assert terminations.status is S.PARTIAL
    assert terminations.missing == ("query", "count screenshot")


def test_request_list_is_issued_at_kickoff_and_due_in_five_business_days() -> None:
    log = _run(program())
    first = [r for r in log.requests if r.round == 1]
    assert {r.kind for r in first} == {
        RequestKind.DOCUMENT,
        RequestKind.POPULATION,
        RequestKind.CONFIGURATION,
        RequestKind.WALKTHROUGH,
    }
    assert all((r.issued_day, r.due_day) == (0, PBC_DUE) for r in first)
    assert [r.code for r in log.requests[:3]] == ["PBC-001", "PBC-002", "PBC-003"]


def test_codes_are_sequential_and_unique() -> None:
    log = _run(program())
    roots = [r.code for r in log.requests if r.follows is None]
    assert roots == [f"PBC-{n:03d}" for n in range(1, len(roots) + 1)]
    assert len({r.code for r in log.requests}) == len(log.requests)


def test_sample_request_lists_the_selected_items_and_what_the_vault_holds() -> None:
    log = _run(program())
    sample = _one(log, kind=RequestKind.SAMPLE, control="CHG-01")
    assert (sample.round, sample.issued_day, sample.due_day) == (2, PBC_DUE, PBC_DUE + SAMPLE_DUE)
    assert sample.description.endswith("evidence that CHG-01 operated: PR-1, PR-2, PR-6.")
    assert "each of the 3 sampled merged pull requests" in sample.description
    assert sample.found == ("ev-00", "ev-01")
    assert sample.missing == ("PR-6",)
    assert sample.status is S.PARTIAL
    # one sample request per tested control with a population and items
    samples = [r for r in log.requests if r.kind is RequestKind.SAMPLE]
    assert [r.control for r in samples] == ["CHG-01", "CHG-02", "IAM-01"]


def test_documents_and_configurations_report_found_and_missing() -> None:
    prog = program()
    log = _run(prog, source=_source(prog, absent=("evidence/config/logging.png",)))
    policy = _one(log, kind=RequestKind.DOCUMENT, owner="dana", criteria=("CC2.2", "CC5.3"))
    assert policy.status is S.PROVIDED and policy.found == ("ev-07",)
    logging = _one(log, control="OPS-01", kind=RequestKind.CONFIGURATION)
    assert logging.status is S.NOT_AVAILABLE
    assert logging.missing == ("evidence/config/logging.png",)
    register = _one(log, control="GOV-01", kind=RequestKind.DOCUMENT)
    assert register.status is S.PROVIDED
    assert "operated from 2026-01-01 to 2026-06-30" in register.description


def test_one_walkthrough_per_owner_and_one_for_controls_without_owner() -> None:
    prog = program(owners={"IAM-01": "lee"})  # lee left before period end
    log = _run(prog)
    walks = [r for r in log.requests if r.kind is RequestKind.WALKTHROUGH]
    assert [w.owner for w in walks] == ["dana", "sam", None]
    assert "Dana Ortiz (CTO) for GOV-01, CHG-01, CHG-02" in walks[0].description
    assert walks[2].status is S.NOT_AVAILABLE
    assert "IAM-01" in walks[2].description


def test_missing_evidence_on_a_sampled_item_is_followed_up_and_stays_open() -> None:
    prog = program()
    missing = finding(
        FindingCode.EVIDENCE_MISSING,
        Severity.MEDIUM,
        4,
        control="CHG-01",
        population="changes",
        items=("PR-6",),
        sampled=True,
        owner="dana",
    )
    log = _run(prog, [missing])
    follow = _one(log, kind=RequestKind.FOLLOW_UP)
    sample = _one(log, kind=RequestKind.SAMPLE, control="CHG-01")
    assert follow.follows == sample.code
    assert follow.code == f"{sample.code}-F1"
    assert follow.findings == ("F-0004",)
    assert follow.status is S.NOT_AVAILABLE
    assert follow.missing == ("PR-6",)
    assert follow.round == 3
    assert follow.issued_day == PBC_DUE + SAMPLE_DUE
    assert follow.due_day - follow.issued_day == REPULL_DUE
    assert log.rounds == 3 and log.follow_up_rounds == 1


def test_scan_results_outside_the_sample_are_not_followed_up() -> None:
    prog = program()
    unseen = finding(
        FindingCode.SAMPLE_DEVIATION,
        Severity.MEDIUM,
        5,
        control="CHG-01",
        items=("PR-4",),
        sampled=False,
    )
    log = _run(prog, [unseen])
    assert not [r for r in log.requests if r.kind is RequestKind.FOLLOW_UP]
    assert log.rounds == 2


def test_deviation_leads_to_the_expanded_sample_and_its_questions() -> None:
    prog = program()
    test = _chg01(
        prog,
        keys=("PR-1", "PR-2", "PR-3", "PR-4", "PR-5"),
        expansion=2,
        conclusion=ControlConclusion.EXCEPTIONS,
    )
    first = finding(
        FindingCode.SAMPLE_DEVIATION,
        Severity.HIGH,
        1,
        control="CHG-01",
        items=("PR-1",),
        sampled=True,
    )
    later = finding(
        FindingCode.SAMPLE_DEVIATION,
        Severity.HIGH,
        2,
        control="CHG-01",
        items=("PR-5",),
        sampled=True,
    )
    log = _run(prog, [first, later], tests=_tests(prog, **{"CHG-01": test}))
    follow = [r for r in log.requests if r.kind is RequestKind.FOLLOW_UP]
    assert [(r.round, r.findings) for r in follow] == [(3, ("F-0001",)), (4, ()), (5, ("F-0002",))]
    explain, expansion, explain_later = follow
    assert explain.status is S.CLOSED and explain.due_day - explain.issued_day == ANSWER_DUE
    assert expansion.description.startswith("We found a deviation in the sample of CHG-01")
    assert expansion.description.endswith("PR-4, PR-5.")
    assert expansion.issued_day == explain.due_day
    assert explain_later.follows == expansion.code
    assert explain_later.code.startswith(_one(log, kind=RequestKind.SAMPLE, control="CHG-01").code)
    assert log.follow_up_rounds == 3


def test_re_extractable_population_closes_and_is_rechecked() -> None:
    prog = program()
    mismatch = finding(
        FindingCode.POPULATION_COUNT_MISMATCH,
        number=3,
        population="changes",
        title="Population has 6 rows but the source showed 8",
    )
    log = _run(prog, [mismatch])
    repull, recheck = [r for r in log.requests if r.kind is RequestKind.FOLLOW_UP]
    population = _one(log, kind=RequestKind.POPULATION, population="changes")
    assert repull.follows == population.code and repull.status is S.CLOSED
    assert "re-extract the complete list (population has 6 rows" in repull.description
    assert recheck.round == repull.round + 1 and recheck.status is S.CLOSED
    assert recheck.follows == population.code


def test_spreadsheet_population_cannot_be_fixed_during_fieldwork() -> None:
    prog = program()
    weak = finding(
        FindingCode.POPULATION_WEAK_SOURCE, Severity.MEDIUM, 2, population="terminations"
    )
    gap = finding(FindingCode.POPULATION_PERIOD_GAP, Severity.HIGH, 3, population="terminations")
    log = _run(prog, [weak, gap])
    (follow,) = [r for r in log.requests if r.kind is RequestKind.FOLLOW_UP]
    assert follow.status is S.NOT_AVAILABLE
    assert follow.findings == ("F-0002", "F-0003")
    assert "export it from the system that records these events" in follow.description


def test_ownerless_control_gets_an_owner_then_a_walkthrough() -> None:
    prog = program(owners={"IAM-01": "nobody"})
    ownerless = finding(
        FindingCode.CONTROL_OWNERLESS, number=9, control="IAM-01", criteria=("CC6.2",)
    )
    log = _run(prog, [ownerless])
    name, walk = [r for r in log.requests if r.kind is RequestKind.FOLLOW_UP]
    orphans = _one(log, kind=RequestKind.WALKTHROUGH, owner=None)
    assert name.follows == orphans.code and name.status is S.CLOSED
    assert walk.follows == name.code and walk.round == name.round + 1


def test_design_gaps_become_one_follow_up_each() -> None:
    prog = program()
    findings = [
        finding(FindingCode.SCOPE_CRITERION_UNCOVERED, number=1, criteria=("CC3.3",)),
        finding(FindingCode.SCOPE_CRITERION_UNCOVERED, number=2, criteria=("CC9.1",)),
        finding(FindingCode.RISK_UNMITIGATED, Severity.MEDIUM, 3, risk="R-01"),
        finding(FindingCode.POLICY_STALE, Severity.LOW, 4, policy="POL-ACCESS"),
        finding(FindingCode.CONTROL_NO_EVIDENCE, Severity.MEDIUM, 5, control="OPS-01"),
        finding(FindingCode.SCOPE_TOO_BROAD, Severity.LOW, 6),
    ]
    log = _run(prog, findings)
    follow = [r for r in log.requests if r.kind is RequestKind.FOLLOW_UP]
    assert [r.findings for r in follow] == [
        ("F-0001", "F-0002"),
        ("F-0003",),
        ("F-0004",),
        ("F-0005",),
    ]
    assert "addresses CC3.3 and CC9.1" in follow[0].description
    assert all(r.status is S.NOT_AVAILABLE for r in follow)
    codes = _by_code(log)
    assert codes[follow[0].follows].description.startswith(
        "Please provide the current system description"
    )
    assert codes[follow[3].follows].control == "OPS-01"


def test_messages_follow_the_clock() -> None:
    prog = program()
    missing = finding(
        FindingCode.EVIDENCE_MISSING,
        Severity.MEDIUM,
        4,
        control="CHG-01",
        items=("PR-6",),
        sampled=True,
    )
    log = _run(prog, [missing])
    days = [m.day for m in log.messages]
    assert days == sorted(days)
    assert {m.sender for m in log.messages} == {"auditor", "client"}
    replies = [m for m in log.messages if m.sender == "client"]
    assert len(replies) == len(log.requests)
    for request in log.requests:
        (reply,) = [m for m in replies if m.text.startswith(f"{request.code}: ")]
        assert reply.day == request.due_day and reply.round == request.round
    assert log.messages[-1].text.startswith("Evidence gathering closed on day 9 after 3 rounds")


def test_rounds_stay_within_the_cap_and_due_days_are_one_or_two_business_days() -> None:
    prog = program(owners={"IAM-01": "nobody"})
    test = _chg01(
        prog,
        keys=("PR-1", "PR-2", "PR-3", "PR-4", "PR-6"),
        expansion=2,
        conclusion=ControlConclusion.EXCEPTIONS,
    )
    findings = [
        finding(
            FindingCode.SAMPLE_DEVIATION,
            Severity.HIGH,
            1,
            control="CHG-01",
            items=("PR-1",),
            sampled=True,
        ),
        finding(
            FindingCode.EVIDENCE_MISSING,
            Severity.MEDIUM,
            2,
            control="CHG-01",
            items=("PR-6",),
            sampled=True,
        ),
        finding(FindingCode.POPULATION_EXTRACTED_EARLY, Severity.LOW, 3, population="changes"),
        finding(FindingCode.CONTROL_OWNERLESS, Severity.HIGH, 4, control="IAM-01"),
    ]
    log = _run(prog, findings, tests=_tests(prog, **{"CHG-01": test}))
    assert log.rounds <= MAX_ROUNDS
    for r in log.requests:
        if r.kind is RequestKind.FOLLOW_UP:
            assert r.due_day - r.issued_day in (1, 2)
        assert r.issued_day >= 0 and r.due_day > r.issued_day


def test_same_inputs_give_the_same_log() -> None:
    prog = program(owners={"IAM-01": "nobody"})
    findings = [
        finding(FindingCode.CONTROL_OWNERLESS, number=1, control="IAM-01"),
        finding(
            FindingCode.EVIDENCE_MISSING,
            Severity.MEDIUM,
            2,
            control="CHG-01",
            items=("PR-6",),
            sampled=True,
        ),
    ]
    assert _run(prog, findings) == _run(prog, findings)


def test_type1_requests_cover_the_year_to_the_as_of_date() -> None:
    prog = program(report_type="type1")
    log = _run(prog)
    changes = _one(log, kind=RequestKind.POPULATION, population="changes")
    assert "from 2025-06-30 to 2026-06-30" in changes.description


def _documents(log: RequestLog) -> dict[str, object]:
    """R01, R02, R12: (status, found, missing) of each."""
    return {
        r.standard: (r.status, r.found, r.missing)
        for r in log.requests
        if r.standard in ("R01", "R02", "R12")
    }


def test_description_systems_and_risks_are_provided_only_with_a_document_in_the_vault() -> None:
    """Issue 23: PBC-001–003 said "provided" with nothing found. What the program models (a
    services line, system names, register entries) answers them in part; a document filed
    for the item (``evidence add --request``: pbc/R01…), or a risk-assessment control's
    evidence for the register, answers them in full; nothing at all is not available."""
    base = program()
    risk = Risk(id="RSK-1", title="Key staff leave", likelihood=3, impact=3)
    prog = base.model_copy(update={"risks": (risk,)})
    register = "evidence/policies/register.pdf"  # GOV-01's evidence, a CC3 control
    source = _source(prog, absent=(register,))
    docs = _documents(_run(prog, source=source))
    assert docs == {
        "R01": (S.PARTIAL, (), ("system description document",)),
        "R02": (S.PARTIAL, (), ("systems list with owners",)),
        "R12": (S.PARTIAL, (), ("approved risk assessment",)),
    }
    source.files[register] = EvidenceRef(register, "ev-register")
    assert _documents(_run(prog, source=source))["R12"] == (S.PROVIDED, ("ev-register",), ())
    for path, ev in (("pbc/R01", "ev-r01"), ("pbc/R02", "ev-r02"), ("pbc/R12", "ev-r12")):
        source.files[path] = EvidenceRef(path, ev)
    docs = _documents(_run(prog, source=source))
    assert docs == {
        "R01": (S.PROVIDED, ("ev-r01",), ()),
        "R02": (S.PROVIDED, ("ev-r02",), ()),
        "R12": (S.PROVIDED, ("ev-r12", "ev-register"), ()),
    }
    described = prog.model_copy(update={"description": Description(file="docs/sysdesc.md")})
    source = _source(described)
    assert _documents(_run(described, source=source))["R01"][0] is S.PARTIAL  # modelled only
    source.files["docs/sysdesc.md"] = EvidenceRef("docs/sysdesc.md", "ev-sysdesc")
    assert _documents(_run(described, source=source))["R01"] == (S.PROVIDED, ("ev-sysdesc",), ())
    bare = prog.model_copy(
        update={
            "organization": prog.organization.model_copy(update={"services": ""}),
            "engagement": prog.engagement.model_copy(update={"systems": ()}),
        }
    )
    docs = _documents(_run(bare, source=_source(bare)))
    assert docs["R01"] == (S.NOT_AVAILABLE, (), ("system description document",))
    assert docs["R02"] == (S.NOT_AVAILABLE, (), ("systems list with owners",))
