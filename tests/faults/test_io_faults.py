"""I/O error at every point (vault-security.md §6 row 3): SQLite's ``do_faultsim_test`` for our I/O.

For each write path (add one file / a batch of 20 / a 300 KiB file, export, checkpoint,
passphrase change, create), a clean run counts its file operations (N_total); then for
N = 1, 2, … the Nth operation fails, transiently or persistently, until a run is shorter
than N. Each time the operation must raise a one-line ``MockauditError``
(``DiskFullError`` "disk full…" for ENOSPC) and nothing else; the vault must be exactly
as before (``assert_vault_sound`` with the items acknowledged earlier, same custody
tree); and a retry once the fault clears must succeed.

Two outcomes besides "clean error" are accepted, both named: a fault in the best-effort
directory fsync after vault.key's rename (the commit point of create and passphrase
change) is absorbed and the change stands; and a persistent fault, which also fails the
clean-up, may leave our own temp files outside the vault until the retry removes them.

CI runs every N in both modes with the errno alternating between EIO and ENOSPC (and
EACCES on every 5th N); ``-m soak`` runs every N × mode × errno combination.
"""

from __future__ import annotations

import errno
import hashlib
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from mockaudit.errors import DiskFullError, MockauditError, WrongPassphraseError
from mockaudit.session import Session
from mockaudit.vault import keyfile
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.faults.faulty_ops import OPS, FaultyOps, installed
from tests.verifier import VaultState, assert_vault_sound

NEW_PASSPHRASE = "a brand new passphrase for fault tests"
ERRNOS = (errno.EIO, errno.ENOSPC, errno.EACCES)


# ----- the material every scenario starts from -----


@dataclass
class Material:
    """A template vault holding three acknowledged items, and files to add."""

    template: Path
    prior: dict[str, str]  # evidence id → sha256, acknowledged before any fault
    before: VaultState  # the template's custody tree (size, root) and blob files
    one: Path
    batch: list[Path]
    large: Path


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def material(scratch_root: Path) -> Material:
    root = scratch_root / "material"
    root.mkdir()
    rng = random.Random(20260301)
    src = root / "src"
    src.mkdir()
    prior_files = []
    for i, size in enumerate([10, 70_000, 1]):
        path = src / f"prior-{i}.bin"
        path.write_bytes(rng.randbytes(size))
        prior_files.append(path)
    one = src / "one.pdf"
    one.write_bytes(rng.randbytes(5000))
    batch = []
    for i, size in enumerate([0, 1, 100, 65_535, 65_536, 65_537, 140_000] + [3000] * 11):
        path = src / f"batch-{i:02d}.bin"
        path.write_bytes(rng.randbytes(size) if i < 7 else f"row {i}\n".encode() * 300)
        batch.append(path)
    dup_prior = src / "batch-18-same-as-prior.bin"
    dup_prior.write_bytes(prior_files[1].read_bytes())
    dup_batch = src / "batch-19-same-as-batch-03.bin"
    dup_batch.write_bytes(batch[3].read_bytes())
    batch += [dup_prior, dup_batch]
    large = src / "large.bin"
    large.write_bytes(rng.randbytes(300 * 1024))

    template = root / "template"
    with Session.create(template, PASSPHRASE, kdf=FAST_KDF) as s:
        prior = {r.evidence_id: r.sha256 for r in s.add_evidence(prior_files, control="CHG-01")}
    assert len(prior) == 3
    before = assert_vault_sound(template, PASSPHRASE, prior, exact=True)
    return Material(template, prior, before, one, batch, large)


# ----- scenarios: one per write path -----


@dataclass
class Run:
    """One attempt at an operation: where it ran and what it acknowledged."""

    folder: Path
    work: Path
    acked: dict[str, str] = field(default_factory=dict)
    # A persistent fault also fails the clean-up: temp files outside the vault may then
    # stay until the retry, which must remove them. Never allowed for transient faults.
    temps_may_wait: bool = False


