"""Inline SVG charts for the mock report: no script, no font, no external resource.

Each function returns one ``<svg>`` element as text with every label escaped, so
the report stays a single self-contained file that renders the same in a
browser, in print and in a headless screenshot.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from html import escape

from mockaudit.domain.criteria import CRITERIA
from mockaudit.domain.run import FieldworkDays, Timeline

SEVERITY_COLOURS = {"high": "#b42318", "medium": "#dc6803", "low": "#667085"}
CONCLUSION_COLOURS = {
    "no_exceptions": "#2e7d32",
    "exceptions": "#c62828",
    "not_testable": "#9e9e9e",
    "uncovered": "#6a1b9a",
}
CONCLUSION_LABELS = {
    "no_exceptions": "no exceptions",
    "exceptions": "exceptions",
    "not_testable": "not testable",
    "uncovered": "no control",
}
_FONT = 'font-family="Helvetica, Arial, sans-serif"'


def _svg(width: int, height: int, title: str, body: str) -> str:
    return (
        f'<svg role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" {_FONT}><title>{escape(title)}</title>{body}</svg>'
    )


def _text(
    x: float,
    y: float,
    text: str,
    *,
    size: int = 12,
    anchor: str = "start",
    weight: str = "normal",
    fill: str = "#1d2939",
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'font-weight="{weight}" fill="{fill}">{escape(text)}</text>'
    )


def score_gauge(score: float) -> str:
    """A half-circle gauge from 0 to 100 with the score in the middle."""
    score = max(0.0, min(100.0, score))
    cx, cy, r = 110, 110, 90
    colour = "#2e7d32" if score >= 85 else "#dc6803" if score >= 65 else "#c62828"

    def point(fraction: float) -> tuple[float, float]:
        angle = math.pi * (1 - fraction)
        return cx + r * math.cos(angle), cy - r * math.sin(angle)

    x0, y0 = point(0)
    x1, y1 = point(1)
    xs, ys = point(score / 100)
    track = f'<path d="M {x0:.1f} {y0:.1f} A {r} {r} 0 0 1 {x1:.1f} {y1:.1f}" '
    track += 'fill="none" stroke="#e4e7ec" stroke-width="18"/>'
    value = ""
    if score > 0:
        value = (
            f'<path d="M {x0:.1f} {y0:.1f} A {r} {r} 0 0 1 {xs:.1f} {ys:.1f}" fill="none" '
            f'stroke="{colour}" stroke-width="18"/>'
        )
    body = (
        track
        + value
        + _text(cx, cy - 12, f"{score:.1f}", size=30, anchor="middle", weight="bold")
        + _text(cx, cy + 8, "readiness score / 100", size=11, anchor="middle", fill="#475467")
        + _text(x0, cy + 22, "0", size=10, anchor="middle", fill="#475467")
        + _text(x1, cy + 22, "100", size=10, anchor="middle", fill="#475467")
    )
    return _svg(220, 140, f"Readiness score gauge: {score:.1f} of 100", body)


def severity_bars(counts: Mapping[str, int]) -> str:
    """Horizontal bars: how many findings of each severity."""
    order = ("high", "medium", "low")
    top = max([counts.get(s, 0) for s in order] + [1])
    width, bar_x, bar_w = 360, 80, 230
    parts = []
    for row, severity in enumerate(order):
        n = counts.get(severity, 0)
        y = 14 + row * 34
        w = bar_w * n / top
        parts.append(_text(0, y + 15, severity, size=12))
        parts.append(
            f'<rect x="{bar_x}" y="{y}" width="{bar_w}" height="20" fill="#f2f4f7"/>'
            f'<rect x="{bar_x}" y="{y}" width="{w:.1f}" height="20" '
            f'fill="{SEVERITY_COLOURS[severity]}"/>'
        )
        parts.append(_text(bar_x + bar_w + 8, y + 15, str(n), size=12, weight="bold"))
    summary = ", ".join(f"{counts.get(s, 0)} {s}" for s in order)
    return _svg(width, 14 + 3 * 34, f"Findings by severity: {summary}", "".join(parts))


def criteria_heatmap(criteria: Mapping[str, str]) -> str:
    """One row per criterion group (CC1 … P8), one cell per criterion, coloured by result."""
    groups: dict[str, list[str]] = {}
    for crit in CRITERIA:
        if crit.id in criteria:
            groups.setdefault(crit.id.partition(".")[0], []).append(crit.id)
    cell_w, cell_h, label_w = 58, 24, 48
    widest = max([len(ids) for ids in groups.values()] + [1])
    parts = []
    for row, (group, ids) in enumerate(groups.items()):
        y = row * (cell_h + 4)
        parts.append(_text(0, y + 16, group, size=12, weight="bold"))
        for col, cid in enumerate(ids):
            verdict = criteria[cid]
            colour = CONCLUSION_COLOURS.get(verdict, "#9e9e9e")
            x = label_w + col * (cell_w + 4)
            label = CONCLUSION_LABELS.get(verdict, verdict)
            parts.append(
                f"<g><title>{escape(f'{cid}: {label}')}</title>"
                f'<rect x="{x}" y="{y}" width="{cell_w}" height="{cell_h}" rx="3" '
                f'fill="{escape(colour)}"/>'
                + _text(x + cell_w / 2, y + 16, cid, size=11, anchor="middle", fill="#ffffff")
                + "</g>"
            )
    legend_y = len(groups) * (cell_h + 4) + 10
    for i, (key, label) in enumerate(CONCLUSION_LABELS.items()):
        x = i * 120
        parts.append(
            f'<rect x="{x}" y="{legend_y}" width="14" height="14" rx="2" '
            f'fill="{CONCLUSION_COLOURS[key]}"/>' + _text(x + 20, legend_y + 12, label, size=11)
        )
    width = max(label_w + widest * (cell_w + 4), 480)
    height = legend_y + 22
    failing = sorted(c for c, v in criteria.items() if v != "no_exceptions")
    title = "Criteria heat map; not clean: " + (", ".join(failing) if failing else "none")
    return _svg(width, height, title, "".join(parts))


def fieldwork_range(days: FieldworkDays, rounds: int) -> str:
    """A low–high range bar of fieldwork business days with the expected value marked."""
    scale_max = max(days.high, days.expected, 1) * 1.15
    x0, span = 20, 380

    def x(value: float) -> float:
        return x0 + span * value / scale_max

    body = (
        f'<line x1="{x0}" y1="50" x2="{x0 + span}" y2="50" stroke="#d0d5dd" stroke-width="2"/>'
        f'<rect x="{x(days.low):.1f}" y="38" width="{x(days.high) - x(days.low):.1f}" '
        'height="24" rx="4" fill="#bcd4f6"/>'
        f'<line x1="{x(days.expected):.1f}" y1="30" x2="{x(days.expected):.1f}" y2="70" '
        'stroke="#1849a9" stroke-width="4"/>'
        + _text(x(days.low), 84, f"low {days.low}", size=11, anchor="middle")
        + _text(x(days.high), 84, f"high {days.high}", size=11, anchor="middle")
        + _text(
            x(days.expected),
            22,
            f"expected {days.expected} business days",
            size=12,
            anchor="middle",
            weight="bold",
        )
        + _text(
            x0, 106, f"{rounds} follow-up round(s) of requests expected", size=11, fill="#475467"
        )
    )
    title = f"Fieldwork estimate: {days.expected} business days (range {days.low} to {days.high})"
    return _svg(440, 116, title, body)


def timeline_chart(period: tuple[date | None, date], timeline: Timeline | None) -> str:
    """The audited period, remediation, earliest Type 1 date, Type 2 window and report date."""
    start, end = period
    lanes: list[tuple[str, date, date, str]] = [
        ("audited period", start or end, end, "#98a2b3"),
    ]
    if timeline is not None:
        as_of = timeline.type1_earliest - timedelta(days=timeline.remediation_days)
        lanes += [
            ("remediation", as_of, timeline.type1_earliest, "#dc6803"),
            ("Type 1 date", timeline.type1_earliest, timeline.type1_earliest, "#1849a9"),
            ("Type 2 window", timeline.type2_period_start, timeline.type2_period_end, "#2e7d32"),
            ("Type 2 report", timeline.type2_report_date, timeline.type2_report_date, "#6a1b9a"),
        ]
    return _lanes_svg(lanes)


def _lanes_svg(lanes: Sequence[tuple[str, date, date, str]]) -> str:
    first = min(a for _, a, _, _ in lanes)
    last = max(b for _, _, b, _ in lanes)
    total = max((last - first).days, 1)
    label_w, span, lane_h = 110, 360, 30

    def x(day: date) -> float:
        return label_w + span * (day - first).days / total

    parts = []
    for row, (label, a, b, colour) in enumerate(lanes):
        y = 10 + row * lane_h
        parts.append(_text(0, y + 14, label, size=12))
        if a == b:
            parts.append(
                f'<circle cx="{x(a):.1f}" cy="{y + 10}" r="7" fill="{colour}"/>'
                + _text(x(a) + 10, y + 14, a.isoformat(), size=10, fill="#475467")
            )
        else:
            parts.append(
                f'<rect x="{x(a):.1f}" y="{y + 2}" width="{max(x(b) - x(a), 2):.1f}" '
                f'height="16" rx="3" fill="{colour}"/>'
            )
            parts.append(
                _text(
                    x(b) + 6, y + 14, f"{a.isoformat()} to {b.isoformat()}", size=10, fill="#475467"
                )
            )
    axis_y = 10 + len(lanes) * lane_h + 4
    parts.append(
        f'<line x1="{label_w}" y1="{axis_y}" x2="{label_w + span}" y2="{axis_y}" '
        'stroke="#98a2b3"/>'
        + _text(label_w, axis_y + 14, first.isoformat(), size=10)
        + _text(label_w + span, axis_y + 14, last.isoformat(), size=10, anchor="end")
    )
    title = "Timeline: " + "; ".join(
        f"{label} {a.isoformat()}" + ("" if a == b else f" to {b.isoformat()}")
        for label, a, b, _ in lanes
    )
    return _svg(label_w + span + 180, axis_y + 22, title, "".join(parts))
