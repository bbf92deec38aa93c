"""Child process for the crash tests: does vault writes and acknowledges each one.

Usage: python crash_child.py MODE VAULT SEED KILL_AT_OP
  MODE add     — add evidence in a loop, printing "ACK <id> <sha256>" after each commit
  MODE passwd  — change the passphrase OLD → NEW once, printing "DONE"
KILL_AT_OP > 0 makes the process SIGKILL itself at that file operation (the named
hook points: temp create, write, fsync, rename, directory fsync); 0 leaves the
killing to the parent at a random moment.
"""

from __future__ import annotations

import os
import random
import signal
import sys
from pathlib import Path
from typing import Any

from mockaudit import fsio
from mockaudit.session import Session

OLD, NEW = "old passphrase for crash tests", "new passphrase for crash tests"


class KillAt(fsio.FileOps):
    def __init__(self, n: int) -> None:
        self.n = n
        self.calls = 0

    def _tick(self) -> None:
        self.calls += 1
        if self.calls == self.n:
            os.kill(os.getpid(), signal.SIGKILL)

    def open_new(self, path: Path, *, nofollow: bool = True) -> Any:
        self._tick()
        return super().open_new(path, nofollow=nofollow)

    def write(self, fh: Any, data: Any) -> None:
        self._tick()
        super().write(fh, data)

    def fsync(self, fh: Any) -> None:
        self._tick()
        super().fsync(fh)

    def replace(self, src: Path, dst: Path) -> None:
        self._tick()
        super().replace(src, dst)

    def fsync_dir(self, path: Path) -> None:
        self._tick()
        super().fsync_dir(path)


def content(seed: int, i: int) -> bytes:
    rng = random.Random(seed * 100_003 + i)
    return rng.randbytes(rng.choice([0, 1, 100, 5000, 65536, 70000, 200_000]))


def run_add(vault: Path, seed: int, count: int = 10_000) -> None:
    src = vault.parent / f"src-{seed}"
    src.mkdir(exist_ok=True)
    with Session.open(vault, OLD) as session:
        print("READY", flush=True)
        if os.environ.get("CRASH_CHILD_WAIT") == "1":
            sys.stdin.readline()  # hold the writer lock until the parent says go
        for i in range(count):
            path = src / f"file-{i}.bin"
            path.write_bytes(content(seed, i))
            [result] = session.add_evidence([path], control="CHG-01")
            print(f"ACK {result.evidence_id} {result.sha256}", flush=True)


def run_passwd(vault: Path) -> None:
    with Session.open(vault, OLD) as session:
        print("READY", flush=True)
        session.change_passphrase(NEW)
    print("DONE", flush=True)


def main() -> None:
    mode, vault, seed, kill_at = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    if kill_at:
        fsio.set_ops(KillAt(kill_at))
    if mode == "add":
        run_add(vault, seed)
    elif mode.startswith("add"):  # "add25": add exactly 25 items and exit
        run_add(vault, seed, int(mode[3:]))
    else:
        run_passwd(vault)


if __name__ == "__main__":
    main()
