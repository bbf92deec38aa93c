"""The reference program's reconciliations: populations an auditor compares two by two.

soc2-domain.md §3.3 and §6.4: terminations in the HR system are matched to their
deactivations in the identity provider (access removed within three days), and hires
to their security-awareness training (within thirty days). Both the starter program
(``new --from-reference``) and the synthetic generator declare them when the two
populations exist.
"""

from __future__ import annotations

from mockaudit.domain.populations import Reconciliation

DEPROVISION = "terminations-vs-removals"
ONBOARDING_TRAINING = "hires-vs-trainings"


def reference_reconciliations(kinds: list[str]) -> list[Reconciliation]:
    """The reconciliations whose two populations are among ``kinds``."""
    out = []
    if {"terminations", "access_removals"} <= set(kinds):
        out.append(
            Reconciliation(
                id=DEPROVISION,
                control="IAM-02",
                left="terminations",
                left_match="email",
                left_date="terminated_on",
                right="access_removals",
                right_match="email",
                right_date="removed_on",
                max_days=3,
            )
        )
    if {"hires", "trainings"} <= set(kinds):
        out.append(
            Reconciliation(
                id=ONBOARDING_TRAINING,
                control="HR-03",
                left="hires",
                left_match="email",
                left_date="start_date",
                right="trainings",
                right_match="email",
                right_date="completed_on",
                max_days=30,
            )
        )
    return out
