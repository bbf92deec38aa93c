"""The OSCAL export's vendors and description findings (issue 19).

* every vendor is a party (``metadata.parties``, type organization) and a component of
  type ``service`` in the result's ``local-definitions``, with props saying whether it is a
  subservice organisation, the carve-out or inclusive method, the systems it runs and its
  SOC report's period and opinion; the component's ``responsible-roles`` name the party
  (``provider``, a role declared in ``metadata.roles``);
* each ``vendor.*`` and ``description.*`` finding is also an observation (method EXAMINE,
  type finding) whose subject is the vendor's component when there is one; its finding
  points at that observation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from mockaudit.domain import Finding, Program
from mockaudit.domain.subservice import Vendor

Json = dict[str, Any]
Uuid = Callable[..., str]
Props = Callable[..., list[Json]]
PROVIDER_ROLE = "provider"
_CODES = ("vendor.", "description.")


def is_described(finding: Finding) -> bool:
    """A finding about vendors or the system description (observed, not tested)."""
    return finding.code.value.startswith(_CODES)


def roles(program: Program) -> list[Json]:
    return [{"id": PROVIDER_ROLE, "title": "Vendor (service provider)"}] if program.vendors else []


def parties(program: Program, uuid: Uuid) -> list[Json]:
    return [
        {"uuid": uuid("party", v.id), "type": "organization", "name": v.name or v.id}
        for v in program.vendors
    ]


def components(program: Program, uuid: Uuid, props: Props) -> list[Json]:
    return [_component(v, uuid, props) for v in program.vendors]


def _component(vendor: Vendor, uuid: Uuid, props: Props) -> Json:
    report = vendor.report
    subservice = {True: "yes", False: "no", None: "undecided"}[vendor.subservice]
    return {
        "uuid": uuid("component", vendor.id),
        "type": "service",
        "title": vendor.name or vendor.id,
        "description": vendor.services or vendor.name or vendor.id,
        "props": props(
            ("vendor", vendor.id),
            ("subservice-organization", subservice),
            ("subservice-method", vendor.method or ""),
            ("systems", " ".join(vendor.systems)),
            ("soc-report-type", report.type if report else ""),
            ("soc-report-period-end", str(report.period_end) if report else ""),
            ("soc-report-opinion", report.opinion if report else ""),
            ("csocs", " ".join(c.id for c in vendor.csocs)),
            ("monitoring-controls", " ".join(vendor.monitoring_controls)),
        ),
        "status": {"state": "operational"},
        "responsible-roles": [
            {"role-id": PROVIDER_ROLE, "party-uuids": [uuid("party", vendor.id)]}
        ],
    }


def observations(
    program: Program,
    findings: Sequence[Finding],
    uuid: Uuid,
    props: Props,
    when: str,
    origins: list[Json],
) -> list[Json]:
    return [
        _observation(program, f, uuid, props, when, origins) for f in findings if is_described(f)
    ]


def observation_uuid(finding: Finding, uuid: Uuid) -> str:
    return uuid("observation", "finding", finding.id)


def _observation(
    program: Program,
    finding: Finding,
    uuid: Uuid,
    props: Props,
    when: str,
    origins: list[Json],
) -> Json:
    vendors = [v for v in program.vendors if _about(v, finding)]
    out: Json = {
        "uuid": observation_uuid(finding, uuid),
        "title": finding.title.replace("\n", " ")[:200] or finding.id,
        "description": finding.detail or finding.title,
        "props": props(
            ("finding-id", finding.id),
            ("code", finding.code.value),
            ("items", " ".join(finding.items[:50])),
        ),
        "methods": ["EXAMINE"],
        "types": ["finding"],
        "origins": origins,
        "collected": when,
    }
    if vendors:
        out["subjects"] = [
            {"subject-uuid": uuid("component", v.id), "type": "component"} for v in vendors
        ]
    return out


def _about(vendor: Vendor, finding: Finding) -> bool:
    """Whether the finding concerns this vendor (its id, a CSOC, CUEC or exception id)."""
    if not finding.code.value.startswith("vendor."):
        return False
    ids = {vendor.id, *(c.id for c in vendor.csocs)}
    if vendor.report is not None:
        ids |= {c.id for c in vendor.report.cuecs} | {x.id for x in vendor.report.exceptions}
    return bool(ids & set(finding.items))
