"""What the vault holds as evidence, read back as domain records: the evidence rows with
their links to controls, populations and items. Reads only; storing is ``ingest.py``."""

from __future__ import annotations

from mockaudit.domain.evidence import EvidenceInfo, Link
from mockaudit.errors import InputError
from mockaudit.vault.db import Connection

_COLUMNS = (
    "SELECT evidence_id, original_name, size, sha256, media_type, source, added_at, "
    "blob_file FROM evidence"
)


def list_evidence(
    conn: Connection, *, control: str | None = None, search: str | None = None
) -> list[EvidenceInfo]:
    """Every item, or those linked to ``control`` and/or whose name or id holds ``search``."""
    where: list[str] = []
    args: list[str] = []
    if control:
        where.append("evidence_id IN (SELECT evidence_id FROM evidence_links WHERE control_id = ?)")
        args.append(control)
    if search:
        where.append("(original_name LIKE ? OR evidence_id LIKE ?)")
        args += [f"%{search}%", f"%{search}%"]
    sql = _COLUMNS + (" WHERE " + " AND ".join(where) if where else "")
    rows = conn.execute(sql + " ORDER BY evidence_id", args).fetchall()
    links = links_by_evidence(conn)
    return [_info(row, links.get(row[0], [])) for row in rows]


def get_evidence(conn: Connection, evidence_id: str) -> EvidenceInfo:
    row = conn.execute(_COLUMNS + " WHERE evidence_id = ?", (evidence_id,)).fetchone()
    if row is None:
        raise InputError(f"no evidence with id {evidence_id}")
    return _info(row, links_by_evidence(conn).get(evidence_id, []))


def links_by_evidence(conn: Connection) -> dict[str, list[Link]]:
    out: dict[str, list[Link]] = {}
    for ev, control, population, item in conn.execute(
        "SELECT evidence_id, control_id, population_id, item_key FROM evidence_links "
        "ORDER BY evidence_id, control_id, population_id, item_key"
    ):
        out.setdefault(ev, []).append(Link(control, population, item))
    return out


def _info(row: tuple[str, str, int, str, str, str, str, str], links: list[Link]) -> EvidenceInfo:
    ev, name, size, sha, media, source, added, blob = row
    return EvidenceInfo(ev, name, size, sha, media, source, added, blob, links=tuple(links))
