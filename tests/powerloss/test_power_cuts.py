"""Power loss on every write path: un-fsynced writes dropped, nothing acknowledged lost.

The SIGKILL harness (tests/faults/crash_worker.py, test_crash_paths.py) run on a LazyFS
mount, with the page cache dropped after each kill — a kill leaves the kernel's cache
intact, a power cut does not. For each write path of ``paths.POWER_PATHS``, in turn:

* ``none``   — SIGKILL at a random moment, then cut the power;
* ``op``     — SIGKILL before the child's Nth file operation (temp create, write, fsync,
  rename, link, mkdir, unlink, directory fsync: every fsync/rename boundary), then cut;
* ``sql`` / ``commit`` — before the Nth SQL statement / right after the Nth COMMIT, then cut;
* ``wal``    — just before its Nth COMMIT the child arms LazyFS, which dies right before
  (or right after) the commit's fsync of ``vault.db-wal`` (of ``vault.db-journal`` for
  an import, written in place): the power fails inside SQLite's commit, everything
  un-fsynced lost;
* ``db``     — LazyFS dies before the first fsync of ``vault.db`` (a WAL checkpoint,
  at the latest when the writer closes).

Then LazyFS is remounted, and the path's checker requires what the SIGKILL tests
require: the vault opens (or refuses with the documented "restore vault.key.bak" line,
counted as a refusal and then restored), ``assert_vault_sound`` is clean, and every
operation acknowledged before the cut is present and complete. The children run with
``DirAudit`` as their file layer, so an acknowledgement that rests on a directory entry
never fsynced (a loss LazyFS cannot show) fails the test too.

CI: 20 cuts per path (fixed seeds), a few minutes in all. ``make soak``
(MOCKAUDIT_SOAK=1): 200 per path; MOCKAUDIT_POWER_CUTS overrides both. Figures are
printed and appended to build/powerloss-figures.jsonl.
"""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import signal
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlcipher3.dbapi2 as sqlite

from mockaudit.errors import HeaderDamagedError, InputError
from mockaudit.session import Session
from mockaudit.vault import keyfile
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.faults.program_paths import FIXTURE, rehearsal
from tests.faults.test_crash_paths import (
    CrashServer,
    JobResult,
    Templates,
    Vault,
    _job,
)
from tests.powerloss.lazyfs import Mount, durable_copy
from tests.powerloss.paths import POWER_PATHS, PowerPath

SOAK = os.environ.get("MOCKAUDIT_SOAK") == "1"
CUTS = int(os.environ.get("MOCKAUDIT_POWER_CUTS", "200" if SOAK else "20"))
CUTS_PER_VAULT = 10
KINDS = ("none", "op", "sql", "wal", "commit", "op", "db")
FIGURES = Path(__file__).parents[2] / "build" / "powerloss-figures.jsonl"


@pytest.fixture(scope="module")
def server() -> Iterator[CrashServer]:
    srv = CrashServer()
    try:
        yield srv
    finally:
        srv.close()


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Templates]:
    """Built on a real disk, copied onto the mount (and fsynced) for each vault."""
    root = tmp_path_factory.mktemp("power-templates")
    programmed = root / "programmed"
    with Session.create(programmed, PASSPHRASE, kdf=FAST_KDF) as s:
        s.import_scenario(FIXTURE)
        s.run_audit(seed=1)
        prior = {i.evidence_id: i.sha256 for i in s.list_evidence()}
    walked = root / "walkthrough"
    shutil.copytree(programmed, walked)
    with Session.open(walked, PASSPHRASE) as s:
        s.save_walkthrough(rehearsal(s))
        walked_prior = {i.evidence_id: i.sha256 for i in s.list_evidence()}
    return {
        "programmed": Templates(programmed, prior),
        "walkthrough": Templates(walked, walked_prior),
    }


