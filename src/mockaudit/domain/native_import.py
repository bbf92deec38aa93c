"""How a population file is read: as is, as a vendor export (``--as``), or remapped (``--map``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class NativeImport:
    """``--as FORMAT`` (None: a plain CSV reshaped by ``mapping``), ``--map``, ``--date-format``."""

    format: str | None = None
    mapping: tuple[str, ...] = ()
    date_format: str | None = None


@dataclass(frozen=True)
class FormatInfo:
    """One native format as ``mockaudit population formats`` lists it."""

    name: str
    title: str
    population_kind: str
    export: str


@dataclass(frozen=True)
class GitOptions:
    """``--from-git``: the whole history or the audit period, and a review export to join."""

    all_history: bool = False
    reviews: Path | None = None
