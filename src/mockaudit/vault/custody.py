"""The chain-of-custody log: one canonical-JSON event per Merkle leaf (RFC 6962).

Every evidence event (collected, imported, exported, superseded, key_rotated,
checkpoint…) is appended inside the same transaction as the change it records,
so an acknowledged operation always has its event. The leaf hash is
``SHA-256(0x00 ‖ payload)``; the tree over all leaves gives the vault's custody
root, which signed checkpoints pin from outside the vault (vault-security.md §5).
"""

from __future__ import annotations

import contextlib
import getpass
import json
import platform
import socket
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any, overload

from mockaudit import __version__
from mockaudit.errors import IntegrityError
from mockaudit.vault import merkle
from mockaudit.vault.db import Connection, OperationalError

EVENT_TYPES = frozenset(
    {
        "collected",
        "imported",
        "exported",
        "superseded",
        "annotated",
        "key_rotated",
        "passphrase_changed",
        "checkpoint",
        "transcript",
        "run_stored",
        "rows_loaded",
        "remediation",
        "member_added",
        "member_removed",
        "members_migrated",
        "recovery_kit_created",
        "recovery_kit_retired",
    }
)
HEADER_EVENTS = frozenset(
    {
        "passphrase_changed",
        "member_added",
        "members_migrated",
        "recovery_kit_created",
        "recovery_kit_retired",
    }
)
"""Events whose change is a new vault.key alone (an interrupted one is caught up on open)."""
CONTENT_EVENTS = frozenset({"collected", "imported", "transcript"})
"""Events that introduce an evidence item's content: they record its SHA-256 and size."""
PAYLOAD_VERSION = 1
MAX_PAYLOAD = 64 * 1024


@dataclass(frozen=True)
class CustodyEvent:
    seq: int
    event: str
    evidence_id: str | None
    time_utc: str
    fields: dict[str, Any]

    @property
    def summary(self) -> str:
        name = self.fields.get("original_name")
        what = f" {name!r}" if name else ""
        return f"#{self.seq} {self.time_utc} {self.event}{what} by {self.actor}"

    @property
    def actor(self) -> str:
        """Who did it: "Dana Lee (member dana)", or the OS account for events recorded
        before the vault had member slots."""
        member = self.fields.get("member")
        if isinstance(member, str) and member:
            return f"{self.fields.get('member_name') or member} (member {member})"
        who = f"{self.fields.get('collector', '?')}@{self.fields.get('host', '?')}"
        return f"{who} (before member slots)"

    @property
    def collected_line(self) -> str:
        """ "collected by Dana Lee (member dana) on 2026-12-06" (the auditor's first question)."""
        verb = "imported" if self.event == "imported" else "collected"
        return f"{verb} by {self.actor} on {self.time_utc[:10]}"


def canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@cache
def tool_versions() -> dict[str, str]:
    """mockaudit, Python and crypto library versions, recorded in every event."""
    import cryptography
    import sqlcipher3

    return {
        "mockaudit": __version__,
        "python": platform.python_version(),
        "cryptography": cryptography.__version__,
        "sqlite": str(sqlcipher3.sqlite_version),
    }


@cache
def _who() -> tuple[str, str]:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return user, socket.gethostname() or "unknown"


def now_utc() -> datetime:
    return datetime.now(UTC)


def set_actor(conn: Connection, member_id: str, display: str) -> None:
    """Name the member this connection acts for: every event it appends records them.

    Kept in a TEMP table (memory: ``temp_store = MEMORY``), so it lives and dies with the
    connection and nothing about it reaches the vault file."""
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS session_actor (member_id TEXT NOT NULL, display TEXT)"
    )
    conn.execute("DELETE FROM temp.session_actor")
    conn.execute("INSERT INTO temp.session_actor VALUES (?, ?)", (member_id, display))


def _actor(conn: Connection) -> dict[str, str]:
    """The member ``set_actor`` named (every Vault names one when it opens); nothing for a
    connection no session opened. Any other failure fails the append and so its
    transaction: an event never silently loses its member."""
    try:
        row = conn.execute("SELECT member_id, display FROM temp.session_actor").fetchone()
    except OperationalError as exc:
        if "no such table" in str(exc):
            return {}
        raise
    return {"member": row[0], "member_name": row[1]} if row else {}


