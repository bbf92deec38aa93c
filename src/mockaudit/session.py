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
from mockaudit.domain.native_import import FormatInfo, GitOptions, NativeImport
from mockaudit.domain.observations import PopulationRow
from mockaudit.domain.run import Run
from mockaudit.domain.starter import StarterOptions, StarterReport
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
    # mockaudit.export.formats. html and oscal go to the Session methods export_report /
    # export_oscal when they exist (they add the signed checkpoint and evidence), else to
    # mockaudit.export.report_html.write_html / mockaudit.export.oscal.write_oscal.

    _DELEGATED_EXPORTS = {"html": "export_report", "oscal": "export_oscal"}

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
        delegate = getattr(self, self._DELEGATED_EXPORTS.get(format.lower(), ""), None)
        if delegate is not None:
            exported: Run = delegate(Path(out), run_id)
            return exported
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

    # ----- request responses: the client's answers in the fieldwork inbox -----
    # Added for issue 6 (TUI fieldwork screen). Stored in request_responses (migration
    # 0003); one answer per (run, request), a later answer replaces the earlier one.

    def respond_to_request(
        self,
        run_id: str,
        code: str,
        status: str,
        evidence_ids: list[str],
        note: str = "",
    ) -> RequestResponse:
        """Answer request ``code`` of a stored run: attach vault evidence, or say it does not
        exist. Each attached file gets an ``annotated`` custody event naming the request."""
        import json

        from mockaudit.vault import custody

        if status not in RESPONSE_STATUSES:
            raise InputError(
                f"request status must be one of {', '.join(sorted(RESPONSE_STATUSES))}, "
                f"got {status!r}"
            )
        run = self.run(run_id)
        if all(r.code != code for r in run.requests):
            raise InputError(f"run {run.id} has no request {code}")
        ids = list(dict.fromkeys(evidence_ids))
        if status != "not_available" and not ids:
            raise InputError(f"{code}: attach at least one evidence file, or mark it not available")
        stamp = custody.now_utc().isoformat(timespec="seconds")
        answer = RequestResponse(run.id, code, status, tuple(ids), " ".join(note.split()), stamp)
        with translated(f"answering {code}"), self.vault.mutex, db.atomic(self.vault.conn):
            for evidence_id in ids:
                self.vault.get_evidence(evidence_id)  # InputError naming an unknown id
            self.vault.conn.execute(
                "INSERT INTO request_responses (run_id, code, status, evidence_ids, note, "
                "responded_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(run_id, code) DO UPDATE "
                "SET status = excluded.status, evidence_ids = excluded.evidence_ids, "
                "note = excluded.note, responded_at = excluded.responded_at",
                (run.id, code, status, json.dumps(ids), answer.note, stamp),
            )
            for evidence_id in ids:
                custody.append(
                    self.vault.conn,
                    "annotated",
                    evidence_id=evidence_id,
                    purpose=f"answers {code} of {run.id}",
                    run_id=run.id,
                    request=code,
                )
        return answer

    def responses(self, run_id: str) -> dict[str, RequestResponse]:
        """The answers recorded for a run's requests, by request code."""
        import json

        with translated("reading request answers"):
            rows = self.vault.conn.execute(
                "SELECT run_id, code, status, evidence_ids, note, responded_at "
                "FROM request_responses WHERE run_id = ? ORDER BY code",
                (run_id,),
            ).fetchall()
        return {
            str(code): RequestResponse(
                str(rid), str(code), str(status), tuple(json.loads(ids)), str(note), str(at)
            )
            for rid, code, status, ids, note, at in rows
        }

    # ----- exports: mock SOC 2 report (html), OSCAL, evidence package (issue 5) -----
    # The report embeds a freshly signed custody checkpoint; the package records one
    # "exported" custody event per file, then signs a checkpoint that it carries.

    def export_report(self, out: Path, run_id: str | None = None) -> Run:
        """Write the mock SOC 2 report (one HTML file) of a stored run, latest by default."""
        from mockaudit.export.report_html import write_html

        run = self.run(run_id)
        program = self._program_of(run)
        out = Path(out)
        with translated(f"writing the report to {out}"):
            note = (
                self.vault.checkpoint() if self.vault.writable else self.vault.latest_checkpoint()
            )
            write_html(run, program, out, checkpoint=note)
        return run

    def export_oscal(self, out: Path, run_id: str | None = None) -> Run:
        """Write OSCAL assessment results of a stored run, with the vault's evidence hashes."""
        from mockaudit.export.oscal import write_oscal

        run = self.run(run_id)
        program = self._program_of(run)
        evidence = self.list_evidence()
        out = Path(out)
        with translated(f"writing OSCAL to {out}"):
            write_oscal(run, program, out, evidence)
        return run

    def write_package(self, out: Path, run_id: str | None = None) -> PackageReport:
        """Write the evidence package (ZIP) of a stored run; see export/package.py."""
        from mockaudit.export.package import write_package

        run = self.run(run_id)
        out = Path(out)
        with translated(f"writing the evidence package {out}"):
            return write_package(self.vault, run, out)

    # ----- walkthrough rehearsal (issue 7: fieldwork/walkthrough.py) -----
    # The rehearsal itself is pure (no files, no DB): these methods gather its VaultFacts,
    # and store each result as an encrypted transcript blob (custody event "transcript",
    # linked to the control) plus a row in ``walkthroughs`` (migration 0004).

    def walkthrough_facts(self, *, as_of: date | None = None) -> VaultFacts:
        """The program and every evidence item with its links, item dates and custody date."""
        from mockaudit.fieldwork.walkthrough import VaultFacts

        with translated("gathering the walkthrough facts"):
            program = program_store.load_program(self.vault.conn)
            infos = self.vault.list_evidence()
            days = _walkthrough_item_days(self.vault.conn, infos)
        evidence = tuple(_walkthrough_evidence(info, days) for info in infos)
        return VaultFacts(program, evidence, as_of or _walkthrough_today())

    def walkthrough_controls(self, owner: str) -> list[str]:
        """The ids of the controls ``owner`` (a person id) owns, in program order."""
        program = self.program()
        ids = [c.id for c in program.controls if c.owner == owner]
        if not ids:
            owners = sorted({c.owner for c in program.controls if c.owner})
            raise InputError(f"{owner!r} owns no control (owners: {', '.join(owners) or 'none'})")
        return ids

    def walkthrough_start(self, control_id: str, *, as_of: date | None = None) -> Rehearsal:
        """A new rehearsal of one control; ask ``rehearsal.question`` and ``answer`` it."""
        from mockaudit.fieldwork.walkthrough import Rehearsal

        facts = self.walkthrough_facts(as_of=as_of)
        return Rehearsal.start(_walkthrough_control(facts, control_id), facts.program, facts)

    def rehearse(
        self,
        control_id: str,
        answers: Mapping[str, str],
        shown_evidence: str | None = None,
        *,
        as_of: date | None = None,
    ) -> WalkthroughResult:
        """The headless rehearsal: answers by question id, then the evidence shown (an id,
        or a stored name such as ``evidence/incidents/INC-0431-postmortem.md``). Not saved."""
        from mockaudit.fieldwork.walkthrough import rehearse

        facts = self.walkthrough_facts(as_of=as_of)
        control = _walkthrough_control(facts, control_id)
        shown = _walkthrough_shown(facts, control.id, shown_evidence)
        return rehearse(control, facts.program, facts, answers, shown)

    def save_walkthrough(self, result: WalkthroughResult) -> WalkthroughResult:
        """Store the transcript encrypted in the vault and list it; returns it with its id."""
        import io
        import json

        with translated(f"saving the walkthrough of {result.control_id}"):
            # Vault.transaction: a failure after the transcript blob was written removes
            # the blob at once, as after a failed import (not only at the next open).
            with self.vault.transaction() as conn:
                row = conn.execute("SELECT max(walkthrough_id) FROM walkthroughs").fetchone()
                number = int(str(row[0]).rsplit("-", 1)[1]) + 1 if row and row[0] else 1
                stored = result.model_copy(update={"walkthrough_id": f"WT-{number:06d}"})
                data = stored.model_dump_json(indent=2).encode("utf-8")
                added = self.vault.add_stream(
                    io.BytesIO(data),
                    f"walkthroughs/{stored.walkthrough_id}-{result.control_id}.json",
                    link=Link(control_id=result.control_id),
                    source=f"walkthrough rehearsal {stored.walkthrough_id}",
                    event="transcript",
                )
                conn.execute(
                    "INSERT INTO walkthroughs (walkthrough_id, control_id, owner, started_at, "
                    "evidence_id, score, summary) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        stored.walkthrough_id,
                        stored.control_id,
                        stored.owner,
                        stored.started_at,
                        added.evidence_id,
                        stored.score,
                        json.dumps(stored.summary(), sort_keys=True),
                    ),
                )
        return stored

    def walkthroughs(self, owner: str | None = None) -> list[WalkthroughRecord]:
        """Stored rehearsals, oldest first; only ``owner``'s with an owner."""
        import json

        from mockaudit.fieldwork.walkthrough import WalkthroughRecord

        sql = (
            "SELECT walkthrough_id, control_id, owner, started_at, evidence_id, score, summary "
            "FROM walkthroughs"
        )
        args: tuple[str, ...] = ()
        if owner is not None:
            sql, args = sql + " WHERE owner = ?", (owner,)
        with translated("listing walkthroughs"):
            rows = self.vault.conn.execute(sql + " ORDER BY started_at, walkthrough_id", args)
            records = []
            for wid, control, who, started, evidence, score, summary in rows.fetchall():
                facts = json.loads(summary)
                records.append(
                    WalkthroughRecord(
                        walkthrough_id=str(wid),
                        control_id=str(control),
                        owner=who,
                        started_at=str(started),
                        evidence_id=evidence,
                        score=float(score),
                        divergences=tuple(facts.get("divergences", ())),
                        evasions=tuple(facts.get("evasions", ())),
                        corroborated=bool(facts.get("corroborated", False)),
                    )
                )
        return records

    def walkthrough(self, walkthrough_id: str) -> WalkthroughResult:
        """A stored rehearsal, decrypted from its transcript blob."""
        from mockaudit.fieldwork.walkthrough import WalkthroughResult

        with translated(f"reading walkthrough {walkthrough_id}"):
            row = self.vault.conn.execute(
                "SELECT evidence_id FROM walkthroughs WHERE walkthrough_id = ?", (walkthrough_id,)
            ).fetchone()
            if row is None:
                raise InputError(f"no walkthrough with id {walkthrough_id}")
            data = b"".join(self.vault.read_chunks(str(row[0])))
        try:
            return WalkthroughResult.model_validate_json(data)
        except ValueError:
            raise IntegrityError(
                f"the transcript {row[0]} of {walkthrough_id} is not a walkthrough transcript"
            ) from None

    def owner_readiness(self) -> list[OwnerReadiness]:
        """Per control owner: latest rehearsal of each control they own, rolled up."""
        from mockaudit.fieldwork.walkthrough import owner_readiness

        return owner_readiness(self.program(), self.walkthroughs())

    def export_walkthrough_markdown(self, walkthrough_id: str, out: Path) -> Path:
        """Write a stored rehearsal as Markdown for the owner to study (custody: exported)."""
        from mockaudit.export.output import write_export
        from mockaudit.fieldwork.walkthrough import transcript_markdown

        result = self.walkthrough(walkthrough_id)
        out = Path(out)
        with translated(f"writing {out}"):
            # The custody event commits before the decrypted copy appears: a failure in
            # between over-states the exports, never leaves a copy without its event.
            evidence_id = self._walkthrough_evidence_id(walkthrough_id)
            if self.vault.writable and evidence_id:
                self.vault.record_export(evidence_id, str(out), "walkthrough transcript (md)")
            write_export(out, transcript_markdown(result).encode("utf-8"))  # sweeps old temps
        return out

    def _walkthrough_evidence_id(self, walkthrough_id: str) -> str | None:
        row = self.vault.conn.execute(
            "SELECT evidence_id FROM walkthroughs WHERE walkthrough_id = ?", (walkthrough_id,)
        ).fetchone()
        return str(row[0]) if row and row[0] else None


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


