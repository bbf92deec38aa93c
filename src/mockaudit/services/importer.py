"""``mockaudit import DIR``: a scenario folder into the vault, idempotently.

Order (nothing half-imported is ever visible):
1. load and validate the whole folder (scenarios.loader) before touching the vault;
2. then one transaction (``Vault.transaction``) holding:
   a. every file the program names — population CSVs (IPE evidence in their own
      right), policy files, count screenshots, control and per-row evidence — as
      encrypted blobs with custody events, skipping files already stored unchanged;
   b. the program version (if it changed), the path → evidence map, and the rows of
      every population whose source changed.
A failure anywhere (disk full in the middle of a million-row population, say) rolls
back the evidence rows and their custody events too and removes the blobs written,
so a failed import leaves the vault exactly as it was and its retry records each
file once.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, nullcontext
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import BinaryIO

from mockaudit.domain import Population, Program
from mockaudit.domain.evidence import Link
from mockaudit.domain.native_import import GitOptions, NativeImport
from mockaudit.domain.progress import StageProgress
from mockaudit.domain.reference_controls import POPULATION_KINDS
from mockaudit.errors import InputError, IntegrityError
from mockaudit.scenarios.csv_reader import CsvTable, RowTable, open_csv, row_batches
from mockaudit.scenarios.formats.mapped_csv import parse_mapping
from mockaudit.scenarios.formats.registry import Fill, FormatTable, ImportOptions, format_named
from mockaudit.scenarios.git_changes import GitExtract, write_git_changes
from mockaudit.scenarios.json_reader import open_json_rows
from mockaudit.scenarios.loader import Scenario, load_scenario
from mockaudit.vault import custody, population_feed, population_queries, program_store
from mockaudit.vault.ingest import Incoming
from mockaudit.vault.population_digest import record_rows
from mockaudit.vault.population_store import (
    PopulationTable,
    PreparedRows,
    RowSource,
    get_table,
    replace_population,
)
from mockaudit.vault.row_digest import RowDigest
from mockaudit.vault.store import Vault

Progress = StageProgress  # (stage, done, total; total 0 = unknown)

PARSE_ELSEWHERE_BYTES = 4 * 1024 * 1024
"""CSV files from this size are parsed in a second process while the writer inserts
(``vault.population_feed``); below it starting that process costs more than it saves."""


@dataclass
class PopulationImport:
    population: str
    rows: int
    status: str  # "new" | "replaced" | "unchanged"


@dataclass
class ImportReport:
    program_version: int
    changes: list[str]
    populations: list[PopulationImport] = field(default_factory=list)
    files_stored: int = 0
    files_unchanged: int = 0
    files_missing: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Ref:
    path: str  # as written in the scenario (relative to its folder)
    absolute: Path
    link: Link | None


def import_scenario(vault: Vault, folder: Path, progress: Progress | None = None) -> ImportReport:
    scenario = load_scenario(folder)
    stamp = custody.now_utc().isoformat(timespec="seconds")
    report = ImportReport(0, [])
    with ExitStack() as feeds:
        early = _early_feeds(scenario, feeds)
        with vault.transaction(in_place=True):  # the rows' pages written once
            _import_all(vault, scenario, stamp, report, early, progress)
    return report


def _import_all(
    vault: Vault,
    scenario: Scenario,
    stamp: str,
    report: ImportReport,
    early: dict[str, RowSource],
    progress: Progress | None,
) -> None:
    """The scenario's files, program and rows, inside the caller's transaction."""
    stored = _stored_hashes(vault)
    new_map = _store_files(vault, scenario, stored, report, progress)
    version, changes = program_store.save_program(
        vault.conn, scenario.program, source=str(scenario.root), stamp=stamp
    )
    report.program_version, report.changes = version, changes
    _supersede(vault, new_map)
    program_store.map_files(vault.conn, new_map.items())
    for population in scenario.program.populations:
        report.populations.append(
            _import_rows(vault, scenario, population.id, stored, new_map, stamp, early, progress)
        )


def _early_feeds(scenario: Scenario, stack: ExitStack) -> dict[str, RowSource]:
    """The parsing process of each large CSV population, started before the files are
    stored so that it parses while the writer encrypts the source (one that turns out
    unchanged is stopped unused when ``stack`` closes)."""
    feeds: dict[str, RowSource] = {}
    for population in scenario.program.populations:
        # Decided from the file first: opening a JSON table reads its whole array.
        if not _big_csv(scenario.population_files[population.id]):
            continue
        table = scenario.table(population.id)
        if _parse_elsewhere(table):
            feeds[population.id] = stack.enter_context(
                _row_source(table, population.key, population.date)
            )
    return feeds


def _supersede(vault: Vault, new_map: dict[str, str]) -> None:
    """A path that now holds different content: the old evidence is superseded, never deleted."""
    old = program_store.file_map(vault.conn)
    for path, evidence_id in new_map.items():
        previous = old.get(path)
        if previous is not None and previous != evidence_id:
            custody.append(
                vault.conn, "superseded", evidence_id=previous, superseded_by=evidence_id, path=path
            )


def _stored_hashes(vault: Vault) -> dict[str, str]:
    """path → SHA-256 of what the vault holds for it now."""
    return program_store.file_hashes(vault.conn)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _store_files(
    vault: Vault,
    scenario: Scenario,
    stored: dict[str, str],
    report: ImportReport,
    progress: Progress | None,
) -> dict[str, str]:
    order: list[str] = []

    def incoming() -> Iterator[Incoming]:
        seen: set[str] = set()
        for ref in _references(scenario):
            if not ref.absolute.is_file():
                if ref.path not in seen:
                    report.files_missing.append(ref.path)
                seen.add(ref.path)
                continue
            known = stored.get(ref.path)
            if known is not None and ref.path not in order and known == _sha256(ref.absolute):
                report.files_unchanged += ref.path not in seen
                seen.add(ref.path)
                continue
            seen.add(ref.path)
            order.append(ref.path)
            yield Incoming.file(
                ref.absolute,
                link=ref.link,
                source=f"scenario {scenario.root.name}",
                event="imported",
                name=ref.path,
            )
            if progress:
                progress("files", len(order), 0)

    results = vault.add_many(incoming())
    new_map = {path: result.evidence_id for path, result in zip(order, results, strict=True)}
    for path, result in zip(order, results, strict=True):
        stored[path] = result.sha256  # what the vault now holds for the path
    report.files_stored = len(new_map)
    return new_map


def _references(scenario: Scenario) -> Iterator[_Ref]:
    """Every file the program names, with the control/population/item it supports."""
    program = scenario.program
    root = scenario.root
    for population in program.populations:
        yield _Ref(
            population.file,
            scenario.population_files[population.id],
            Link(population_id=population.id),
        )
        if population.count_evidence:
            yield _Ref(
                population.count_evidence,
                root / population.count_evidence,
                Link(population_id=population.id),
            )
    for policy in program.policies:
        if policy.file:
            yield _Ref(policy.file, root / policy.file, None)
    for control in program.controls:
        for path in control.evidence:
            yield _Ref(
                path, scenario.resolve(path, f"controls {control.id}"), Link(control_id=control.id)
            )
    for population in program.populations:
        if population.evidence_column:
            yield from _row_references(scenario, population.id)


def _row_references(scenario: Scenario, population_id: str) -> Iterator[_Ref]:
    population = scenario.program.population(population_id)
    assert population is not None and population.evidence_column
    table = scenario.table(population_id)
    key_i = table.header.index(population.key)
    ev_i = table.header.index(population.evidence_column)
    for line, cells in table.rows():
        for path in (p.strip() for p in cells[ev_i].split(";")):
            if path:
                where = f"{population.file} line {line}"
                yield _Ref(
                    path,
                    scenario.resolve(path, where),
                    Link(population_id=population_id, item_key=cells[key_i].strip()),
                )


def _import_rows(
    vault: Vault,
    scenario: Scenario,
    population_id: str,
    stored: dict[str, str],
    new_map: dict[str, str],
    stamp: str,
    early: dict[str, RowSource],
    progress: Progress | None,
) -> PopulationImport:
    population = scenario.program.population(population_id)
    assert population is not None
    existing = get_table(vault.conn, population_id)
    sha = stored[population.file]
    same_shape = existing is not None and (existing.key_column, existing.date_column) == (
        population.key,
        population.date,
    )
    if existing is not None and same_shape and existing.source_sha256 == sha:
        return PopulationImport(population_id, existing.row_count, "unchanged")
    table = scenario.table(population_id)
    rows = early.get(population_id)
    done = _store_rows(vault, population, table, sha, population.file, stamp, progress, rows)
    return PopulationImport(population_id, done.row_count, "replaced" if existing else "new")


def current_program(vault: Vault) -> Program:
    return program_store.load_program(vault.conn)


def import_population(
    vault: Vault,
    population_id: str,
    *,
    file: Path | None = None,
    git_repo: Path | None = None,
    branch: str = "main",
    progress: Progress | None = None,
    native: NativeImport | None = None,
    git: GitOptions | None = None,
) -> PopulationImport:
    """Replace one population's rows from a CSV/JSON file or a git first-parent history.

    ``native`` reads FILE as a vendor export (``--as FORMAT``) or a remapped CSV
    (``--map``); the raw export is what the vault stores as evidence.

    The program (imported before) says which columns the population needs; the
    new source must carry them. The source itself is stored as IPE evidence.
    """
    program = program_store.load_program(vault.conn)
    population = program.population(population_id)
    if population is None:
        known = ", ".join(p.id for p in program.populations) or "none"
        raise InputError(f"the program has no population {population_id!r} (known: {known})")
    if (file is None) == (git_repo is None):
        raise InputError("give either a FILE or --from-git REPO")
    with tempfile.TemporaryDirectory(prefix="mockaudit-git-") as scratch:
        opener: Callable[[], AbstractContextManager[BinaryIO]]
        if file is not None:
            table: RowTable = _file_table(file, native, population.id, _hr_fills(vault, native))
            blob_name, opener = file.name, (lambda: open(file, "rb"))
        else:
            assert git_repo is not None
            extract = _git_extract(program, git_repo, branch, git)
            csv_path = Path(scratch) / "changes.csv"
            write_git_changes(extract, csv_path)
            table = open_csv(csv_path, extract.label)
            blob_name = f"git-{git_repo.name}-{branch}.csv"
            opener = lambda: open(csv_path, "rb")  # noqa: E731
        return _replace_rows(vault, program, population_id, table, blob_name, opener, progress)


def _git_extract(program: Program, repo: Path, branch: str, git: GitOptions | None) -> GitExtract:
    """The audit period by default (Type 1: the year to the as-of date), all with --all-history."""
    options = git or GitOptions()
    if options.all_history:
        return GitExtract(repo, branch, None, None, options.reviews)
    engagement = program.engagement
    end = engagement.period_end
    start = engagement.period_start or end - timedelta(days=365)
    return GitExtract(repo, branch, start, end, options.reviews)


def _replace_rows(
    vault: Vault,
    program: Program,
    population_id: str,
    table: RowTable,
    blob_name: str,
    opener: Callable[[], AbstractContextManager[BinaryIO]],
    progress: Progress | None,
) -> PopulationImport:
    population = program.population(population_id)
    assert population is not None
    _require_columns(program, population_id, table.header, table.label)
    stamp = custody.now_utc().isoformat(timespec="seconds")
    item = Incoming(
        opener,
        blob_name,
        Link(population_id=population_id),
        f"population import {table.label}",
        "imported",
    )
    with (
        _row_source(table, population.key, population.date) as rows,  # parsing from now
        vault.transaction(in_place=True),  # the source blob and the rows: both or neither
    ):
        [stored] = vault.add_many([item])
        existing = get_table(vault.conn, population_id)
        program_store.map_files(vault.conn, [(population.file, stored.evidence_id)])
        sha = stored.sha256
        done = _store_rows(vault, population, table, sha, table.label, stamp, progress, rows)
    return PopulationImport(population_id, done.row_count, "replaced" if existing else "new")


def _store_rows(
    vault: Vault,
    population: Population,
    table: RowTable,
    source_sha256: str,
    source_path: str,
    stamp: str,
    progress: Progress | None,
    early: RowSource | None = None,
) -> PopulationTable:
    """Stream ``table`` into the population's vault table (caller's transaction) and bind
    the rows as stored to the custody log (``early``: its rows, already being parsed)."""
    pid = population.id
    if early is not None:
        source: AbstractContextManager[RowSource] = nullcontext(early)
    else:
        source = _row_source(table, population.key, population.date)
    with source as rows:
        # The parsing process digests exactly what it sends; rows read here, the writer.
        digest = None if isinstance(rows, PreparedRows) else RowDigest()
        done = replace_population(
            vault.conn,
            pid,
            table.header,
            rows,
            key_column=population.key,
            date_column=population.date,
            source_sha256=source_sha256,
            source_path=source_path,
            imported_at=stamp,
            progress=(lambda n: progress(f"rows {pid}", n, 0)) if progress else None,
            on_rows=None if digest is None else digest.add,
        )
        digested = rows.digest if isinstance(rows, PreparedRows) else digest
    if digested is None:  # never expected: the feed raises unless it ended with "done"
        raise IntegrityError(f"population {pid}: the parsing process sent no row digest")
    record_rows(vault.conn, done, digested)  # custody binds the rows as stored
    return done


def _file_table(
    file: Path, native: NativeImport | None, population_id: str, fills: tuple[Fill, ...] = ()
) -> RowTable:
    if native is None or (native.format is None and not native.mapping):
        if native is not None and native.date_format:
            raise InputError("--date-format applies with --as FORMAT or --map COLUMN=SOURCE")
        return open_json_rows(file) if file.suffix.lower() == ".json" else open_csv(file)
    fmt = format_named(native.format) if native.format is not None else None
    options = ImportOptions(
        target_kind=population_id if population_id in POPULATION_KINDS else None,
        date_format=native.date_format,
        mapping=parse_mapping(native.mapping),
        fills=fills,
    )
    return FormatTable(file, fmt, options)


def _hr_fills(vault: Vault, native: NativeImport | None) -> tuple[Fill, ...]:
    """An IdP deactivation log has no termination date: take it from the HR terminations
    already imported, by email, so the deprovisioning test reads both dates on one row."""
    if native is None or native.format != "okta-log":
        return ()
    table = get_table(vault.conn, "terminations")
    if table is None or not {"email", "terminated_on"} <= set(table.columns):
        return ()
    dates = {
        row.values["email"].strip().lower(): row.values["terminated_on"]
        for row in population_queries.rows(vault.conn, table)
    }
    return (Fill("terminated_on", "email", dates),)


def _row_source(
    table: RowTable, key_column: str, date_column: str
) -> AbstractContextManager[RowSource]:
    """The rows to store: a large CSV parsed in a second process, anything else here."""
    if _parse_elsewhere(table):
        header = table.header
        return population_feed.parsed_elsewhere(
            partial(row_batches, table), header.index(key_column), header.index(date_column)
        )
    return nullcontext(row_batches(table))


def _parse_elsewhere(table: RowTable) -> bool:
    return isinstance(table, CsvTable) and _big_csv(table.path) and population_feed.available()


def _big_csv(path: Path) -> bool:
    return path.suffix.lower() != ".json" and _size(path) >= PARSE_ELSEWHERE_BYTES


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # the reader reports an unreadable file with its own message


def _require_columns(
    program: Program, population_id: str, header: Sequence[str], label: str
) -> None:
    population = program.population(population_id)
    assert population is not None
    needed = {population.key: "key", population.date: "date"}
    if population.evidence_column:
        needed[population.evidence_column] = "evidence_column"
    for control in program.controls:
        if control.population == population_id:
            for attribute in control.attributes:
                for column in attribute.columns:
                    needed.setdefault(column, f"{control.id}.{attribute.id}")
    for column, why in needed.items():
        if column not in header:
            raise InputError(
                f"{label}: no column {column!r}, which population {population_id} needs ({why}); "
                f"columns are: {_listing(header)}"
            )


def _listing(names: Sequence[str], limit: int = 200) -> str:
    """Header names for a message: a header row can be megabytes, the message one line."""
    shown = ", ".join(n if len(n) <= 40 else n[:39] + "…" for n in names)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"