class Scenario:
    """A write path: how to run it, what 'prior state intact' and 'done' mean."""

    name = ""
    uses_template = True
    # Only create and passphrase change: the directory fsync after vault.key's rename
    # (the commit point) is best effort, so a fault there is absorbed and the change stands.
    absorbs_final_dir_fsync = False
    # Whether the retry removes temp files a persistent fault left outside the vault.
    retry_sweeps_temps = True

    def operate(self, run: Run, m: Material, ops: FaultyOps) -> None:
        """Open the vault with real I/O, run the operation under ``ops``, close with real I/O."""
        with Session.open(run.folder, PASSPHRASE) as s:
            with installed(ops):
                self.act(s, run, m)

    def act(self, s: Session, run: Run, m: Material) -> None:
        raise NotImplementedError

    def assert_prior(self, run: Run, m: Material) -> None:
        """Exactly the state before: same items, same blob files, same custody tree."""
        state = assert_vault_sound(run.folder, PASSPHRASE, m.prior, exact=True)
        assert state.blob_files == m.before.blob_files
        assert (state.tree_size, state.root_hex) == (m.before.tree_size, m.before.root_hex), (
            "the custody log changed although the operation failed"
        )

    def assert_done(self, run: Run, m: Material) -> None:
        assert_vault_sound(run.folder, PASSPHRASE, {**m.prior, **run.acked}, exact=True)


class AddFiles(Scenario):
    def __init__(self, name: str, pick: Callable[[Material], list[Path]]) -> None:
        self.name = name
        self.pick = pick

    def act(self, s: Session, run: Run, m: Material) -> None:
        results = s.add_evidence(self.pick(m), control="CHG-02")
        run.acked = {r.evidence_id: r.sha256 for r in results}


class Export(Scenario):
    name = "export"

    def act(self, s: Session, run: Run, m: Material) -> None:
        s.export_evidence(sorted(m.prior), run.work / "out")

    def _exported(self, run: Run, m: Material) -> tuple[dict[str, list[str]], int]:
        """Every file in the out folder must be complete and have its custody event.

        Also returns how many ``exported`` events name no file: the event is committed
        before the copy is linked under its name (evidence_export.py), so a fault at the
        link leaves one event that over-states — never a copy without its event.
        """
        out = run.work / "out"
        files = sorted(out.iterdir()) if out.is_dir() else []
        _check_temps(run, [p.name for p in files if p.name.endswith(".partial")])
        files = [p for p in files if not p.name.endswith(".partial")]
        with Session.open(run.folder, PASSPHRASE, write=False) as s:
            logged = [
                e.fields["destination"]
                for ev in m.prior
                for e in s.evidence_detail(ev).history
                if e.event == "exported"
            ]
        by_id: dict[str, list[str]] = {}
        for path in files:
            evidence_id = path.name.split("_", 1)[0]
            assert _sha(path) == m.prior[evidence_id], f"{path.name} is incomplete"
            assert path.name in logged, f"{path.name} left the vault without a custody event"
            by_id.setdefault(evidence_id, []).append(path.name)
        return by_id, len(logged) - len(files)

    def assert_prior(self, run: Run, m: Material) -> None:
        # Items exported before the fault stay exported (complete, logged): the custody
        # tree grows by their events, plus at most one for a copy whose link failed.
        state = assert_vault_sound(run.folder, PASSPHRASE, m.prior, exact=True)
        by_id, unlinked = self._exported(run, m)
        files = sum(len(names) for names in by_id.values())
        assert unlinked in (0, 1), f"{unlinked} exported events name no file"
        assert state.tree_size == m.before.tree_size + files + unlinked

    def assert_done(self, run: Run, m: Material) -> None:
        assert_vault_sound(run.folder, PASSPHRASE, m.prior, exact=True)
        assert set(self._exported(run, m)[0]) == set(m.prior)


