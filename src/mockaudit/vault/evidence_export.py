"""Write decrypted evidence into a folder without ever writing outside it.

Names come from ``safenames`` (original names are never used as paths); each file
is written to an exclusive temp file (``O_EXCL|O_NOFOLLOW``), its SHA-256 checked
against the custody hash, then hard-linked to its final name — which fails
rather than replaces anything already there, symlinks included.
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
    written: list[Path] = []
    for evidence_id in ids:
        info = vault.get_evidence(evidence_id)
        name = f"{evidence_id}_{safe_component(info.original_name, fallback='evidence')}"
        final = _write_one(vault, evidence_id, info.sha256, out_dir, name)
        vault.record_export(evidence_id, final.name, purpose)
        written.append(final)
    return written


def _write_one(vault: Vault, evidence_id: str, sha256: str, out_dir: Path, name: str) -> Path:
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
        final = _link_unique(tmp, out_dir, name)
    except BaseException:
        fh.close()
        fo.unlink(tmp)
        raise
    fo.unlink(tmp)
    fo.fsync_dir(out_dir)
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
            os.link(tmp, candidate, follow_symlinks=False)
        except FileExistsError:
            continue
        except OSError as exc:
            if exc.errno == errno.EEXIST:
                continue
            raise
        return candidate
    raise InputError(f"too many files named {name!r} in {out_dir}")
