"""The one door between the fieldwork engine and stored data.

The engine receives a ``ProgramSource`` and never opens a file or a database.
The vault implements it with SQL over encrypted tables (``vault.program_source``);
tests implement it with plain Python lists (``tests/fieldwork/fake_source.py``).
Both must agree on every method's meaning, which is spelled out here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import Protocol

from mockaudit.domain import Program, Reconciliation
from mockaudit.domain.observations import (
    EvidenceRef,
    PeriodUnit,
    PopulationProfile,
    PopulationRow,
    ReconciliationBreak,
)


class ProgramSource(Protocol):
    def program(self) -> Program:
        """The program as last imported."""
        ...

    def profile(
        self,
        population: str,
        start: date,
        end: date,
        *,
        unit: PeriodUnit | None,
        columns: Sequence[str],
    ) -> PopulationProfile:
        """C&A facts over every row; ``occurrences`` per ``unit`` (none if None);
        ``blanks`` for each of ``columns``; the three largest gaps between
        consecutive in-period dates (including period start/end as bounds)."""
        ...

    def strata(
        self, population: str, start: date, end: date, unit: PeriodUnit
    ) -> Mapping[str, int]:
        """In-period row counts per unit label, ordered by label (the sampling frame)."""
        ...

    def row_at(
        self, population: str, start: date, end: date, unit: PeriodUnit, label: str, index: int
    ) -> PopulationRow:
        """The ``index``-th (0-based) in-period row of stratum ``label``, in file order."""
        ...

    def rows(self, population: str) -> Iterator[PopulationRow]:
        """Every row in file order, streamed (never materialised as a list)."""
        ...

    def evidence(self, paths: Iterable[str], *, verify: bool = False) -> Mapping[str, EvidenceRef]:
        """Whether each scenario-relative path is in the vault; with ``verify`` the
        blob is decrypted and re-hashed (use for the few sampled items only)."""
        ...

    def evidence_text(self, path: str, *, limit: int) -> str | None:
        """The text of a small evidence file the vault holds (UTF-8, at most ``limit``
        bytes); None when it is not in the vault, larger, binary or fails verification.
        The auditor reads documents such as registers; nothing here is logged."""
        ...

    def reconciliation_breaks(
        self, reconciliation: Reconciliation, start: date, end: date
    ) -> list[ReconciliationBreak]:
        """Left rows dated in the period with no right row matching on the match
        columns (trimmed, case-insensitive) whose date is 0..max_days after."""
        ...
