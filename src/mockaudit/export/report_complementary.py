"""The report's words for complementary controls (soc2-domain.md §3.7: "the opinion
references CUECs/CSOCs as conditions").

A carved-out subservice organisation puts a CSOC paragraph in the auditor's report and a
condition on the design and operating statements ("…if the subservice organisations and user
entities applied the complementary controls assumed in the design…"); CUECs put a CUEC
paragraph and the same condition. Management's assertion carries the same condition. The
wording follows the AICPA illustrative SOC 2 report structure in plain words.
"""

from __future__ import annotations

from collections.abc import Sequence

from mockaudit.domain import Program
from mockaudit.domain.subservice import Cuec, Vendor


def possessive(name: str) -> str:
    """ "Okta's", "Amazon Web Services'"."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def carved_out(program: Program) -> list[Vendor]:
    return [v for v in program.vendors if v.carved_out]


def included(program: Program) -> list[Vendor]:
    return [v for v in program.vendors if v.subservice and v.method == "inclusive"]


def necessary_cuecs(program: Program) -> list[Cuec]:
    """CUECs proper: user responsibilities that are helpful but not necessary are not (§3.7)."""
    return [c for c in program.cuecs if c.necessary]


def names(vendors: Sequence[Vendor]) -> str:
    listed = [v.name for v in vendors]
    if len(listed) <= 2:
        return " and ".join(listed)
    return ", ".join(listed[:-1]) + f" and {listed[-1]}"


def design_condition(program: Program) -> str:
    """The condition appended to the design (and operation) statements, or ""."""
    who = []
    if carved_out(program):
        who.append("the subservice organizations")
    if necessary_cuecs(program):
        who.append("user entities")
    if not who:
        return ""
    return (
        f", and if {' and '.join(who)} applied the complementary controls assumed in the "
        f"design of {program.organization.name}'s controls throughout the period"
    )


def csoc_paragraph(program: Program) -> str | None:
    """The auditor's "Complementary Subservice Organization Controls" paragraph."""
    vendors = carved_out(program)
    if not vendors:
        return None
    org = program.organization.name
    services = "; ".join(f"{v.name} ({v.services})" if v.services else v.name for v in vendors)
    return (
        f"{org} uses subservice organizations: {services}. The description in Section III "
        f"includes only the controls of {org} and excludes the controls of {names(vendors)} "
        "(carve-out method). The description also indicates that certain trust services "
        "criteria can be met only if the complementary subservice organization controls "
        f"(CSOCs) assumed in the design of {org}'s controls are suitably designed and "
        f"operating effectively, along with the related controls at {org}. Our examination "
        "did not extend to the controls of the subservice organizations, and we have not "
        "evaluated the suitability of the design or operating effectiveness of such CSOCs."
    )


def inclusive_paragraph(program: Program) -> str | None:
    vendors = included(program)
    if not vendors:
        return None
    return (
        f"The description includes the relevant controls of {names(vendors)} (inclusive "
        "method); our examination extended to those controls."
    )


def cuec_paragraph(program: Program) -> str | None:
    """The auditor's "Complementary User Entity Controls" paragraph."""
    if not necessary_cuecs(program):
        return None
    org = program.organization.name
    return (
        "The description indicates that certain trust services criteria can be met only if "
        f"complementary user entity controls (CUECs) assumed in the design of {org}'s "
        f"controls are suitably designed and operating effectively, along with the related "
        f"controls at {org}. Our examination did not extend to such CUECs, and we have not "
        "evaluated the suitability of their design or operating effectiveness."
    )


def assertion_sentence(program: Program) -> str | None:
    """What management's assertion says about carve-outs and CUECs, or None."""
    parts = []
    vendors = carved_out(program)
    if vendors:
        parts.append(
            f"{program.organization.name} uses {names(vendors)} as subservice "
            "organizations; the description excludes their controls (carve-out method) and "
            "lists the complementary subservice organization controls assumed in the design "
            "of our controls"
        )
    if necessary_cuecs(program):
        parts.append(
            "the description lists the complementary user entity controls assumed in the "
            "design of our controls"
        )
    if not parts:
        return None
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."
