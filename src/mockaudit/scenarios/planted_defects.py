"""Plant audit defects of every plantable finding code, and record each in the truth manifest.

The planner works before any row is written: program-level defects edit the
draft program, population-level ones become a :class:`PopulationPlan` (rows to
drop, edit, duplicate or add, a count to misdeclare) that the generator applies
while streaming rows to disk. Each defect is isolated where the program allows
it — a population carries at most one structural defect, an item deviates on one
attribute only, commitments are never broken by accident — so the truth entry
names the cause an auditor should report. ``RATE`` scales how many controls,
populations and items are hit; any rate above zero plants every plantable code.

Two codes cannot be planted in a folder: ``evidence.integrity`` needs evidence
already stored in a vault, and ``walkthrough.divergence`` needs rehearsal answers.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from mockaudit.domain import Attribute, Control, FindingCode, Policy, Risk
from mockaudit.domain.enums import AttributeCheck, Frequency
from mockaudit.domain.reference_controls import ColumnType, PopulationKind, population_kind
from mockaudit.scenarios.period_calendar import Period
from mockaudit.scenarios.synthetic_program import DEPROVISION, ONBOARDING_TRAINING, Draft
from mockaudit.scenarios.synthetic_rows import MaterializedSource, RowSource
from mockaudit.scenarios.synthetic_workforce import Workforce

NOT_PLANTABLE: dict[str, str] = {
    FindingCode.EVIDENCE_INTEGRITY: "needs evidence already stored in a vault and then damaged",
    FindingCode.WALKTHROUGH_DIVERGENCE: "needs a walkthrough rehearsal answer, not a file",
}
PLANTABLE: tuple[str, ...] = tuple(c.value for c in FindingCode if c not in NOT_PLANTABLE)

Row = dict[str, str]
RowEdit = Callable[[Row], None]
Truth = dict[str, Any]


@dataclass
class ExtraRow:
    """A copy of row ``source`` moved ``gap`` days outside the period, under a new key."""

    source: int
    key: str
    before: bool
    gap: int


@dataclass
class PopulationPlan:
    """What to do to one population's rows while it is written."""

    edits: dict[int, list[RowEdit]] = field(default_factory=dict)
    drop_rows: set[int] = field(default_factory=set)
    duplicate: set[int] = field(default_factory=set)
    hide_evidence: set[int] = field(default_factory=set)
    extra: list[ExtraRow] = field(default_factory=list)
    drop_between: tuple[str, str] | None = None  # [first, last] day texts, inclusive
    drop_after: str | None = None  # day text; rows dated later are not exported
    drop_all: bool = False
    count_delta: int = 0
    watch: dict[int, list[Truth]] = field(default_factory=dict)  # index -> entries to get its key

    def touches(self, first: int, stop: int) -> bool:
        """Whether any per-row work falls in rows ``first..stop-1`` (else the fast path)."""
        if self.drop_between or self.drop_after or self.drop_all:
            return True
        marked = (self.edits, self.drop_rows, self.duplicate, self.hide_evidence, self.watch)
        return any(any(first <= i < stop for i in group) for group in marked) or any(
            first <= e.source < stop for e in self.extra
        )


@dataclass
class DefectPlan:
    populations: dict[str, PopulationPlan]
    truth: list[Truth]
    extracted_on: dict[str, date]


_SAMPLED = {
    Frequency.PER_EVENT,
    Frequency.MULTIPLE_DAILY,
    Frequency.DAILY,
    Frequency.WEEKLY,
    Frequency.MONTHLY,
    Frequency.QUARTERLY,
    Frequency.SEMIANNUAL,
}
_DEVIABLE = {
    AttributeCheck.DIFFERENT,
    AttributeCheck.BEFORE,
    AttributeCheck.WITHIN_DAYS,
    AttributeCheck.EQUALS,
    AttributeCheck.IN,
}
_UNUSED_SYSTEMS = ("legacy-ftp", "marketing-wordpress", "old-jenkins", "hr-sharepoint")
_LOOSE_RISKS = (
    "Key-person dependency on a single engineer",
    "Ransomware encrypts production and its backups",
    "A cloud region outage outlasts the recovery objective",
)


