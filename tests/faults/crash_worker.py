"""A fork server for the SIGKILL tests: write paths run in children that acknowledge each step.

The crash_child.py pattern (tests/vault) generalised to every write path, and made cheap:
starting Python and importing mockaudit costs ~0.4 s, more than most operations, so
this process imports everything once and then forks one child per job. Protocol on
stdin/stdout, one line each:

    parent → server   {"op": "import", "vault": ..., "work": ..., "seed": 3,
                       "passphrase": ..., "iterations": 3, "kill": ["sql", 41]}
    child  → parent   PID <pid> / READY / ACK <op> <fields…> / DONE / ERROR <text>
                      UNSYNCED <path> (with ``"audit": true``, before an ACK: a directory
                      entry the acknowledged state rests on was never fsynced)
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
import random
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
from tests.powerloss.dir_audit import DirAudit


def say(line: str) -> None:
    if line.startswith("ACK ") and AUDIT is not None:
        # The power-loss tests: nothing acknowledged may rest on a directory entry
        # that was never fsynced (tests/powerloss/dir_audit.py).
        for entry in AUDIT.unsynced():
            os.write(1, f"UNSYNCED {entry}\n".encode())
    os.write(1, (line + "\n").encode())


AUDIT: Any = None  # a DirAudit when the job asks for one


class Hooks:
    """Counts file operations, SQL statements and commits; SIGKILLs at the chosen one.

    Kind ``arm`` (the power-loss tests) kills nothing: just before its nth COMMIT the
    child sends ``arm["command"]`` to LazyFS (a crash at the next fsync of the WAL, say)
    and waits until LazyFS has taken it, so the power fails inside that commit.
    """

    def __init__(self, kind: str, n: int, arm: dict[str, str] | None = None) -> None:
        self.kind = kind
        self.n = n
        self.arm = arm
        self.counts = {"op": 0, "sql": 0, "commit": 0, "precommit": 0}

    def tick(self, kind: str) -> None:
        self.counts[kind] += 1
        if kind == self.kind and self.counts[kind] == self.n:
            os.kill(os.getpid(), signal.SIGKILL)
        if kind == "precommit" and self.kind == "arm" and self.counts[kind] == self.n:
            assert self.arm is not None
            arm_lazyfs(self.arm["fifo"], self.arm["log"], self.arm["command"])


def arm_lazyfs(fifo: str, log: str, command: str) -> None:
    """Send one fault command to LazyFS and wait for it to be accepted (it sends no ack)."""
    start = os.path.getsize(log)
    fd = os.open(fifo, os.O_WRONLY)
    try:
        os.write(fd, (command + "\n").encode())
    finally:
        os.close(fd)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with open(log, errors="replace") as fh:
            fh.seek(start)
            if "VALID crash fault" in fh.read():
                return
        time.sleep(0.005)
    raise RuntimeError("LazyFS did not take the fault command")


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


class AuditingOps(DirAudit, KillingOps):
    """KillingOps that also tracks directory entries not yet fsynced."""


class KillingConnection:
    """The vault's connection, ticking before each statement and after each COMMIT."""

    def __init__(self, real: Any, hooks: Hooks) -> None:
        self._real = real
        self._hooks = hooks

    def execute(self, sql: str, *args: Any) -> Any:
        self._hooks.tick("sql")
        commit = sql.lstrip().upper().startswith("COMMIT")
        if commit:
            self._hooks.tick("precommit")
        result = self._real.execute(sql, *args)
        if commit:
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


def member_for(seed: int, i: int) -> tuple[str, str]:
    """The member id and passphrase iteration ``i`` adds (issue 20)."""
    return f"m{seed}-{i}", f"member passphrase {seed}-{i}"


def op_member_add(s: Session, job: dict[str, Any], i: int) -> None:
    name, phrase = member_for(job["seed"], i)
    s.add_member(name, f"Member {job['seed']}-{i}", phrase)
    say(f"ACK member_add {name}")