@dataclass
class Figures:
    path: str
    cuts: Counter[str] = field(default_factory=Counter)  # by kind
    killed_mid_op: int = 0  # the writer died (or LazyFS did) before finishing its job
    lazyfs_faults_fired: int = 0  # wal/db cuts where LazyFS died inside SQLite's fsync
    lazyfs_glitches: int = 0  # writer or checker opens retried on a fresh mount (_open_glitch)
    glitch_errors: list[str] = field(default_factory=list)  # the checker's, as raised
    acked: int = 0  # operations acknowledged before a cut, all checked present
    lost: int = 0  # acknowledged operations missing after a cut (the checker fails on one)
    verifier_failures: int = 0
    refusals: list[str] = field(default_factory=list)  # documented "restore" lines
    unsynced: list[str] = field(default_factory=list)  # DirAudit findings
    vaults: int = 0


def _new_vault(pp: PowerPath, t: Templates, base: Path, number: int) -> Vault:
    folder = base / f"vault-{number}"
    durable_copy(t.programmed, folder)
    work = base / f"work-{number}"
    work.mkdir()
    vault = Vault(folder, work, seed=number)
    pp.path.setup(vault, t)
    return vault


def _count(
    server: CrashServer, m: Mount, pp: PowerPath, t: Templates, base: Path
) -> dict[str, float]:
    """How many file operations, statements and commits one job makes, and how long."""
    vault = _new_vault(pp, t, base, 999)
    job = _job(pp.path, vault, ["count", 0], None)
    lines, code = server.run(job)
    if _open_glitch(lines, [line for line in lines if line.startswith("ERROR")]):
        m.remount()  # LazyFS's ftruncate of an uncached vault.lock (see _open_glitch)
        lines, code = server.run(job)
    assert code == 0, lines
    [line] = [x for x in lines if x.startswith("COUNT ")]
    ops, sql, commits, elapsed, _ = line.split()[1:]
    return {"op": int(ops), "sql": int(sql), "commit": int(commits), "elapsed": float(elapsed)}


WAL_FSYNC = r"lazyfs::crash::timing={timing}::op=fsync::from_rgx=vault\.db-(wal|journal)$"
"""The commit's fsync: of the WAL, or of the rollback journal an import writes in place
under (vault/rollback_journal.py)."""


def _plan(
    kind: str, counts: dict[str, float], rng: random.Random, m: Mount
) -> tuple[dict[str, Any], bool]:
    """The job's kill fields for one cut, and whether the parent arms LazyFS first."""
    if kind == "none":
        return {"kill": ["none", 0], "delay": rng.uniform(0, counts["elapsed"])}, False
    if kind in ("op", "sql", "commit"):
        return {"kill": [kind, rng.randint(1, max(1, int(counts[kind])))], "delay": None}, False
    if kind == "wal":  # the child arms LazyFS just before its Nth COMMIT
        command = WAL_FSYNC.format(timing=rng.choice(["before", "after"]))
        arm = {"fifo": str(m.fifo), "log": str(m.log), "command": command}
        n = rng.randint(1, max(1, int(counts["commit"])))
        return {"kill": ["arm", n], "delay": None, "arm": arm}, False
    return {"kill": ["none", 0], "delay": None}, True  # db: the first checkpoint's fsync


def _open_glitch(lines: list[str], errors: list[str]) -> bool:
    """The writer failed to open a vault that the checker had just opened and verified.

    LazyFS fails ``ftruncate`` with ENOENT or EIO for a file that is not in its cache (its
    truncate handler looks the inode up there): ``vault.lock`` in the writer lock, or the
    ``-wal``/``-shm`` files SQLite truncates at open (then reported as damaged pages).
    Retried once on a fresh mount; a vault that really is damaged fails again.
    """
    return "READY" not in lines and bool(errors)


def _checker_glitch(exc: BaseException) -> str | None:
    """The LazyFS quirk behind a checker failure, or None for a real one.

    Two faces of the ftruncate quirk (_open_glitch): the writable open's ``vault.lock``
    (ENOENT/EIO, surfaced as "… while opening the vault"), and SQLite's ftruncate of
    ``vault.db-shm`` when it is the first connection after the cut, which SQLite reports as
    "disk I/O error" (SQLITE_IOERR_SHMOPEN) on the first statement. A damaged vault reads
    as "malformed" or fails the verifier, never as an I/O error from the file system.
    """
    cause = exc.__context__ if isinstance(exc, InputError) else exc
    lock_quirk = (
        isinstance(exc, InputError)
        and "while opening the vault" in str(exc)
        and isinstance(cause, OSError)
        and cause.errno in (errno.ENOENT, errno.EIO)
        and (cause.filename is None or str(cause.filename).endswith("vault.lock"))
    )
    shm_quirk = isinstance(cause, sqlite.OperationalError) and str(cause) == "disk I/O error"
    return repr(cause) if lock_quirk or shm_quirk else None