def append(
    conn: Connection,
    event: str,
    *,
    evidence_id: str | None = None,
    purpose: str = "",
    **fields: Any,
) -> CustodyEvent:
    """Append one event; the caller holds the transaction that made the change."""
    if event not in EVENT_TYPES:
        raise ValueError(f"unknown custody event type {event!r}")
    seq, prev = _tail(conn)
    stamp = now_utc()
    local = stamp.astimezone()
    user, host = _who()
    body: dict[str, Any] = {
        "v": PAYLOAD_VERSION,
        "seq": seq,
        "event": event,
        "evidence_id": evidence_id,
        "time_utc": stamp.isoformat(timespec="microseconds"),
        "tz_offset": local.strftime("%z") or "+0000",
        "collector": user,
        "host": host,
        "tools": tool_versions(),
        "purpose": purpose,
        "prev_leaf": prev.hex() if prev else "",
        **_actor(conn),
        **fields,
    }
    payload = canonical(body)
    conn.execute(
        "INSERT INTO custody (seq, event_type, evidence_id, payload, leaf_hash, recorded_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (seq, event, evidence_id, payload, merkle.leaf_hash(payload), body["time_utc"]),
    )
    return decode(payload)


def _tail(conn: Connection) -> tuple[int, bytes | None]:
    row = conn.execute("SELECT seq, leaf_hash FROM custody ORDER BY seq DESC LIMIT 1").fetchone()
    if row is None:
        return 0, None
    return int(row[0]) + 1, bytes(row[1])


def decode(payload: bytes) -> CustodyEvent:
    """Strictly decode a stored payload; IntegrityError (one line) if it is not ours."""
    try:
        if len(payload) > MAX_PAYLOAD:
            raise ValueError("too large")
        doc = json.loads(payload.decode("utf-8"))
        if not isinstance(doc, dict) or doc.get("v") != PAYLOAD_VERSION:
            raise ValueError("not a version-1 event")
        seq, event, when = doc["seq"], doc["event"], doc["time_utc"]
        evidence_id = doc.get("evidence_id")
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
            raise ValueError("bad seq")
        if event not in EVENT_TYPES or not isinstance(when, str):
            raise ValueError("bad event")
        if evidence_id is not None and not isinstance(evidence_id, str):
            raise ValueError("bad evidence id")
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, RecursionError):
        raise IntegrityError("a custody event is not a valid mockaudit event") from None
    return CustodyEvent(seq, event, evidence_id, when, doc)


class LeafHashes(Sequence[bytes]):
    """The stored leaf hashes as a lazy sequence (indexes and slices run SQL)."""

    def __init__(self, conn: Connection, size: int | None = None) -> None:
        self._conn = conn
        self._size = size if size is not None else tree_size(conn)

    def __len__(self) -> int:
        return self._size

    @overload
    def __getitem__(self, index: int) -> bytes: ...
    @overload
    def __getitem__(self, index: slice) -> list[bytes]: ...
    def __getitem__(self, index: int | slice) -> bytes | list[bytes]:
        if isinstance(index, slice):
            start, stop, step = index.indices(self._size)
            rows = self._conn.execute(
                "SELECT leaf_hash FROM custody WHERE seq >= ? AND seq < ? ORDER BY seq",
                (start, stop),
            )
            return [bytes(r[0]) for r in rows][::step]
        if index < 0:
            index += self._size
        if not 0 <= index < self._size:
            raise IndexError(index)
        row = self._conn.execute("SELECT leaf_hash FROM custody WHERE seq = ?", (index,)).fetchone()
        return bytes(row[0])