def op_member_remove(s: Session, job: dict[str, Any], i: int) -> None:
    """Add a member, then remove them (a master-key rotation); each acknowledged."""
    name, phrase = member_for(job["seed"], i)
    s.add_member(name, f"Member {job['seed']}-{i}", phrase)
    say(f"ACK member_add {name}")
    # What the member keeps: their copy of vault.key, durable (a power cut must not eat
    # it), written with plain OS calls outside the hooks.
    work = Path(job["work"])
    fd = os.open(work / f"{name}.key", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, (Path(job["vault"]) / "vault.key").read_bytes())
        os.fsync(fd)
    finally:
        os.close(fd)
    dir_fd = os.open(work, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    epoch = s.remove_member(name)
    say(f"ACK member_remove {name} {epoch}")


def op_recovery_kit(s: Session, job: dict[str, Any], i: int) -> None:
    name = f"kit-{job['seed']}-{i}.html"
    code = s.write_recovery_kit(Path(job["work"]) / name)
    say(f"ACK recovery_kit {name} {code}")


EXPORT_KINDS = ("findings", "program", "evidence", "report", "package")
# Every export writer; a job may ask for these with "kinds" (walkthrough needs WT-000001).
ALL_EXPORT_KINDS = (*EXPORT_KINDS, "xlsx", "requests", "oscal", "walkthrough")


def op_export(s: Session, job: dict[str, Any], i: int) -> None:
    """Rotates through the export writers: findings file, program folder, evidence files,
    the HTML report (signs a checkpoint) and the evidence package (records custody);
    with ``kinds`` also the findings workbook, the request list, OSCAL and a walkthrough
    transcript as Markdown (records custody)."""
    work = Path(job["work"])
    tag = f"{job['seed']}-{i}"
    kinds = job.get("kinds", EXPORT_KINDS)
    kind = kinds[i % len(kinds)]
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
    elif kind == "package":
        report = s.write_package(work / f"package-{tag}.zip")
        say(f"ACK export package package-{tag}.zip {report.files}")
    elif kind == "xlsx":
        s.export_findings("xlsx", work / f"xlsx-{tag}.xlsx")
        say(f"ACK export xlsx xlsx-{tag}.xlsx")
    elif kind == "requests":
        s.export_requests("csv", work / f"requests-{tag}.csv")
        say(f"ACK export requests requests-{tag}.csv")
    elif kind == "oscal":
        s.export_oscal(work / f"oscal-{tag}.json")
        say(f"ACK export oscal oscal-{tag}.json")
    else:
        s.export_walkthrough_markdown("WT-000001", work / f"walkthrough-{tag}.md")
        say(f"ACK export walkthrough walkthrough-{tag}.md")


def evidence_bytes(seed: int, i: int, size: int | None = None) -> bytes:
    """Distinct content per (seed, i): never deduplicated against another iteration."""
    rng = random.Random(seed * 100_003 + i)
    n = size if size is not None else rng.choice([0, 1, 100, 5000, 65536, 70000])
    return f"{seed}-{i}|".encode() + rng.randbytes(n)


def op_add(s: Session, job: dict[str, Any], i: int) -> None:
    """One file per call (``large``: a multi-chunk file, about 3 MiB)."""
    path = Path(job["work"]) / f"add-{job['seed']}-{i}.bin"
    path.write_bytes(evidence_bytes(job["seed"], i, job.get("size")))
    [done] = s.add_evidence([path], control="CHG-01")
    say(f"ACK add {done.evidence_id} {done.sha256}")


def op_batch(s: Session, job: dict[str, Any], i: int) -> None:
    """Five files in one call: one batch, one commit, acknowledged together."""
    paths = []
    for k in range(5):
        path = Path(job["work"]) / f"batch-{job['seed']}-{i}-{k}.bin"
        path.write_bytes(evidence_bytes(job["seed"], i * 10 + k))
        paths.append(path)
    done = s.add_evidence(paths, control="CHG-01")
    say("ACK batch " + " ".join(f"{d.evidence_id}:{d.sha256}" for d in done))


def op_respond(s: Session, job: dict[str, Any], i: int) -> None:
    """Answer one request of the stored run (a later answer replaces an earlier one)."""
    run = s.run()
    request = run.requests[i % min(3, len(run.requests))]
    ids = [e.evidence_id for e in s.list_evidence()][: 1 + i % 3]
    s.respond_to_request(run.id, request.code, "provided", ids, f"answer {job['seed']}-{i}")
    say(f"ACK respond {run.id} {request.code} {job['seed']}-{i} {','.join(ids)}")


def op_checkpoint(s: Session, job: dict[str, Any], i: int) -> None:
    name = f"checkpoint-{job['seed']}-{i}.txt"
    s.checkpoint(Path(job["work"]) / name)
    say(f"ACK checkpoint {name}")


def op_walkthrough(s: Session, job: dict[str, Any], i: int) -> None:
    result = s.rehearse("CHG-01", {}, None, as_of=AS_OF)
    stored = s.save_walkthrough(result)
    say(f"ACK walkthrough {stored.walkthrough_id} {stored.control_id}")


def remediation_target(s: Session, i: int) -> str:
    """The finding iteration ``i`` answers: the latest run's findings in turn."""
    findings = s.run().findings
    return findings[i % len(findings)].id


def op_remediation(s: Session, job: dict[str, Any], i: int) -> None:
    tag = f"{job['seed']}-{i}"
    finding = remediation_target(s, i)
    record = s.set_remediation(finding, response=f"response {tag}", cause=f"cause {tag}")
    say(f"ACK remediation {record.finding_id} {tag}")


OPS: dict[str, Callable[[Session, dict[str, Any], int], None]] = {
    "import": op_import,
    "population": op_population,
    "run": op_run,
    "passwd": op_passwd,
    "rekey": op_rekey,
    "export": op_export,
    "walkthrough": op_walkthrough,
    "add": op_add,
    "batch": op_batch,
    "respond": op_respond,
    "checkpoint": op_checkpoint,
    "remediation": op_remediation,
    "member_add": op_member_add,
    "member_remove": op_member_remove,
    "recovery_kit": op_recovery_kit,
}


def child(job: dict[str, Any], ready: Callable[[], object]) -> None:
    kind, n = job["kill"]
    hooks = Hooks(kind, n, job.get("arm"))
    say(f"PID {os.getpid()}")
    started = time.perf_counter()
    with Session.open(Path(job["vault"]), job["passphrase"], member=job.get("member")) as s:
        ops = KillingOps(hooks)
        if job.get("audit"):
            global AUDIT
            ops = AUDIT = AuditingOps(hooks)
        fsio.set_ops(ops)
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
                cause = exc.__cause__ or exc.__context__
                where = f" [{cause!r}]" if isinstance(cause, OSError) else ""
                say(f"ERROR {type(exc).__name__}: {' '.join(str(exc).split())}{where}")
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
