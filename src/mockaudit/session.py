"""The façade the CLI and the TUI both call. No business rule lives above this line.

A ``Session`` wraps one open vault. Every method returns plain results or raises
a ``mockaudit.errors`` exception with a one-line message; OS and database errors
are translated here so no caller ever sees a traceback-shaped failure.

The faces (cli/, tui/) import only this module, ``mockaudit.domain`` and
``mockaudit.errors`` (an import-linter contract holds them to it). ``Session`` gathers
the use cases of session_walkthrough.py and session_exports.py over session_base.py;
the functions at the bottom need no unlocked vault (a throwaway audit, the generator,
package checks, run comparison, the findings JSON of any run).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from mockaudit import fsio
from mockaudit.domain import Finding
from mockaudit.domain.comparison import Comparison
from mockaudit.domain.evidence import EvidenceInfo, Link
from mockaudit.domain.members import Member as Member
from mockaudit.domain.native_import import FormatInfo, GitOptions, NativeImport
from mockaudit.domain.observations import PopulationRow
from mockaudit.domain.population_table import PopulationTable
from mockaudit.domain.progress import StageProgress as StageProgress
from mockaudit.domain.progress import quiet
from mockaudit.domain.responses import RequestResponse as RequestResponse
from mockaudit.domain.run import Run
from mockaudit.domain.starter import StarterOptions, StarterReport
from mockaudit.errors import InputError, WrongPassphraseError
from mockaudit.export.formats import FINDINGS_FORMATS as FINDINGS_FORMATS
from mockaudit.export.formats import REQUEST_FORMATS as REQUEST_FORMATS
from mockaudit.services import importer
from mockaudit.services.importer import (
    ImportReport,
    PopulationImport,
    import_population,
    import_scenario,
)
from mockaudit.services.program_export import export_program
from mockaudit.session_base import Progress
from mockaudit.session_base import translated as translated
from mockaudit.session_exports import ExportSession
from mockaudit.session_members import MemberSession, member_hint, resolve_member
from mockaudit.session_walkthrough import WalkthroughSession
from mockaudit.vault import db, population_lookup, population_queries, program_store
from mockaudit.vault.custody import CONTENT_EVENTS, CustodyEvent
from mockaudit.vault.evidence_export import export_evidence
from mockaudit.vault.ingest import AddResult, Incoming
from mockaudit.vault.keyfile import OWNER, OWNER_DISPLAY
from mockaudit.vault.keyfile import KdfParams as KdfParams
from mockaudit.vault.population_store import all_tables, get_table
from mockaudit.vault.program_source import VaultSource
from mockaudit.vault.store import Vault
from mockaudit.vault.verify import VerifyReport, verify

if TYPE_CHECKING:  # these load only when used: the generator pulls in Faker
    from mockaudit.fieldwork.walkthrough.rehearsal import Rehearsal as Rehearsal
    from mockaudit.scenarios.synthetic.generator import GenerationReport
    from mockaudit.services.package import PackageCheck


ImportProgress = importer.Progress  # (stage, done, total; total 0 = unknown)


@dataclass(frozen=True)
class EvidenceDetail:
    info: EvidenceInfo
    history: list[CustodyEvent]

    @property
    def collected_by(self) -> str:
        """ "collected by Dana Lee (member dana) on 2026-12-06" from the custody event that
        brought the item in."""
        first = next((e for e in self.history if e.event in CONTENT_EVENTS), None)
        return first.collected_line if first else "no collection event recorded"


class Session(WalkthroughSession, ExportSession, MemberSession):
    """One unlocked vault and the operations a user can run on it."""

    # ----- lifecycle -----

    @classmethod
    def create(
        cls,
        folder: Path,
        passphrase: str,
        *,
        kdf: KdfParams | None = None,
        member: str | None = None,
        display: str | None = None,
    ) -> Session:
        """A new vault whose first member is ``member`` (default ``owner``)."""
        member_id = member or OWNER
        name = display or (OWNER_DISPLAY if member_id == OWNER else member_id)
        with translated(f"creating the vault at {folder}"):
            session = cls(
                Vault.create(Path(folder), passphrase, kdf=kdf, member=member_id, display=name)
            )
        session.remember_member()
        return session

    @classmethod
    def open(
        cls,
        folder: Path,
        passphrase: str,
        *,
        write: bool = True,
        member: str | None = None,
        recovery: bool = False,
        setting_passphrase: bool = False,
    ) -> Session:
        """Unlock as ``member`` (else $MOCKAUDIT_MEMBER, else the one remembered for this
        vault, else its only member): exactly one Argon2id derivation. A recovery code
        (``recovery``) or an enrolment code opens only with ``setting_passphrase``."""
        who = None if recovery else resolve_member(Path(folder), member)
        try:
            with translated(f"opening the vault at {folder}"):
                vault = Vault.open(
                    Path(folder),
                    passphrase,
                    write=write,
                    member=who,
                    recovery=recovery,
                    setting_passphrase=setting_passphrase,
                )
        except WrongPassphraseError as exc:
            implied = member_hint(member, who)
            if implied is None:
                raise
            raise WrongPassphraseError(f"{exc.message} ({implied})") from None
        session = cls(vault)
        session.remember_member()
        return session

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
        self._check_link(control, population, item)
        files = [_readable_file(Path(p)) for p in paths]
        link = Link(control or "", population or "", item or "")
        total = sum(f.stat().st_size for f in files)
        items = [Incoming.file(path, link=link) for path in files]

        def tick(done: int) -> None:
            if progress:
                progress(done, total)

        with translated(f"adding {len(files)} file(s)"):
            return self.vault.add_many(items, progress=tick)

    def _check_link(self, control: str | None, population: str | None, item: str | None) -> None:
        """A link names a control, population and item that exist (a typo would leave the
        evidence linked to nothing the auditor asks for). Evidence collected before any
        program is imported keeps its link unchecked: there is nothing to check it against."""
        if (not control and not population) or not self.program_history():
            return
        with translated("checking the evidence link"):
            program = program_store.load_program(self.vault.conn)
            if control and program.control(control) is None:
                ids = [c.id for c in program.controls]
                known = ", ".join(ids[:8]) + (f", … {len(ids)} in all" if len(ids) > 8 else "")
                raise InputError(f"the program has no control {control!r} ({known})")
            if not population or not item:
                return
            table = get_table(self.vault.conn, population)
            if table is None:
                raise InputError(f"no population {population!r} is imported")
            if not population_lookup.has_item(self.vault.conn, table, item):
                raise InputError(f"population {population!r} has no item {item!r}")

    def add_evidence_for_request(
        self, paths: list[Path], code: str, *, run_id: str | None = None
    ) -> list[AddResult]:
        """Add files that answer request ``code`` of a run (the latest by default).

        A standard §4 item the program does not model is filed at ``pbc/<item>``,
        so every later audit finds it answered.
        """
        run = self.run(run_id)
        request = next((r for r in run.requests if r.code == code), None)
        if request is None:
            raise InputError(f"run {run.id} has no request {code}")
        results = self.add_evidence(paths)
        ids = [r.evidence_id for r in results]
        if request.standard is not None:
            with translated(f"filing {code}"), self.vault.mutex, db.atomic(self.vault.conn):
                program_store.map_files(self.vault.conn, [(f"pbc/{request.standard}", ids[0])])
        self.respond_to_request(run.id, code, "provided", ids)
        return results

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
            out.parent.mkdir(parents=True, exist_ok=True)  # ~/checkpoints/x.txt: made here
            return self.vault.checkpoint(out)  # the file is written before the commit

    def change_passphrase(self, new_passphrase: str) -> None:
        with translated("changing the passphrase"):
            self.vault.change_passphrase(new_passphrase)

    def rekey(self, passphrase: str) -> int:
        """Rotate the master key (the current passphrase proves the caller); new key epoch."""
        with translated("rotating the master key"):
            return self.vault.rekey(passphrase)

    def purge_quarantine(self) -> tuple[int, int]:
        """Delete the blob files in quarantine/ for good; (files, bytes) removed."""
        with translated("purging quarantine/"):
            return self.vault.purge_quarantine()

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
        native: NativeImport | None = None,
        git: GitOptions | None = None,
    ) -> PopulationImport:
        """Replace one population from a CSV/JSON export, a vendor export or a git history."""
        with translated(f"importing population {population}"):
            return import_population(
                self.vault,
                population,
                file=file,
                git_repo=git_repo,
                branch=branch,
                progress=progress,
                native=native,
                git=git,
            )

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
        self,
        *,
        seed: int | None = None,
        as_of: date | None = None,
        window_months: int = 6,
        progress: StageProgress | None = None,
    ) -> Run:
        """Play the mock audit on the vault's program and store the run (with its seed);
        remediated findings the run no longer reports are marked "retest passed".
        ``progress`` hears (stage, done, total) as populations and controls are done."""
        from mockaudit.services import auditing  # the engine loads only when an audit runs

        with translated("running the mock audit"):
            return auditing.audit_vault(
                self.vault,
                seed=seed,
                as_of=as_of,
                window_months=window_months,
                after_store=self.close_retested,  # in the run's own transaction
                progress=progress or quiet,
            )

    def runs(self) -> list[tuple[str, int, str, int]]:
        with translated("listing runs"):
            return program_store.list_runs(self.vault.conn)

    def facts(self) -> dict[str, str]:
        with translated("reading vault facts"):
            facts = self.vault.meta()
            facts["custody_events"] = str(self.vault.tree_size())
            facts["verifier_key"] = self.vault.verifier_key()
            facts["key_id"] = self.vault.key_id()
            return facts


def audit_folder(
    folder: Path,
    *,
    seed: int | None = None,
    as_of: date | None = None,
    window_months: int = 6,
    progress: StageProgress | None = None,
) -> Run:
    """Audit a scenario folder through a throwaway vault (nothing else is touched)."""
    from mockaudit.services import auditing

    with translated(f"auditing {folder}"):
        return auditing.audit_folder(
            Path(folder),
            seed=seed,
            as_of=as_of,
            window_months=window_months,
            progress=progress or quiet,
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
    from mockaudit.scenarios.synthetic.generator import generate_scenario as generate

    with translated(f"generating a scenario in {out}"):
        return generate(Path(out), seed=seed, size=size, defects=defects, categories=categories)


def new_from_reference(folder: Path, options: StarterOptions) -> StarterReport:
    """Write a starter program from the reference set into a new folder (no vault needed)."""
    from mockaudit.scenarios.starter import write_starter

    with translated(f"writing a starter program in {folder}"):
        return write_starter(Path(folder), options)


def population_formats() -> list[FormatInfo]:
    """The native import formats, with the export command for each."""
    from mockaudit.scenarios.formats.registry import FORMATS

    return [FormatInfo(f.name, f.title, f.kind, f.export) for f in FORMATS.values()]


def create_vault(folder: Path, passphrase: str, *, kdf: KdfParams | None = None) -> None:
    Session.create(folder, passphrase, kdf=kdf).close()


def verify_package(path: Path, key: str | None = None) -> PackageCheck:
    """Check an evidence package: every hash, the manifest binding and the signature.

    ``key`` pins the expected signer: a verifier key, a file holding one (the
    package's own verifier-key.txt from a trusted copy, say), or a key ID of at least
    16 hex digits as ``vault checkpoint`` prints it.
    """
    from mockaudit.export.package_check import parse_pin
    from mockaudit.export.package_check import verify_package as check

    pin = parse_pin(_pin_text(key)) if key is not None else None
    with translated(f"verifying {path}"):
        return check(Path(path), pin)


def _pin_text(key: str) -> str:
    """``--key`` names a file (read, at most 64 KiB) or is the key / key ID itself."""
    candidate = Path(key)
    if "+" not in key and candidate.is_file():
        try:
            with candidate.open("rb") as fh:
                return fh.read(64 * 1024).decode("utf-8").strip()
        except (OSError, UnicodeDecodeError):
            raise InputError(f"--key: cannot read {key}") from None
    return key


def compare_runs(previous: Sequence[Finding], current: Sequence[Finding]) -> Comparison:
    """Findings fixed since, new since, and still open — matched on what they are about."""
    from mockaudit.readiness.compare import compare

    return compare(previous, current)


def findings_from_file(path: Path) -> list[Finding]:
    """The findings of a ``mockaudit.findings/1`` document (a previous --json output)."""
    from mockaudit.services.auditing import findings_from_json

    return findings_from_json(Path(path))


def write_findings_json(run: Run, out: Path) -> None:
    """Write the findings of ``run`` (stored or not) as ``mockaudit.findings/1`` to ``out``."""
    from mockaudit.export.findings_json import findings_document

    text = json.dumps(findings_document(run), indent=2, ensure_ascii=False) + "\n"
    with translated(f"writing {out}"):
        fsio.atomic_write_bytes(Path(out), text.encode("utf-8"))


def _readable_file(path: Path) -> Path:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if not path.is_file():
        raise InputError(f"{path}: not a regular file")
    if not os.access(path, os.R_OK):
        raise InputError(f"{path}: permission denied")
    return path
