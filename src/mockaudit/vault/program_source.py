"""``ProgramSource`` over an open vault: what the fieldwork engine reads, via SQL.

The engine (fieldwork/) never sees this class's type, only the protocol in
``fieldwork/ports.py``; the session hands it an instance.

A source lives for one audit, so it keeps what the engine asks for again and
again: each population's day histogram (profile, then one ``strata`` per control)
and the row ids of the last strata sampled (``row_at`` is called once per item).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
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

CACHED_STRATA = 4
"""Strata whose row ids are kept: samples are drawn stratum by stratum, in label order."""


class VaultSource:
    def __init__(self, vault: Vault, *, program_version: int | None = None) -> None:
        self.vault = vault
        self.conn = vault.conn
        self.version = program_version or program_store.latest_version(self.conn)
        self._verified: dict[str, bool] = {}
        self._days: dict[tuple[object, ...], list[pq.DayCount]] = {}
        self._strata: OrderedDict[tuple[object, ...], Sequence[int]] = OrderedDict()

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

    @staticmethod
    def _identity(table: PopulationTable) -> tuple[object, ...]:
        """A re-import may reuse the table name, never with the same source and size."""
        return (table.table, table.source_sha256, table.row_count)

    def _day_counts(self, table: PopulationTable) -> list[pq.DayCount]:
        key = self._identity(table)
        if key not in self._days:
            self._days[key] = pq.day_counts(self.conn, table)
        return self._days[key]

    def profile(
        self,
        population: str,
        start: date,
        end: date,
        *,
        unit: PeriodUnit | None,
        columns: Sequence[str],
    ) -> PopulationProfile:
        table = self._table(population)
        days = self._day_counts(table)
        return pq.profile(self.conn, table, start, end, unit=unit, columns=columns, days=days)

    def strata(
        self, population: str, start: date, end: date, unit: PeriodUnit
    ) -> Mapping[str, int]:
        table = self._table(population)
        return pq.strata(self.conn, table, start, end, unit, days=self._day_counts(table))

    def row_at(
        self, population: str, start: date, end: date, unit: PeriodUnit, label: str, index: int
    ) -> PopulationRow:
        table = self._table(population)
        key = (*self._identity(table), start, end, unit, label)
        ids = self._strata.get(key)
        if ids is None:
            days = self._day_counts(table)
            ids = pq.stratum_rows(self.conn, table, start, end, unit, label, days=days)
            self._strata[key] = ids
            while len(self._strata) > CACHED_STRATA:
                self._strata.popitem(last=False)
        self._strata.move_to_end(key)
        if not 0 <= index < len(ids):
            raise IndexError(f"{population}: no row {index} in {label}")
        return pq.row_by_id(self.conn, table, ids[index])

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

    def evidence_text(self, path: str, *, limit: int) -> str | None:
        evidence_id = self._files.get(path)
        if evidence_id is None:
            return None
        data = bytearray()
        digest = hashlib.sha256()
        try:
            for chunk in self.vault.read_chunks(evidence_id):
                data += chunk
                digest.update(chunk)
                if len(data) > limit:
                    return None
        except IntegrityError:
            return None
        if digest.hexdigest() != self._hashes.get(evidence_id):
            return None
        try:
            return bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError:
            return None

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
