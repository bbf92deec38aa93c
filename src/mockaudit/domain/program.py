"""The whole SOC 2 program of one company, as described by a scenario folder.

Field names are the TOML keys of scenario-format.md, so
``Program.model_dump(mode="json", exclude_none=True)`` is exactly what a
scenario writer emits, and loading that back gives an equal Program.
Checks that need the whole program (duplicate ids, references between tables)
live in ``Program``'s validator, so an inconsistent Program cannot be built by
the loader or by the generator alike. Checks that need files (CSV headers,
paths) belong to the loader.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Annotated, Final, Literal, Protocol, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from mockaudit.domain.controls import Control
from mockaudit.domain.criteria import is_criterion
from mockaudit.domain.description import (
    Description,
    Incident,
    ServiceCommitment,
    SignificantChange,
)
from mockaudit.domain.enums import Category, ReportType
from mockaudit.domain.populations import Population, Reconciliation
from mockaudit.domain.subservice import Cuec, Vendor
from mockaudit.domain.values import Day, Identifier, PositiveCount, Score, Text

SCENARIO_FORMAT: Final = "mockaudit.scenario/1"
REFERENCE_ERROR = "program_reference"
"""The pydantic error type of a cross-table problem; ctx holds ``location`` and ``problem``."""


class Organization(BaseModel):
    """The service organisation and the service it describes (DC1)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Text
    services: Text = ""


class Engagement(BaseModel):
    """What the examination covers: report type, period, categories and systems."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    report_type: ReportType
    period_start: Day | None = None
    period_end: Day
    categories: tuple[Category, ...] = (Category.SECURITY,)
    systems: tuple[Text, ...] = ()
    confidence: float = 0.90

    @field_validator("categories")
    @classmethod
    def _security_always(cls, value: tuple[Category, ...]) -> tuple[Category, ...]:
        """Security is mandatory in every SOC 2: add it, drop repeats, keep the order."""
        ordered = dict.fromkeys((Category.SECURITY, *value))
        return tuple(ordered)

    @field_validator("confidence", mode="before")
    @classmethod
    def _known_confidence(cls, value: object) -> object:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError("must be 0.90 or 0.95")
        if float(value) not in (0.90, 0.95):
            raise ValueError(f"must be 0.90 or 0.95, got {value}")
        return float(value)

    @model_validator(mode="after")
    def _period_is_sane(self) -> Self:
        if self.report_type is ReportType.TYPE2:
            if self.period_start is None:
                raise ValueError("type2 needs period_start (the first day of the period)")
            if self.period_start > self.period_end:
                raise ValueError(
                    f"period_start {self.period_start} is after period_end {self.period_end}"
                )
        elif self.period_start is not None:
            raise ValueError("period_start applies to type2 only; type1 has period_end only")
        return self


class Person(BaseModel):
    """Someone who can own controls and policies; one who left is no longer an owner."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Identifier
    name: Text
    role: Text | None = None
    email: Text | None = None
    left_on: Day | None = None


class Commitment(BaseModel):
    """A measurable promise in a policy, kept or broken by observed practice.

    Two forms: ``reconciliation`` (+ optional ``max_days``, defaulting to the
    reconciliation's own) is kept when every left row is matched in time;
    ``control`` + ``attribute`` is kept when that attribute passes on every item.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Identifier
    statement: Text
    reconciliation: Identifier | None = None
    max_days: PositiveCount | None = None
    control: Identifier | None = None
    attribute: Identifier | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        by_reconciliation = self.reconciliation is not None
        by_control = self.control is not None or self.attribute is not None
        if by_reconciliation and by_control:
            raise ValueError('use either "reconciliation" or "control" + "attribute", not both')
        if not by_reconciliation and not by_control:
            raise ValueError('needs "reconciliation" or "control" + "attribute"')
        if by_control:
            if self.control is None:
                raise ValueError('key "control" is required with "attribute"')
            if self.attribute is None:
                raise ValueError('key "attribute" is required with "control"')
            if self.max_days is not None:
                raise ValueError('key "max_days" applies to the reconciliation form only')
        return self


class Policy(BaseModel):
    """A written policy: approved when, reviewed how often, and what it promises."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Identifier
    title: Text
    owner: Text | None = None
    approved_on: Day | None = None
    review_interval_days: Annotated[StrictInt, Field(gt=0)] = 365
    file: Text | None = None
    commitments: tuple[Commitment, ...] = ()

    @model_validator(mode="after")
    def _unique_commitments(self) -> Self:
        _first_duplicate((c.id for c in self.commitments), "commitment")
        return self