def entry(code: str, control: str | None, population: str | None, **extra: Any) -> Truth:
    """A truth record: what was planted, where, on which items."""
    return {"code": str(code), "control": control, "population": population, "items": [], **extra}


class DefectPlanner:
    """Plans every plantable defect on a draft program and its row sources."""

    def __init__(
        self,
        draft: Draft,
        sources: dict[str, RowSource],
        workforce: Workforce,
        period: Period,
        categories_criteria: list[str],
        rng: random.Random,
        rate: float,
    ) -> None:
        self.draft = draft
        self.sources = sources
        self.workforce = workforce
        self.period = period
        self.criteria = categories_criteria
        self.rng = rng
        self.rate = rate
        self.plans: dict[str, PopulationPlan] = {p: PopulationPlan() for p in sources}
        self.truth: list[Truth] = []
        self.extracted_on: dict[str, date] = {}
        self.structural: set[str] = set()  # populations with a population-level defect
        self.dropping: set[str] = set()  # populations that lose rows
        self.used_rows: dict[str, set[int]] = {p: set() for p in sources}
        self.touched_controls: set[str] = set()

    # -- sizing ------------------------------------------------------------------------

    def how_many(self) -> int:
        """Controls or populations per code: 1 at low rates, up to 3 at rate 1."""
        return max(1, round(self.rate * 3))

    def item_count(self, rows: int) -> int:
        """Items per defect: about rate x 5% of the rows, at least one, at most a fifth."""
        return max(1, min(round(self.rate * 0.05 * rows), max(rows // 5, 1), 2000))

    def free_rows(self, population: str, count: int) -> list[int]:
        """``count`` row indices of ``population`` no other defect uses (sorted)."""
        total = self.sources[population].count
        used = self.used_rows[population]
        pool = [i for i in range(total) if i not in used] if total < 50_000 else None
        if pool is not None:
            picked = self.rng.sample(pool, min(count, len(pool)))
        else:
            picked = []
            while len(picked) < count:
                i = self.rng.randrange(total)
                if i not in used and i not in picked:
                    picked.append(i)
        used.update(picked)
        return sorted(picked)

    def _with_rows(
        self, candidates: list[Any], wanted: int, population_of: Callable[[Any], str]
    ) -> list[tuple[Any, list[int]]]:
        """Up to ``wanted`` candidates in random order, each with free rows to plant on;
        candidates whose population has no row left are skipped, not planted empty."""
        chosen: list[tuple[Any, list[int]]] = []
        for candidate in self.rng.sample(candidates, len(candidates)):
            if len(chosen) == wanted:
                break
            pid = population_of(candidate)
            rows = self.free_rows(pid, self.item_count(self.sources[pid].count))
            if rows:
                chosen.append((candidate, rows))
        return chosen

    def watch(self, population: str, rows: list[int], record: Truth) -> None:
        for i in rows:
            self.plans[population].watch.setdefault(i, []).append(record)

    # -- the plan ----------------------------------------------------------------------

    def plan(self) -> DefectPlan:
        program_steps: tuple[Callable[[], None], ...] = (
            self.criterion_uncovered,
            self.too_broad,
            self.ownerless,
            self.no_population,
            self.no_evidence,
        )
        for program_step in program_steps:
            program_step()
        # one population per structural code per round, the scarcest candidates first,
        # so a high rate cannot starve a later code of populations
        structural: tuple[Callable[[int], None], ...] = (
            self.extracted_early,
            self.period_gap,
            self.not_operated,
            self.weak_source,
            self.count_mismatch,
            self.out_of_period,
            self.duplicate,
        )
        for round_number in range(self.how_many()):
            for step in structural:
                step(round_number)
        item_steps: tuple[Callable[[], None], ...] = (
            self.reconciliation_break,
            self.practice_divergence,
            self.missing_field,
            self.sample_deviation,
            self.evidence_missing,
            self.policy_stale,
            self.risk_unmitigated,
        )
        for item_step in item_steps:
            item_step()
        return DefectPlan(self.plans, self.truth, self.extracted_on)

    def _pick(self, candidates: list[Any], count: int | None = None) -> list[Any]:
        count = self.how_many() if count is None else count
        return self.rng.sample(candidates, min(count, len(candidates)))

    # -- program-level -----------------------------------------------------------------

    def criterion_uncovered(self) -> None:
        """Unmap a criterion from every control; only criteria whose controls keep another."""
        order = self.rng.sample(self.criteria, len(self.criteria))
        planted = 0
        for cid in order:
            if planted == self.how_many():
                break
            users = [c for c in self.draft.controls if cid in c.criteria]
            if not users or any(len(c.criteria) < 2 for c in users):
                continue
            for index, control in enumerate(self.draft.controls):
                if cid in control.criteria:
                    kept = tuple(c for c in control.criteria if c != cid)
                    self.draft.controls[index] = control.model_copy(update={"criteria": kept})
            planted += 1
            self.truth.append(
                entry(FindingCode.SCOPE_CRITERION_UNCOVERED, None, None, criterion=cid)
            )

    def too_broad(self) -> None:
        for system in _UNUSED_SYSTEMS[: self.how_many()]:
            self.draft.extra_systems.append(system)
            self.truth.append(entry(FindingCode.SCOPE_TOO_BROAD, None, None, system=system))

    def ownerless(self) -> None:
        """No owner, an owner nobody knows, and an owner who left — each at least once."""
        leavers = [p.id for p in self.draft.people if p.left_on is not None]
        outsiders = [e.email.split("@")[0] for e in self.workforce.employees if not e.person_id]
        roster = {p.id for p in self.draft.people}
        strangers = [o for o in outsiders if o not in roster]
        variants = ["none", "unknown", "left"] * self.how_many()
        controls = self._pick(self._free_controls(), len(variants))
        for variant, control in zip(variants, controls, strict=False):
            if variant == "left" and not leavers:
                continue
            owner = {
                "none": None,
                "unknown": self.rng.choice(strangers),
                "left": self.rng.choice(leavers),
            }[variant]
            self._replace_control(control, owner=owner)
            self.truth.append(
                entry(FindingCode.CONTROL_OWNERLESS, control.id, None, variant=variant, owner=owner)
            )

    def no_population(self) -> None:
        """A sampled control whose population link (and attributes) is removed.

        When no other control uses that population it leaves the program too, as
        it would if nobody had ever asked for the list.
        """
        reconciled = self.draft.reconciled()
        candidates = [
            c
            for c in self._free_controls()
            if c.frequency in _SAMPLED
            and c.population is not None
            and (len(self.draft.users_of(c.population)) > 1 or c.population not in reconciled)
        ]
        smaller = self._smaller_half(candidates, lambda c: c.population or "")
        for control in self._pick(smaller):
            population = control.population or ""
            self._replace_control(control, population=None, attributes=())
            if not self.draft.users_of(population) and population not in reconciled:
                del self.draft.populations[population]
            self.truth.append(
                entry(FindingCode.CONTROL_NO_POPULATION, control.id, None, unlinked=population)
            )

    def not_operated(self, round_number: int) -> None:
        """A population with no occurrence: the export is a header row."""
        candidates = [
            pid
            for pid in self._free_populations(round_number == 0, dropping=True)
            if len(users := self.draft.users_of(pid)) == 1 and users[0].frequency in _SAMPLED
        ]
        for pid in self._pick(self._smaller_half(candidates, lambda p: p), 1):
            self.plans[pid].drop_all = True
            self._claim(pid, dropping=True)
            self.truth.append(entry(FindingCode.CONTROL_NOT_OPERATED, self._user(pid), pid))

    def no_evidence(self) -> None:
        candidates = [
            c
            for c in self._free_controls()
            if c.frequency in (Frequency.ANNUAL, Frequency.CONTINUOUS) and c.population is None
        ]
        for control in self._pick(candidates):
            self.truth.append(
                entry(
                    FindingCode.CONTROL_NO_EVIDENCE,
                    control.id,
                    None,
                    removed=list(control.evidence),
                )
            )
            self._replace_control(control, evidence=())

    # -- population-level --------------------------------------------------------------

    def weak_source(self, round_number: int) -> None:
        """Alternately a hand-made list and a list with no query or count behind it."""
        for pid in self._pick(self._free_populations(round_number == 0), 1):
            population = self.draft.populations[pid]
            if round_number % 2 == 0:
                update: dict[str, Any] = {"system": "spreadsheet"}
                variant = "spreadsheet"
            else:
                update = {"query": None, "count_evidence": None}
                variant = "no_query_or_count_evidence"
            self.draft.populations[pid] = population.model_copy(update=update)
            self._claim(pid)
            self.truth.append(
                entry(FindingCode.POPULATION_WEAK_SOURCE, self._user(pid), pid, variant=variant)
            )

    def extracted_early(self, round_number: int) -> None:
        """Pulled a few days before period_end: the last days' rows are not in the export."""
        candidates = [
            p
            for p in self._free_populations(round_number == 0, dropping=True)
            if self._is_busy_event_list(p)
        ]
        for pid in self._pick(candidates, 1):
            days = self.rng.randint(3, 7)
            extracted = self.period.end - timedelta(days=days)
            self.extracted_on[pid] = extracted
            self.plans[pid].drop_after = extracted.isoformat()
            self._claim(pid, dropping=True)
            self.truth.append(
                entry(
                    FindingCode.POPULATION_EXTRACTED_EARLY,
                    self._user(pid),
                    pid,
                    extracted_on=extracted.isoformat(),
                    period_end=self.period.end.isoformat(),
                )
            )

    def period_gap(self, round_number: int) -> None:
        """A stretch with no rows: a missed month or quarter, or weeks of silence."""
        periodic = (Frequency.DAILY, Frequency.WEEKLY, Frequency.MONTHLY, Frequency.QUARTERLY)
        candidates = [
            p
            for p in self._free_populations(round_number == 0, dropping=True)
            if self._frequency(p) in periodic or self._is_busy_event_list(p, minimum=60)
        ]
        for pid in self._pick(candidates, 1):
            first, last = self._gap_window(self._frequency(pid))
            self.plans[pid].drop_between = (self.period.day(first), self.period.day(last))
            self._claim(pid, dropping=True)
            self.truth.append(
                entry(
                    FindingCode.POPULATION_PERIOD_GAP,
                    self._user(pid),
                    pid,
                    missing_from=self.period.day(first),
                    missing_to=self.period.day(last),
                )
            )

    def _gap_window(self, frequency: Frequency | None) -> tuple[int, int]:
        p = self.period
        if frequency is Frequency.MONTHLY:
            slots = p.months()
        elif frequency is Frequency.QUARTERLY:
            slots = p.quarters()
        else:
            length = p.days // 5
            if frequency is Frequency.DAILY:
                length = 10
            elif frequency is Frequency.WEEKLY:
                length = 21
            first = self.rng.randint(p.days // 3, p.days // 2)
            return first, first + length - 1
        inner = slots[1:-1] or slots[-1:]
        slot = self.rng.choice(inner)
        return slot.first, slot.last

    def count_mismatch(self, round_number: int) -> None:
        candidates = [
            p for p in self._free_populations(round_number == 0) if self.sources[p].count >= 5
        ]
        for pid in self._pick(candidates, 1):
            size = self.sources[pid].count
            delta = self.rng.randint(2, 9) * (1 if self.rng.random() < 0.7 or size < 20 else -1)
            self.plans[pid].count_delta = delta
            self._claim(pid)
            self.truth.append(
                entry(
                    FindingCode.POPULATION_COUNT_MISMATCH,
                    self._user(pid),
                    pid,
                    declared_minus_rows=delta,
                )
            )

    def out_of_period(self, round_number: int) -> None:
        """Rows dated before the period starts or after it ends, under new keys."""
        for pid in self._pick(self._free_populations(round_number == 0), 1):
            source = self.sources[pid]
            rows = self.free_rows(pid, min(self.item_count(source.count), 20))
            plan = self.plans[pid]
            record = entry(FindingCode.POPULATION_OUT_OF_PERIOD, self._user(pid), pid)
            for n, row in enumerate(rows):
                key = source.extra_key(len(plan.extra))
                plan.extra.append(ExtraRow(row, key, n % 2 == 0, self.rng.randint(3, 40)))
                record["items"].append(key)
            self._claim(pid)
            self.truth.append(record)

    def duplicate(self, round_number: int) -> None:
        """Rows exported twice: the same key on two identical rows."""
        for pid in self._pick(self._free_populations(round_number == 0), 1):
            rows = self.free_rows(pid, min(self.item_count(self.sources[pid].count), 50))
            self.plans[pid].duplicate.update(rows)
            record = entry(FindingCode.POPULATION_DUPLICATE, self._user(pid), pid)
            self.watch(pid, rows, record)
            self._claim(pid)
            self.truth.append(record)

    def missing_field(self) -> None:
        """Blank a field an attribute reads, on a few rows."""
        pairs = []
        committed = self._committed_columns()
        for pid in self._item_populations():
            protected = self._protected(pid) | committed.get(pid, set())
            columns = sorted(
                {col for c in self.draft.users_of(pid) for a in c.attributes for col in a.columns}
                - protected
            )
            pairs += [(pid, col) for col in columns]
        for (pid, column), rows in self._with_rows(pairs, self.how_many(), lambda p: p[0]):
            record = entry(
                FindingCode.POPULATION_MISSING_FIELD,
                self._user(pid, column),
                pid,
                field=column,
                implies="sample.deviation when a blank item is sampled",
            )
            for row in rows:
                self.plans[pid].edits.setdefault(row, []).append(_blank(column))
            self.watch(pid, rows, record)
            self.truth.append(record)

    def sample_deviation(self) -> None:
        """Items failing one specific attribute (never one a policy commitment relies on)."""
        committed = self.draft.committed()
        pairs = [
            (control, attribute)
            for pid in self._item_populations()
            for control in self.draft.users_of(pid)
            for attribute in control.attributes
            if attribute.check in _DEVIABLE
            and (control.id, attribute.id) not in committed
            and mutated_column(attribute, population_kind(pid)) not in self._protected(pid)
        ]
        chosen = self._with_rows(pairs, self.how_many() * 2, lambda p: p[0].population or "")
        for (control, attribute), rows in chosen:
            pid = control.population or ""
            kind = population_kind(pid)
            record = entry(
                FindingCode.SAMPLE_DEVIATION,
                control.id,
                pid,
                attribute=attribute.id,
                check=attribute.check.value,
            )
            edit = _deviation(attribute, kind, self.rng)
            for row in rows:
                self.plans[pid].edits.setdefault(row, []).append(edit)
            self.watch(pid, rows, record)
            self.truth.append(record)

    def evidence_missing(self) -> None:
        """Rows that name evidence files which are never written."""
        candidates = [p for p in self._item_populations() if population_kind(p).evidence_column]
        for pid, rows in self._with_rows(candidates, self.how_many(), lambda p: p):
            evidenced = [
                c.id
                for c in self.draft.users_of(pid)
                if any(a.check is AttributeCheck.EVIDENCE for a in c.attributes)
            ]
            record = entry(
                FindingCode.EVIDENCE_MISSING,
                (evidenced or [self._user(pid) or ""])[0],
                pid,
                implies="sample.deviation (evidence attribute) when sampled",
            )
            self.plans[pid].hide_evidence.update(rows)
            self.watch(pid, rows, record)
            self.truth.append(record)

    # -- reconciliations, policies, risks ----------------------------------------------

    def reconciliation_break(self) -> None:
        """Hires with no onboarding training: the left rows have no right row at all."""
        trainings = self.sources.get("trainings")
        if not self._has_reconciliation(ONBOARDING_TRAINING) or not isinstance(
            trainings, MaterializedSource
        ):
            return
        cols = trainings.columns
        used = self.used_rows["trainings"]
        onboarding = {
            email: i
            for i, (email, course) in enumerate(zip(cols["email"], cols["course"], strict=True))
            if course.endswith("Onboarding") and i not in used
        }
        inner = (self.period.start + timedelta(days=20), self.period.end - timedelta(days=20))
        hires = [  # away from the period's edges, so the break opens no coverage gap too
            h
            for h in self.workforce.hires(self.period)
            if h.email in onboarding and inner[0] <= h.start <= inner[1]
        ]
        chosen = self._pick(hires, self.item_count(len(hires)))
        drop = {onboarding[h.email] for h in chosen}
        self.plans["trainings"].drop_rows.update(drop)
        used.update(drop)
        self.truth.append(
            entry(
                FindingCode.RECONCILIATION_BREAK,
                "HR-03",
                "hires",
                reconciliation=ONBOARDING_TRAINING,
                right="trainings",
                items=sorted(h.id for h in chosen),
            )
        )

    def policy_stale(self) -> None:
        for policy in self._pick(list(self.draft.policies)):
            stale = self.period.end - timedelta(
                days=policy.review_interval_days + self.rng.randint(15, 120)
            )
            self._replace_policy(policy, approved_on=stale)
            self.truth.append(
                entry(
                    FindingCode.POLICY_STALE,
                    None,
                    None,
                    policy=policy.id,
                    approved_on=stale.isoformat(),
                )
            )

    def practice_divergence(self) -> None:
        """Access removed after 2-3 days where the policy promises 1.

        The reconciliation (3 days) and the control's attribute (3 days) still pass,
        so the only thing broken is the policy's stricter promise — policy
        stricter than practice, the classic trap.
        """
        removals = self.sources.get("access_removals")
        policy = next(
            (
                p
                for p in self.draft.policies
                if any(c.reconciliation == DEPROVISION for c in p.commitments)
            ),
            None,
        )
        if policy is None or not isinstance(removals, MaterializedSource):
            return
        commitment = next(c for c in policy.commitments if c.reconciliation == DEPROVISION)
        late_ok = self.period.end - timedelta(days=3)
        cols = removals.columns
        candidates = [
            i
            for i, ended in enumerate(cols["terminated_on"])
            if date.fromisoformat(ended) <= late_ok and i not in self.used_rows["access_removals"]
        ]
        rows = sorted(self._pick(candidates, self.item_count(len(cols["email"]))))
        by_email = {e.email: e.id for e in self.workforce.leavers()}
        for row in rows:
            lag = self.rng.randint(2, 3)
            self.plans["access_removals"].edits.setdefault(row, []).append(_late_removal(lag))
        self.used_rows["access_removals"].update(rows)
        self.truth.append(
            entry(
                FindingCode.POLICY_PRACTICE_DIVERGENCE,
                "IAM-02",
                "terminations",
                policy=policy.id,
                commitment=commitment.id,
                reconciliation=DEPROVISION,
                items=sorted(by_email[cols["email"][i]] for i in rows),
                right_items=[cols["removal_id"][i] for i in rows],
            )
        )

    def risk_unmitigated(self) -> None:
        """A new risk with no control, and (at higher rates) an existing one stripped."""
        for n, title in enumerate(_LOOSE_RISKS[: self.how_many()]):
            if n % 2 == 1 and self.draft.risks:
                risk = self.draft.risks[self.rng.randrange(len(self.draft.risks))]
                index = self.draft.risks.index(risk)
                self.draft.risks[index] = risk.model_copy(update={"controls": ()})
            else:
                risk = Risk(
                    id=f"R-{len(self.draft.risks) + 1:02d}",
                    title=title,
                    likelihood=self.rng.randint(2, 4),
                    impact=self.rng.randint(3, 5),
                )
                self.draft.risks.append(risk)
            self.truth.append(entry(FindingCode.RISK_UNMITIGATED, None, None, risk=risk.id))

    # -- helpers -----------------------------------------------------------------------

    def _free_controls(self) -> list[Control]:
        reconciled_controls = {r.control for r in self.draft.reconciliations}
        committed = {c for c, _ in self.draft.committed()}
        return [
            c
            for c in self.draft.controls
            if c.id not in self.touched_controls
            and c.id not in reconciled_controls
            and c.id not in committed
        ]

    def _smaller_half(
        self, candidates: list[Any], population_of: Callable[[Any], str]
    ) -> list[Any]:
        """The candidates whose population is no bigger than the median one.

        Emptying or unlinking a low-volume list is the realistic case, and it keeps
        a generated scenario near its size's row budget.
        """
        if not candidates:
            return candidates
        sizes = sorted(self.sources[population_of(c)].count for c in candidates)
        median = sizes[(len(sizes) - 1) // 2]
        return [c for c in candidates if self.sources[population_of(c)].count <= median]

    def _replace_control(self, control: Control, **update: Any) -> None:
        index = self.draft.control_index(control.id)
        self.draft.controls[index] = self.draft.controls[index].model_copy(update=update)
        self.touched_controls.add(control.id)

    def _replace_policy(self, policy: Policy, **update: Any) -> None:
        index = self.draft.policies.index(policy)
        self.draft.policies[index] = policy.model_copy(update=update)

    def _free_populations(self, must: bool = False, *, dropping: bool = False) -> list[str]:
        """Populations in use, outside reconciliations, with no structural defect yet.

        With ``must`` (the first round, which guarantees every code once) and no
        free population left, fall back to populations whose defect keeps all
        their rows — never for a defect that itself drops rows.
        """
        reconciled = self.draft.reconciled()
        usable = [
            pid
            for pid in self.draft.populations
            if pid not in reconciled and self.draft.users_of(pid) and self.sources[pid].count
        ]
        free = [pid for pid in usable if pid not in self.structural]
        if free or not must or dropping:
            return free
        return [pid for pid in usable if pid not in self.dropping]

    def _item_populations(self) -> list[str]:
        return [
            pid
            for pid in self.draft.populations
            if pid not in self.dropping and self.draft.users_of(pid) and self.sources[pid].count
        ]

    def _claim(self, pid: str, *, dropping: bool = False) -> None:
        self.structural.add(pid)
        if dropping:
            self.dropping.add(pid)

    def _user(self, pid: str, column: str | None = None) -> str | None:
        """The control a population defect is reported under (the one reading ``column``)."""
        users = self.draft.users_of(pid)
        if column is not None:
            for control in users:
                if any(column in a.columns for a in control.attributes):
                    return control.id
        return users[0].id if users else None

    def _frequency(self, pid: str) -> Frequency | None:
        users = self.draft.users_of(pid)
        return users[0].frequency if users else None

    def _is_busy_event_list(self, pid: str, minimum: int = 100) -> bool:
        return self._frequency(pid) is Frequency.PER_EVENT and self.sources[pid].count >= minimum

    def _has_reconciliation(self, rec_id: str) -> bool:
        return any(r.id == rec_id for r in self.draft.reconciliations)

    def _protected(self, pid: str) -> set[str]:
        """Columns defects never change: key, date, evidence and reconciliation columns."""
        kind = population_kind(pid)
        fixed = {kind.key, kind.date, kind.evidence_column or ""}
        return fixed | self._reconciled_columns(pid)

    def _reconciled_columns(self, pid: str) -> set[str]:
        cols: set[str] = set()
        for r in self.draft.reconciliations:
            if r.left == pid:
                cols |= {r.left_match, r.left_date}
            if r.right == pid:
                cols |= {r.right_match, r.right_date}
        return cols

    def _committed_columns(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for control_id, attribute_id in self.draft.committed():
            control = next(c for c in self.draft.controls if c.id == control_id)
            attribute = control.attribute(attribute_id)
            if control.population and attribute is not None:
                out.setdefault(control.population, set()).update(attribute.columns)
        return out


# -- row edits ---------------------------------------------------------------------------


def _blank(column: str) -> RowEdit:
    def edit(row: Row) -> None:
        row[column] = ""

    return edit


def _late_removal(lag: int) -> RowEdit:
    def edit(row: Row) -> None:
        ended = date.fromisoformat(row["terminated_on"])
        row["removed_on"] = (ended + timedelta(days=lag)).isoformat()

    return edit


_WRONG_VALUES = {
    "ci_status": "failure",
    "check_result": "consider",
    "status": "failed",
    "list_source": "spreadsheet",
    "integrity_check": "failed",
    "stored_in": "source-code",
    "opinion": "adverse",
    "method": "resale",
    "audience": "internal-only",
    "result": "deficiency_untracked",
    "severity": "unclassified",
    "type": "unclassified",
}


def mutated_column(attribute: Attribute, kind: PopulationKind) -> str:
    """The column :func:`_deviation` changes: never the population's date column."""
    if attribute.field is not None:
        return attribute.field
    first, second = attribute.fields or ("", "")
    if attribute.check is AttributeCheck.DIFFERENT:
        return second
    return second if second != kind.date else first


def _deviation(attribute: Attribute, kind: PopulationKind, rng: random.Random) -> RowEdit:
    """An edit that makes ``attribute`` fail on a row without blanking anything.

    ``before`` [a, b] fails when a > b; ``within_days`` [a, b] fails when b - a > days.
    Whichever side is not the date column moves, so the row stays in the period.
    """
    check = attribute.check
    target = mutated_column(attribute, kind)
    if check in (AttributeCheck.EQUALS, AttributeCheck.IN):
        flag = kind.column(target).type is ColumnType.FLAG
        return _set(target, "no" if flag else _WRONG_VALUES.get(target, "pending"))
    first, second = attribute.fields or ("", "")
    if check is AttributeCheck.DIFFERENT:
        return _copy(first, second)
    if check is AttributeCheck.BEFORE:
        gap = rng.randint(2, 5)
    else:
        gap = (attribute.days or 0) + rng.randint(2, 6)
    if target == second:  # b := a + gap (within) or a - gap (before)
        return _shift_from(
            second, first, gap if check is AttributeCheck.WITHIN_DAYS else -gap, kind
        )
    return _shift_from(first, second, -gap if check is AttributeCheck.WITHIN_DAYS else gap, kind)


def _set(column: str, value: str) -> RowEdit:
    def edit(row: Row) -> None:
        row[column] = value

    return edit


def _copy(source: str, target: str) -> RowEdit:
    def edit(row: Row) -> None:
        row[target] = row[source]

    return edit


def _shift_from(target: str, anchor: str, days: int, kind: PopulationKind) -> RowEdit:
    """Set ``target`` to ``anchor`` + ``days``, in the target column's own format."""
    as_datetime = kind.column(target).type is ColumnType.DATETIME

    def edit(row: Row) -> None:
        value = row[anchor]
        day = (date.fromisoformat(value[:10]) + timedelta(days=days)).isoformat()
        clock = value[10:] if len(value) > 10 else "T12:00:00Z"
        row[target] = day + clock if as_datetime else day

    return edit