class Checkpoint(Scenario):
    """Session.checkpoint writes the note file before its commit (Vault.checkpoint(out)):
    a failed write records nothing, and the retry sweeps the temp file it left."""

    name = "checkpoint"
    retry_sweeps_temps = True

    def act(self, s: Session, run: Run, m: Material) -> None:
        s.checkpoint(run.work / "checkpoint.txt")

    def assert_prior(self, run: Run, m: Material) -> None:
        state = assert_vault_sound(run.folder, PASSPHRASE, m.prior, exact=True)
        assert state.tree_size == m.before.tree_size
        _check_temps(run, [p.name for p in run.work.glob("*.partial")])
        out = run.work / "checkpoint.txt"
        if out.exists():  # only ever a whole, valid note
            with Session.open(run.folder, PASSPHRASE, write=False) as s:
                assert s.verify(against=out).ok

    def assert_done(self, run: Run, m: Material) -> None:
        assert_vault_sound(run.folder, PASSPHRASE, m.prior, exact=True)
        _check_temps(run, [p.name for p in run.work.glob("*.partial")])
        with Session.open(run.folder, PASSPHRASE, write=False) as s:
            report = s.verify(against=run.work / "checkpoint.txt")
        assert report.ok, report.problems


def _opens(folder: Path) -> list[str]:
    """Which of the two passphrases open the vault (reading vault.key as a user would)."""
    opened = []
    for label, phrase in (("old", PASSPHRASE), ("new", NEW_PASSPHRASE)):
        try:
            Session.open(folder, phrase, write=False).close()
            opened.append(label)
        except WrongPassphraseError:
            pass
    return opened


def _check_temps(run: Run, leftovers: list[str]) -> None:
    """No temp file outside the vault, except (persistent fault) our own, until the retry."""
    if run.temps_may_wait:
        assert all(name.startswith(".") for name in leftovers), leftovers
    else:
        assert not leftovers, f"temp files left in {run.work}: {leftovers}"


class ChangePassphrase(Scenario):
    name = "passphrase"
    absorbs_final_dir_fsync = True

    def act(self, s: Session, run: Run, m: Material) -> None:
        s.change_passphrase(NEW_PASSPHRASE)

    def assert_prior(self, run: Run, m: Material) -> None:
        assert _opens(run.folder) == ["old"]
        super().assert_prior(run, m)
        _assert_backup_matches(run.folder)

    def assert_done(self, run: Run, m: Material) -> None:
        assert _opens(run.folder) == ["new"]
        assert_vault_sound(run.folder, NEW_PASSPHRASE, m.prior, exact=True)
        _assert_backup_matches(run.folder)


def _assert_backup_matches(folder: Path) -> None:
    key = (folder / keyfile.KEY_FILE).read_bytes()
    assert (folder / keyfile.BACKUP_FILE).read_bytes() == key, "vault.key.bak is stale"


class Create(Scenario):
    name = "create"
    uses_template = False
    absorbs_final_dir_fsync = True

    def operate(self, run: Run, m: Material, ops: FaultyOps) -> None:
        with installed(ops):
            s = Session.create(run.folder, PASSPHRASE, kdf=FAST_KDF)
        s.close()

    def assert_prior(self, run: Run, m: Material) -> None:
        # Nothing that looks like a vault (so a retry is not refused), nothing half-written.
        for name in (keyfile.KEY_FILE, "vault.db"):
            assert not (run.folder / name).exists(), f"a failed create left {name}"

    def assert_done(self, run: Run, m: Material) -> None:
        assert_vault_sound(run.folder, PASSPHRASE, {}, exact=True)
        _assert_backup_matches(run.folder)


SCENARIOS: list[Scenario] = [
    AddFiles("add-one", lambda m: [m.one]),
    AddFiles("add-batch", lambda m: m.batch),
    AddFiles("add-large", lambda m: [m.large]),
    Export(),
    Checkpoint(),
    ChangePassphrase(),
    Create(),
]


# ----- the injection loop -----