class Risk(BaseModel):
    """A risk from the risk assessment and the controls said to mitigate it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Identifier
    title: Text
    likelihood: Score
    impact: Score
    controls: tuple[Identifier, ...] = ()


class Program(BaseModel):
    """Everything in scenario.toml, consistent across tables."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["mockaudit.scenario/1"] = SCENARIO_FORMAT
    organization: Organization
    engagement: Engagement
    people: tuple[Person, ...] = ()
    policies: tuple[Policy, ...] = ()
    risks: tuple[Risk, ...] = ()
    populations: tuple[Population, ...] = ()
    controls: tuple[Control, ...] = ()
    reconciliations: tuple[Reconciliation, ...] = ()
    # (additions) the system description and its subservice organisations (DC 200)
    description: Description | None = None
    service_commitments: tuple[ServiceCommitment, ...] = ()
    vendors: tuple[Vendor, ...] = ()
    cuecs: tuple[Cuec, ...] = ()
    incidents: tuple[Incident, ...] = ()
    significant_changes: tuple[SignificantChange, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        for table in PROGRAM_TABLES:
            _unique_ids(table, getattr(self, table))
        _check_controls(self)
        _check_policies(self)
        _check_risks(self)
        _check_reconciliations(self)
        _check_vendors(self)
        _check_description(self)
        return self

    @property
    def describes_system(self) -> bool:
        """Whether the scenario models its system description (any DC 200 addition given):
        only then are the description's elements checked against DC1–DC9."""
        return self.description is not None or any(
            getattr(self, table) for table in DESCRIPTION_TABLES
        )

    def vendor(self, vendor_id: str) -> Vendor | None:
        return next((v for v in self.vendors if v.id == vendor_id), None)

    def service_commitment(self, commitment_id: str) -> ServiceCommitment | None:
        return next((c for c in self.service_commitments if c.id == commitment_id), None)

    def person(self, person_id: str) -> Person | None:
        """The person with this id, or None (an unknown owner is a finding, not an error)."""
        return next((p for p in self.people if p.id == person_id), None)

    def policy(self, policy_id: str) -> Policy | None:
        return next((p for p in self.policies if p.id == policy_id), None)

    def risk(self, risk_id: str) -> Risk | None:
        return next((r for r in self.risks if r.id == risk_id), None)

    def population(self, population_id: str) -> Population | None:
        return next((p for p in self.populations if p.id == population_id), None)

    def control(self, control_id: str) -> Control | None:
        return next((c for c in self.controls if c.id == control_id), None)

    def reconciliation(self, reconciliation_id: str) -> Reconciliation | None:
        return next((r for r in self.reconciliations if r.id == reconciliation_id), None)


DESCRIPTION_TABLES = (
    "service_commitments",
    "vendors",
    "cuecs",
    "incidents",
    "significant_changes",
)
PROGRAM_TABLES = (
    "people",
    "policies",
    "risks",
    "populations",
    "controls",
    "reconciliations",
    *DESCRIPTION_TABLES,
)


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


def reference_error(location: str, problem: str) -> PydanticCustomError:
    """A cross-table error whose location (``controls[3] (CHG-01).population``) is kept apart."""
    return PydanticCustomError(
        REFERENCE_ERROR, "{location}: {problem}", {"location": location, "problem": problem}
    )


def _where(table: str, index: int, row: _HasId) -> str:
    return f"{table}[{index}] ({row.id})"


def _first_duplicate(ids: Iterable[str], what: str) -> None:
    seen: set[str] = set()
    for item_id in ids:
        if item_id in seen:
            raise ValueError(f'duplicate {what} id "{item_id}"')
        seen.add(item_id)


def _unique_ids(table: str, rows: Sequence[_HasId]) -> None:
    seen: set[str] = set()
    for index, row in enumerate(rows):
        if row.id in seen:
            raise reference_error(_where(table, index, row), f'duplicate id "{row.id}"')
        seen.add(row.id)


def _check_controls(program: Program) -> None:
    for index, control in enumerate(program.controls):
        for system in control.systems or ():
            if system not in program.engagement.systems:
                raise reference_error(
                    f"{_where('controls', index, control)}.systems",
                    f'system "{system}" is not among engagement.systems',
                )
        if control.population is None:
            continue
        population = program.population(control.population)
        where = _where("controls", index, control)
        if population is None:
            raise reference_error(
                f"{where}.population", f'population "{control.population}" is not defined'
            )
        for a_index, attribute in enumerate(control.attributes):
            if attribute.check == "evidence" and population.evidence_column is None:
                raise reference_error(
                    f"{where}.attributes[{a_index}] ({attribute.id})",
                    f'check "evidence" needs evidence_column on population "{population.id}"',
                )


def _check_policies(program: Program) -> None:
    for index, policy in enumerate(program.policies):
        for c_index, commitment in enumerate(policy.commitments):
            where = f"{_where('policies', index, policy)}.commitments[{c_index}] ({commitment.id})"
            if commitment.reconciliation is not None:
                if program.reconciliation(commitment.reconciliation) is None:
                    raise reference_error(
                        f"{where}.reconciliation",
                        f'reconciliation "{commitment.reconciliation}" is not defined',
                    )
                continue
            control = program.control(commitment.control or "")
            if control is None:
                raise reference_error(
                    f"{where}.control", f'control "{commitment.control}" is not defined'
                )
            if control.attribute(commitment.attribute or "") is None:
                raise reference_error(
                    f"{where}.attribute",
                    f'control "{control.id}" has no attribute "{commitment.attribute}"',
                )


def _check_risks(program: Program) -> None:
    for index, risk in enumerate(program.risks):
        for control_id in risk.controls:
            if program.control(control_id) is None:
                raise reference_error(
                    f"{_where('risks', index, risk)}.controls",
                    f'control "{control_id}" is not defined',
                )


def _check_reconciliations(program: Program) -> None:
    for index, rec in enumerate(program.reconciliations):
        where = _where("reconciliations", index, rec)
        if rec.control is not None and program.control(rec.control) is None:
            raise reference_error(f"{where}.control", f'control "{rec.control}" is not defined')
        for side in ("left", "right"):
            population_id: str = getattr(rec, side)
            if program.population(population_id) is None:
                raise reference_error(
                    f"{where}.{side}", f'population "{population_id}" is not defined'
                )


def _known_controls(program: Program, where: str, ids: Iterable[str]) -> None:
    for control_id in ids:
        if program.control(control_id) is None:
            raise reference_error(where, f'control "{control_id}" is not defined')


def _check_vendors(program: Program) -> None:
    for index, vendor in enumerate(program.vendors):
        where = _where("vendors", index, vendor)
        _known_controls(program, f"{where}.monitoring_controls", vendor.monitoring_controls)
        for c_index, csoc in enumerate(vendor.csocs):
            _known_controls(
                program, f"{where}.csocs[{c_index}] ({csoc.id}).monitored_by", csoc.monitored_by
            )
        if vendor.review is not None and vendor.review.control is not None:
            _known_controls(program, f"{where}.review.control", (vendor.review.control,))
        cuecs = vendor.report.cuecs if vendor.report is not None else ()
        for c_index, cuec in enumerate(cuecs):
            _known_controls(
                program, f"{where}.report.cuecs[{c_index}] ({cuec.id}).controls", cuec.controls
            )


def _check_description(program: Program) -> None:
    for index, commitment in enumerate(program.service_commitments):
        measure = commitment.measure
        if measure is not None and program.population(measure.population) is None:
            raise reference_error(
                f"{_where('service_commitments', index, commitment)}.measure.population",
                f'population "{measure.population}" is not defined',
            )
    for index, incident in enumerate(program.incidents):
        for commitment_id in incident.commitments:
            if program.service_commitment(commitment_id) is None:
                raise reference_error(
                    f"{_where('incidents', index, incident)}.commitments",
                    f'service commitment "{commitment_id}" is not defined',
                )
    if program.description is not None:
        for index, item in enumerate(program.description.not_relevant):
            if not is_criterion(item.criterion):
                raise reference_error(
                    f"description.not_relevant[{index}].criterion",
                    f'unknown criterion "{item.criterion}"',
                )
