"""Section III and the complementary-control paragraphs of Northwind's mock report (issue 19,
acceptance 2; soc2-domain.md §3.7, §3.8): DC1–DC9 headings, the AWS carve-out with its CSOC
table, the CUEC table, the prompt to disclose the May outage, and the CSOC and CUEC
paragraphs in the opinion and the assertion. A folder without a modelled description keeps
the skeleton."""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from pathlib import Path

import pytest

from mockaudit.domain import Program
from mockaudit.domain.run import Run
from mockaudit.export.report_html import render_html
from mockaudit.scenarios.loader import load_scenario
from mockaudit.session import audit_folder

PACKS = Path(__file__).parents[2] / "scenarios"


def _section(html: str, anchor: str) -> str:
    start = html.index(f'id="{anchor}"')
    end = html.index("</section>", start)
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", html[start:end])).split())
    return text.replace("( ", "(").replace(" )", ")")  # no-wrap spans around ids


@pytest.fixture(scope="module")
def northwind() -> tuple[str, Run, Program]:
    program = load_scenario(PACKS / "northwind-first-type2").program
    run = audit_folder(PACKS / "northwind-first-type2", seed=7, as_of=date(2026, 7, 15))
    return render_html(run, program), run, program


def test_section_iii_has_the_nine_dc_headings_in_order(northwind: tuple[str, Run, Program]) -> None:
    html = northwind[0]
    section = html[html.index('id="section-3"') : html.index('id="section-4"')]
    headings = re.findall(r"<h3>(DC\d)\. ", section)
    assert headings == [f"DC{i}" for i in range(1, 10)]
    assert "<h2>III. Description of the System</h2>" in section  # no longer a skeleton


def test_aws_carve_out_with_its_csocs_and_monitoring(northwind: tuple[str, Run, Program]) -> None:
    text = " ".join(_section(northwind[0], "section-3").split())
    assert "Amazon Web Services (carve-out)" in text
    assert "excludes the controls of Amazon Web Services" in text
    for csoc in ("AWS-CSOC-PHYS", "AWS-CSOC-ENV", "AWS-CSOC-MEDIA", "STRIPE-CSOC-PCI"):
        assert csoc in text
    assert "Physical access to data centres is restricted to authorised personnel" in text
    assert "VEN-03 reviews Amazon Web Services' SOC 2 Type 2 report for the period ending" in text
    assert "Other vendors, not subservice organizations" in text and "Okta" in text
    assert "Salesforce runs in-scope salesforce but is neither carved out nor included" in text


def test_cuec_table_lists_only_necessary_cuecs(northwind: tuple[str, Run, Program]) -> None:
    text = " ".join(_section(northwind[0], "section-3").split())
    assert "CUEC-01" in text and "CUEC-02" in text
    assert "CUEC-03" not in text  # a user responsibility, not a CUEC (§3.7)


def test_the_may_outage_and_the_changes_are_prompted_for_disclosure(
    northwind: tuple[str, Run, Program],
) -> None:
    text = " ".join(_section(northwind[0], "section-3").split())
    assert re.search(r"\[To disclose \(F-\d{4}\): Significant incident INC-0426", text)
    assert re.search(r"\[To disclose \(F-\d{4}\): Commitment SLA-AVAIL", text)
    assert "UP-2026-05" not in text or "99.9" in text
    assert re.search(r"\[To disclose \(F-\d{4}\): Significant change SC-01", text)
    assert "the system boundaries are not described" in text


def test_opinion_carries_csoc_and_cuec_paragraphs_and_conditions(
    northwind: tuple[str, Run, Program],
) -> None:
    opinion = " ".join(_section(northwind[0], "section-1").split())
    assert "Subservice organizations" in opinion
    assert (
        "uses subservice organizations: Amazon Web Services (IaaS hosting (us-east-1)); Stripe"
        in opinion
    )
    assert (
        "we have not evaluated the suitability of the design or operating effectiveness of such CSOCs"
        in opinion
    )
    assert "Complementary user entity controls" in opinion
    assert "Our examination did not extend to such CUECs" in opinion
    assert (
        "if the subservice organizations and user entities applied the complementary controls"
        in opinion
    )


def test_assertion_reflects_the_carve_out_and_cuecs(northwind: tuple[str, Run, Program]) -> None:
    assertion = " ".join(_section(northwind[0], "section-2").split())
    assert "uses Amazon Web Services and Stripe as subservice organizations" in assertion
    assert "lists the complementary user entity controls" in assertion
    assert "applied the complementary controls assumed in the design" in assertion


def test_a_folder_without_a_description_keeps_the_skeleton() -> None:
    pack = PACKS / "acme-type1-ready"
    html = render_html(audit_folder(pack, seed=7), load_scenario(pack).program)
    text = " ".join(_section(html, "section-3").split())
    assert "Candidates among the in-scope systems" in text
    assert "III. Description of the System (skeleton)" in text
    assert "Subservice organizations" not in " ".join(_section(html, "section-1").split())
