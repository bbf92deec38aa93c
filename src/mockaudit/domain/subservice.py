"""Vendors, subservice organisations and complementary controls (soc2-domain.md §3.7).

A ``Vendor`` is what the scenario's ``[[vendors]]`` table says about one supplier:
the services it provides, whether it is a subservice organisation (its controls are
needed, with ours, to meet our commitments) and, if so, whether the description
carves it out or includes it; the in-scope systems it runs; its latest SOC report
(type, period, opinion, the exceptions it lists and the CUECs it asks of us); the
complementary subservice organisation controls (CSOCs) we rely on; which of our
controls monitor it; and what our review of its report recorded. ``Cuec`` is one
row of ``[[cuecs]]``: a control our customers must operate (DC6).

Field names are the TOML keys (scenario-format.md, "Subservice organisations").
"""

from __future__ import annotations

from datetime import date
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from mockaudit.domain.criteria import is_criterion
from mockaudit.domain.values import Day, Identifier, Text

VendorMethod = Literal["carve_out", "inclusive"]
SocOpinion = Literal["unqualified", "qualified", "adverse", "disclaimer"]
SocType = Literal["type1", "type2"]


def _known_criteria(value: tuple[str, ...]) -> tuple[str, ...]:
    for cid in value:
        if not is_criterion(cid):
            raise ValueError(f'unknown criterion "{cid}"')
    return value


class VendorException(BaseModel):
    """An exception the vendor's auditor reported, and our evaluation of it (if any)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Identifier
    description: Text
    evaluation: Text = ""  # what we concluded about its effect on us; "" = not evaluated


class VendorCuec(BaseModel):
    """A complementary user entity control the vendor's report asks of us."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Identifier
    statement: Text
    controls: tuple[Identifier, ...] = ()  # our controls that meet it; () = not mapped


class SocReport(BaseModel):
    """The vendor's latest SOC report: what it covers and what it says."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: SocType
    period_start: Day | None = None
    period_end: Day
    opinion: SocOpinion
    exceptions: tuple[VendorException, ...] = ()
    cuecs: tuple[VendorCuec, ...] = ()
    bridge_letter_through: Day | None = None  # a bridge letter from the vendor covers to here

    @model_validator(mode="after")
    def _period(self) -> Self:
        if self.type == "type2" and self.period_start is None:
            raise ValueError("a type2 report needs period_start")
        if self.period_start is not None and self.period_start > self.period_end:
            raise ValueError(f"period_start {self.period_start} is after period_end")
        if self.bridge_letter_through is not None and self.bridge_letter_through < self.period_end:
            raise ValueError("bridge_letter_through is before the report's period_end")
        return self

    @property
    def covered_through(self) -> date:
        """The last day the report (or the vendor's bridge letter) speaks for."""
        return self.bridge_letter_through or self.period_end


class Csoc(BaseModel):
    """A control we assume the carved-out vendor operates, and how we monitor it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Identifier
    statement: Text
    criteria: tuple[str, ...] = ()
    monitored_by: tuple[Identifier, ...] = ()  # our controls; () = no monitoring control

    _criteria = field_validator("criteria")(_known_criteria)


class VendorReview(BaseModel):
    """What our vendor-review control recorded about the vendor's report (§3.7, VEN-03)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    control: Identifier | None = None  # the control that performed it (default: first monitor)
    reviewed_by: Text = ""
    reviewed_on: Day | None = None
    opinion_noted: SocOpinion | None = None
    period_end_noted: Day | None = None
    file: Text | None = None


class Vendor(BaseModel):
    """One supplier: services, subservice status and method, its SOC report, our reliance."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Identifier
    name: Text
    services: Text = ""
    subservice: bool | None = None  # None: nobody decided whether it is one
    method: VendorMethod | None = None
    systems: tuple[Text, ...] = ()
    report: SocReport | None = None
    csocs: tuple[Csoc, ...] = ()
    monitoring_controls: tuple[Identifier, ...] = ()
    review: VendorReview | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.method is not None and self.subservice is not True:
            raise ValueError('"method" applies to a subservice organisation (subservice = true)')
        if self.csocs and self.subservice is not True:
            raise ValueError('"csocs" apply to a subservice organisation (subservice = true)')
        return self

    @property
    def carved_out(self) -> bool:
        return self.subservice is True and self.method == "carve_out"


class Cuec(BaseModel):
    """A control our customers must operate for our controls to meet the criteria (DC6)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Identifier
    statement: Text
    criteria: tuple[str, ...] = ()
    necessary: bool = True  # False: a helpful "user entity responsibility", not a CUEC (§3.7)

    _criteria = field_validator("criteria")(_known_criteria)
