"""Write management's bridge letter (domain/bridge_letter.py) as Markdown or HTML.

The letter has the elements of soc2-domain.md §3.6, each under its own heading: the prior
report period, the material changes since (or the statement that there were none), the
statement that management knows of no other material changes, the CUEC reminder and the
not-a-SOC-report disclaimer; the signature is left for management. The HTML is one
self-contained file with everything escaped.
"""

from __future__ import annotations

from datetime import timedelta
from html import escape
from pathlib import Path

from mockaudit import fsio
from mockaudit.domain.bridge_letter import TYPICAL_GAP_MONTHS, BridgeLetter
from mockaudit.errors import InputError

FORMATS = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}


def letter_format(out: Path) -> str:
    """``markdown`` or ``html`` from the file name, or one clear line why not."""
    kind = FORMATS.get(out.suffix.lower())
    if kind is None:
        raise InputError(f"--out {out.name}: write the letter to a .md or .html file")
    return kind


def write_bridge_letter(letter: BridgeLetter, out: Path) -> None:
    text = render_html(letter) if letter_format(out) == "html" else render_markdown(letter)
    fsio.atomic_write_bytes(out, text.encode("utf-8"))


def _period(letter: BridgeLetter) -> str:
    if letter.period_start is None:
        return f"as of {letter.period_end}"
    return f"for the period {letter.period_start} to {letter.period_end}"


def sections(letter: BridgeLetter) -> list[tuple[str, list[str]]]:
    """(heading, paragraphs or list items) — the letter's body, shared by both formats."""
    org = letter.organization
    changes = [
        f"{c.on}: {c.text} (from the {c.source})" if c.on else f"{c.text} (from the {c.source})"
        for c in letter.changes
    ]
    carve = (
        [
            f"The report carves out {', '.join(letter.subservice)}; the complementary "
            "subservice organization controls it lists are still assumed to operate."
        ]
        if letter.subservice
        else []
    )
    return [
        (
            "Prior report period",
            [
                f"{org} was examined in a SOC 2 {letter.report_type} report on its system "
                f"({letter.services or 'as described in the report'}) {_period(letter)}. This "
                f"letter covers the period from {letter.period_end + timedelta(days=1)} to "
                f"{letter.as_of} ({letter.gap_days} days), after the report's period end.",
                *carve,
            ],
        ),
        (
            "Material changes since the period end",
            changes
            or [
                "Management identified no material changes to the system or its controls "
                "in the program's change history or its latest audit run."
            ],
        ),
        (
            "No other material changes",
            [
                f"Management of {org} is not aware of any other material changes to the system "
                f"or its internal controls, or of any significant incident, from "
                f"{letter.period_end} to {letter.as_of} that would affect the conclusions of the "
                "report, other than those listed above."
            ],
        ),
        (
            "Complementary user entity controls",
            [
                "User entities remain responsible for the complementary user entity controls "
                "(CUECs) described in the report" + (":" if letter.cuecs else "."),
                *letter.cuecs,
            ],
        ),
        (
            "This is not a SOC report",
            [
                "This letter is provided by management and is not a SOC report: no service "
                "auditor has examined or tested the period it covers, and it does not replace "
                "or extend the service auditor's opinion. It should be read together with the "
                "report."
            ],
        ),
    ]


def _note(letter: BridgeLetter) -> str | None:
    if not letter.longer_than_typical:
        return None
    return (
        f"Draft note: the gap is longer than the about {TYPICAL_GAP_MONTHS} months a bridge "
        "letter typically covers (soc2-domain.md §3.6); customers may ask for the next report."
    )


def render_markdown(letter: BridgeLetter) -> str:
    lines = [
        f"# Bridge letter — {letter.organization}",
        "",
        f"Date: {letter.as_of}  ",
        "To: our customers and their auditors",
        "",
    ]
    if note := _note(letter):
        lines += [f"> {note}", ""]
    for heading, body in sections(letter):
        lines += [f"## {heading}", ""]
        first, *rest = body
        if heading in ("Material changes since the period end",) and letter.changes:
            lines += [f"- {item}" for item in body]
        else:
            lines.append(first)
            lines += [""] + [f"- {item}" for item in rest] if rest else []
        lines.append("")
    lines += [
        "Signed on behalf of management:",
        "",
        f"[Name, title — {letter.organization}]",
        "",
    ]
    return "\n".join(lines)


def render_html(letter: BridgeLetter) -> str:
    e = escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Bridge letter — {e(letter.organization)}</title>",
        "<style>body{font-family:Georgia,serif;max-width:46rem;margin:2rem auto;line-height:1.5}"
        ".note{border-left:4px solid #b45309;padding:.5rem 1rem;background:#fffbeb}</style>",
        "</head><body>",
        f"<h1>Bridge letter — {e(letter.organization)}</h1>",
        f"<p>Date: {e(str(letter.as_of))}<br>To: our customers and their auditors</p>",
    ]
    if note := _note(letter):
        parts.append(f'<p class="note">{e(note)}</p>')
    for heading, body in sections(letter):
        parts.append(f"<h2>{e(heading)}</h2>")
        if heading == "Material changes since the period end" and letter.changes:
            parts.append("<ul>" + "".join(f"<li>{e(i)}</li>" for i in body) + "</ul>")
            continue
        first, *rest = body
        parts.append(f"<p>{e(first)}</p>")
        if rest:
            parts.append("<ul>" + "".join(f"<li>{e(i)}</li>" for i in rest) + "</ul>")
    parts += [
        "<p>Signed on behalf of management:</p>",
        f"<p>[Name, title — {e(letter.organization)}]</p>",
        "</body></html>",
        "",
    ]
    return "\n".join(parts)
