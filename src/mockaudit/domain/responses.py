"""The client's answers to a run's requests, as the fieldwork inbox records them."""

from __future__ import annotations

from dataclasses import dataclass

RESPONSE_STATUSES = frozenset({"provided", "partial", "not_available"})


@dataclass(frozen=True)
class RequestResponse:
    """The client's answer to one request: status, the evidence attached and a note."""

    run_id: str
    code: str
    status: str
    evidence_ids: tuple[str, ...]
    note: str
    responded_at: str