@dataclass
class Tally:
    points: int = 0
    injections: int = 0
    runs: int = 0
    errors: int = 0  # clean error, prior state intact, retry succeeded
    absorbed: int = 0  # the best-effort fsync after the commit: success, change stands
    short: int = 0  # fewer than N ops this time (blob ids pick the shard folders)


def _fresh(sc: Scenario, m: Material, base: Path, label: str) -> Run:
    run = Run(base / label / "vault", base / label / "work")
    run.work.mkdir(parents=True)
    if sc.uses_template:
        shutil.copytree(m.template, run.folder)
    return run


def count_ops(sc: Scenario, m: Material, base: Path) -> int:
    """N_total: the file operations of a clean run (which must itself leave a sound vault)."""
    run = _fresh(sc, m, base, "clean")
    ops = FaultyOps()
    sc.operate(run, m, ops)
    sc.assert_done(run, m)
    assert ops.calls > 0
    return ops.calls


def _assert_clean_error(exc: MockauditError, err: int) -> None:
    text = str(exc)
    assert text and "\n" not in text and "Traceback" not in text and "OSError" not in text, text
    if err == errno.ENOSPC:
        assert isinstance(exc, DiskFullError), f"{type(exc).__name__}: {text}"
        assert text.startswith("disk full"), text


def inject(
    sc: Scenario, m: Material, base: Path, n: int, err: int, persistent: bool, tally: Tally
) -> bool:
    """Run with op #n failing; False when the run had fewer than n ops (it must then succeed)."""
    label = f"{n}-{errno.errorcode[err]}-{'p' if persistent else 't'}"
    run = _fresh(sc, m, base, label)
    run.temps_may_wait = persistent
    ops = FaultyOps(n, err, persistent=persistent)
    where = f"{sc.name}: op #{n} failing with {errno.errorcode[err]} ({label})"
    tally.runs += 1
    try:
        sc.operate(run, m, ops)
    except MockauditError as exc:
        assert ops.tripped, f"{where}: failed without a fault: {exc}"
        _assert_clean_error(exc, err)
        tally.errors += 1
        sc.assert_prior(run, m)
    except Exception as exc:  # any other type escaping is the bug this test exists for
        raise AssertionError(f"{where}: {type(exc).__name__} escaped: {exc}") from exc
    else:
        # Success is right only when the run had fewer than n ops (blob ids pick the shard
        # folders), or when the one failure was the best-effort fsync after the commit.
        if ops.tripped:
            assert sc.absorbs_final_dir_fsync and ops.failed == [(ops.calls, "fsync_dir")], (
                f"{where}: a failed {ops.failed[0][1]} was reported as success"
            )
            tally.absorbed += 1
            tally.injections += ops.injected
        else:
            tally.short += 1
        run.temps_may_wait = False
        sc.assert_done(run, m)
        shutil.rmtree(base / label)
        return ops.tripped
    tally.injections += ops.injected
    run.acked = {}
    sc.operate(run, m, FaultyOps())  # the fault cleared: the retry succeeds
    run.temps_may_wait = persistent and not sc.retry_sweeps_temps
    sc.assert_done(run, m)
    shutil.rmtree(base / label)
    return True


def _errnos(n: int, soak: bool) -> list[tuple[int, bool]]:
    """CI: both modes at every N, errno alternating EIO/ENOSPC, EACCES on every 5th N."""
    if soak:
        return [(err, persistent) for err in ERRNOS for persistent in (False, True)]
    first, second = (errno.EIO, errno.ENOSPC) if n % 2 else (errno.ENOSPC, errno.EIO)
    plan = [(first, False), (second, True)]
    if n % 5 == 0:
        plan.append((errno.EACCES, n % 10 == 0))
    return plan


def _every_point(sc: Scenario, m: Material, base: Path, soak: bool) -> Tally:
    """N = 1, 2, … until the operation runs clean (do_faultsim_test); N_total from a clean run."""
    total = count_ops(sc, m, base)
    tally = Tally()
    n = 0
    while True:
        n += 1
        tripped = [inject(sc, m, base, n, err, p, tally) for err, p in _errnos(n, soak)]
        if not any(tripped):
            break
        tally.points = n
    # Shard-folder fsyncs vary with the random blob ids, so the last few N may not trip.
    assert tally.points >= total - 16
    assert tally.errors + tally.absorbed + tally.short == tally.runs
    assert tally.short <= tally.runs // 10 + 6  # + the final N, past the last op
    return tally


