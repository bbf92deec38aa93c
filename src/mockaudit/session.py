"""The façade the CLI and the TUI both call. No business rule lives above this line.

A ``Session`` wraps one open vault. Every method returns plain results or raises
a ``mockaudit.errors`` exception with a one-line message; OS and database errors
are translated here so no caller ever sees a traceback-shaped failure.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from mockaudit import fsio
from mockaudit.domain import Program
from mockaudit.domain.observations import PopulationRow
from mockaudit.domain.run import Run
from mockaudit.errors import DiskFullError, InputError, IntegrityError, MockauditError
from mockaudit.importer import ImportReport, PopulationImport, import_population, import_scenario
from mockaudit.importer import Progress as ImportProgress
from mockaudit.program_export import export_program
from mockaudit.vault import db, population_queries, program_store
from mockaudit.vault.custody import CustodyEvent
from mockaudit.vault.evidence_export import export_evidence
from mockaudit.vault.ingest import AddResult, Incoming, Link
from mockaudit.vault.keyfile import KdfParams
from mockaudit.vault.population_store import PopulationTable, all_tables, get_table
from mockaudit.vault.program_source import VaultSource
from mockaudit.vault.store import EvidenceInfo, Vault
from mockaudit.vault.verify import VerifyReport, verify

if TYPE_CHECKING:  # the generator (and Faker) load only when a scenario is generated
    from mockaudit.scenarios.generator import GenerationReport

Progress = Callable[[int, int], None]


@contextlib.contextmanager
def translated(what: str) -> Iterator[None]:
    """Turn OS and SQLite failures during ``what`` into one-line user errors."""
    try:
        yield
    except MockauditError:
        raise
    except OSError as exc:
        raise fsio.describe_os_error(exc, what) from None
    except db.DatabaseError as exc:
        text = str(exc).lower()
        if "full" in text:
            raise DiskFullError(f"disk full while {what}; nothing was half-written") from None
        if "locked" in text or "busy" in text:
            raise InputError(f"the vault is busy while {what}; retry in a moment") from None
        if "disk i/o error" in text:  # the OS refused a read or write; SQLite rolled back
            raise InputError(
                f"disk I/O error while {what}; nothing was half-written, check the disk and retry"
            ) from None
        raise IntegrityError(
            f"vault.db is damaged ({type(exc).__name__} while {what}); run 'mockaudit vault "
            "verify' to list the damaged pages, then restore vault.db from your backup"
        ) from None


@dataclass(frozen=True)
class EvidenceDetail:
    info: EvidenceInfo
    history: list[CustodyEvent]


class Session:
    """One unlocked vault and the operations a user can run on it."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault

    # ----- lifecycle -----

    @classmethod
    def create(cls, folder: Path, passphrase: str, *, kdf: KdfParams | None = None) -> Session:
        with translated(f"creating the vault at {folder}"):
            return cls(Vault.create(Path(folder), passphrase, kdf=kdf))

    @classmethod
    def open(cls, folder: Path, passphrase: str, *, write: bool = True) -> Session:
        with translated(f"opening the vault at {folder}"):
            return cls(Vault.open(Path(folder), passphrase, write=write))

    def close(self) -> None:
        self.vault.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----- evidence -----

    def add_evidence(
        self,
        paths: list[Path],
        *,
        control: str | None = None,
        population: str | None = None,
        item: str | None = None,
        progress: Progress | None = None,
    ) -> list[AddResult]:
        if (population is None) != (item is None):
            raise InputError("--population and --item go together")
        files = [_readable_file(Path(p)) for p in paths]
        link = Link(control or "", population or "", item or "")
        total = sum(f.stat().st_size for f in files)
        items = [Incoming.file(path, link=link) for path in files]

        def tick(done: int) -> None:
            if progress:
                progress(done, total)

        with translated(f"adding {len(files)} file(s)"):
            return self.vault.add_many(items, progress=tick)

    def list_evidence(
        self, *, control: str | None = None, search: str | None = None
    ) -> list[EvidenceInfo]:
        with translated("listing evidence"):
            return self.vault.list_evidence(control=control, search=search)

    def evidence_detail(self, evidence_id: str) -> EvidenceDetail:
        with translated(f"reading {evidence_id}"):
            info = self.vault.get_evidence(evidence_id)
            return EvidenceDetail(info, self.vault.custody_history(evidence_id))

    def export_evidence(self, ids: list[str], out_dir: Path) -> list[Path]:
        with translated(f"exporting evidence to {out_dir}"):
            return export_evidence(self.vault, ids, Path(out_dir))

    # ----- integrity -----

    def verify(
        self, *, full: bool = False, against: Path | None = None, progress: Progress | None = None
    ) -> VerifyReport:
        note = None
        if against is not None:
            try:
                note = Path(against).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                raise InputError(f"cannot read checkpoint file {against}") from None
        with translated("verifying the vault"):
            return verify(self.vault, full=full, against=note, progress=progress)

    def checkpoint(self, out: Path) -> str:
        """Sign the custody log's current state and write it to ``out`` (kept outside the vault)."""
        out = Path(out)
        with translated(f"writing the checkpoint to {out}"):
            return self.vault.checkpoint(out)  # the file is written before the commit

    def change_passphrase(self, new_passphrase: str) -> None:
        with translated("changing the passphrase"):
            self.vault.change_passphrase(new_passphrase)

    # ----- program -----

    def import_scenario(self, folder: Path, progress: ImportProgress | None = None) -> ImportReport:
        """Load a scenario folder (strictly) and store it in the vault, idempotently."""
        with translated(f"importing {folder}"):
            return import_scenario(self.vault, Path(folder), progress)

    def import_population(
        self,
        population: str,
        *,
        file: Path | None = None,
        git_repo: Path | None = None,
        branch: str = "main",
        progress: ImportProgress | None = None,
    ) -> PopulationImport:
        """Replace one population from a CSV/JSON export or a git first-parent history."""
        with translated(f"importing population {population}"):
            return import_population(
                self.vault,
                population,
                file=file,
                git_repo=git_repo,
                branch=branch,
                progress=progress,
            )

    def program(self) -> Program:
        with translated("reading the program"):
            return program_store.load_program(self.vault.conn)

    def program_history(self) -> list[tuple[int, str, str, list[str]]]:
        with translated("reading the program history"):
            return program_store.program_history(self.vault.conn)

    def export_program(self, folder: Path) -> int:
        """Write the stored program back out as a scenario folder; return files written."""
        with translated(f"exporting the program to {folder}"):
            return export_program(self.vault, Path(folder))

    def populations(self) -> list[PopulationTable]:
        """Every imported population: id, columns, row count, source."""
        with translated("listing populations"):
            return all_tables(self.vault.conn)

    def population_page(
        self, population: str, offset: int, limit: int = 100
    ) -> list[PopulationRow]:
        """A window of rows for browsing (1M rows are never loaded at once)."""
        with translated(f"reading population {population}"):
            table = get_table(self.vault.conn, population)
            if table is None:
                raise InputError(f"population {population} has not been imported")
            return population_queries.page(self.vault.conn, table, max(0, offset), limit)

    def source(self) -> VaultSource:
        """What the fieldwork engine reads: the program and its populations, via SQL."""
        return VaultSource(self.vault)

    # ----- audit -----

    def run_audit(
        self, *, seed: int | None = None, as_of: date | None = None, window_months: int = 6
    ) -> Run:
        """Play the mock audit on the vault's program and store the run (with its seed)."""
        from mockaudit import auditing  # the engine loads only when an audit runs

        with translated("running the mock audit"):
            return auditing.audit_vault(
                self.vault, seed=seed, as_of=as_of, window_months=window_months
            )

    def run(self, run_id: str | None = None) -> Run:
        """A stored run (the latest when ``run_id`` is None)."""
        with translated("reading a stored run"):
            return program_store.load_run(self.vault.conn, run_id)

    def runs(self) -> list[tuple[str, int, str, int]]:
        with translated("listing runs"):
            return program_store.list_runs(self.vault.conn)

    def facts(self) -> dict[str, str]:
        with translated("reading vault facts"):
            facts = self.vault.meta()
            facts["custody_events"] = str(self.vault.tree_size())
            facts["verifier_key"] = self.vault.verifier_key()
            return facts

    # ----- exports: findings (csv|json|md|xlsx, html|oscal delegated) and the request list -----
    # Added for issue 5 (tabular exports). Formats are dispatched through
    # mockaudit.export.formats; html and oscal go to mockaudit.export.report_html.write_html
    # and mockaudit.export.oscal.write_oscal once those modules exist.

    def export_findings(
        self, format: str, out: Path, run_id: str | None = None, *, bom: bool = False
    ) -> Run:
        """Write the findings of a stored run (the latest by default) as ``format`` to ``out``.

        The run is exported with the program version it audited, so a report made
        today of last month's run still names last month's controls and owners.
        Returns the run exported.
        """
        from mockaudit.export import formats

        writer = formats.findings_writer(format)  # an unknown format fails before any read
        run = self.run(run_id)
        program = self._program_of(run)
        evidence = self.list_evidence() if writer.evidence else []
        with translated(f"writing {out}"):
            formats.write_findings(run, program, format, Path(out), evidence=evidence, bom=bom)
        return run

    def export_requests(
        self, format: str, out: Path, run_id: str | None = None, *, bom: bool = False
    ) -> Run:
        """Write the request (PBC) list of a stored run (the latest by default) to ``out``."""
        from mockaudit.export import formats

        formats.request_writer(format)
        run = self.run(run_id)
        with translated(f"writing {out}"):
            formats.write_requests(run, format, Path(out), bom=bom)
        return run

    def _program_of(self, run: Run) -> Program:
        with translated("reading the program"):
            return program_store.load_program(self.vault.conn, run.program_version or None)


def audit_folder(
    folder: Path, *, seed: int | None = None, as_of: date | None = None, window_months: int = 6
) -> Run:
    """Audit a scenario folder through a throwaway vault (nothing else is touched)."""
    from mockaudit import auditing

    with translated(f"auditing {folder}"):
        return auditing.audit_folder(
            Path(folder), seed=seed, as_of=as_of, window_months=window_months
        )


def generate_scenario(
    out: Path,
    *,
    seed: int,
    size: str = "small",
    defects: float = 0.0,
    categories: list[str] | None = None,
) -> GenerationReport:
    """Write a synthetic scenario folder plus ``truth.json`` (what was planted)."""
    from mockaudit.scenarios.generator import generate_scenario as generate

    with translated(f"generating a scenario in {out}"):
        return generate(Path(out), seed=seed, size=size, defects=defects, categories=categories)


def create_vault(folder: Path, passphrase: str, *, kdf: KdfParams | None = None) -> None:
    Session.create(folder, passphrase, kdf=kdf).close()


def _readable_file(path: Path) -> Path:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if not path.is_file():
        raise InputError(f"{path}: not a regular file")
    if not os.access(path, os.R_OK):
        raise InputError(f"{path}: permission denied")
    return path