def _readable_file(path: Path) -> Path:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if not path.is_file():
        raise InputError(f"{path}: not a regular file")
    if not os.access(path, os.R_OK):
        raise InputError(f"{path}: permission denied")
    return path


# ----- request responses (issue 6) -----

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


# ----- evidence packages (issue 5): checked without a vault or passphrase -----

if TYPE_CHECKING:
    from mockaudit.export.package import PackageCheck, PackageReport


def verify_package(path: Path) -> PackageCheck:
    """Check an evidence package: every hash, the manifest binding and the signature."""
    from mockaudit.export.package_check import verify_package as check

    with translated(f"verifying {path}"):
        return check(Path(path))


# ----- walkthrough rehearsal (issue 7): gathering facts for fieldwork/walkthrough.py -----

if TYPE_CHECKING:
    from collections.abc import Mapping

    from mockaudit.domain import Control
    from mockaudit.fieldwork.walkthrough import (
        EvidenceFact,
        OwnerReadiness,
        Rehearsal,
        VaultFacts,
        WalkthroughRecord,
        WalkthroughResult,
    )
    from mockaudit.vault.db import Connection


def _walkthrough_today() -> date:
    from datetime import UTC, datetime

    return datetime.now(UTC).date()


def _walkthrough_item_days(
    conn: Connection, infos: list[EvidenceInfo]
) -> dict[tuple[str, str], date]:
    """The population date of every item some evidence is linked to, by (population, key)."""
    wanted: dict[str, set[str]] = {}
    for info in infos:
        for link in info.links:
            if link.population_id and link.item_key:
                wanted.setdefault(link.population_id, set()).add(link.item_key)
    days: dict[tuple[str, str], date] = {}
    for population, keys in wanted.items():
        table = get_table(conn, population)
        if table is None:
            continue
        ordered = sorted(keys)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            sql = f'SELECT _key, _day FROM "{table.table}" WHERE _key IN ({marks})'
            for key, day in conn.execute(sql, chunk).fetchall():
                if day:
                    days[(population, str(key))] = date.fromisoformat(str(day))
    return days


