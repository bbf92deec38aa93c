"""What the dashboard's panels say, as Content built from a run (pure: easy to test).

The run already holds every number (readiness.py computed them); these functions
only lay them out. Text that comes from data is never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content

from mockaudit.domain import Finding, Program, criteria_for
from mockaudit.domain.comparison import seed_change
from mockaudit.domain.enums import Category
from mockaudit.domain.run import Readiness, Run, Timeline

HEAT_STYLE = {
    "no_exceptions": "black on green",
    "exceptions": "black on yellow",
    "not_testable": "white on red",
    "uncovered": "bold white on red",
}
CELL_WIDTH = 7
SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}
CATEGORY_LABEL = {
    Category.SECURITY: "Security",
    Category.AVAILABILITY: "Availability",
    Category.CONFIDENTIALITY: "Confidentiality",
    Category.PROCESSING_INTEGRITY: "Proc. integrity",
    Category.PRIVACY: "Privacy",
}


def _line(*parts: str | tuple[str, str]) -> Content:
    return Content.assemble(*parts)


def score_panel(readiness: Readiness, width: int = 24) -> Content:
    filled = round(readiness.score / 100 * width)
    style = "green" if readiness.score >= 80 else "yellow" if readiness.score >= 55 else "red"
    counts = readiness.controls
    days = readiness.fieldwork_days
    return Content("\n").join(
        [
            _line((f"{readiness.score:5.1f}", f"bold {style}"), " / 100"),
            _line(("█" * filled, style), ("░" * (width - filled), "dim")),
            _line(
                f"{counts.total} controls: ",
                (f"{counts.no_exceptions} clean", "green"),
                ", ",
                (f"{counts.exceptions} with exceptions", "yellow"),
                ", ",
                (f"{counts.not_testable} not testable", "red"),
            ),
            _line(
                ("Fieldwork: ", "bold"),
                f"{days.low}–{days.high} business days (expected {days.expected}), "
                f"{readiness.follow_up_rounds} follow-up round(s)",
            ),
        ]
    )


def opinion_panel(readiness: Readiness) -> Content:
    opinion = readiness.likely_opinion.value
    style = "bold green" if opinion == "unqualified" else "bold red"
    return Content("\n").join(
        [
            _line((opinion.upper(), style)),
            _line(("Why: ", "bold"), readiness.opinion_rule),
        ]
    )


def heatmap_panel(
    readiness: Readiness, categories: Sequence[Category], width: int = 100
) -> Content:
    """One block per category; each criterion is a coloured cell named by its id."""
    label_width = 17
    per_line = max(1, (width - label_width) // CELL_WIDTH)
    lines = []
    for category in categories:
        ids = [c.id for c in criteria_for([category]) if c.category is category]
        for start in range(0, len(ids), per_line):
            label = CATEGORY_LABEL[category] if start == 0 else ""
            cells: list[str | tuple[str, str]] = [f"{label:<{label_width}}"]
            for cid in ids[start : start + per_line]:
                style = HEAT_STYLE.get(readiness.criteria.get(cid, ""), "dim")
                cells.extend([(f"{cid:^{CELL_WIDTH - 1}}", style), " "])
            lines.append(_line(*cells))
    lines.append(
        _line(
            " " * (label_width if width >= 80 else 0),
            (" clean ", HEAT_STYLE["no_exceptions"]),
            " ",
            (" exceptions ", HEAT_STYLE["exceptions"]),
            " ",
            (" uncovered / not testable ", HEAT_STYLE["uncovered"]),
        )
    )
    return Content("\n").join(lines)


def timeline_panel(run: Run, timeline: Timeline | None) -> Content:
    if timeline is None:
        return Content("No timeline: the run has no readiness result.")
    current = "Type 2" if run.report_type.value == "type2" else "Type 1"
    this_run = _line(("This run: ", "bold"), f"{current}, period end {run.period_end}")
    if timeline.period_completed:
        return Content("\n").join([this_run, *_completed_lines(timeline)])
    return Content("\n").join(
        [
            this_run,
            _line(
                ("Remediation: ", "bold"),
                f"~{timeline.remediation_days} calendar days for the open high/medium gaps",
            ),
            _line(("Type 1: ", "bold"), f"earliest report date {timeline.type1_earliest}"),
            _line(
                ("Type 2: ", "bold"),
                f"{timeline.type2_window_months}-month window {timeline.type2_period_start} → "
                f"{timeline.type2_period_end}, report ~{timeline.type2_report_date}",
            ),
        ]
    )


def _completed_lines(timeline: Timeline) -> list[Content]:
    """A period already over is reported as run; remediation goes into the next period,
    whose report carries the gaps still open when it began."""
    carries = "; it carries the open gaps" if timeline.next_period_carries_gaps() else ""
    return [
        _line(
            ("Remediation: ", "bold"),
            f"~{timeline.remediation_days} days, done ~{timeline.remediated_on}",
        ),
        _line(
            ("Type 2: ", "bold"),
            f"period {timeline.type2_period_start} → {timeline.type2_period_end} is over: "
            f"report ~{timeline.type2_report_date} with its exceptions",
        ),
        _line(
            ("Next period: ", "bold"),
            f"{timeline.next_period_start} → {timeline.next_period_end}, "
            f"report ~{timeline.next_report_date}{carries}",
        ),
    ]


def change_panel(current: Run, previous: Run | None, fixed: int, new: int, still: int) -> Content:
    if previous is None:
        return Content("First run: run again after fixing gaps to see what changed.")
    before = previous.readiness.score if previous.readiness else 0.0
    after = current.readiness.score if current.readiness else 0.0
    delta = after - before
    style = "green" if delta > 0 else "red" if delta < 0 else ""
    return Content("\n").join(
        [
            _line(("Since ", "bold"), previous.id),
            _line(seed_change(previous.seed, current.seed)),
            _line(
                "Readiness ",
                (f"{delta:+.1f}", f"bold {style}".strip()),
                f"  ({before:.1f} → {after:.1f})",
            ),
            _line(
                (f"{fixed} fixed", "green"), ", ", (f"{new} new", "red"), f", {still} still open"
            ),
        ]
    )


def worst_first(findings: Sequence[Finding], readiness: Readiness | None) -> list[Finding]:
    """High before medium before low; within a severity, the heaviest score weight first."""
    weights = {w.finding: w.weight for w in readiness.weights} if readiness else {}
    return sorted(
        findings,
        key=lambda f: (SEVERITY_RANK.get(f.severity.value, 3), -weights.get(f.id, 0.0), f.id),
    )


def person_name(program: Program | None, person_id: str | None) -> str | None:
    """The owner's display name (id when the person is unknown; None when nobody)."""
    if not person_id:
        return None
    person = program.person(person_id) if program else None
    return person.name if person else person_id
