"""``ProgramSource`` over an open vault: what the fieldwork engine reads, via SQL.

The engine (fieldwork/) never sees this class's type, only the protocol in
``fieldwork/ports.py``; the session hands it an instance.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from functools import cached_property

from mockaudit.domain import Program, Reconciliation
from mockaudit.domain.observations import (
    EvidenceRef,
    PeriodUnit,
    PopulationProfile,
    PopulationRow,
    ReconciliationBreak,
)
from mockaudit.errors import InputError, IntegrityError
from mockaudit.vault import population_queries as pq
from mockaudit.vault import program_store
from mockaudit.vault.population_store import PopulationTable, get_table
from mockaudit.vault.store import Vault


class VaultSource:
    def __init__(self, vault: Vault, *, program_version: int | None = None) -> None:
        self.vault = vault
        self.conn = vault.conn
        self.version = program_version or program_store.latest_version(self.conn)
        self._verified: dict[str, bool] = {}

    def program(self) -> Program:
        return self._program

    @cached_property
    def _program(self) -> Program:
        return program_store.load_program(self.conn, self.version)

    @cached_property
    def _files(self) -> dict[str, str]:
        return program_store.file_map(self.conn)

    @cached_property
    def _hashes(self) -> dict[str, str]:
        return {
            str(e): str(s) for e, s in self.conn.execute("SELECT evidence_id, sha256 FROM evidence")
        }

    def _table(self, population: str) -> PopulationTable:
        table = get_table(self.conn, population)
        if table is None:
            raise InputError(f"population {population} has not been imported into the vault")
        return table

    def profile(
        self,
        population: str,
        start: date,
        end: date,
        *,
        unit: PeriodUnit | None,
        columns: Sequence[str],
    ) -> PopulationProfile:
        return pq.profile(
            self.conn, self._table(population), start, end, unit=unit, columns=columns
        )

    def strata(
        self, population: str, start: date, end: date, unit: PeriodUnit
    ) -> Mapping[str, int]:
        return pq.strata(self.conn, self._table(population), start, end, unit)

    def row_at(
        self, population: str, start: date, end: date, unit: PeriodUnit, label: str, index: int
    ) -> PopulationRow:
        return pq.row_at(self.conn, self._table(population), start, end, unit, label, index)

    def rows(self, population: str) -> Iterator[PopulationRow]:
        return pq.rows(self.conn, self._table(population))

    def evidence(self, paths: Iterable[str], *, verify: bool = False) -> Mapping[str, EvidenceRef]:
        out: dict[str, EvidenceRef] = {}
        for path in paths:
            evidence_id = self._files.get(path)
            if evidence_id is None:
                out[path] = EvidenceRef(path, None)
                continue
            verified = self._verify(evidence_id) if verify else None
            out[path] = EvidenceRef(path, evidence_id, self._hashes.get(evidence_id), verified)
        return out

    def _verify(self, evidence_id: str) -> bool:
        if evidence_id not in self._verified:
            digest = hashlib.sha256()
            try:
                for chunk in self.vault.read_chunks(evidence_id):
                    digest.update(chunk)
                ok = digest.hexdigest() == self._hashes.get(evidence_id)
            except IntegrityError:
                ok = False
            self._verified[evidence_id] = ok
        return self._verified[evidence_id]

    def reconciliation_breaks(
        self, reconciliation: Reconciliation, start: date, end: date
    ) -> list[ReconciliationBreak]:
        left = self._table(reconciliation.left)
        right = self._table(reconciliation.right)
        return pq.reconciliation_breaks(self.conn, left, right, reconciliation, start, end)
