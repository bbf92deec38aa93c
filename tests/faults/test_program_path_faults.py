"""I/O and SQLite errors at every point of every program-side write path (§6 rows 3–4).

For scenario import (first and changing), population import (CSV, JSON), run storage,
walkthrough transcript storage, and every export (program folder, findings JSON/XLSX,
request list, HTML report, OSCAL, evidence package, walkthrough Markdown; all in
program_paths.py): a clean run counts the
operation's file operations (``FaultyOps``) and, separately, its SQL statements
(``FaultyConnection``); then for N = 1, 2, … the Nth one fails, transiently or
persistently, until a run is shorter than N (SQLite's ``do_faultsim_test``). Each time:

* the operation raises a one-line ``MockauditError`` ("disk full…" for ENOSPC and
  SQLITE_FULL) and leaves no transaction open;
* the prior state is intact — the vault verifies with exactly the evidence it had, and
  the program versions, path map, population rows, runs, walkthroughs and custody
  events are unchanged (save the events a path commits *before* its output appears —
  the report's checkpoint, the package's exported events — which over-state, never
  under-state); an export leaves no file under its final name that is not complete;
* a retry once the fault clears succeeds and gives exactly what a clean run gives (same
  program, rows, runs and custody events: no duplicate event from the failed attempt).
  Odd N retry after reopening the vault, even N in the same session (the user pressing
  "retry"), whose state is then checked through a read-only session.

Run storage writes no file, so it has SQL faults only. ``-m soak`` runs every point in
every combination (3 errnos × 2 modes for file faults; IOERR/FULL × 2 modes × with and
without SQLite's automatic rollback for SQL faults). CI runs both modes at every file
operation of the paths that make up to 40 of them, and strides through the larger ones
(first import ~60, program export ~64, the package's ~140 zip writes, counted through
``FaultyOps(wrap_files=True)``) to about 40 points; and one SQL fault per statement,
strided to about 30 per path, alternating transient/persistent, IOERR/FULL and SQLite's
automatic rollback.
"""

from __future__ import annotations

import errno
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from mockaudit.errors import DiskFullError, MockauditError
from mockaudit.session import Session
from mockaudit.vault import population_store
from tests.conftest import PASSPHRASE
from tests.faults.faulty_ops import FaultyOps, installed
from tests.faults.faulty_sql import FULL, IOERR, FaultyConnection, sql_faults
from tests.faults.program_paths import (
    PATHS,
    Attempt,
    Material,
    ProgramState,
    WritePath,
    build_material,
    fresh,
    is_temp,
    program_state,
)

SQL_POINTS_CI = 30
FILE_POINTS_CI = 40  # every file operation of the small paths; a stride through the rest


@pytest.fixture(scope="module")
def material(scratch_root: Path) -> Material:
    return build_material(scratch_root / "program-material")


@pytest.fixture(autouse=True)
def _small_row_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """300-row imports in 6 ``executemany`` batches: a fault can land between batches."""
    monkeypatch.setattr(population_store, "BATCH_ROWS", 50)


# ----- one fault -----


@dataclass(frozen=True)
class Fault:
    """A file-op fault (errno) or an SQL fault (SQLite message) at call ``n``."""

    kind: str  # "file" | "sql"
    n: int
    err: int = errno.EIO
    message: str = IOERR
    persistent: bool = False
    auto_rollback: bool = False

    @property
    def label(self) -> str:
        what = errno.errorcode[self.err] if self.kind == "file" else self.message.split()[-1]
        mode = "p" if self.persistent else "t"
        return f"{self.kind}{self.n}-{what}-{mode}{'r' if self.auto_rollback else ''}"

    @property
    def disk_full(self) -> bool:
        return self.err == errno.ENOSPC if self.kind == "file" else self.message == FULL


class Injector:
    """Installs one fault (or none, counting) around an operation on an open session."""

    def __init__(self, fault: Fault | None, kind: str) -> None:
        self.fault = fault
        self.kind = kind
        self.ops: FaultyOps | None = None
        self.conn: FaultyConnection | None = None

    @property
    def calls(self) -> int:
        source = self.ops if self.kind == "file" else self.conn
        return source.calls if source is not None else 0

    @property
    def tripped(self) -> bool:
        source = self.ops if self.kind == "file" else self.conn
        return source is not None and source.tripped

    def run(self, s: Session, act: Callable[[], None]) -> None:
        f = self.fault
        if self.kind == "file":
            self.ops = FaultyOps(
                f.n if f else None,
                f.err if f else errno.EIO,
                persistent=bool(f and f.persistent),
                wrap_files=True,  # zipfile writes to its handle, not through the seam
            )
            with installed(self.ops):
                act()
            return
        self.conn = FaultyConnection(
            s.vault.conn,
            f.n if f else None,
            f.message if f else IOERR,
            persistent=bool(f and f.persistent),
            auto_rollback=bool(f and f.auto_rollback),
        )
        with sql_faults(s.vault, self.conn):
            act()


