"""Generate a complete synthetic scenario folder, optionally with planted defects.

``generate_scenario`` writes what scenario-format.md describes — scenario.toml,
population CSVs, evidence files — plus ``truth.json``, the manifest of every
planted defect. With ``defects=0`` the program is one a competent auditor passes
without exceptions; with a rate above zero every plantable finding code appears
at least once. The audit engine never reads truth.json: the generator and the
engine share only the domain models, so the manifest is an honest answer key.

Everything is seeded: Faker (``seed_instance``) for names and company prose,
``random.Random`` streams named after what they drive for everything else, so
the same seed writes byte-identical folders.
"""

from __future__ import annotations

import json
import random
import shutil
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from faker import Faker

from mockaudit.domain import (
    Category,
    Engagement,
    Organization,
    Program,
    ReportType,
    criteria_for,
)
from mockaudit.domain.reference_controls import population_kind, reference_control
from mockaudit.domain.reference_reconciliations import reference_reconciliations
from mockaudit.errors import InputError
from mockaudit.fsio import describe_os_error
from mockaudit.scenarios.synthetic.period_calendar import Period
from mockaudit.scenarios.synthetic.planted_defects import (
    NOT_PLANTABLE,
    DefectPlan,
    DefectPlanner,
    PopulationPlan,
)
from mockaudit.scenarios.synthetic.population_writer import EvidenceWriter, write_population
from mockaudit.scenarios.synthetic.synthetic_documents import (
    control_evidence,
    count_screenshot,
    policy_pdf,
)
from mockaudit.scenarios.synthetic.synthetic_program import (
    SIZES,
    Draft,
    SizeProfile,
    build_controls,
    build_people,
    build_policies,
    build_population,
    build_risks,
    population_kinds_of,
    select_controls,
)
from mockaudit.scenarios.synthetic.synthetic_rows import RowContext, RowSource
from mockaudit.scenarios.synthetic.synthetic_sources import build_sources
from mockaudit.scenarios.synthetic.synthetic_workforce import Workforce, build_workforce
from mockaudit.scenarios.writer import write_scenario

TRUTH_FILE = "truth.json"
TRUTH_SCHEMA = "mockaudit.truth/1"
_REVIEWED_SYSTEMS = ("okta", "github", "aws-prod", "admin-console", "jira", "bamboohr")


@dataclass(frozen=True)
class GenerationReport:
    """What was generated, how big it is and how long it took."""

    folder: Path
    seed: int
    size: str
    defects: float
    period_start: date
    period_end: date
    categories: tuple[str, ...]
    controls: int
    populations: dict[str, int] = field(default_factory=dict)
    evidence_files: int = 0
    planted: dict[str, int] = field(default_factory=dict)
    not_plantable: tuple[str, ...] = ()
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(self.populations.values())


def generate_scenario(
    out: Path,
    *,
    seed: int,
    size: str = "small",
    defects: float = 0.0,
    categories: Sequence[str] | None = None,
) -> GenerationReport:
    """Write a scenario folder at ``out`` (new or empty) and return what was written.

    ``size`` is small | medium | large | huge; ``defects`` is a rate in 0..1 that
    scales how many controls, populations and items carry planted defects;
    ``categories`` overrides the size's default Trust Services categories.
    """
    started = time.perf_counter()
    profile = _profile(size)
    if not 0.0 <= defects <= 1.0:
        raise InputError(f"--defects must be between 0 and 1, got {defects}")
    scope = _categories(categories, profile)
    _prepare_folder(out)
    try:
        return _generate(out, seed, profile, defects, scope, started)
    except BaseException as exc:
        # the folder was new or empty: leave nothing half-written behind
        shutil.rmtree(out, ignore_errors=True)
        if isinstance(exc, OSError):
            raise describe_os_error(exc, f"writing the scenario to {out}") from None
        raise


@dataclass
class _Setup:
    """The clean company and program, before defects and before anything is written."""

    period: Period
    workforce: Workforce
    ctx: RowContext
    sources: dict[str, RowSource]
    draft: Draft