def tree_size(conn: Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM custody").fetchone()[0])


def iter_leaf_hashes(conn: Connection, size: int | None = None) -> Iterator[bytes]:
    limit = size if size is not None else -1
    for (leaf,) in conn.execute("SELECT leaf_hash FROM custody ORDER BY seq LIMIT ?", (limit,)):
        yield bytes(leaf)


def root_at(conn: Connection, size: int | None = None) -> bytes:
    root, _ = merkle.root_of_iter(iter_leaf_hashes(conn, size))
    return root


def payload_at(conn: Connection, seq: int) -> bytes:
    """The exact stored payload of custody event ``seq`` (what its leaf hash covers)."""
    row = conn.execute("SELECT payload FROM custody WHERE seq = ?", (seq,)).fetchone()
    if row is None:
        raise IndexError(seq)
    return bytes(row[0])


def history(conn: Connection, evidence_id: str) -> list[CustodyEvent]:
    rows = conn.execute(
        "SELECT payload FROM custody WHERE evidence_id = ? ORDER BY seq", (evidence_id,)
    )
    return [decode(bytes(r[0])) for r in rows]


def check_log(conn: Connection) -> list[str]:
    """Recompute every leaf from its payload and check sequence and back-links."""
    problems: list[str] = []
    expected_seq = 0
    prev = b""
    rows = conn.execute("SELECT seq, payload, leaf_hash FROM custody ORDER BY seq")
    for seq, payload, leaf in rows:
        payload, leaf = bytes(payload), bytes(leaf)
        if seq != expected_seq:
            missing = f"#{expected_seq}" + (f"–#{seq - 1}" if seq - 1 > expected_seq else "")
            problems.append(
                f"custody event {missing} is missing (the sequence jumps from "
                f"{expected_seq - 1} to {seq}): events were deleted"
            )
            expected_seq = seq
        if merkle.leaf_hash(payload) != leaf:
            problems.append(f"custody event #{seq}: stored leaf hash does not match its content")
        try:
            event = decode(payload)
        except IntegrityError:
            problems.append(f"custody event #{seq}: content is not a valid event")
        else:
            if event.seq != seq or event.fields.get("prev_leaf", "") != prev.hex():
                problems.append(f"custody event #{seq}: does not chain to the event before it")
        prev = leaf
        expected_seq += 1
    return problems


@dataclass(frozen=True)
class ContentRecord:
    """What the custody log says an item's (or a population's) content is."""

    seq: int
    sha256: str | None  # None: recorded before events carried content hashes
    size: int | None
    conflicts: tuple[int, ...] = ()  # later events recording different content


def content_records(conn: Connection) -> tuple[dict[str, ContentRecord], dict[str, dict[str, Any]]]:
    """One streaming pass over the log: each evidence id's first content event, and
    each population's latest ``rows_loaded`` event (its fields, with ``seq``)."""
    evidence: dict[str, ContentRecord] = {}
    populations: dict[str, dict[str, Any]] = {}
    rows = conn.execute(
        "SELECT seq, event_type, evidence_id, payload FROM custody "
        "WHERE event_type IN ('collected', 'imported', 'transcript', 'rows_loaded') ORDER BY seq"
    )
    for seq, kind, evidence_id, payload in rows:
        try:
            fields = decode(bytes(payload)).fields
        except IntegrityError:
            continue  # check_log reports it
        if kind == "rows_loaded":
            pid = fields.get("population_id")
            if isinstance(pid, str):
                populations[pid] = {**fields, "seq": seq}
            continue
        if evidence_id is None:
            continue
        sha, size = fields.get("sha256"), fields.get("size")
        sha = sha if isinstance(sha, str) else None
        size = size if isinstance(size, int) else None
        first = evidence.get(evidence_id)
        if first is None:
            evidence[evidence_id] = ContentRecord(seq, sha, size)
        elif first.sha256 is None and sha is not None:
            evidence[evidence_id] = ContentRecord(seq, sha, size, first.conflicts)
        elif sha is not None and (sha, size) != (first.sha256, first.size):
            evidence[evidence_id] = ContentRecord(
                first.seq, first.sha256, first.size, (*first.conflicts, seq)
            )
    return evidence, populations


def collecting_events(conn: Connection) -> dict[str, CustodyEvent]:
    """Each evidence id's first content event (who collected it, when), in one pass."""
    out: dict[str, CustodyEvent] = {}
    rows = conn.execute(
        "SELECT evidence_id, payload FROM custody WHERE evidence_id IS NOT NULL AND "
        "event_type IN ('collected', 'imported', 'transcript') ORDER BY seq"
    )
    for evidence_id, payload in rows:
        if evidence_id not in out:
            with contextlib.suppress(IntegrityError):  # check_log reports it
                out[evidence_id] = decode(bytes(payload))
    return out


def environment() -> dict[str, str]:
    return {"platform": sys.platform, **tool_versions()}