# ----- the loop -----


@dataclass
class Reference:
    calls: int
    state: ProgramState
    output: dict[str, str]


@dataclass
class Tally:
    points: int = 0
    runs: int = 0
    injected: int = 0
    errors: int = 0
    short: int = 0  # fewer than N calls this time: the run had to succeed
    absorbed: int = 0  # the best-effort fsync after the final rename failed: success


def clean_run(path: WritePath, m: Material, base: Path, kind: str) -> Reference:
    attempt = fresh(path, m, base, f"clean-{kind}")
    injector = Injector(None, kind)
    with Session.open(attempt.folder, PASSPHRASE) as s:
        injector.run(s, lambda: path.act(s, attempt, m))
    state = program_state(attempt.folder)
    if path.writes_vault:
        assert state != m.states[path.template], f"{path.name}: a clean run changed nothing"
    output = path.reference_output(attempt)
    shutil.rmtree(attempt.folder.parent)
    return Reference(injector.calls, state, output)


BEST_EFFORT_SQL = ("PRAGMA SYNCHRONOUS =", "PRAGMA JOURNAL_MODE =")
"""The return to WAL after an in-place import (vault/rollback_journal.py): its commit is
done, so a failure there leaves the vault in rollback mode, as durable, and the import
has succeeded (the next open sets WAL again)."""


def _assert_absorbed(path: WritePath, injector: Injector, where: str) -> None:
    """A fault that success may absorb: the fsync after the final rename, or the return
    to WAL after a committed import; anything else swallowed is a bug."""
    if injector.conn is not None:
        failed = injector.conn.failed
        assert all(head in BEST_EFFORT_SQL for _, head in failed), (
            f"{where}: the fault was swallowed and success reported ({failed})"
        )
        return
    ops = injector.ops
    assert path.absorbs_final_dir_fsync and ops is not None, (
        f"{where}: the fault was swallowed and success reported"
    )
    assert ops.failed == [(ops.calls, "fsync_dir")], f"{where}: {ops.failed}"


def _assert_clean_error(exc: MockauditError, fault: Fault, where: str) -> None:
    text = str(exc)
    assert text and "\n" not in text and len(text) < 400, f"{where}: {text!r}"
    for leak in ("Traceback", "OSError", "OperationalError", "sqlcipher", "Errno"):
        assert leak not in text, f"{where}: {text}"
    if fault.disk_full:
        assert isinstance(exc, DiskFullError), f"{where}: {type(exc).__name__}: {text}"
        assert text.startswith("disk full"), f"{where}: {text}"
    else:
        assert "damaged" not in text and "restore" not in text, f"{where}: {text}"


def _assert_output(path: WritePath, attempt: Attempt, ref: Reference, *, done: bool) -> None:
    """Only whole files under final names (a whole folder for the program export); after a
    success exactly the clean run's files; temp files only while a persistent fault lasts."""
    got = path.reference_output(attempt)
    for name, sha in got.items():
        assert ref.output.get(name) == sha, f"{path.name}: {name} is not the complete file"
    if done or (path.whole_folder and got):
        assert got == ref.output, f"{path.name}: output differs from a clean run ({sorted(got)})"
    temps = [
        str(p.relative_to(attempt.work))
        for p in path.output_files(attempt)
        if is_temp(p.relative_to(attempt.work))
    ]
    # A persistent fault also fails the clean-up; the retry must then sweep what it left.
    if not (attempt.temps_may_wait and (not done or not path.retry_sweeps_temps)):
        assert not temps, f"{path.name}: temp files left: {temps[:5]}"
    path.assert_logged(attempt)