@pytest.mark.parametrize("sc", SCENARIOS, ids=lambda sc: sc.name)
def test_io_error_at_every_point_is_clean_and_keeps_prior_state(
    sc: Scenario, material: Material, scratch: Path, record_property: Callable[..., None]
) -> None:
    tally = _every_point(sc, material, scratch, soak=False)
    record_property("injection_points", tally.points)
    record_property("faults_injected", tally.injections)
    print(f"\n{sc.name}: {tally}")  # shown with -s: the figures for the goal table
    assert tally.errors + tally.absorbed >= 2 * tally.points - 8  # both modes at every point


@pytest.mark.soak
@pytest.mark.parametrize("sc", SCENARIOS, ids=lambda sc: sc.name)
def test_io_error_every_point_every_errno_soak(
    sc: Scenario, material: Material, scratch: Path
) -> None:
    tally = _every_point(sc, material, scratch, soak=True)
    print(f"\n{sc.name} (soak): {tally}")
    assert tally.errors + tally.absorbed >= 6 * tally.points - 24


@pytest.mark.parametrize("kind", OPS)
def test_one_op_kind_failing_for_good(kind: str, material: Material, scratch: Path) -> None:
    """Only ``kind`` fails, from its first call on (a disk that refuses one thing)."""
    sc = SCENARIOS[3] if kind == "link" else SCENARIOS[1]  # export links; a batch does the rest
    run = _fresh(sc, material, scratch, kind)
    run.temps_may_wait = True
    ops = FaultyOps(1, errno.EIO, persistent=True, only=kind)
    with pytest.raises(MockauditError) as caught:
        sc.operate(run, material, ops)
    assert ops.tripped
    _assert_clean_error(caught.value, errno.EIO)
    sc.assert_prior(run, material)
    sc.operate(run, material, FaultyOps())
    run.temps_may_wait = False
    sc.assert_done(run, material)


@pytest.mark.parametrize("sc", [sc for sc in SCENARIOS if sc.uses_template], ids=lambda sc: sc.name)
def test_retry_in_the_same_session_after_a_fault_succeeds(
    sc: Scenario, material: Material, scratch: Path
) -> None:
    """The user presses "retry" without reopening: no stale transaction, header or handle."""
    total = count_ops(sc, material, scratch)
    step = max(1, total // 40)
    for n in range(1, total + 1, step):
        run = _fresh(sc, material, scratch, f"same-{n}")
        with Session.open(run.folder, PASSPHRASE) as s:
            with installed(FaultyOps(n, errno.EIO)) as ops:
                try:
                    sc.act(s, run, material)
                except MockauditError as exc:
                    _assert_clean_error(exc, errno.EIO)
            run.acked = {}
            sc.act(s, run, material)
        sc.assert_done(run, material)
        shutil.rmtree(run.folder.parent)
        if not ops.tripped:
            break


def test_failed_checkpoint_write_records_nothing_and_the_retry_cleans_up(
    material: Material, scratch: Path
) -> None:
    """Target behaviour: the note file is written before the commit (Vault.checkpoint(out))."""
    sc = Checkpoint()
    total = count_ops(sc, material, scratch)
    for n in range(1, total + 1):
        run = _fresh(sc, material, scratch, f"strict-{n}")
        run.temps_may_wait = True
        with pytest.raises(MockauditError):
            sc.operate(run, material, FaultyOps(n, errno.EIO, persistent=True))
        Scenario.assert_prior(sc, run, material)  # strict: the custody tree is unchanged
        sc.operate(run, material, FaultyOps())
        run.temps_may_wait = False
        sc.assert_done(run, material)