def _check(
    pp: PowerPath, vault: Vault, t: Templates, job: JobResult, figures: Figures, m: Mount
) -> None:
    """The path's checker, retried once on a fresh mount when it meets LazyFS's ftruncate
    quirk (_checker_glitch): a vault really damaged fails again, and is reported."""
    try:
        _check_restoring(pp, vault, t, job, figures)
    except (InputError, sqlite.OperationalError) as exc:
        glitch = _checker_glitch(exc)
        if glitch is None:
            raise AssertionError(f"{exc} ({exc.__context__!r})") from exc
        figures.lazyfs_glitches += 1
        figures.glitch_errors.append(glitch)
        m.remount()
        _check_restoring(pp, vault, t, job, figures)


def _check_restoring(
    pp: PowerPath, vault: Vault, t: Templates, job: JobResult, figures: Figures
) -> None:
    """The path's checker; a vault that refuses with the documented line is restored from
    vault.key.bak (what the line tells the user) and must then pass."""
    try:
        pp.path.check(vault, t, job)
    except HeaderDamagedError as exc:
        line = str(exc)
        assert "\n" not in line and keyfile.BACKUP_FILE in line, f"undocumented refusal: {line}"
        figures.refusals.append(line)
        shutil.copyfile(vault.folder / keyfile.BACKUP_FILE, vault.folder / keyfile.KEY_FILE)
        pp.path.check(vault, t, job)
    except AssertionError:
        figures.verifier_failures += 1
        raise


def power_loop(
    server: CrashServer, m: Mount, pp: PowerPath, t: Templates, cuts: int, seed: int
) -> Figures:
    rng = random.Random(seed)
    base = m.mnt / pp.name
    m.remount()  # a fresh cache: the previous path's deleted files are still in it
    base.mkdir()
    counts = _count(server, m, pp, t, base)
    figures = Figures(pp.name)
    vault: Vault | None = None
    attempts = 0
    while sum(figures.cuts.values()) < cuts:
        attempts += 1
        assert attempts <= 3 * cuts, f"{pp.name}: too few cuts landed: {figures}"
        if vault is None or vault.kills >= CUTS_PER_VAULT:
            # A fresh LazyFS per vault: its cache keeps pages of files long replaced or
            # deleted, and once full it misreads (seen as "damaged pages" in a new copy).
            m.remount()
            figures.vaults += 1
            vault = _new_vault(pp, t, base, figures.vaults)
        kind = KINDS[attempts % len(KINDS)]
        fields, parent_arms = _plan(kind, counts, rng, m)
        if parent_arms:
            m.crash_now_on("fsync", r"vault\.db$")
        job = {**_job(pp.path, vault, ["none", 0], None), **fields, "audit": True}
        lines, code = server.run(job)
        errors = [line for line in lines if line.startswith("ERROR")]
        if _open_glitch(lines, errors):
            figures.lazyfs_glitches += 1
            m.remount()
            if parent_arms:
                m.crash_now_on("fsync", r"vault\.db$")
            lines, code = server.run(job)
            errors = [line for line in lines if line.startswith("ERROR")]
        armed = parent_arms or kind == "wal"
        crashed = armed and m.crashed(wait=5 if errors else 0.2)
        figures.lazyfs_faults_fired += crashed
        if armed and not crashed:
            m.remount()  # the fault never fired: drop it before anything else runs
        assert crashed or not errors, f"{pp.name} {fields}: {errors}"
        figures.unsynced += [line.split(" ", 1)[1] for line in lines if line.startswith("UNSYNCED")]
        acks = [line.split() for line in lines if line.startswith("ACK ")]
        died = code == -signal.SIGKILL or crashed
        in_flight = vault.next_i + len(acks) if died and len(acks) < pp.path.iterations else None
        figures.killed_mid_op += in_flight is not None
        m.cut()  # the power cut (a no-op loss if a LazyFS fault already made it; remounts)
        figures.cuts[kind] += 1
        vault.kills += 1
        vault.attempted += list(range(vault.next_i, vault.next_i + len(acks)))
        if in_flight is not None:
            vault.attempted.append(in_flight)
        vault.acks += acks
        figures.acked += len(acks)
        vault.next_i += pp.path.iterations
        _check(pp, vault, t, JobResult(acks, in_flight), figures, m)
    return figures