def _generate(
    out: Path,
    seed: int,
    profile: SizeProfile,
    rate: float,
    scope: tuple[Category, ...],
    started: float,
) -> GenerationReport:
    setup = _setup(seed, profile, scope)
    period, draft = setup.period, setup.draft
    plan = _plan(draft, setup.sources, setup.workforce, period, scope, seed, rate)
    evidence = EvidenceWriter(out)
    counts = _write_populations(out, draft, setup.sources, plan, setup.ctx, evidence)
    _write_documents(draft, setup.workforce, period, evidence, seed)
    program = _program(draft, setup.workforce, period, scope)
    write_scenario(program, out)
    _write_truth(out, seed, profile.name, rate, period, plan)
    return GenerationReport(
        folder=out,
        seed=seed,
        size=profile.name,
        defects=rate,
        period_start=period.start,
        period_end=period.end,
        categories=tuple(c.value for c in scope),
        controls=len(program.controls),
        populations=counts,
        evidence_files=evidence.count,
        planted=dict(sorted(Counter(t["code"] for t in plan.truth).items())),
        not_plantable=tuple(str(code) for code in NOT_PLANTABLE),
        seconds=time.perf_counter() - started,
    )


def _setup(seed: int, profile: SizeProfile, scope: tuple[Category, ...]) -> _Setup:
    """Company, roster, controls and row sources; each driven by its own seeded stream."""
    rng = random.Random(f"{seed}:program")
    fake = Faker("en_US")
    fake.seed_instance(seed)
    period = _period(rng)
    headcount, roster = rng.randint(*profile.headcount), rng.randint(*profile.roster)
    workforce = build_workforce(fake, random.Random(f"{seed}:people"), period, headcount, roster)
    companies = tuple(dict.fromkeys(str(fake.company()) for _ in range(40)))
    refs = select_controls(random.Random(f"{seed}:controls"), scope, profile.controls)
    controls = build_controls(refs, scope, workforce.owners)
    kinds = population_kinds_of(refs)
    reconciliations = reference_reconciliations(kinds)
    ctx = RowContext(
        seed=seed,
        period=period,
        workforce=workforce,
        companies=companies,
        control_owners={c.id: c.owner or "" for c in controls},
        reviewed_systems=_reviewed_systems(kinds, profile),
        scale=profile.scale,
        backup_datastores=profile.backup_datastores,
        backup_runs_per_day=profile.backup_runs_per_day,
    )
    extract_rng = random.Random(f"{seed}:extracted")
    draft = Draft(
        people=build_people(workforce),
        policies=build_policies(
            random.Random(f"{seed}:policies"),
            controls,
            reconciliations,
            workforce.owners,
            period.end,
        ),
        risks=build_risks(random.Random(f"{seed}:risks"), refs),
        populations={
            k: build_population(
                k, period.start, period.end, period.end + timedelta(extract_rng.randint(2, 12))
            )
            for k in kinds
        },
        controls=controls,
        reconciliations=reconciliations,
    )
    return _Setup(period, workforce, ctx, build_sources(ctx, kinds, profile.rows), draft)


def _reviewed_systems(kinds: list[str], profile: SizeProfile) -> tuple[str, ...]:
    """The in-scope systems whose access is reviewed each quarter (more for bigger companies)."""
    systems = {population_kind(k).system for k in kinds}
    reviewed = tuple(s for s in _REVIEWED_SYSTEMS if s in systems)
    return reviewed[: 3 if profile.scale < 3 else 4 if profile.scale < 10 else 6]


def _profile(size: str) -> SizeProfile:
    try:
        return SIZES[size]
    except KeyError:
        choices = " | ".join(SIZES)
        raise InputError(f"--size {size!r} is not one of {choices}") from None


def _categories(given: Sequence[str] | None, profile: SizeProfile) -> tuple[Category, ...]:
    if given is None:
        return profile.categories
    try:
        chosen = {Category(c) for c in given} | {Category.SECURITY}
    except ValueError as exc:
        raise InputError(f"unknown category: {exc}") from None
    return tuple(c for c in Category if c in chosen)


def _prepare_folder(out: Path) -> None:
    """``out`` must be new or empty: generating over an old scenario would mix the two."""
    try:
        if out.exists():
            if not out.is_dir():
                raise InputError(f"{out}: exists and is not a folder")
            if any(out.iterdir()):
                raise InputError(f"{out}: folder is not empty; choose a new one")
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise describe_os_error(exc, f"creating {out}") from None


