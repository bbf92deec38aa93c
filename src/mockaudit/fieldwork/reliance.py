"""Reliance on automated controls, decided per system from the ITGCs over that system.

soc2-domain.md §2.3: a single operation of an automated control is enough when the
IT general controls — change management **and** logical access over *that system* —
operated effectively all period; if they did not, the auditor tests the automated
control like a manual one across the period. A control names the systems it
operates on with ``systems`` (docs/scenario-format.md); without it, it covers every
in-scope system (the engagement's ``systems``). So an access control failing on
Okta does not take reliance away from backups running in AWS, unless it also
covers AWS.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from mockaudit.domain import Control, Program
from mockaudit.domain.run import ControlTest

CHANGE_CRITERIA: Final = frozenset({"CC8.1"})
ACCESS_CRITERIA: Final = frozenset({"CC6.1", "CC6.2", "CC6.3"})
ALL_SYSTEMS: Final = "*"


def is_itgc(control: Control) -> bool:
    criteria = set(control.criteria)
    return bool(criteria & CHANGE_CRITERIA or criteria & ACCESS_CRITERIA)


def systems_of(control: Control, program: Program) -> frozenset[str]:
    """The systems a control operates on: its own list, else every in-scope system."""
    if control.systems:
        return frozenset(control.systems)
    return frozenset(program.engagement.systems) or frozenset({ALL_SYSTEMS})


def _covers(itgc: Control, system: str, program: Program) -> bool:
    covered = systems_of(itgc, program)
    return system in covered or ALL_SYSTEMS in covered or system == ALL_SYSTEMS


def itgcs_effective(control: Control, program: Program, done: Mapping[str, ControlTest]) -> bool:
    """Whether change management and logical access over each of ``control``'s systems
    exist and operated effectively (every such ITGC tested and effective)."""
    itgcs = [c for c in program.controls if is_itgc(c) and c.id != control.id]
    for system in systems_of(control, program):
        over = [c for c in itgcs if _covers(c, system, program)]
        change = [c for c in over if set(c.criteria) & CHANGE_CRITERIA]
        access = [c for c in over if set(c.criteria) & ACCESS_CRITERIA]
        if not change or not access:
            return False
        if not all(c.id in done and done[c.id].effective is True for c in over):
            return False
    return True