def _record(figures: Figures) -> None:
    FIGURES.parent.mkdir(exist_ok=True)
    row = {**vars(figures), "cuts": dict(figures.cuts), "soak": SOAK}
    row["cuts_total"] = sum(figures.cuts.values())
    with FIGURES.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(row) + "\n")


@pytest.mark.parametrize("pp", POWER_PATHS, ids=lambda p: p.name)
def test_power_cut_on_write_path_loses_nothing_acknowledged(
    pp: PowerPath, server: CrashServer, mount: Mount, templates: dict[str, Templates]
) -> None:
    figures = power_loop(
        server, mount, pp, templates[pp.template], CUTS, seed=20261206 + len(pp.name)
    )
    _record(figures)
    print(f"\n{pp.name}: {sum(figures.cuts.values())} cuts {dict(figures.cuts)}, {figures}")
    assert not figures.unsynced, f"acknowledged on entries never fsynced: {figures.unsynced[:5]}"
    assert sum(figures.cuts.values()) >= CUTS
    assert figures.acked > 0, "nothing was ever acknowledged: every cut came too early"
    assert figures.killed_mid_op > 0, "every cut came after the work was done"
    assert figures.lazyfs_faults_fired > 0, "no power cut ever landed inside SQLite"
    shutil.rmtree(mount.mnt / pp.name)


def _raised(exc: Exception, cause: Exception) -> Exception:
    """``exc`` as the vault raises it: from an ``except`` block, its cause hidden."""
    try:
        try:
            raise cause
        except Exception:
            raise exc from None
    except Exception as raised:
        return raised


def test_only_the_lazyfs_ftruncate_quirk_is_retried() -> None:
    """The checker's one retry covers LazyFS's quirk and nothing a damaged vault raises."""
    lock = OSError(errno.ENOENT, "No such file or directory", "/m/vault/vault.lock")
    opening = "vault.lock could not be opened while opening the vault"
    assert _checker_glitch(_raised(InputError(opening), lock))
    assert _checker_glitch(sqlite.OperationalError("disk I/O error"))
    assert _checker_glitch(
        _raised(
            InputError("the vault could not be read"), sqlite.OperationalError("disk I/O error")
        )
    )
    for real in (
        sqlite.OperationalError("database disk image is malformed"),
        _raised(InputError(opening), OSError(errno.ENOENT, "missing", "/m/vault/vault.db")),
        _raised(InputError(opening), OSError(errno.EACCES, "denied", "/m/vault/vault.lock")),
        InputError("wrong passphrase or damaged key file"),
    ):
        assert _checker_glitch(real) is None, real


def test_lazyfs_mounts_from_a_work_folder_whose_name_holds_dash_o(
    lazyfs_binary: Path, tmp_path: Path
) -> None:
    """LazyFS took a config path containing "-o" for its next option and aborted on
    ``config/default.toml``: a work folder named by mkdtemp with a random part starting
    with "o" skipped (or failed) every power-loss test of the run."""
    m = Mount(lazyfs_binary, tmp_path / "mockaudit-lazyfs-oAb-O", "16mb")
    try:
        m.mount(attempts=1)
        (m.mnt / "x").write_bytes(b"not synced")
        assert (m.mnt / "x").read_bytes() == b"not synced"
        m.cut()  # a working mount: what was never fsynced is gone
        assert not (m.mnt / "x").exists() or (m.mnt / "x").read_bytes() == b""
    finally:
        m.close()
