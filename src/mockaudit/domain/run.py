"""The outcome of one mock audit: requests, samples, results, findings, readiness.

A ``Run`` is what the fieldwork engine produces and readiness completes, what the
vault stores (with its seed, so anyone can redraw the samples), what every
export writes, and what the TUI shows. findings-format.md's JSON is a view of it.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from mockaudit.domain.enums import ControlKind, Frequency, ReportType, RiskTier
from mockaudit.domain.findings import Finding

RUN_SCHEMA = "mockaudit.run/1"


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RequestKind(StrEnum):
    """The kinds of soc2-domain.md §4's request list, plus samples and follow-ups."""

    DOCUMENT = "document"
    POPULATION = "population"
    CONFIGURATION = "configuration"
    SAMPLE = "sample"
    WALKTHROUGH = "walkthrough"
    FOLLOW_UP = "follow_up"


class RequestStatus(StrEnum):
    OPEN = "open"
    PROVIDED = "provided"  # the vault answered it in full
    PARTIAL = "partial"  # something arrived, something is missing
    NOT_AVAILABLE = "not_available"  # the client said it does not exist
    CLOSED = "closed"  # answered in a later round


class Request(_Frozen):
    """One line of the auditor's request (PBC) list."""

    code: str  # "PBC-001"; follow-ups "PBC-001-F1"
    kind: RequestKind
    description: str  # worded as an auditor writes it
    control: str | None = None
    population: str | None = None
    criteria: tuple[str, ...] = ()
    owner: str | None = None
    round: int = 1
    issued_day: int = 0  # business day of fieldwork the request went out
    due_day: int = 0
    status: RequestStatus = RequestStatus.OPEN
    found: tuple[str, ...] = ()  # evidence ids the vault answered with
    missing: tuple[str, ...] = ()  # paths or items that could not be provided
    follows: str | None = None  # the request this one follows up
    findings: tuple[str, ...] = ()  # finding ids behind a follow-up
    standard: str | None = None  # the soc2-domain.md §4 item (R01…) a standard request asks


class AttributeResult(_Frozen):
    attribute: str
    passed: bool
    detail: str = ""


class SampleItem(_Frozen):
    key: str
    line: int
    day: date | None = None
    stratum: str = ""
    expansion: bool = False  # drawn in the expansion after a first deviation
    results: tuple[AttributeResult, ...] = ()

    @property
    def deviation(self) -> bool:
        return any(not r.passed for r in self.results)


class ControlConclusion(StrEnum):
    NO_EXCEPTIONS = "no_exceptions"
    EXCEPTIONS = "exceptions"
    NOT_TESTABLE = "not_testable"


class ControlTest(_Frozen):
    """How one control was tested: the sample plan, the items drawn and the verdict."""

    control: str
    owner: str | None = None
    population: str | None = None
    frequency: Frequency
    kind: ControlKind
    risk: RiskTier
    population_size: int = 0  # in-period rows in the sampling frame
    planned_size: int = 0
    unit: str = ""  # stratification unit (month/quarter/…)
    seed: int = 0  # the per-control seed derived from the run seed
    items: tuple[SampleItem, ...] = ()
    expanded: bool = False
    conclusion: ControlConclusion = ControlConclusion.NO_EXCEPTIONS
    reason: str = ""  # one line: why this conclusion
    # What the auditor would report (soc2-domain.md §3.4; domain/tolerable.py):
    exceptions_noted: int = 0  # deviations the auditor found (sampled items, missed periods)
    # True/False: operated effectively (Type 2) / implemented as designed in the instance
    # inspected (Type 1), per domain.tolerable.judge; None: not tested. An effective
    # control can still have exceptions noted (one deviation in a clean expansion).
    effective: bool | None = None
    result_text: str = ""  # the Section IV result, in the practitioners' wording
    tolerable_rule: str = ""  # the tolerable-deviation rule applied to this sample
    missed_occurrences: tuple[str, ...] = ()  # e.g. ("Q2 2026",): not performed at all
    scope_limited: bool = False  # population or sampled evidence not produced
    frame_deviations: int = 0  # deviating rows the full-population scan found in the frame
    procedure: str = ""  # what the auditor did and inspected, e.g. "Inspected the … dated …"

    @property
    def deviations(self) -> int:
        return sum(1 for item in self.items if item.deviation)

    @property
    def sample_size(self) -> int:
        return len(self.items)


class Opinion(StrEnum):
    UNQUALIFIED = "unqualified"
    QUALIFIED = "qualified"
    ADVERSE = "adverse"
    DISCLAIMER = "disclaimer"