def inject(
    path: WritePath, m: Material, base: Path, fault: Fault, ref: Reference, tally: Tally
) -> bool:
    """One run with ``fault``; False when the operation made fewer than N calls."""
    attempt = fresh(path, m, base, fault.label)
    attempt.temps_may_wait = fault.persistent
    where = f"{path.name}: {fault.label}"
    injector = Injector(fault, fault.kind)
    same_session = fault.n % 2 == 0
    tally.runs += 1
    s = Session.open(attempt.folder, PASSPHRASE)
    try:
        try:
            injector.run(s, lambda: path.act(s, attempt, m))
        except MockauditError as exc:
            assert injector.tripped, f"{where}: failed without a fault: {exc}"
            _assert_clean_error(exc, fault, where)
            assert not s.vault.conn.in_transaction, f"{where}: a transaction was left open"
        except Exception as exc:  # any other type escaping is the bug this test hunts
            raise AssertionError(f"{where}: {type(exc).__name__} escaped: {exc}") from exc
        else:
            if injector.tripped:  # only a best-effort step once the work was durable
                _assert_absorbed(path, injector, where)
                tally.absorbed += 1
            else:
                tally.short += 1
            s.close()
            path.assert_done(attempt, m, ref.state)
            _assert_output(path, attempt, ref, done=True)
            shutil.rmtree(attempt.folder.parent)
            return injector.tripped
        tally.errors += 1
        tally.injected += len((injector.ops or injector.conn).failed)  # type: ignore[union-attr]
        if same_session:
            before = m.states[path.template]
            state = program_state(attempt.folder)  # read-only, beside the open writer
            path.assert_state(state, before, before)
            _assert_output(path, attempt, ref, done=False)
            path.act(s, attempt, m)  # the fault cleared: retry without reopening
            s.close()
        else:
            s.close()
            path.assert_prior(attempt, m)
            _assert_output(path, attempt, ref, done=False)
            with Session.open(attempt.folder, PASSPHRASE) as retry:
                path.act(retry, attempt, m)
    finally:
        s.close()
    path.assert_done(attempt, m, ref.state)
    _assert_output(path, attempt, ref, done=True)
    shutil.rmtree(attempt.folder.parent)
    return True


def _plan(kind: str, n: int, soak: bool) -> Iterator[Fault]:
    if kind == "file":
        if soak:
            for err in (errno.EIO, errno.ENOSPC, errno.EACCES):
                for persistent in (False, True):
                    yield Fault("file", n, err=err, persistent=persistent)
            return
        first, second = (errno.EIO, errno.ENOSPC) if n % 2 else (errno.ENOSPC, errno.EIO)
        yield Fault("file", n, err=first)
        yield Fault("file", n, err=second, persistent=True)
        if n % 5 == 0:
            yield Fault("file", n, err=errno.EACCES, persistent=n % 10 == 0)
        return
    if soak:
        for message in (IOERR, FULL):
            for persistent in (False, True):
                for rollback in (False, True):
                    yield Fault(
                        "sql", n, message=message, persistent=persistent, auto_rollback=rollback
                    )
        return
    yield Fault(
        "sql",
        n,
        message=(IOERR, FULL)[(n // 2) % 2],
        persistent=n % 2 == 1,
        auto_rollback=(n // 4) % 2 == 1,
    )


def every_point(path: WritePath, m: Material, base: Path, kind: str, soak: bool) -> Tally:
    """N = 1, 2, … until the operation runs clean. CI strides through SQL statements (and
    the package's ~140 zip writes) so each path costs at most ~30 (~80) points; every
    point under soak."""
    ref = clean_run(path, m, base, kind)
    assert ref.calls > 0, f"{path.name} made no {kind} calls"
    ci_points = FILE_POINTS_CI if kind == "file" else SQL_POINTS_CI
    step = 1 if soak else max(1, -(-ref.calls // ci_points))
    tally = Tally()
    n = 1
    while True:
        tripped = [inject(path, m, base, fault, ref, tally) for fault in _plan(kind, n, soak)]
        if not any(tripped):
            break
        tally.points += 1
        n += step
    # Shard-folder fsyncs follow the random blob ids, so the last few N may not trip.
    assert tally.points >= (ref.calls - 16) // step, (tally.points, ref.calls)
    assert tally.errors + tally.short + tally.absorbed == tally.runs
    return tally


FILE_PATHS = [p for p in PATHS if p.file_ops]


@pytest.mark.parametrize("path", FILE_PATHS, ids=lambda p: p.name)
def test_file_fault_at_every_point_is_clean_and_keeps_prior_state(
    path: WritePath, material: Material, scratch: Path
) -> None:
    tally = every_point(path, material, scratch, "file", soak=False)
    print(f"\n{path.name} file faults: {tally}")
    assert tally.errors >= 2 * tally.points - 8  # both modes at (almost) every point


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_sql_fault_at_every_statement_is_clean_and_keeps_prior_state(
    path: WritePath, material: Material, scratch: Path
) -> None:
    tally = every_point(path, material, scratch, "sql", soak=False)
    print(f"\n{path.name} sql faults: {tally}")
    assert tally.errors >= tally.points - 2


@pytest.mark.soak
@pytest.mark.parametrize("kind", ["file", "sql"])
@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_every_point_every_mode_soak(
    path: WritePath, kind: str, material: Material, scratch: Path
) -> None:
    if kind == "file" and not path.file_ops:
        pytest.skip(f"{path.name} writes no file (SQL only)")
    tally = every_point(path, material, scratch, kind, soak=True)
    print(f"\n{path.name} {kind} faults (soak): {tally}")
