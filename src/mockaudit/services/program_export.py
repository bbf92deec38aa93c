"""Export the program back out of the vault as a scenario folder.

scenario.toml from the stored program, one CSV per population streamed from its
encrypted table, and every stored file the program names decrypted to its path.
Loading the result gives the program that was imported (the round trip the
generator tests rely on). Paths are re-checked: nothing is written outside the
target folder, and nothing is overwritten.

The folder appears whole or not at all: everything is written into a hidden staging
folder beside it (``.NAME.<hex>.partial``), renamed into place at the end. A failed
or killed export therefore never leaves a half-written folder under the name the
user chose — which would also make the retry refuse ("not empty") — and the next
export of that name removes the staging folders earlier attempts left behind.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import os
import re
import shutil
from pathlib import Path

from mockaudit import fsio
from mockaudit.domain import Program
from mockaudit.errors import InputError, IntegrityError
from mockaudit.safenames import contained
from mockaudit.scenarios.writer import write_scenario
from mockaudit.vault import custody, db, population_queries, program_store
from mockaudit.vault.population_store import get_table
from mockaudit.vault.store import Vault


def export_program(vault: Vault, folder: Path) -> int:
    """Write the scenario folder; return the number of files written.

    Custody: every decrypted evidence file and every population written gets an
    ``exported`` event, committed before the staging folder is renamed into place —
    a failure at the very end over-states exports, never leaves a decrypted copy
    without its event (the order of ``evidence_export``)."""
    folder = Path(folder)
    if not vault.writable:
        raise InputError("the vault was opened read-only; a program export records custody events")
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InputError(f"{folder} exists and is not empty; choose a new folder")
    program = program_store.load_program(vault.conn)  # no program: nothing is created
    fo = fsio.ops()
    fo.mkdir(folder.parent)
    _sweep_stages(folder)
    stage = fsio.temp_name(folder)
    fo.mkdir(stage)
    try:
        written = _write_program(vault, program, stage, folder)
        _record_exports(vault, program, folder)
        fo.replace(stage, folder)  # rename(2) replaces an empty folder atomically
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    # Best effort, as for vault.key: the folder is complete and in place; failing here
    # would report an error for an export that succeeded, and its retry would refuse.
    with contextlib.suppress(OSError):
        fo.fsync_dir(folder.parent)
    return written


def _write_program(vault: Vault, program: Program, folder: Path, shown: Path) -> int:
    """Everything into ``folder`` (the staging folder); messages name ``shown``."""
    write_scenario(program, folder)
    written = 1
    files = program_store.file_map(vault.conn)
    population_files = {p.file for p in program.populations}
    for population in program.populations:
        _write_population(vault, population.id, _target(folder, population.file, shown))
        written += 1
    for path, evidence_id in sorted(files.items()):
        if path not in population_files:
            _write_evidence(vault, evidence_id, _target(folder, path, shown))
            written += 1
    return written


def _record_exports(vault: Vault, program: Program, folder: Path) -> None:
    """One ``exported`` event per decrypted file, in one transaction."""
    files = program_store.file_map(vault.conn)
    population_files = {p.file: p.id for p in program.populations}
    with vault.mutex, db.atomic(vault.conn):
        for population in program.populations:
            custody.append(
                vault.conn,
                "exported",
                evidence_id=files.get(population.file),
                purpose="program export",
                destination=str(folder / population.file),
                population_id=population.id,
            )
        for path, evidence_id in sorted(files.items()):
            if path not in population_files:
                custody.append(
                    vault.conn,
                    "exported",
                    evidence_id=evidence_id,
                    purpose="program export",
                    destination=str(folder / path),
                )


def _sweep_stages(folder: Path) -> None:
    """Remove staging folders that earlier failed or killed exports to ``folder`` left."""
    pattern = re.compile(rf"\.{re.escape(folder.name)}\.[0-9a-f]{{12}}\.partial")
    with contextlib.suppress(OSError), os.scandir(folder.parent) as entries:
        stale = [e.path for e in entries if pattern.fullmatch(e.name) and e.is_dir()]
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)


def _target(folder: Path, relative: str, shown: Path) -> Path:
    target = folder / relative
    if (
        Path(relative).is_absolute()
        or ".." in Path(relative).parts
        or not contained(folder, target)
    ):
        raise InputError(f"refusing to export {relative!r} outside {shown}")
    fsio.ops().mkdir(target.parent)
    return target


def _write_population(vault: Vault, population_id: str, target: Path) -> None:
    table = get_table(vault.conn, population_id)
    if table is None:
        raise InputError(f"population {population_id} was never imported")
    with fsio.atomic_writer(target) as fh:
        text = _Utf8(fh)
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(table.columns)
        for row in population_queries.rows(vault.conn, table):
            writer.writerow([row.values[c] for c in table.columns])


class _Utf8:
    """The ``write(str)`` a csv.writer needs, over a binary file."""

    def __init__(self, fh: object) -> None:
        self.fh = fh

    def write(self, text: str) -> int:
        fsio.ops().write(self.fh, text.encode("utf-8"))  # type: ignore[arg-type]
        return len(text)


def _write_evidence(vault: Vault, evidence_id: str, target: Path) -> None:
    expected = vault.get_evidence(evidence_id).sha256
    digest = hashlib.sha256()
    with fsio.atomic_writer(target) as fh:
        for chunk in vault.read_chunks(evidence_id):
            digest.update(chunk)
            fsio.ops().write(fh, chunk)
        if digest.hexdigest() != expected:
            raise IntegrityError(f"{evidence_id}: decrypted content does not match its hash")