class FieldworkDays(_Frozen):
    low: int
    expected: int
    high: int


class ControlCounts(_Frozen):
    total: int = 0
    no_exceptions: int = 0
    exceptions: int = 0
    not_testable: int = 0


class FindingWeight(_Frozen):
    """How much one finding took off the readiness score (the score is explainable)."""

    finding: str
    weight: float


class Timeline(_Frozen):
    """When the real reports could be dated, given the open gaps."""

    remediation_days: int  # calendar days to close the open high/medium gaps
    type1_earliest: date
    type2_window_months: int
    type2_period_start: date
    type2_period_end: date
    type2_report_date: date
    # A completed Type 2 period (as_of after its end) is reported as run, with its
    # exceptions; remediation lands in the next period, which starts the day after.
    period_completed: bool = False
    remediated_on: date | None = None  # as_of + remediation_days
    next_period_start: date | None = None
    next_period_end: date | None = None
    next_report_date: date | None = None

    def next_period_carries_gaps(self) -> bool:
        """The open gaps are fixed only after the next period has begun: what goes wrong
        until then falls into that period's report too (remediation cannot reach back)."""
        return bool(
            self.period_completed
            and self.remediation_days > 0
            and self.remediated_on is not None
            and self.next_period_start is not None
            and self.remediated_on > self.next_period_start
        )


class GroundKind(StrEnum):
    """Why a criterion is modified (soc2-domain.md §3.4 exception families, §3.5 drivers)."""

    NOT_OPERATING = "not_operating"  # the control did not operate for part of the period
    DEVIATIONS = "deviations"  # deviations above the tolerable rate after expansion
    DESIGN = "design"  # no control for the criterion, or one whose design cannot meet it
    SCOPE_LIMITATION = "scope_limitation"  # population or sampled evidence not produced
    DESCRIPTION = "description"  # the description misstates what is done


class Ground(_Frozen):
    """One reason an in-scope criterion is not met: a qualification ground (§3.5)."""

    criterion: str
    kind: GroundKind
    controls: tuple[str, ...] = ()  # the failing controls (empty: no control at all)
    text: str  # "IAM-02: 2 of 10 sampled removals late, above the tolerable rate"


class GroundProbability(_Frozen):
    """How often a ground appeared among the simulated samples (criteria sharing a cause and a
    probability are listed together)."""

    criteria: tuple[str, ...]
    kind: GroundKind
    controls: tuple[str, ...] = ()
    text: str  # the ground without sample counts: "IAM-02: deviations above the tolerable rate"
    probability: float = Field(ge=0.0, le=1.0)


class OpinionDistribution(_Frozen):
    """The opinion over many simulated auditor samples, not one draw (readiness/distribution.py)."""

    samples: int  # how many samples were simulated
    seed: int  # the seed of the simulation: the same seed gives the same distribution
    probabilities: dict[str, float] = Field(default_factory=dict)  # opinion → share
    most_likely: Opinion
    grounds: tuple[GroundProbability, ...] = ()  # most probable first
    varying: tuple[str, ...] = ()  # controls whose conclusion depends on the sample drawn
    seeded_opinion: Opinion  # the single seeded run's opinion (reproducible rehearsal)


class Readiness(_Frozen):
    score: float = Field(ge=0.0, le=100.0)
    likely_opinion: Opinion
    opinion_rule: str
    fieldwork_days: FieldworkDays
    follow_up_rounds: int
    controls: ControlCounts
    criteria: dict[str, str] = Field(default_factory=dict)  # criterion → conclusion
    weights: tuple[FindingWeight, ...] = ()
    timeline: Timeline | None = None
    grounds: tuple[Ground, ...] = ()  # the seeded run's qualification grounds
    opinion_distribution: OpinionDistribution | None = None  # None in runs stored before it


class Message(_Frozen):
    """One line of the simulated correspondence, on the business-day clock."""

    day: int
    round: int
    sender: str  # "auditor" | "client"
    text: str


class Run(_Frozen):
    schema_version: str = RUN_SCHEMA
    id: str
    seed: int
    started_at: datetime
    mockaudit_version: str
    program_version: int = 0
    report_type: ReportType
    period_start: date | None = None
    period_end: date
    findings: tuple[Finding, ...] = ()
    requests: tuple[Request, ...] = ()
    tests: tuple[ControlTest, ...] = ()
    readiness: Readiness | None = None
    messages: tuple[Message, ...] = ()
