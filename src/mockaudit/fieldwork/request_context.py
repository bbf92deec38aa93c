"""What every request is built from: the ask, the due days, and what the auditor has in hand.

An :class:`Ask` is a request before the clock gives it a code and days, carrying
the client's simulated answer; a :class:`RequestContext` is what the auditor
knows when writing one (the program, the window, the profiles, the tests and
which evidence files the vault holds). The opening requests and the follow-ups
are both written from these two.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from mockaudit.domain import Control, Program
from mockaudit.domain.observations import EvidenceRef, PopulationProfile
from mockaudit.domain.run import ControlTest, RequestKind, RequestStatus
from mockaudit.domain.standard_requests import standard_paths
from mockaudit.fieldwork.attributes import evidence_paths
from mockaudit.fieldwork.ports import ProgramSource
from mockaudit.fieldwork.scope import accountable_owner, audit_window

PBC_DUE = 5
"""Business days the client has for the initial request list."""
SAMPLE_DUE = 2
"""Business days for the evidence of the selected samples."""
ANSWER_DUE = 1
"""Follow-ups that need an explanation or a confirmation."""
REPULL_DUE = 2
"""Follow-ups that need a new extract or files (the top of §3.1's 1–2 days)."""


@dataclass(frozen=True)
class Ask:
    """A request before it gets its code and days, with the client's simulated answer."""

    key: str  # what follow-ups point at: "population:changes", "sample:CHG-01"…
    kind: RequestKind
    description: str
    status: RequestStatus
    reply: str
    due_in: int
    control: str | None = None
    population: str | None = None
    criteria: tuple[str, ...] = ()
    owner: str | None = None
    found: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    parent: str | None = None  # key of the ask this one follows up
    findings: tuple[str, ...] = ()
    then: tuple[Ask, ...] = ()  # questions the answer raises, asked next round
    standard: str | None = None  # the §4 item (R01…) whose document answers it


@dataclass(frozen=True)
class RequestContext:
    """What the auditor has in hand when writing a request."""

    program: Program
    start: date
    end: date
    profiles: Mapping[str, PopulationProfile]
    tests: Mapping[str, ControlTest]
    item_paths: Mapping[tuple[str, str], tuple[str, ...]]  # (population, key) → files
    refs: Mapping[str, EvidenceRef]

    @classmethod
    def build(
        cls,
        program: Program,
        profiles: Mapping[str, PopulationProfile],
        tests: Sequence[ControlTest],
        source: ProgramSource,
    ) -> RequestContext:
        item_paths = sampled_item_paths(program, tests, source)
        paths = [
            *(p.file for p in program.policies if p.file),
            *(p.count_evidence for p in program.populations if p.count_evidence),
            *(path for c in program.controls for path in c.evidence),
            *(path for files in item_paths.values() for path in files),
            *standard_paths(program),
            *(d.file for d in (program.description,) if d is not None and d.file),
        ]
        start, end = audit_window(program)
        return cls(
            program=program,
            start=start,
            end=end,
            profiles=profiles,
            tests={t.control: t for t in tests},
            item_paths=item_paths,
            refs=source.evidence(list(dict.fromkeys(paths))) if paths else {},
        )

    def held(self, paths: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(evidence ids the vault holds, paths it does not) for these paths."""
        found: list[str] = []
        missing: list[str] = []
        for path in dict.fromkeys(paths):
            ref = self.refs.get(path)
            if ref is not None and ref.evidence_id is not None:
                found.append(ref.evidence_id)
            else:
                missing.append(path)
        return tuple(dict.fromkeys(found)), tuple(missing)

    def owner_of(self, control_id: str | None) -> str | None:
        control = self.program.control(control_id) if control_id else None
        return accountable_owner(self.program, control.owner) if control else None

    def users_of(self, population: str) -> list[Control]:
        return [c for c in self.program.controls if c.population == population]

    def population_owner(self, population: str) -> str | None:
        """The first current owner among the controls tested on this population."""
        owners = (self.owner_of(c.id) for c in self.users_of(population))
        return next((o for o in owners if o is not None), None)

    def criteria_of(self, control_id: str | None) -> tuple[str, ...]:
        control = self.program.control(control_id) if control_id else None
        return control.criteria if control else ()

    def period(self) -> str:
        return f"from {self.start.isoformat()} to {self.end.isoformat()}"


def sampled_item_paths(
    program: Program, tests: Sequence[ControlTest], source: ProgramSource
) -> dict[tuple[str, str], tuple[str, ...]]:
    """The evidence files each sampled item lists: one pass per population, stopping early."""
    wanted: dict[str, set[str]] = {}
    for test in tests:
        population = program.population(test.population) if test.population else None
        if population is not None and population.evidence_column is not None and test.items:
            wanted.setdefault(population.id, set()).update(item.key for item in test.items)
    out: dict[tuple[str, str], tuple[str, ...]] = {}
    for population_id, keys in wanted.items():
        column = next(p.evidence_column for p in program.populations if p.id == population_id)
        for row in source.rows(population_id):
            if row.key in keys:
                out[(population_id, row.key)] = tuple(evidence_paths(row, column))
                keys.discard(row.key)
                if not keys:
                    break
    return out
