"""LazyFS for the power-loss tests: build once per machine, mount, cut the power, remount.

LazyFS (github.com/dsrhaslab/lazyfs; built offline by ``../shared/tools/lazyfs/build.sh``)
is a FUSE file system with its own page cache: a write stays in that cache until it
is fsynced, and ``clear-cache`` drops every un-fsynced byte — a power cut. Directory
operations (create, rename, unlink) go straight to the backing folder and are never
lost, so the directory-fsync half of durability is checked separately
(``tests/powerloss/dir_audit.py``).

``Mount`` offers the three ways to cut the power the tests use:

* ``cut()`` — now (``lazyfs::clear-cache``, after the writer was SIGKILLed);
* ``crash_now_on(op, regex)`` — LazyFS kills itself at the next ``op`` (fsync, write,
  rename…) on a path matching ``regex``, losing everything un-fsynced: a power cut
  inside SQLite, at a WAL or database fsync. Armed at the right moment (the crash
  harness's children arm it just before their Nth COMMIT) it cuts at the Nth one;
* ``mount([TornWrite(...)])`` — the Nth write to a file is split at byte offsets and
  only the listed parts reach the disk, then LazyFS dies (a torn write).

(Config ``[[injection]]`` entries of type ``clear`` were tried for "the Nth fsync" and
never fired in this build; ``torn-op`` entries do.)

After a crash fault, ``remount()`` brings the same backing folder back.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import select
import shutil
import subprocess
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).parents[2]
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "mockaudit-lazyfs"
# The tool ships beside the repository (shared/tools/lazyfs); CI may point elsewhere.
TOOL = Path(os.environ.get("MOCKAUDIT_LAZYFS_TOOL", ROOT.parent / "shared" / "tools" / "lazyfs"))


def unavailable() -> str | None:
    """Why LazyFS cannot run here, or None."""
    if os.name != "posix" or not Path("/dev/fuse").exists():
        return "no /dev/fuse: FUSE is unavailable on this machine"
    if os.geteuid() != 0 and not os.access("/dev/fuse", os.R_OK | os.W_OK):
        return "/dev/fuse is not usable by this user (LazyFS needs root or FUSE access)"
    if shutil.which("fusermount3") is None:
        return "fusermount3 is missing (apt-get install fuse3, or run .ci/run as root)"
    return None


def binary() -> Path | str:
    """The LazyFS binary (built into CACHE on first use), or the reason there is none."""
    explicit = os.environ.get("LAZYFS_BIN")
    if explicit:
        return (
            Path(explicit) if os.access(explicit, os.X_OK) else f"LAZYFS_BIN={explicit} is missing"
        )
    built = CACHE / "lazyfs"
    script = TOOL / "build.sh"
    if not script.is_file():
        return built if os.access(built, os.X_OK) else f"no LazyFS build script at {script}"
    # Re-running is cheap (<1 s) and picks up source changes. No apt-get from a test run:
    # .ci/run (or `build.sh` by hand) installs the Debian packages.
    # One build at a time: `make test` runs two pytest workers (xdist), and both power-loss
    # modules may ask at once; a second build.sh would replace the binary under the first.
    env = {**os.environ, "LAZYFS_SKIP_APT": "1"}
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / "build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = subprocess.run(
            [str(script), str(CACHE)], capture_output=True, text=True, env=env, check=False
        )
    if done.returncode != 0 or not os.access(built, os.X_OK):
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return f"LazyFS did not build ({last}); run {script} as root once"
    return built


@dataclass(frozen=True)
class TornWrite:
    """A ``torn-op`` injection: the ``occurrence``-th write to the backing file ``path``
    is split into ``parts`` equal pieces (or at ``parts_bytes``, which must add up to
    the write's size); only the pieces in ``persist`` (1-based) reach the disk, then
    LazyFS dies."""

    path: Path
    occurrence: int
    persist: tuple[int, ...]
    parts: int = 0
    parts_bytes: tuple[int, ...] = ()

    def toml(self) -> str:
        split = (
            f"parts_bytes=[{','.join(map(str, self.parts_bytes))}]"
            if self.parts_bytes
            else f"parts={self.parts}"
        )
        return (
            textwrap.dedent(f"""\
            [[injection]]
            type="torn-op"
            file="{self.path}"
            occurrence={self.occurrence}
            persist=[{",".join(map(str, self.persist))}]
            """)
            + split
            + "\n"
        )


class Mount:
    """LazyFS over ``<dir>/mnt`` with the data in ``<dir>/root``; tests use ``mnt``."""

    def __init__(self, exe: Path, workdir: Path, cache_size: str = "64mb") -> None:
        self.exe = exe
        self.dir = Path(os.path.realpath(workdir))
        self.mnt, self.root = self.dir / "mnt", self.dir / "root"
        self.fifo, self.done_fifo = self.dir / "faults.fifo", self.dir / "done.fifo"
        self.log, self.cfg = self.dir / "lazyfs.log", self.dir / "config.toml"
        self.stderr_log = self.dir / "lazyfs.stderr"
        self.cache_size = cache_size
        self.mnt.mkdir(parents=True, exist_ok=True)
        self.root.mkdir(parents=True, exist_ok=True)
        self.proc: subprocess.Popen[bytes] | None = None
        self.done_fd: int | None = None
        self._log_pos = 0
        self.mounts = 0

    def backing(self, path: Path) -> Path:
        """The path LazyFS sees (fault commands name files inside ``root``)."""
        return self.root / Path(path).relative_to(self.mnt)

    def _write_config(self, faults: list[TornWrite]) -> None:
        text = textwrap.dedent(f"""\
            [faults]
            fifo_path="{self.fifo}"
            fifo_path_completed="{self.done_fifo}"
            [cache]
            apply_eviction=false
            [cache.simple]
            custom_size="{self.cache_size}"
            blocks_per_page=1
            [filesystem]
            log_all_operations=false
            logfile="{self.log}"
            """)
        self.cfg.write_text(text + "".join(f.toml() for f in faults))

    def mount(self, faults: list[TornWrite] | None = None, attempts: int = 3) -> Mount:
        """Start LazyFS; a start that dies or hangs is retried (seen once in CI: the
        first mount of a run failed while every later one worked)."""
        for attempt in range(1, attempts + 1):
            failure = self._start(faults or [])
            if failure is None:
                break
            if attempt == attempts:
                raise RuntimeError(f"LazyFS did not mount after {attempts} tries: {failure}")
            time.sleep(0.5 * attempt)
        if self.done_fd is None:  # LazyFS blocks on opening done.fifo until a reader exists
            self.done_fd = os.open(self.done_fifo, os.O_RDWR)
        self.mounts += 1
        return self

    def _start(self, faults: list[TornWrite], timeout: float = 30) -> str | None:
        """One start of LazyFS: None once the mount is up, else why it is not."""
        self._write_config(faults)
        with self.stderr_log.open("wb") as err:
            self.proc = subprocess.Popen(
                self.argv(), cwd=self.dir, stdout=subprocess.DEVNULL, stderr=err
            )
        self._log_pos = 0  # LazyFS truncates its log at start
        deadline = time.monotonic() + timeout
        while not os.path.ismount(self.mnt):
            code = self.proc.poll()
            if code is not None or time.monotonic() > deadline:
                self.unmount()
                state = f"exited with {code}" if code is not None else f"not up in {timeout:.0f} s"
                return f"{state}; stderr: {_tail(self.stderr_log)}; log: {_tail(self.log)}"
            time.sleep(0.02)
        return None

    def argv(self) -> list[str]:
        """LazyFS's command line, run in ``self.dir``. The config path is given relative:
        LazyFS takes an argument after ``--config-path`` that contains "-o" (in any case)
        for the next option and falls back to ``config/default.toml``, so a work folder
        such as ``/tmp/mockaudit-lazyfs-o1x2`` (mkdtemp's random part starting with "o")
        made every mount of a run fail."""
        return [str(self.exe), str(self.mnt), "--config-path", self.cfg.name, "-f",
                "-o", f"modules=subdir,subdir={self.root}"]  # fmt: skip

    def remount(self, faults: list[TornWrite] | None = None) -> None:
        self.unmount()
        self.mount(faults)

    def command(self, cmd: str) -> None:
        """One newline-terminated command per write: LazyFS does not split lines."""
        self._log_pos = self.log.stat().st_size if self.log.exists() else 0
        deadline = time.monotonic() + 10
        while True:
            try:
                fd = os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK)
                break
            except OSError as exc:  # ENXIO: LazyFS has not opened its end yet (just mounted)
                if exc.errno != errno.ENXIO or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)
        try:
            os.write(fd, (cmd + "\n").encode())
        finally:
            os.close(fd)

    def cut(self, timeout: float = 30) -> None:
        """Power loss now: every un-fsynced byte is dropped (waits for LazyFS's ack).
        If a crash fault already killed LazyFS, the loss has happened: remount instead."""
        if not self.alive():
            self.remount()
            return
        assert self.done_fd is not None
        self.command("lazyfs::clear-cache")
        ready, _, _ = select.select([self.done_fd], [], [], timeout)
        ack = os.read(self.done_fd, 64) if ready else b""
        assert ack == b"finished::clear-cache\n", f"LazyFS did not acknowledge clear-cache: {ack!r}"

    def crash_now_on(self, op: str, regex: str, timing: str = "before") -> None:
        """LazyFS dies at the next ``op`` whose backing path matches ``regex``."""
        self.command(f"lazyfs::crash::timing={timing}::op={op}::from_rgx={regex}")
        self.wait_log(r"VALID crash fault")

    def wait_log(self, pattern: str, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.log.exists():
                with self.log.open(errors="replace") as fh:
                    fh.seek(self._log_pos)
                    text = fh.read()
                if re.search(pattern, text):
                    return
                if re.search(r"INVALID|command unknown", text):
                    raise AssertionError(f"LazyFS refused the command: {text[-300:]}")
            time.sleep(0.01)
        raise TimeoutError(f"LazyFS never logged {pattern!r}")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def crashed(self, wait: float = 0) -> bool:
        """Whether a fault killed LazyFS (it exits with SIGKILL after an injected fault).
        The writer may see its I/O fail a moment before LazyFS is reaped: ``wait``."""
        if self.proc is None:
            return False
        try:
            return self.proc.wait(timeout=wait) == -9
        except subprocess.TimeoutExpired:
            return False

    def _listed(self) -> bool:
        # os.path.ismount is False for a dead FUSE mount (ENOTCONN); the table lists it.
        with open("/proc/self/mounts") as fh:
            return any(line.split()[1] == str(self.mnt) for line in fh)

    def unmount(self) -> int | None:
        if self.proc is None:
            return None
        if self._listed():
            subprocess.run(["fusermount3", "-u", str(self.mnt)], check=False, capture_output=True)
            if self._listed():
                subprocess.run(
                    ["fusermount3", "-uz", str(self.mnt)], check=False, capture_output=True
                )
        try:
            code = self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()  # our own child, by its handle
            code = self.proc.wait()
        self.proc = None
        return code

    def close(self) -> None:
        self.unmount()
        if self.done_fd is not None:
            os.close(self.done_fd)
            self.done_fd = None
        if not self._listed():  # never delete through a live mount
            shutil.rmtree(self.dir, ignore_errors=True)


def _tail(path: Path, lines: int = 3) -> str:
    """The last lines of a LazyFS output file, on one line (for a failure message)."""
    try:
        text = path.read_text(errors="replace").strip()
    except OSError:
        return "(none)"
    return " | ".join(text.splitlines()[-lines:]) or "(empty)"


def durable_copy(src: Path, dest: Path) -> None:
    """Copy a folder onto the mount and fsync every file and folder, so that a later
    power cut can only take what the test itself wrote."""
    shutil.copytree(src, dest)
    for folder, _, files in os.walk(dest):
        for name in files:
            fd = os.open(os.path.join(folder, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def new_workdir(prefix: str) -> Path:
    """LazyFS's own folder: on a real disk, never on the tmpfs the fault tests prefer."""
    return Path(tempfile.mkdtemp(prefix=prefix))
