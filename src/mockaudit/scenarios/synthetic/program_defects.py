"""Program-level defects: scope and control design (``scope.*``, ``control.*`` codes).

These edit the draft program itself — criteria no control maps to, systems no
control touches, controls with no current owner, no population or no evidence —
before any row is planned.
"""

from __future__ import annotations

from mockaudit.domain import FindingCode
from mockaudit.domain.enums import Frequency
from mockaudit.scenarios.synthetic.defect_plan import entry
from mockaudit.scenarios.synthetic.defect_targets import SAMPLED, DefectTargets

_UNUSED_SYSTEMS = ("legacy-ftp", "marketing-wordpress", "old-jenkins", "hr-sharepoint")


def criterion_uncovered(planner: DefectTargets) -> None:
    """Unmap a criterion from every control; only criteria whose controls keep another."""
    order = planner.rng.sample(planner.criteria, len(planner.criteria))
    planted = 0
    for cid in order:
        if planted == planner.how_many():
            break
        users = [c for c in planner.draft.controls if cid in c.criteria]
        if not users or any(len(c.criteria) < 2 for c in users):
            continue
        for index, control in enumerate(planner.draft.controls):
            if cid in control.criteria:
                kept = tuple(c for c in control.criteria if c != cid)
                planner.draft.controls[index] = control.model_copy(update={"criteria": kept})
        planted += 1
        planner.truth.append(
            entry(FindingCode.SCOPE_CRITERION_UNCOVERED, None, None, criterion=cid)
        )


def too_broad(planner: DefectTargets) -> None:
    """Systems in scope that no control touches."""
    for system in _UNUSED_SYSTEMS[: planner.how_many()]:
        planner.draft.extra_systems.append(system)
        planner.truth.append(entry(FindingCode.SCOPE_TOO_BROAD, None, None, system=system))


def ownerless(planner: DefectTargets) -> None:
    """No owner, an owner nobody knows, and an owner who left — each at least once."""
    leavers = [p.id for p in planner.draft.people if p.left_on is not None]
    outsiders = [e.email.split("@")[0] for e in planner.workforce.employees if not e.person_id]
    roster = {p.id for p in planner.draft.people}
    strangers = [o for o in outsiders if o not in roster]
    variants = ["none", "unknown", "left"] * planner.how_many()
    controls = planner.pick(planner.free_controls(), len(variants))
    for variant, control in zip(variants, controls, strict=False):
        if variant == "left" and not leavers:
            continue
        owner = {
            "none": None,
            "unknown": planner.rng.choice(strangers),
            "left": planner.rng.choice(leavers),
        }[variant]
        planner.replace_control(control, owner=owner)
        planner.truth.append(
            entry(FindingCode.CONTROL_OWNERLESS, control.id, None, variant=variant, owner=owner)
        )


def no_population(planner: DefectTargets) -> None:
    """A sampled control whose population link (and attributes) is removed.

    When no other control uses that population it leaves the program too, as
    it would if nobody had ever asked for the list.
    """
    reconciled = planner.draft.reconciled()
    candidates = [
        c
        for c in planner.free_controls()
        if c.frequency in SAMPLED
        and c.population is not None
        and (len(planner.draft.users_of(c.population)) > 1 or c.population not in reconciled)
    ]
    smaller = planner.smaller_half(candidates, lambda c: c.population or "")
    for control in planner.pick(smaller):
        population = control.population or ""
        planner.replace_control(control, population=None, attributes=())
        if not planner.draft.users_of(population) and population not in reconciled:
            del planner.draft.populations[population]
        planner.truth.append(
            entry(FindingCode.CONTROL_NO_POPULATION, control.id, None, unlinked=population)
        )


def no_evidence(planner: DefectTargets) -> None:
    """An annual or continuous control whose control-level evidence is removed."""
    candidates = [
        c
        for c in planner.free_controls()
        if c.frequency in (Frequency.ANNUAL, Frequency.CONTINUOUS) and c.population is None
    ]
    for control in planner.pick(candidates):
        planner.truth.append(
            entry(
                FindingCode.CONTROL_NO_EVIDENCE,
                control.id,
                None,
                removed=list(control.evidence),
            )
        )
        planner.replace_control(control, evidence=())
