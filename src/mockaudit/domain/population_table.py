"""An imported population as the vault holds it: its SQL table and what was imported."""

from __future__ import annotations

from dataclasses import dataclass

from mockaudit.errors import InputError


@dataclass(frozen=True)
class PopulationTable:
    population_id: str
    table: str
    columns: tuple[str, ...]
    key_column: str
    date_column: str
    row_count: int
    source_sha256: str
    source_path: str

    def col(self, name: str) -> str:
        """The SQL column holding CSV column ``name``."""
        try:
            return f"c{self.columns.index(name)}"
        except ValueError:
            raise InputError(f"population {self.population_id} has no column {name!r}") from None
