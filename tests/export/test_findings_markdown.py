"""The Markdown report: the sections a reader expects, and scenario text that cannot inject."""

from __future__ import annotations

import re

import pytest

from mockaudit.domain import Program
from mockaudit.domain.run import Run
from mockaudit.export.findings_markdown import render_markdown


def test_sections_in_reading_order(golden_run: Run, golden_program: Program) -> None:
    text = render_markdown(golden_run, golden_program)
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == [
        "## Summary",
        "## Findings",
        "## Controls with exceptions",
        "## Controls not testable",
    ]
    order = [text.index(f"### {s} (") for s in ("High", "Medium", "Low")]
    assert order == sorted(order)
    assert "not an attestation" in text
    # 74.0: 77.4 before issue 19 added the stale AWS report (vendor.report_stale, high)
    assert "**qualified**" in text and "74.0" in text


def test_each_finding_shows_owner_and_remediation(golden_run: Run, golden_program: Program) -> None:
    text = render_markdown(golden_run, golden_program)
    for finding in golden_run.findings:
        block = text.split(f"#### `{finding.id}` ", 1)[1].split("\n#### ", 1)[0]
        assert "- **Owner:** " in block
        assert "- **Remediation:** " in block


def test_ownerless_findings_and_exception_controls_are_visible(
    golden_run: Run, golden_program: Program
) -> None:
    first = golden_run.findings[0].model_copy(update={"owner": None})
    run = golden_run.model_copy(update={"findings": (first, *golden_run.findings[1:])})
    text = render_markdown(run, golden_program)
    assert "- **Owner:** **NO OWNER**" in text
    assert "| **NO OWNER** | nobody: assign an owner | 1 |" in text
    exceptions = text.split("## Controls with exceptions", 1)[1].split("## Controls not", 1)[0]
    failing = [t.control for t in golden_run.tests if t.conclusion.value == "exceptions"]
    assert failing and all(f"`{c}`" in exceptions for c in failing)


def test_scenario_text_cannot_inject_markdown_or_html(
    golden_run: Run, golden_program: Program
) -> None:
    hostile = golden_run.findings[0].model_copy(
        update={
            "title": "[click](javascript:alert(1)) <script>x</script> *bold*",
            "detail": "a | b\n\n# heading\n<img src=x onerror=y>",
            "owner": "`rm -rf`",
            "items": ("a|b", "<i>"),
        }
    )
    run = golden_run.model_copy(update={"findings": (hostile,)})
    text = render_markdown(run, golden_program)
    assert "\\[click\\](javascript:alert(1)) \\<script\\>x\\</script\\> \\*bold\\*" in text
    assert "- **Detail:** a \\| b \\# heading \\<img src=x onerror=y\\>" in text
    outside_code = re.sub(r"`[^`]*`", "", text)  # code spans show < literally
    assert not re.search(r"(?<!\\)<", outside_code), "an unescaped < reaches the renderer"
    assert "\n# heading" not in text
    assert "- **Items (2):** `a|b`, `<i>`" in text  # shown exactly outside tables
    assert "\\`rm -rf\\`" in text


def test_a_pipe_in_an_id_cannot_split_a_table_cell(
    golden_run: Run, golden_program: Program
) -> None:
    piped = golden_run.findings[0].model_copy(update={"owner": "ops|sec"})
    run = golden_run.model_copy(update={"findings": (piped,)})
    text = render_markdown(run, golden_program)
    assert "| `ops\\|sec` | not among people | 1 | 0 | 0 | 1 |" in text
    assert "- **Owner:** `ops|sec`" in text


def test_hostile_report_renders_to_inert_html(golden_run: Run, golden_program: Program) -> None:
    """Rendered with a CommonMark + GFM-tables parser: no live HTML, links, or torn tables."""
    markdown_it = pytest.importorskip("markdown_it")
    hostile = tuple(
        f.model_copy(
            update={
                "title": "<script>alert(1)</script> [x](javascript:alert(1))",
                "detail": "![img](http://evil.example/p.png) <img src=x onerror=y>",
                "owner": "a|b<i>",
                "items": ("<b>", "[y](http://evil.example)"),
            }
        )
        for f in golden_run.findings
    )
    run = golden_run.model_copy(update={"findings": hostile})
    html = (
        markdown_it.MarkdownIt("commonmark")
        .enable("table")
        .render(render_markdown(run, golden_program))
    )
    assert "<script" not in html and "<img" not in html and "<a " not in html and "<b>" not in html
    for table in html.split("<table>")[1:]:
        body = table.split("</table>")[0]
        widths = {row.count("<td") + row.count("<th") for row in body.split("<tr>")[1:]}
        assert len(widths) == 1, widths  # every row has as many cells as the header