def _walkthrough_evidence(info: EvidenceInfo, days: dict[tuple[str, str], date]) -> EvidenceFact:
    from datetime import datetime

    from mockaudit.fieldwork.walkthrough import EvidenceFact, EvidenceLink

    links = tuple(
        EvidenceLink(
            control=link.control_id,
            population=link.population_id,
            item=link.item_key,
            item_date=days.get((link.population_id, link.item_key)),
        )
        for link in info.links
    )
    collected = datetime.fromisoformat(info.added_at).date()
    return EvidenceFact(info.evidence_id, info.original_name, collected, links)


def _walkthrough_control(facts: VaultFacts, control_id: str) -> Control:
    control = facts.program.control(control_id)
    if control is None:
        known = ", ".join(c.id for c in facts.program.controls) or "none"
        raise InputError(f"the program has no control {control_id!r} (controls: {known})")
    return control


def _walkthrough_shown(facts: VaultFacts, control_id: str, shown: str | None) -> str | None:
    """An evidence id as given, or the id of the one stored item with that name."""
    if not shown or not shown.strip():
        return None
    shown = shown.strip()
    if any(f.evidence_id == shown for f in facts.evidence):
        return shown
    named = [f for f in facts.evidence if f.name == shown or f.name.endswith("/" + shown)]
    if len(named) > 1:
        linked = [f for f in named if any(link.control == control_id for link in f.links)]
        named = linked or named
    if len(named) > 1:
        ids = ", ".join(f.evidence_id for f in named[:5])
        raise InputError(f"shown_evidence {shown!r} matches {len(named)} items ({ids}); give an id")
    return named[0].evidence_id if named else shown
