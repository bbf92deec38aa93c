"""Evidence as the vault lists it: what an item is and what it is linked to.

The vault stores and returns these; the faces show them; the exports write them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Link:
    """What a piece of evidence is about: a control, a population, or one item of it."""

    control_id: str = ""
    population_id: str = ""
    item_key: str = ""

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if v}


@dataclass(frozen=True)
class EvidenceInfo:
    evidence_id: str
    original_name: str
    size: int
    sha256: str
    media_type: str
    source: str
    added_at: str
    blob_file: str
    links: tuple[Link, ...] = ()
