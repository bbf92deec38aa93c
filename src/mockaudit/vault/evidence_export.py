"""Write decrypted evidence into a folder without ever writing outside it.

Names come from ``safenames`` (original names are never used as paths); each file
is written to an exclusive temp file (``O_EXCL|O_NOFOLLOW``), its SHA-256 checked
against the custody hash, then hard-linked to its final name — which fails
rather than replaces anything already there, symlinks included.

Custody: the ``exported`` event naming the final file is committed *before* the copy
appears under that name. A file system and a database cannot change together, so one
of the two must come first; this order means a crash or a failed link can leave an
event for a copy that never appeared (the log over-states), never a decrypted copy
without its event (the log under-states, the chain of custody breaks).
"""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path

from mockaudit import fsio
from mockaudit.errors import InputError, IntegrityError
from mockaudit.safenames import contained, safe_component
from mockaudit.vault.store import Vault


def export_evidence(
    vault: Vault, ids: list[str], out_dir: Path, *, purpose: str = "export"
) -> list[Path]:
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir} is not a folder")
    fsio.ops().mkdir(out_dir)
    plan: list[tuple[str, str, str]] = []  # evidence id, file name, sha256
    for evidence_id in ids:
        info = vault.get_evidence(evidence_id)
        name = f"{evidence_id}_{safe_component(info.original_name, fallback='evidence')}"
        plan.append((evidence_id, name, info.sha256))
    fsio.sweep_temps(out_dir, {name for _, name, _ in plan})  # left by an earlier failed run
    return [
        _write_one(vault, evidence_id, sha256, out_dir, name, purpose)
        for evidence_id, name, sha256 in plan
    ]


def _write_one(
    vault: Vault, evidence_id: str, sha256: str, out_dir: Path, name: str, purpose: str
) -> Path:
    """Decrypt into a temp file, check the hash, log the export, link it under its name."""
    fo = fsio.ops()
    tmp = fsio.temp_name(out_dir / name)
    fh = fo.open_new(tmp)
    try:
        digest = hashlib.sha256()
        for chunk in vault.read_chunks(evidence_id):
            digest.update(chunk)
            fo.write(fh, chunk)
        if digest.hexdigest() != sha256:
            raise IntegrityError(
                f"{evidence_id}: decrypted content does not match its custody hash"
            )
        fo.fsync(fh)
        fh.close()
        final = _publish(vault, evidence_id, tmp, out_dir, name, purpose)
        fo.unlink(tmp)
        fo.fsync_dir(out_dir)
    except BaseException:
        fh.close()
        fsio.discard(tmp)
        raise
    return final


def _publish(
    vault: Vault, evidence_id: str, tmp: Path, out_dir: Path, name: str, purpose: str
) -> Path:
    """Record the export under the first free name, then hard-link the copy there."""
    stem, dot, ext = name.rpartition(".")
    for attempt in range(1000):
        candidate_name = (
            name if attempt == 0 else (f"{stem}-{attempt}.{ext}" if dot else f"{name}-{attempt}")
        )
        candidate = out_dir / candidate_name
        if not contained(out_dir, candidate.parent) or candidate.parent != out_dir:
            raise InputError(f"refusing to write {candidate_name!r} outside {out_dir}")
        if os.path.lexists(candidate):
            continue
        vault.record_export(evidence_id, candidate.name, purpose)
        try:
            fsio.ops().link(tmp, candidate)
        except FileExistsError:
            continue  # taken since the check: the event over-states, the next name is tried
        except OSError as exc:
            if exc.errno == errno.EEXIST:
                continue
            raise
        return candidate
    raise InputError(f"too many files named {name!r} in {out_dir}")
