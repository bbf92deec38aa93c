"""The mock SOC 2 report: layout of a real report, rehearsal notice everywhere, no escape.

Uses the golden run of tests/export/conftest.py (globex-renewal-type2, seed 7,
as of 2026-07-15, pinned id and clock).
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from mockaudit.domain import Program
from mockaudit.domain.run import ControlConclusion, Opinion, Run
from mockaudit.export.report_html import SECTIONS, render_html, write_html
from mockaudit.export.report_text import REHEARSAL_NOTICE, exception_wording

HOSTILE = '<script>alert("x")</script></style><img src="http://evil.example/p.png">'
NOTE = (
    "mockaudit.local/0000\n12\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n"
    "\u2014 mockaudit.local/0000 <b>sig</b>\n"
)


class Tags(HTMLParser):
    """Every start tag with its attributes, the h2 texts and the sections in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.h2: list[str] = []
        self.sections: list[str] = []
        self._in_h2 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "section":
            self.sections.append(dict(attrs).get("id") or "")
        if tag == "h2":
            self._in_h2 = True
            self.h2.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2":
            self._in_h2 = False

    def handle_data(self, data: str) -> None:
        if self._in_h2:
            self.h2[-1] += data


def parse(html: str) -> Tags:
    tags = Tags()
    tags.feed(html)
    tags.close()
    return tags


@pytest.fixture(scope="module")
def report(golden_run: Run, golden_program: Program) -> str:
    return render_html(golden_run, golden_program, checkpoint=NOTE)


def test_the_five_report_sections_come_in_order_then_the_appendices(report: str) -> None:
    tags = parse(report)
    expected = [anchor for anchor, _ in SECTIONS] + ["custody-checkpoint"]
    assert tags.sections == expected
    assert tags.h2[:5] == [
        "I. Independent Service Auditor's Report (mock)",
        "II. Management's Assertion (draft)",
        "III. Description of the System",  # Globex describes its system (issue 19)
        "IV. Trust Services Criteria, Related Controls, Tests and Results",
        "V. Other Information Provided by Management: Responses to Exceptions",
    ]
    assert "Owned Gap List" in tags.h2[5] and "Readiness Charts" in tags.h2[6]


def test_every_section_and_every_printed_page_says_it_is_a_rehearsal(report: str) -> None:
    chunks = report.split("<section")[1:]
    assert len(chunks) == len(SECTIONS) + 1
    notice = REHEARSAL_NOTICE.replace("'", "&#x27;")
    for chunk in chunks:
        head = chunk[: chunk.index("</h2>")]  # the notice comes before the section heading
        assert notice in head
    assert "not an attestation by an independent CPA firm" in REHEARSAL_NOTICE
    # print CSS: the page's bottom margin box (on every printed page, never over body text)
    # says it is not an attestation, with the page number
    assert re.search(
        r'@page \{[^}]*@bottom-center \{ content: "[^"]*not an attestation"[^}]*counter\(pages\)',
        report,
    )
    assert "position: fixed; bottom" not in report


def unwrapped(html: str) -> str:
    """The report without the no-wrap spans that keep IDs and dates on one line."""
    return re.sub(r'<span class="nw">([^<]*)</span>', r"\1", html)


def test_ids_and_dates_are_kept_on_one_line_and_read_unchanged(report: str) -> None:
    kept = re.findall(r'<span class="nw">([^<]*)</span>', report)
    assert any(re.fullmatch(r"F-\d+", k) for k in kept)  # finding ids
    assert any(re.fullmatch(r"\d{4}-\d{2}-\d{2}", k) for k in kept)  # dates
    assert "June 30, 2026" in kept  # written dates too
    assert "third-party" not in kept and ".nw { white-space: nowrap; }" in report
    assert '<span class="nw">' not in report.split("<main>")[0]  # never in head or title


def test_each_control_with_exceptions_has_auditor_wording_and_a_response_box(
    report: str, golden_run: Run, golden_program: Program
) -> None:
    report = unwrapped(report)
    failing = [t for t in golden_run.tests if t.conclusion is ControlConclusion.EXCEPTIONS]
    assert failing, "the golden run must exercise the exception wording"
    for test in failing:
        wording = exception_wording(test, golden_program.control(test.control), golden_program)
        assert wording == test.result_text  # the engine's Section IV result
        assert wording.startswith(f"Exception noted: {test.exceptions_noted} of ")
        assert report.count(html.escape(wording, quote=False)) == 2  # Section IV and Section V
    # golden-ish: the globex deprovisioning exception reads like a service auditor's
    assert (
        "Exception noted: 2 of 15 okta deactivations of departing workers sampled had no "
        "removed_on within 1 day of terminated_on (OKTA-20251126-2103, OKTA-20260306-2015)."
        in report
    )
    # a missed quarter is disclosed as an exception of the control, not only as a gap
    assert "Exception noted: 1 of 4 quarterly occurrences was not performed (Q4 2025)." in report
    section5 = report[report.index('id="section-5"') : report.index('id="gap-list"')]
    assert section5.count("Management's response:") == len(failing)


