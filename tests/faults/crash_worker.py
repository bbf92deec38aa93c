"""A fork server for the SIGKILL tests: write paths run in children that acknowledge each step.

The crash_child.py pattern (tests/vault) generalised to every write path, and made cheap:
starting Python and importing mockaudit costs ~0.4 s, more than most operations, so
this process imports everything once and then forks one child per job. Protocol on
stdin/stdout, one line each:

    parent → server   {"op": "import", "vault": ..., "work": ..., "seed": 3,
                       "passphrase": ..., "iterations": 3, "kill": ["sql", 41]}
    child  → parent   PID <pid> / READY / ACK <op> <fields…> / DONE / ERROR <text>
    server → parent   EXIT <pid> <status>  (negative: the signal that ended the child)

``kill`` is where the child SIGKILLs itself: ``["op", n]`` before its nth file operation
(temp create, write, fsync, rename, link, mkdir, unlink, directory fsync: the named hook
points), ``["sql", n]`` before its nth SQL statement (BEGIN, each INSERT, COMMIT…),
``["commit", n]`` right after its nth COMMIT returned (committed, not yet acknowledged),
``["none", 0]`` never (the parent kills it at a random moment after READY), and
``["count", 0]`` never, and reports how many of each the whole job made.

The server itself never opens a vault (a forked SQLite connection is unusable), and every
child writes with ``os.write`` so lines from one child are never interleaved.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mockaudit import fsio
from mockaudit.session import Session
from mockaudit.vault import db
from tests.faults.program_paths import AS_OF, changed_scenario, changes_csv


def say(line: str) -> None:
    os.write(1, (line + "\n").encode())


class Hooks:
    """Counts file operations, SQL statements and commits; SIGKILLs at the chosen one."""

    def __init__(self, kind: str, n: int) -> None:
        self.kind = kind
        self.n = n
        self.counts = {"op": 0, "sql": 0, "commit": 0}

    def tick(self, kind: str) -> None:
        self.counts[kind] += 1
        if kind == self.kind and self.counts[kind] == self.n:
            os.kill(os.getpid(), signal.SIGKILL)


class KillingOps(fsio.FileOps):
    def __init__(self, hooks: Hooks) -> None:
        self.hooks = hooks

    def open_new(self, path: Path, *, nofollow: bool = True) -> Any:
        self.hooks.tick("op")
        return super().open_new(path, nofollow=nofollow)

    def write(self, fh: Any, data: Any) -> None:
        self.hooks.tick("op")
        super().write(fh, data)

    def fsync(self, fh: Any) -> None:
        self.hooks.tick("op")
        super().fsync(fh)

    def replace(self, src: Path, dst: Path) -> None:
        self.hooks.tick("op")
        super().replace(src, dst)

    def link(self, src: Path, dst: Path) -> None:
        self.hooks.tick("op")
        super().link(src, dst)

    def mkdir(self, path: Path) -> None:
        self.hooks.tick("op")
        super().mkdir(path)

    def unlink(self, path: Path) -> None:
        self.hooks.tick("op")
        super().unlink(path)

    def fsync_dir(self, path: Path) -> None:
        self.hooks.tick("op")
        super().fsync_dir(path)


class KillingConnection:
    """The vault's connection, ticking before each statement and after each COMMIT."""

    def __init__(self, real: Any, hooks: Hooks) -> None:
        self._real = real
        self._hooks = hooks

    def execute(self, sql: str, *args: Any) -> Any:
        self._hooks.tick("sql")
        result = self._real.execute(sql, *args)
        if sql.lstrip().upper().startswith("COMMIT"):
            self._hooks.tick("commit")
        return result

    def executemany(self, sql: str, *args: Any) -> Any:
        self._hooks.tick("sql")
        return self._real.executemany(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


# ----- the operations: each step acknowledged only after it returned -----


def op_import(s: Session, job: dict[str, Any], i: int) -> None:
    tag = f"{job['seed']}-{i}"
    folder = changed_scenario(Path(job["work"]) / f"scenario-{tag}", tag, rows=job["rows"])
    report = s.import_scenario(folder)
    say(f"ACK import {report.program_version} {tag}")


def op_population(s: Session, job: dict[str, Any], i: int) -> None:
    tag = f"{job['seed']}-{i}"
    path = Path(job["work"]) / f"changes-{tag}.csv"
    path.write_bytes(population_rows(tag))
    done = s.import_population("changes", file=path)
    say(f"ACK population {tag} {hashlib.sha256(path.read_bytes()).hexdigest()} {done.rows}")


def population_rows(tag: str) -> bytes:
    """Between 40 and 400 rows, different for every tag."""
    size = 40 + int(hashlib.sha256(tag.encode()).hexdigest(), 16) % 360
    return changes_csv(size, tag)


def op_run(s: Session, job: dict[str, Any], i: int) -> None:
    run = s.run_audit(seed=job["seed"] * 1000 + i)
    say(f"ACK run {run.id} {run.seed} {len(run.findings)}")


def op_passwd(s: Session, job: dict[str, Any], i: int) -> None:
    new = passphrase_for(job["seed"], i)
    s.change_passphrase(new)
    say(f"ACK passwd {job['seed']} {i}")


def op_rekey(s: Session, job: dict[str, Any], i: int) -> None:
    epoch = s.rekey(job["passphrase"])
    say(f"ACK rekey {epoch}")


def passphrase_for(seed: int, i: int) -> str:
    return f"crash passphrase {seed}-{i}"


EXPORT_KINDS = ("findings", "program", "evidence", "report", "package")


def op_export(s: Session, job: dict[str, Any], i: int) -> None:
    """Rotates through the export writers: findings file, program folder, evidence files,
    the HTML report (signs a checkpoint) and the evidence package (records custody)."""
    work = Path(job["work"])
    tag = f"{job['seed']}-{i}"
    kind = EXPORT_KINDS[i % len(EXPORT_KINDS)]
    if kind == "findings":
        s.export_findings("json", work / f"findings-{tag}.json")
        say(f"ACK export findings findings-{tag}.json")
    elif kind == "program":
        s.export_program(work / f"program-{tag}")
        say(f"ACK export program program-{tag}")
    elif kind == "evidence":
        ids = [e.evidence_id for e in s.list_evidence()][:6]
        paths = s.export_evidence(ids, work / f"evidence-{tag}")
        say(f"ACK export evidence evidence-{tag} {len(paths)}")
    elif kind == "report":
        s.export_report(work / f"report-{tag}.html")
        say(f"ACK export report report-{tag}.html")
    else:
        report = s.write_package(work / f"package-{tag}.zip")
        say(f"ACK export package package-{tag}.zip {report.files}")


def op_walkthrough(s: Session, job: dict[str, Any], i: int) -> None:
    result = s.rehearse("CHG-01", {}, None, as_of=AS_OF)
    stored = s.save_walkthrough(result)
    say(f"ACK walkthrough {stored.walkthrough_id} {stored.control_id}")


OPS: dict[str, Callable[[Session, dict[str, Any], int], None]] = {
    "import": op_import,
    "population": op_population,
    "run": op_run,
    "passwd": op_passwd,
    "rekey": op_rekey,
    "export": op_export,
    "walkthrough": op_walkthrough,
}


def child(job: dict[str, Any], ready: Callable[[], object]) -> None:
    kind, n = job["kill"]
    hooks = Hooks(kind, n)
    say(f"PID {os.getpid()}")
    started = time.perf_counter()
    with Session.open(Path(job["vault"]), job["passphrase"]) as s:
        fsio.set_ops(KillingOps(hooks))
        real = s.vault._conn
        s.vault._conn = KillingConnection(real, hooks)
        say("READY")
        ready()
        opened = time.perf_counter()
        for i in range(job["first"], job["first"] + job["iterations"]):
            OPS[job["op"]](s, job, i)
        s.vault._conn = real
        fsio.set_ops(fsio.FileOps())
    if kind == "count":
        c = hooks.counts
        elapsed = time.perf_counter() - opened
        say(f"COUNT {c['op']} {c['sql']} {c['commit']} {elapsed:.4f} {opened - started:.4f}")
    say("DONE")


def serve() -> None:
    """One job per stdin line: fork, optionally SIGKILL the child ``delay`` s after READY.

    The server does the timed kill itself: until it reaps the child, the child's pid
    cannot be reused, so the signal can never reach another process.
    """
    say(f"SERVER {os.getpid()}")
    for line in sys.stdin:
        job = json.loads(line)
        ready_r, ready_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(ready_r)
            code = 0
            try:
                child(job, lambda fd=ready_w: os.write(fd, b"R"))
            except BaseException as exc:  # reported to the parent, never a traceback
                say(f"ERROR {type(exc).__name__}: {' '.join(str(exc).split())}")
                code = 3
            os._exit(code)
        os.close(ready_w)
        ready = os.read(ready_r, 1)  # b"" if the child ended before READY
        os.close(ready_r)
        if ready and job.get("delay") is not None:
            time.sleep(job["delay"])
            os.kill(pid, signal.SIGKILL)  # running or a zombie: never someone else
        _, status = os.waitpid(pid, 0)
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        say(f"EXIT {pid} {code}")


if __name__ == "__main__":
    assert db.DB_FILE  # the database module is loaded before any fork
    serve()
