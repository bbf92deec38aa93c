"""Defects in reconciliations, policies and risks (``reconciliation.*``, ``policy.*``, ``risk.*``).

A hire with no onboarding training, a policy past its review interval, practice
looser than a policy's commitment, and risks no control treats.
"""

from __future__ import annotations

from datetime import date, timedelta

from mockaudit.domain import FindingCode, Risk
from mockaudit.domain.reference_reconciliations import DEPROVISION, ONBOARDING_TRAINING
from mockaudit.scenarios.synthetic.defect_plan import entry
from mockaudit.scenarios.synthetic.defect_row_edits import late_removal
from mockaudit.scenarios.synthetic.defect_targets import DefectTargets
from mockaudit.scenarios.synthetic.synthetic_rows import MaterializedSource

_LOOSE_RISKS = (
    "Key-person dependency on a single engineer",
    "Ransomware encrypts production and its backups",
    "A cloud region outage outlasts the recovery objective",
)


def reconciliation_break(planner: DefectTargets) -> None:
    """Hires with no onboarding training: the left rows have no right row at all."""
    trainings = planner.sources.get("trainings")
    if not planner.has_reconciliation(ONBOARDING_TRAINING) or not isinstance(
        trainings, MaterializedSource
    ):
        return
    cols = trainings.columns
    used = planner.used_rows["trainings"]
    onboarding = {
        email: i
        for i, (email, course) in enumerate(zip(cols["email"], cols["course"], strict=True))
        if course.endswith("Onboarding") and i not in used
    }
    inner = (planner.period.start + timedelta(days=20), planner.period.end - timedelta(days=20))
    hires = [  # away from the period's edges, so the break opens no coverage gap too
        h
        for h in planner.workforce.hires(planner.period)
        if h.email in onboarding and inner[0] <= h.start <= inner[1]
    ]
    chosen = planner.pick(hires, planner.item_count(len(hires)))
    drop = {onboarding[h.email] for h in chosen}
    planner.plans["trainings"].drop_rows.update(drop)
    used.update(drop)
    planner.truth.append(
        entry(
            FindingCode.RECONCILIATION_BREAK,
            "HR-03",
            "hires",
            reconciliation=ONBOARDING_TRAINING,
            right="trainings",
            items=sorted(h.id for h in chosen),
        )
    )


def policy_stale(planner: DefectTargets) -> None:
    """A policy last approved weeks or months beyond its review interval."""
    for policy in planner.pick(list(planner.draft.policies)):
        stale = planner.period.end - timedelta(
            days=policy.review_interval_days + planner.rng.randint(15, 120)
        )
        planner.replace_policy(policy, approved_on=stale)
        planner.truth.append(
            entry(
                FindingCode.POLICY_STALE,
                None,
                None,
                policy=policy.id,
                approved_on=stale.isoformat(),
            )
        )


def practice_divergence(planner: DefectTargets) -> None:
    """Access removed after 2-3 days where the policy promises 1.

    The reconciliation (3 days) and the control's attribute (3 days) still pass,
    so the only thing broken is the policy's stricter promise — policy
    stricter than practice, the classic trap.
    """
    removals = planner.sources.get("access_removals")
    policy = next(
        (
            p
            for p in planner.draft.policies
            if any(c.reconciliation == DEPROVISION for c in p.commitments)
        ),
        None,
    )
    if policy is None or not isinstance(removals, MaterializedSource):
        return
    commitment = next(c for c in policy.commitments if c.reconciliation == DEPROVISION)
    late_ok = planner.period.end - timedelta(days=3)
    cols = removals.columns
    candidates = [
        i
        for i, ended in enumerate(cols["terminated_on"])
        if date.fromisoformat(ended) <= late_ok and i not in planner.used_rows["access_removals"]
    ]
    rows = sorted(planner.pick(candidates, planner.item_count(len(cols["email"]))))
    by_email = {e.email: e.id for e in planner.workforce.leavers()}
    for row in rows:
        lag = planner.rng.randint(2, 3)
        planner.plans["access_removals"].edits.setdefault(row, []).append(late_removal(lag))
    planner.used_rows["access_removals"].update(rows)
    planner.truth.append(
        entry(
            FindingCode.POLICY_PRACTICE_DIVERGENCE,
            "IAM-02",
            "terminations",
            policy=policy.id,
            commitment=commitment.id,
            reconciliation=DEPROVISION,
            items=sorted(by_email[cols["email"][i]] for i in rows),
            right_items=[cols["removal_id"][i] for i in rows],
        )
    )


def risk_unmitigated(planner: DefectTargets) -> None:
    """A new risk with no control, and (at higher rates) an existing one stripped."""
    for n, title in enumerate(_LOOSE_RISKS[: planner.how_many()]):
        if n % 2 == 1 and planner.draft.risks:
            risk = planner.draft.risks[planner.rng.randrange(len(planner.draft.risks))]
            index = planner.draft.risks.index(risk)
            planner.draft.risks[index] = risk.model_copy(update={"controls": ()})
        else:
            risk = Risk(
                id=f"R-{len(planner.draft.risks) + 1:02d}",
                title=title,
                likelihood=planner.rng.randint(2, 4),
                impact=planner.rng.randint(3, 5),
            )
            planner.draft.risks.append(risk)
        planner.truth.append(entry(FindingCode.RISK_UNMITIGATED, None, None, risk=risk.id))