def test_tests_section_lists_every_control_with_criteria_sample_and_result(
    report: str, golden_program: Program
) -> None:
    report = unwrapped(report)
    section4 = report[report.index('id="section-4"') : report.index('id="section-5"')]
    for control in golden_program.controls:
        assert f"<strong>{control.id}</strong>" in section4
    assert "Selected a sample of 60 of" in section4  # CHG-01, expanded after one deviation
    assert "After one deviation the sample was expanded to 76 items." in section4


def test_the_report_loads_nothing_from_outside_and_runs_no_script(report: str) -> None:
    tags = parse(report)
    names = {tag for tag, _ in tags.tags}
    assert not names & {"script", "img", "link", "iframe", "object", "embed", "base", "form"}
    for _tag, attrs in tags.tags:
        assert "src" not in attrs
        href = attrs.get("href")
        assert href is None or href.startswith("#")
        assert not any(name.startswith("on") for name in attrs)
    assert not re.search(r"(src|href)\s*=\s*[\"']?\s*(https?:)?//", report, re.I)
    assert "url(" not in report and "@import" not in report


def test_hostile_text_is_escaped_everywhere(golden_run: Run, golden_program: Program) -> None:
    program = golden_program.model_copy(
        update={
            "organization": golden_program.organization.model_copy(update={"name": HOSTILE}),
            "controls": tuple(
                c.model_copy(update={"title": HOSTILE}) for c in golden_program.controls
            ),
        }
    )
    run = golden_run.model_copy(
        update={
            "id": HOSTILE,
            "findings": tuple(
                f.model_copy(update={"title": HOSTILE, "remediation": HOSTILE, "owner": HOSTILE})
                for f in golden_run.findings
            ),
        }
    )
    html = render_html(run, program, checkpoint=HOSTILE)
    tags = parse(html)
    assert not {tag for tag, _ in tags.tags} & {"script", "img"}
    assert "<script" not in html.lower()
    assert html.count("</style>") == 1  # only the real end of the stylesheet
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    ("opinion", "phrase"),
    [
        (Opinion.UNQUALIFIED, "In our opinion, in all material respects, (a) the description"),
        (Opinion.QUALIFIED, "except for the effects of the matter described in the Basis"),
        (Opinion.ADVERSE, "were not suitably designed and did not operate effectively"),
        (Opinion.DISCLAIMER, "we do not express an opinion on the description"),
    ],
)
def test_opinion_wording_follows_the_likely_opinion(
    golden_run: Run, golden_program: Program, opinion: Opinion, phrase: str
) -> None:
    assert golden_run.readiness is not None
    readiness = golden_run.readiness.model_copy(
        update={"likely_opinion": opinion, "opinion_rule": f"{opinion.value}: the rule applied"}
    )
    html = render_html(golden_run.model_copy(update={"readiness": readiness}), golden_program)
    section1 = html[html.index('id="section-1"') : html.index('id="section-2"')]
    assert phrase in section1
    assert "the rule applied" in section1
    has_basis = opinion is not Opinion.UNQUALIFIED
    assert ("Basis for" in section1) is has_basis


def test_checkpoint_note_is_shown_only_when_given(
    tmp_path: Path, golden_run: Run, golden_program: Program, report: str
) -> None:
    assert '<pre class="note">mockaudit.local/0000\n12\n' in report
    assert "&lt;b&gt;sig&lt;/b&gt;" in report
    out = tmp_path / "report.html"
    write_html(golden_run, golden_program, out)
    plain = out.read_text(encoding="utf-8")
    assert 'id="custody-checkpoint"' not in plain
    assert plain == render_html(golden_run, golden_program)  # written as rendered, UTF-8
    assert render_html(golden_run, golden_program) == plain  # deterministic


def test_provenance_appendix_lists_who_collected_what_escaped(
    golden_run: Run, golden_program: Program
) -> None:
    """Issue 20: Appendix D names the member behind each item; display names are text."""
    rows = [
        ("EV-000001", "access-review.csv", "Dana Lee (member dana)", "2026-06-01"),
        ("EV-000002", "<img src=x>.png", "<b>Eve</b> (member eve)", "2026-06-02"),
    ]
    html = render_html(golden_run, golden_program, checkpoint=NOTE, provenance=rows)
    assert 'id="provenance"' in html and "Appendix D. Who Collected the Evidence" in html
    assert "<td>Dana Lee (member dana)</td>" in html
    assert "<img src=x>" not in html and "&lt;b&gt;Eve&lt;/b&gt; (member eve)" in html
    assert 'id="provenance"' not in render_html(golden_run, golden_program, checkpoint=NOTE)
