"""Write decrypted evidence into a folder without ever writing outside it.

Names come from ``safenames`` (original names are never used as paths); each file
is written to an exclusive temp file (``O_EXCL|O_NOFOLLOW``), its SHA-256 checked
against the custody hash, then hard-linked to its final name — which fails
rather than replaces anything already there, symlinks included.
"""

from __future__ import annotations

import errno
import hashlib
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
    """Decrypt into a temp file, check the hash, link it under its final name, log it.

    The custody event is recorded right after the link, before anything else can fail:
    a decrypted copy never sits in the folder without its ``exported`` event, and if the
    event cannot be recorded the copy is removed again.
    """
    fo = fsio.ops()
    tmp = fsio.temp_name(out_dir / name)
    fh = fo.open_new(tmp)
    final: Path | None = None
    logged = False
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
        final = _link_unique(tmp, out_dir, name)
        vault.record_export(evidence_id, final.name, purpose)
        logged = True
        fo.unlink(tmp)
        fo.fsync_dir(out_dir)
    except BaseException:
        fh.close()
        if final is not None and not logged:
            fsio.discard(final)
        fsio.discard(tmp)
        raise
    return final


def _link_unique(tmp: Path, out_dir: Path, name: str) -> Path:
    stem, dot, ext = name.rpartition(".")
    for attempt in range(1000):
        candidate_name = (
            name if attempt == 0 else (f"{stem}-{attempt}.{ext}" if dot else f"{name}-{attempt}")
        )
        candidate = out_dir / candidate_name
        if not contained(out_dir, candidate.parent) or candidate.parent != out_dir:
            raise InputError(f"refusing to write {candidate_name!r} outside {out_dir}")
        try:
            fsio.ops().link(tmp, candidate)
        except FileExistsError:
            continue
        except OSError as exc:
            if exc.errno == errno.EEXIST:
                continue
            raise
        return candidate
    raise InputError(f"too many files named {name!r} in {out_dir}")
