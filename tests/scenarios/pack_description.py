"""A second, independent reading of a pack's vendors and system description (issue 19).

``test_builtin_packs.derive`` uses it to rebuild the ``vendor.*`` and ``description.*``
claims of expected.json straight from scenario.toml and the population CSVs, with the rules
of docs/scenario-format.md written out again here (not imported from the engine): a report
ending before our period end without a bridge letter through it needs one, unless it ended
more than 365 days before (stale); an exception with an empty evaluation, a CSOC with no
monitored_by, a CUEC with no controls; an in-scope system of a vendor whose subservice status
or method is undecided; a review whose record misses or misstates the §3.7 items; a measured
commitment below target on an in-period row with no disclosed incident naming it; a
significant undisclosed incident or change in the period; a DC element not covered.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import Any

Add = Callable[..., None]


def derive_description(
    folder: Any, start: date, end: date, rows: Mapping[str, list[dict[str, str]]], add: Add
) -> None:
    with (folder / "scenario.toml").open("rb") as fh:
        data = tomllib.load(fh)
    systems = set(data["engagement"].get("systems", []))
    for vendor in data.get("vendors", []):
        _vendor(vendor, systems, end, add)
    if not any(
        key in data
        for key in (
            "description",
            "vendors",
            "cuecs",
            "service_commitments",
            "incidents",
            "significant_changes",
        )
    ):
        return
    _disclosures(data, start, end, rows, add)
    _elements(data, add)


def _vendor(vendor: dict[str, Any], systems: set[str], end: date, add: Add) -> None:
    monitor = vendor.get("review", {}).get("control") or next(
        iter(vendor.get("monitoring_controls", [])), None
    )
    report = vendor.get("report")
    carve = vendor.get("subservice") is True and vendor.get("method") == "carve_out"
    if report is None and carve:
        add("vendor.report_stale", vendor["id"], control=monitor)
    if report is not None and vendor.get("method") != "inclusive":
        through = report.get("bridge_letter_through", report["period_end"])
        if through < end:
            stale = report["period_end"] + timedelta(days=365) < end
            code = "vendor.report_stale" if stale else "vendor.bridge_letter_needed"
            add(code, vendor["id"], control=monitor)
    report = report or {}
    if open_ := [x["id"] for x in report.get("exceptions", []) if not x.get("evaluation")]:
        add("vendor.exception_unevaluated", *open_, control=monitor)
    if bare := [c["id"] for c in vendor.get("csocs", []) if not c.get("monitored_by")]:
        add("vendor.csoc_unmonitored", *bare, control=monitor)
    if unmapped := [c["id"] for c in report.get("cuecs", []) if not c.get("controls")]:
        add("vendor.cuec_unmapped", *unmapped, control=monitor)
    undecided = "subservice" not in vendor or (
        vendor["subservice"] is True and "method" not in vendor
    )
    if undecided and systems & set(vendor.get("systems", [])):
        add("vendor.system_unaddressed", vendor["id"], control=monitor)
    if report and (vendor.get("subservice") or vendor.get("monitoring_controls")):
        if _review_falls_short(vendor.get("review"), report, end, open_, unmapped):
            add("vendor.review_incomplete", vendor["id"], control=monitor)


def _review_falls_short(
    review: dict[str, Any] | None,
    report: dict[str, Any],
    end: date,
    unevaluated: list[str],
    unmapped: list[str],
) -> bool:
    if review is None:
        return True
    reviewed_on = review.get("reviewed_on")
    return bool(
        not review.get("reviewed_by")
        or reviewed_on is None
        or not end - timedelta(days=365) <= reviewed_on <= end
        or review.get("opinion_noted") != report["opinion"]
        or review.get("period_end_noted") != report["period_end"]
        or unevaluated
        or unmapped
    )


def _disclosures(
    data: dict[str, Any],
    start: date,
    end: date,
    rows: Mapping[str, list[dict[str, str]]],
    add: Add,
) -> None:
    incidents = data.get("incidents", [])
    populations = {p["id"]: p for p in data.get("populations", [])}
    for commitment in data.get("service_commitments", []):
        measure = commitment.get("measure")
        if measure is None:
            continue
        if any(
            i.get("disclosed") and commitment["id"] in i.get("commitments", []) for i in incidents
        ):
            continue
        population = populations[measure["population"]]
        missed = [
            row[population["key"]]
            for row in rows[population["id"]]
            if start <= date.fromisoformat(row[population["date"]][:10]) <= end
            and float(row[measure["column"]]) < measure["at_least"]
        ]
        if missed:
            add("description.sla_breach_undisclosed", *missed, population=population["id"])
    for table, when, code in (
        ("incidents", "occurred_on", "description.incident_undisclosed"),
        ("significant_changes", "changed_on", "description.change_undisclosed"),
    ):
        for row in data.get(table, []):
            if (
                row.get("significant", True)
                and not row.get("disclosed")
                and start <= row[when] <= end
            ):
                add(code, row["id"])


def _elements(data: dict[str, Any], add: Add) -> None:
    described = data.get("description", {})
    missing = []
    if not data["organization"].get("services", "").strip():
        missing.append("DC1")
    if not data.get("service_commitments"):
        missing.append("DC2")
    components = set(described.get("components", []))
    five = {"infrastructure", "software", "people", "procedures", "data"}
    if components != five or not described.get("boundaries", "").strip():
        missing.append("DC3")
    subservice = [v for v in data.get("vendors", []) if v.get("subservice")]
    for dc, listed, said in (
        ("DC4", data.get("incidents"), "no_significant_incidents"),
        ("DC6", data.get("cuecs"), "no_cuecs"),
        ("DC7", subservice, "no_subservice_organizations"),
        ("DC9", data.get("significant_changes"), "no_significant_changes"),
    ):
        if not listed and not described.get(said):
            missing.append(dc)
    if not data.get("controls"):
        missing.append("DC5")
    for dc in missing:
        add("description.element_missing", dc)