def _period(rng: random.Random) -> Period:
    """A 6- or 12-month type 2 window starting on the first of a month in 2025."""
    month = rng.randint(1, 12)
    length = rng.choice((6, 12))
    start = date(2025, month, 1)
    end_month = month + length
    end = date(2025 + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1) - timedelta(days=1)
    return Period(start, end)


def _plan(
    draft: Draft,
    sources: dict[str, RowSource],
    workforce: Workforce,
    period: Period,
    scope: tuple[Category, ...],
    seed: int,
    rate: float,
) -> DefectPlan:
    if rate <= 0:
        return DefectPlan({k: PopulationPlan() for k in sources}, [], {})
    criteria = [c.id for c in criteria_for(scope)]
    planner = DefectPlanner(
        draft, sources, workforce, period, criteria, random.Random(f"{seed}:defects"), rate
    )
    plan = planner.plan()
    for pid, extracted in plan.extracted_on.items():
        population = draft.populations[pid]
        draft.populations[pid] = population.model_copy(update={"extracted_on": extracted})
    return plan


def _write_populations(
    out: Path,
    draft: Draft,
    sources: dict[str, RowSource],
    plan: DefectPlan,
    ctx: RowContext,
    evidence: EvidenceWriter,
) -> dict[str, int]:
    """Stream every population to CSV, then record its declared count and count screenshot."""
    counts: dict[str, int] = {}
    operator = ctx.email_of(ctx.owner("GRC Lead"))
    for pid, population in list(draft.populations.items()):
        population_plan = plan.populations[pid]
        written = write_population(
            out / population.file, sources[pid], population_plan, ctx, evidence
        )
        declared = max(written.rows + population_plan.count_delta, 0)
        population = population.model_copy(update={"declared_count": declared})
        draft.populations[pid] = population
        if population.count_evidence is not None:
            evidence.write(
                population.count_evidence, count_screenshot(population, declared, operator)
            )
        counts[pid] = written.rows
    return counts


def _write_documents(
    draft: Draft, workforce: Workforce, period: Period, evidence: EvidenceWriter, seed: int
) -> None:
    """Policies and control-level evidence, dated inside the period."""
    rng = random.Random(f"{seed}:documents")
    names = {p.id: p.name for p in draft.people}
    for policy in draft.policies:
        if policy.file is not None:
            owner = names.get(policy.owner or "", policy.owner or "unknown")
            evidence.write(policy.file, policy_pdf(policy, workforce.company, owner))
    systems = sorted({p.system for p in draft.populations.values()})
    for control in draft.controls:
        ref = reference_control(control.id)
        for relative in control.evidence:
            captured = period.date_of(rng.randint(0, period.days - 1))
            evidence.write(
                relative, control_evidence(ref, control, workforce.company, captured, systems)
            )


def _program(
    draft: Draft, workforce: Workforce, period: Period, scope: tuple[Category, ...]
) -> Program:
    populations = tuple(draft.populations.values())
    systems = sorted({p.system for p in populations if not p.is_hand_made})
    return Program(
        organization=Organization(name=workforce.company, services=workforce.services),
        engagement=Engagement(
            report_type=ReportType.TYPE2,
            period_start=period.start,
            period_end=period.end,
            categories=scope,
            systems=(*systems, *draft.extra_systems),
            confidence=0.90,
        ),
        people=tuple(draft.people),
        policies=tuple(draft.policies),
        risks=tuple(draft.risks),
        populations=populations,
        controls=tuple(draft.controls),
        reconciliations=tuple(draft.reconciliations),
    )


def _write_truth(
    out: Path, seed: int, size: str, rate: float, period: Period, plan: DefectPlan
) -> None:
    document: dict[str, Any] = {
        "schema": TRUTH_SCHEMA,
        "seed": seed,
        "size": size,
        "defects": rate,
        "period_start": period.start.isoformat(),
        "period_end": period.end.isoformat(),
        "planted": plan.truth,
        "not_plantable": [{"code": c, "reason": r} for c, r in NOT_PLANTABLE.items()],
    }
    text = json.dumps(document, indent=2, default=str) + "\n"
    (out / TRUTH_FILE).write_text(text, encoding="utf-8")
