"""mockaudit benchmarks: each figure beside a baseline measured in the same run.

Usage: python bench/run.py [--quick] [--only NAME ...]

Every figure is the median of ≥ 5 runs (min/max shown). Machines here are noisy,
so ratios to the in-run baseline are what the goals are stated in. Results go to
bench/results.json (or bench/results-quick.json with --quick).

Each measured run of mockaudit happens in a fresh child process, so peak RSS is
that process's own VmHWM and SQLite's page cache starts cold, as it does for a
user who opens the vault and runs one command. Figures whose code has not landed
yet (the TUI, an export format) print a "not available" row instead of failing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
RUNS = 5
PASS = "bench passphrase"
MIB = 1024 * 1024
CHILD_TIMEOUT = 1200  # seconds; a hung child fails the bench instead of stalling it


@dataclass
class Figure:
    name: str
    unit: str
    median: float | None
    low: float | None
    high: float | None
    baseline: float | None
    ratio: float | None
    goal: str
    met: bool | None
    extra: dict[str, float] = field(default_factory=dict)
    note: str = ""


def unavailable(name: str, goal: str, why: str) -> Figure:
    """A row for a figure whose code is not there yet: printed, never counted as met."""
    return Figure(name, "", None, None, None, None, None, goal, None, note=f"not available: {why}")


def measure(fn: Callable[[], float], runs: int = RUNS) -> tuple[float, float, float]:
    values = [fn() for _ in range(runs)]
    return statistics.median(values), min(values), max(values)


def child(code: str, *args: str) -> dict[str, Any]:
    """Run ``code`` in a fresh interpreter; it prints one JSON object (time, rss…) last."""
    out = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=CHILD_TIMEOUT,
    )
    if out.returncode != 0:
        tail = " | ".join(out.stderr.strip().splitlines()[-3:])
        raise RuntimeError(f"bench child failed ({out.returncode}): {tail}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


CHILD_PRELUDE = """
import json, sys, time
from pathlib import Path
from mockaudit.session import Session
from mockaudit.vault.keyfile import KdfParams

def peak_rss_mb():
    # VmHWM is this process's own high-water mark; ru_maxrss would include the
    # parent's RSS inherited across fork.
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0
"""

# ----- evidence ingest ---------------------------------------------------------------------

INGEST_CHILD = (
    CHILD_PRELUDE
    + """
vault, files = Path(sys.argv[1]), [Path(p) for p in sys.argv[2:]]
if len(files) == 1 and files[0].is_dir():
    files = sorted(files[0].iterdir())
Session.create(vault, "x", kdf=KdfParams(8192, 1)).close()
with Session.open(vault, "x") as s:
    t = time.perf_counter()
    s.add_evidence(files)
    elapsed = time.perf_counter() - t
print(json.dumps({"time": elapsed, "rss_mb": peak_rss_mb()}))
"""
)


def reference_ingest(src: Path, dst: Path) -> None:
    """The floor: read 1 MiB chunks, SHA-256, AES-256-GCM, write, fsync."""
    aead = AESGCM(os.urandom(32))
    digest = hashlib.sha256()
    counter = 0
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        while chunk := fin.read(MIB):
            digest.update(chunk)
            fout.write(aead.encrypt(counter.to_bytes(12, "big"), chunk, None))
            counter += 1
        fout.flush()
        os.fsync(fout.fileno())


def make_random_file(path: Path, size: int) -> None:
    with open(path, "wb") as fh:
        left = size
        while left:
            n = min(left, 16 * MIB)
            fh.write(os.urandom(n))
            left -= n


def bench_ingest_large(work: Path, quick: bool) -> Figure:
    size = (64 if quick else 1024) * MIB
    src = work / "large.bin"
    make_random_file(src, size)

    def ref() -> float:
        t = time.perf_counter()
        reference_ingest(src, work / "ref.out")
        elapsed = time.perf_counter() - t
        (work / "ref.out").unlink()
        return size / MIB / elapsed

    rss: list[float] = []

    def ours() -> float:
        vault = work / "v-large"
        result = child(INGEST_CHILD, str(vault), str(src))
        shutil.rmtree(vault)
        rss.append(result["rss_mb"])
        return size / MIB / float(result["time"])

    base, _, _ = measure(ref)
    med, low, high = measure(ours)
    ratio = med / base
    peak = max(rss)
    return Figure(
        f"ingest one {size // MIB} MiB file",
        "MB/s",
        med,
        low,
        high,
        base,
        ratio,
        "≥ 80 % of reference; peak RSS < 150 MB",
        ratio >= 0.8 and peak < 150,
        {"peak_rss_mb": peak},
    )


def bench_ingest_small(work: Path, quick: bool) -> Figure:
    count = 1000 if quick else 10_000
    folder = work / "small"
    folder.mkdir(exist_ok=True)
    for i in range(count):
        (folder / f"f{i:05d}.bin").write_bytes(os.urandom(4096))

    def ref() -> float:
        out = work / "ref-small"
        out.mkdir()
        t = time.perf_counter()
        for path in sorted(folder.iterdir()):
            reference_ingest(path, out / path.name)
        elapsed = time.perf_counter() - t
        shutil.rmtree(out)
        return count / elapsed

    def ours() -> float:
        vault = work / "v-small"
        result = child(INGEST_CHILD, str(vault), str(folder))
        shutil.rmtree(vault)
        return count / float(result["time"])

    base, _, _ = measure(ref)
    med, low, high = measure(ours)
    ratio = med / base
    return Figure(
        f"ingest {count} files of 4 KiB",
        "files/s",
        med,
        low,
        high,
        base,
        ratio,
        "≥ 50 % of reference",
        ratio >= 0.5,
    )


# ----- unlock ------------------------------------------------------------------------------

UNLOCK_CHILD = (
    CHILD_PRELUDE
    + """
vault = Path(sys.argv[1])
t = time.perf_counter()
Session.open(vault, "bench passphrase").close()
print(json.dumps({"time": time.perf_counter() - t}))
"""
)


def bench_unlock(work: Path, quick: bool) -> Figure:
    from mockaudit.session import Session

    vault = work / "v-unlock"
    Session.create(vault, PASS).close()
    med, low, high = measure(lambda: float(child(UNLOCK_CHILD, str(vault))["time"]))
    return Figure(
        "unlock (Argon2id default + open)",
        "s",
        med,
        low,
        high,
        None,
        None,
        "0.3–1 s",
        0.3 <= med <= 1.0,
    )


# ----- shared inputs: a 1M-row population, generated scenarios, their vaults ----------------

POP_PROGRAM = """format = "mockaudit.scenario/1"
[organization]
name = "Bench Co"
[engagement]
report_type = "type2"
period_start = 2026-01-01
period_end = 2026-12-31
[[people]]
id = "cto"
name = "CTO"
[[populations]]
id = "changes"
title = "Changes"
system = "github"
file = "populations/changes.csv"
key = "pr_id"
date = "merged_at"
declared_count = {rows}
extracted_on = 2027-01-03
query = "merged:2026"
[[controls]]
id = "CHG-01"
title = "Changes are approved"
criteria = ["CC8.1"]
owner = "cto"
frequency = "per_event"
kind = "manual"
nature = "preventive"
risk = "moderate"
population = "changes"
  [[controls.attributes]]
  id = "independent-approval"
  check = "different"
  fields = ["author", "approver"]
"""

IMPORT_CHILD = (
    CHILD_PRELUDE
    + """
vault, folder = Path(sys.argv[1]), Path(sys.argv[2])
Session.create(vault, "x", kdf=KdfParams(8192, 1)).close()
import resource
def children():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # Linux: KiB
with Session.open(vault, "x") as s:
    before = children()[0]
    t, cpu = time.perf_counter(), time.process_time()
    report = s.import_scenario(folder)
    elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu
child_cpu, child_rss = children()
rows = sum(p.rows for p in report.populations)
# cpu: on a shared machine the CPU ratio to sqlite3's stays steady while wall times swing.
# A large CSV is parsed in a child process (vault/population_feed.py): its CPU counts in
# "cpu" too ("writer_cpu" is this process alone); child_rss_mb is its own peak.
print(json.dumps({
    "time": elapsed, "cpu": cpu + child_cpu - before, "writer_cpu": cpu,
    "rss_mb": peak_rss_mb(), "child_rss_mb": child_rss, "rows": rows,
}))
"""
)

GENERATE_CHILD = """
import sys
from pathlib import Path
from mockaudit.session import generate_scenario
generate_scenario(Path(sys.argv[1]), seed=int(sys.argv[3]), size=sys.argv[2], defects=0.05)
print("{}")
"""


def write_population(folder: Path, rows: int) -> Path:
    """A realistic change population: 1 row per change over one year."""
    import random

    rng = random.Random(1)
    (folder / "populations").mkdir(parents=True, exist_ok=True)
    path = folder / "populations" / "changes.csv"
    people = [f"dev{i}" for i in range(60)]
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("pr_id,author,approver,approved_at,merged_at,ci_status,repo\n")
        for i in range(rows):
            day = 1 + i * 365 // rows
            month, dom = _month_day(day)
            a, b = rng.sample(people, 2)
            fh.write(
                f"PR-{i},{a},{b},2026-{month:02d}-{dom:02d}T09:00:00Z,"
                f"2026-{month:02d}-{dom:02d}T10:00:00Z,success,repo-{i % 40}\n"
            )
    (folder / "scenario.toml").write_text(POP_PROGRAM.replace("{rows}", str(rows)))
    return path


def _month_day(day_of_year: int) -> tuple[int, int]:
    import datetime as dt

    d = dt.date(2026, 1, 1) + dt.timedelta(days=day_of_year - 1)
    return d.month, d.day


class Shared:
    """Inputs several figures use, built once per bench run and only when first needed."""

    def __init__(self, root: Path, quick: bool) -> None:
        self.root = root
        self.quick = quick
        self.population_rows = 100_000 if quick else 1_000_000
        self.sizes = {"large": "small", "huge": "medium"} if quick else {}
        self._population: Path | None = None
        self.population_vault: Path | None = None
        self._scenarios: dict[str, Path] = {}
        self.scenario_vaults: dict[str, Path] = {}
        self.audits: dict[str, dict[str, float]] = {}  # size → median audit time and rows

    def population(self) -> Path:
        """The scenario folder holding the big change population (written once)."""
        if self._population is None:
            self._population = self.root / "population"
            write_population(self._population, self.population_rows)
        return self._population

    def population_vault_path(self) -> Path:
        """A vault with the big population imported (the import figure's last vault)."""
        if self.population_vault is None:
            vault = self.root / "v-population"
            child(IMPORT_CHILD, str(vault), str(self.population()))
            self.population_vault = vault
        return self.population_vault

    def size(self, name: str) -> str:
        """The generator size behind a figure (--quick swaps large/huge for small/medium)."""
        return self.sizes.get(name, name)

    def scenario(self, name: str) -> Path:
        if name not in self._scenarios:
            folder = self.root / f"scenario-{name}"
            child(GENERATE_CHILD, str(folder), self.size(name), "3")
            self._scenarios[name] = folder
        return self._scenarios[name]


SHARED: Shared | None = None


def shared() -> Shared:
    assert SHARED is not None
    return SHARED


def _sqlite_import(csv_path: Path, db: Path) -> tuple[float, float]:
    """Wall and CPU seconds of the sqlite3 shell's ``.import`` into a new plain database."""
    cpu = _children_cpu()
    t = time.perf_counter()
    subprocess.run(
        ["sqlite3", str(db), "-cmd", ".mode csv", f".import {csv_path} changes"],
        check=True,
        capture_output=True,
    )
    elapsed = time.perf_counter() - t
    cpu = _children_cpu() - cpu
    db.unlink()
    return elapsed, cpu


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# ----- import of a population ----------------------------------------------------------------


def bench_import_population(work: Path, quick: bool) -> Figure:
    data = shared()
    rows = data.population_rows
    folder = data.population()
    csv_path = folder / "populations" / "changes.csv"
    if shutil.which("sqlite3") is None:
        return unavailable(
            f"import {rows:,}-row population", "≤ 2.0× sqlite3 .import", "no sqlite3 CLI"
        )

    vaults: list[Path] = []
    base: list[tuple[float, float]] = []
    ours: list[dict[str, float]] = []
    for n in range(RUNS):  # alternate, so a busy spell on a shared machine hits both alike
        base.append(_sqlite_import(csv_path, work / "plain.db"))
        vault = work / f"v-import-{n}"
        if vaults:
            shutil.rmtree(vaults.pop())
        ours.append(child(IMPORT_CHILD, str(vault), str(folder)))
        vaults.append(vault)
    data.population_vault = vaults[-1]  # the analysis and TUI figures read this vault
    walls = [float(run["time"]) for run in ours]
    bases = [wall for wall, _ in base]
    med, base_med = statistics.median(walls), statistics.median(bases)
    ratio = med / base_med
    base_cpu = statistics.median(cpu for _, cpu in base)
    cpu_ratio = statistics.median(float(run["cpu"]) for run in ours) / base_cpu
    writer_ratio = statistics.median(float(run["writer_cpu"]) for run in ours) / base_cpu
    peak = max(float(run["rss_mb"]) for run in ours)
    child_peak = max(float(run["child_rss_mb"]) for run in ours)
    return Figure(
        f"import {rows:,}-row population",
        "s",
        med,
        min(walls),
        max(walls),
        base_med,
        ratio,
        "≤ 2.0× sqlite3 .import; peak RSS < 200 MB (writer + parser)",
        ratio <= 2.0 and peak + child_peak < 200,
        {
            "peak_rss_mb": peak,
            "parser_rss_mb": child_peak,
            "baseline_min": min(bases),
            "baseline_max": max(bases),
            "cpu_ratio": cpu_ratio,
            "writer_cpu_ratio": writer_ratio,
            "load_1min": os.getloadavg()[0],
        },
        "runs alternate; cpu_ratio: CPU seconds of both processes / sqlite3's; "
        "writer_cpu_ratio: the writer process alone",
    )


# ----- completeness & accuracy + sample selection ------------------------------------------

ANALYSIS_CHILD = (
    CHILD_PRELUDE
    + """
from mockaudit.fieldwork.populations import needed_columns, profile_unit
from mockaudit.fieldwork.sampling import control_seed, plan_sample, select, stratum_unit
from mockaudit.fieldwork.testing import fieldwork_window

class Rows(list):
    def fetchone(self):
        return self[0] if self else None
    def fetchall(self):
        return list(self)

class Recorder:
    # Logs every statement the vault's queries run (and how many rows it returned),
    # so the baseline replays the same SQL and can check it gets the same answers.
    def __init__(self, conn):
        self.conn, self.log = conn, []
    def execute(self, sql, args=()):
        rows = Rows(self.conn.execute(sql, args).fetchall())
        self.log.append([sql, list(args), len(rows)])
        return rows
    def __getattr__(self, name):
        return getattr(self.conn, name)

vault, record = Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else ""
with Session.open(vault, "x") as s:
    source = s.source()
    program = source.program()
    population = program.populations[0]
    users = [c for c in program.controls if c.population == population.id]
    control = users[0]
    engagement = program.engagement
    start, end = fieldwork_window(engagement)
    if record:
        source.conn = Recorder(source.conn)
    t = time.perf_counter()
    source.profile(
        population.id, start, end,
        unit=profile_unit(users), columns=needed_columns(population, users),
    )
    unit = stratum_unit(control.frequency)
    frame = dict(source.strata(population.id, start, end, unit))
    plan = plan_sample(
        control, population_size=sum(frame.values()), confidence=engagement.confidence,
        report_type=engagement.report_type, itgc_clean=False,
    )
    picks = select(frame, plan.size, control_seed(7, control.id))
    for label, index in picks:
        source.row_at(population.id, start, end, unit, label, index)
    elapsed = time.perf_counter() - t
    if record:
        Path(record).write_text(json.dumps(source.conn.log))
print(json.dumps({"time": elapsed, "picks": len(picks), "rss_mb": peak_rss_mb()}))
"""
)

PLAIN_CHILD = """
import json, sqlite3, sys, time
from pathlib import Path
statements = json.loads(Path(sys.argv[2]).read_text())
conn = sqlite3.connect(sys.argv[1])
counts = []
t = time.perf_counter()
for sql, args, _ in statements:
    counts.append(len(conn.execute(sql, args).fetchall()))
elapsed = time.perf_counter() - t
for (sql, _, want), got in zip(statements, counts):
    if got != want:
        sys.exit(f"the plain copy answers differently ({got} rows, not {want}): {sql[:80]}")
print(json.dumps({"time": elapsed, "statements": len(statements)}))
"""


def plain_copy(vault: Path, out: Path) -> None:
    """The vault's database decrypted into a plain SQLite file (same schema and indexes)."""
    from mockaudit.session import Session

    with Session.open(vault, "x") as session:
        conn = session.vault.conn
        conn.execute("ATTACH DATABASE ? AS plain KEY ''", (str(out),))
        conn.execute("SELECT sqlcipher_export('plain')")
        conn.execute("DETACH DATABASE plain")


def bench_analysis(work: Path, quick: bool) -> Figure:
    data = shared()
    vault = data.population_vault_path()
    plain, statements = work / "plain.db", work / "statements.json"
    plain_copy(vault, plain)
    child(ANALYSIS_CHILD, str(vault), str(statements))  # records the SQL, untimed

    def ours() -> float:
        return float(child(ANALYSIS_CHILD, str(vault))["time"])

    def ref() -> float:
        return float(child(PLAIN_CHILD, str(plain), str(statements))["time"])

    base, base_low, base_high = measure(ref)
    med, low, high = measure(ours)
    ratio = med / base
    count = len(json.loads(statements.read_text()))
    return Figure(
        f"C&A checks + sample on {data.population_rows:,} rows",
        "s",
        med,
        low,
        high,
        base,
        ratio,
        "≤ 1.5× the same SQL on plain sqlite3; < 3 s",
        ratio <= 1.5 and med < 3.0,
        {"statements": count, "baseline_min": base_low, "baseline_max": base_high},
        "profile()+strata()+row_at() per sampled item, cold cache, same statements replayed",
    )


# ----- full mock audits --------------------------------------------------------------------

AUDIT_CHILD = (
    CHILD_PRELUDE
    + """
vault = Path(sys.argv[1])
with Session.open(vault, "x") as s:
    rows = sum(t.row_count for t in s.populations())
    t = time.perf_counter()
    run = s.run_audit(seed=7)
    elapsed = time.perf_counter() - t
print(json.dumps({
    "time": elapsed, "rss_mb": peak_rss_mb(), "rows": rows, "findings": len(run.findings),
}))
"""
)


def _scenario_import(work: Path, name: str, runs: int) -> tuple[Figure, Path]:
    """Import the generated scenario ``runs`` times into fresh vaults; keep the last vault."""
    data = shared()
    folder = data.scenario(name)
    vaults: list[Path] = []
    rows: list[int] = []
    rss: list[float] = []

    def once() -> float:
        vault = work / f"v-{name}-{len(rows)}"
        if vaults:
            shutil.rmtree(vaults.pop())
        result = child(IMPORT_CHILD, str(vault), str(folder))
        vaults.append(vault)
        rows.append(int(result["rows"]))
        rss.append(float(result["rss_mb"]))
        return float(result["time"])

    med, low, high = measure(once, runs)
    data.scenario_vaults[name] = vaults[-1]
    figure = Figure(
        f"import `{data.size(name)}` scenario ({rows[-1]:,} rows)",
        "s",
        med,
        low,
        high,
        None,
        None,
        "reported (excluded from the audit figure)",
        None,
        {"rows": rows[-1], "peak_rss_mb": max(rss), "runs": runs},
    )
    return figure, vaults[-1]


def _audit(vault: Path) -> tuple[tuple[float, float, float], float, int, int]:
    rss: list[float] = []
    info: dict[str, int] = {}

    def once() -> float:
        result = child(AUDIT_CHILD, str(vault))
        rss.append(float(result["rss_mb"]))
        info.update(rows=int(result["rows"]), findings=int(result["findings"]))
        return float(result["time"])

    stats = measure(once)
    return stats, max(rss), info["rows"], info["findings"]


def bench_audit_large(work: Path, quick: bool) -> list[Figure]:
    data = shared()
    imported, vault = _scenario_import(work, "large", RUNS)
    (med, low, high), peak, rows, findings = _audit(vault)
    data.audits["large"] = {"time": med, "rows": rows}
    audit = Figure(
        f"mock audit of `{data.size('large')}` scenario ({rows:,} rows)",
        "s",
        med,
        low,
        high,
        None,
        None,
        "< 15 s; peak RSS < 300 MB",
        med < 15 and peak < 300,
        {"peak_rss_mb": peak, "findings": findings, "us_per_row": med / rows * 1e6},
    )
    return [imported, audit]


def bench_audit_huge(work: Path, quick: bool) -> list[Figure]:
    data = shared()
    figures = []
    if "large" not in data.audits:  # the linear-growth baseline needs the large audit
        (work / "large").mkdir()
        figures += bench_audit_large(work / "large", quick)
    imported, vault = _scenario_import(work, "huge", 1 if not quick else RUNS)
    imported.note = "single run (5 M rows); informational" if not quick else ""
    (med, low, high), peak, rows, findings = _audit(vault)
    large = data.audits["large"]
    linear = large["time"] * rows / large["rows"]  # the large audit's time per row × rows
    ratio = med / linear
    audit = Figure(
        f"mock audit of `{data.size('huge')}` scenario ({rows:,} rows)",
        "s",
        med,
        low,
        high,
        linear,
        ratio,
        "peak RSS < 300 MB; ≤ 1.0× large's time per row (baseline = large × rows)",
        peak < 300 and ratio <= 1.0,
        {"peak_rss_mb": peak, "findings": findings, "us_per_row": med / rows * 1e6},
    )
    return [*figures, imported, audit]


# ----- findings exports of the large run ---------------------------------------------------

EXPORT_CHILD = (
    CHILD_PRELUDE
    + """
from mockaudit.errors import InputError
vault, out, runs = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
try:
    from mockaudit.export.formats import FINDINGS_FORMATS as formats
except ImportError:
    formats = ("json",)
results = {}
with Session.open(vault, "x") as s:
    export = getattr(s, "export_findings", None)
    for fmt in formats:
        times = []
        try:
            for i in range(runs):
                target = out / f"findings-{i}.{fmt}"
                t = time.perf_counter()
                if export is not None:
                    export(fmt, target)
                else:  # before session.export_findings: the JSON document only
                    from mockaudit.export.findings_json import findings_document
                    target.write_text(json.dumps(findings_document(s.run())))
                times.append(time.perf_counter() - t)
        except InputError as exc:
            results[fmt] = {"unavailable": str(exc)}
            continue
        except Exception as exc:  # another engineer's writer mid-change: report, go on
            results[fmt] = {"unavailable": f"{type(exc).__name__}: {exc}"[:120]}
            continue
        results[fmt] = {"times": times, "bytes": target.stat().st_size}
print(json.dumps(results))
"""
)


def bench_exports(work: Path, quick: bool) -> list[Figure]:
    data = shared()
    if "large" not in data.scenario_vaults:
        bench_audit_large(work, quick)
    vault = data.scenario_vaults["large"]
    results = child(EXPORT_CHILD, str(vault), str(work), str(RUNS))
    figures = []
    size = data.size("large")
    for fmt, result in results.items():
        name = f"export findings as {fmt} (`{size}` run)"
        if "unavailable" in result:
            figures.append(unavailable(name, "< 10 s", result["unavailable"]))
            continue
        times = result["times"]
        med = statistics.median(times)
        figures.append(
            Figure(
                name,
                "s",
                med,
                min(times),
                max(times),
                None,
                None,
                "< 10 s",
                med < 10,
                {"kib": result["bytes"] / 1024},
            )
        )
    return figures


XLSX_CHILD = (
    CHILD_PRELUDE
    + """
vault, out, runs = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
times = []
with Session.open(vault, "x") as s:
    run = s.run()
    for i in range(runs):
        target = out / f"findings-{i}.xlsx"
        t = time.perf_counter()
        s.export_findings("xlsx", target)
        times.append(time.perf_counter() - t)
print(json.dumps({
    "times": times, "bytes": target.stat().st_size, "rss_mb": peak_rss_mb(),
    "findings": len(run.findings), "items": sum(len(t.items) for t in run.tests),
}))
"""
)


def bench_xlsx_huge(work: Path, quick: bool) -> Figure:
    """The XLSX findings workbook of the `huge` run (after audit_huge, or its own audit)."""
    data = shared()
    vault = data.scenario_vaults.get("huge")
    if vault is None:  # run alone: one import and one (stored) audit, not their figures
        _, vault = _scenario_import(work, "huge", 1)
        child(AUDIT_CHILD, str(vault))
    result = child(XLSX_CHILD, str(vault), str(work), str(RUNS))
    times = result["times"]
    med = statistics.median(times)
    return Figure(
        f"XLSX export of the `{data.size('huge')}` run",
        "s",
        med,
        min(times),
        max(times),
        None,
        None,
        "< 30 s",
        med < 30,
        {
            "kib": result["bytes"] / 1024,
            "findings": result["findings"],
            "sampled_items": result["items"],
            "peak_rss_mb": result["rss_mb"],
        },
        "openpyxl write_only workbook",
    )


# ----- this round's rows: rekey, member slots, the starter program, the huge workbook -------


REKEY_CHILD = (
    CHILD_PRELUDE
    + """
from mockaudit.vault import rotation

vault, folder = Path(sys.argv[1]), Path(sys.argv[2])
with Session.create(vault, "x", kdf=KdfParams(8192, 1)) as s:
    s.add_evidence(sorted(folder.iterdir()))
spent = {}
real_rekey, real_commit = rotation.rekey_database, rotation.commit_rotation


def timed_rekey(conn, new_vmk):
    t = time.perf_counter()
    real_rekey(conn, new_vmk)
    spent["database"] = time.perf_counter() - t


def counted_commit(*args, **kwargs):
    spent["keys"] = real_commit(*args, **kwargs)
    return spent["keys"]


rotation.rekey_database, rotation.commit_rotation = timed_rekey, counted_commit
with Session.open(vault, "x") as s:
    t = time.perf_counter()
    s.rekey("x")
    total = time.perf_counter() - t
with Session.open(vault, "x") as s:  # the new key opens, every blob still reads
    problems = s.verify(full=True).problems
db_mb = (vault / "vault.db").stat().st_size / 2**20
print(json.dumps({"time": total, "database": spent["database"], "keys": spent["keys"],
                  "problems": len(problems), "db_mb": db_mb, "rss_mb": peak_rss_mb()}))
"""
)


def bench_rekey(work: Path, quick: bool) -> Figure:
    """`vault rekey` of a vault holding 10,000 blobs: the data keys are re-wrapped, the
    blob files are not rewritten; the goal excludes SQLCipher's own page rewrite."""
    count = 1000 if quick else 10_000
    folder = work / "rekey-files"
    folder.mkdir(exist_ok=True)
    for i in range(count):
        (folder / f"r{i:05d}.bin").write_bytes(os.urandom(1024))
    info: dict[str, float] = {}

    def once() -> float:
        vault = work / "v-rekey"
        result = child(REKEY_CHILD, str(vault), str(folder))
        shutil.rmtree(vault)
        info.update(
            database_rekey_ms=1000 * float(result["database"]),
            keys=float(result["keys"]),
            verify_problems=float(result["problems"]),
            db_mb=float(result["db_mb"]),
            peak_rss_mb=float(result["rss_mb"]),
        )
        return float(result["time"]) - float(result["database"])

    med, low, high = measure(once)
    return Figure(
        f"vault rekey, {count:,} blobs",
        "s",
        med,
        low,
        high,
        None,
        None,
        "< 5 s + the database re-key",
        med < 5 and info["keys"] == count and info["verify_problems"] == 0,
        info,
        "median excludes SQLCipher's PRAGMA rekey (database_rekey_ms)",
    )


UNLOCK_MEMBER_CHILD = (
    CHILD_PRELUDE
    + """
from mockaudit.vault import keyfile
vault, member = Path(sys.argv[1]), sys.argv[2]
real, calls = keyfile.derive_kek, []
def counted(*args):
    calls.append(1)
    return real(*args)
keyfile.derive_kek = counted
t = time.perf_counter()
Session.open(vault, f"bench passphrase of {member}", member=member).close()
print(json.dumps({"time": time.perf_counter() - t, "derivations": len(calls)}))
"""
)


def bench_unlock_members(work: Path, quick: bool) -> Figure:
    """Unlocking a vault with 20 member key slots costs one key derivation (issue 20):
    the member names their slot, so only its Argon2id runs. Production KDF cost; the
    last-added member (the slot a scan would reach last) against a one-slot vault."""
    from mockaudit.session import Session

    one, team = work / "v-unlock-one", work / "v-unlock-20"
    Session.create(one, "bench passphrase of owner").close()
    with Session.create(team, "bench passphrase of owner") as s:
        for n in range(1, 20):
            s.add_member(f"m{n:02d}", f"Member {n}", f"bench passphrase of m{n:02d}")
    runs = 3 if quick else RUNS
    base, _, _ = measure(lambda: float(child(UNLOCK_MEMBER_CHILD, str(one), "owner")["time"]), runs)
    results: list[dict[str, Any]] = []

    def member_19() -> float:
        results.append(child(UNLOCK_MEMBER_CHILD, str(team), "m19"))
        return float(results[-1]["time"])

    med, low, high = measure(member_19, runs)
    derivations = max(int(r["derivations"]) for r in results)
    ratio = med / base
    return Figure(
        "unlock with 20 member slots",
        "s",
        med,
        low,
        high,
        base,
        ratio,
        "< 1 s, 1 derivation, ≤ 1.1× one-slot unlock",
        med < 1.0 and derivations == 1 and ratio <= 1.1,
        extra={"derivations": float(derivations), "slots": 20.0},
    )


STARTER_CHILD = (
    CHILD_PRELUDE
    + """
from datetime import date
from mockaudit import session as api
from mockaudit.domain import Category, ReportType
from mockaudit.domain.starter import StarterOptions

folder = Path(sys.argv[1])
api.new_from_reference(folder, StarterOptions(
    company="Acme", categories=(Category.SECURITY, Category.AVAILABILITY),
    systems=("github", "okta", "aws", "google-workspace"), report_type=ReportType.TYPE2,
    period_start=date(2026, 1, 1), period_end=date(2026, 12, 31)))
t = time.perf_counter()
run = api.audit_folder(folder, seed=1)
print(json.dumps({"time": time.perf_counter() - t, "findings": len(run.findings),
                  "controls": len(run.tests), "rss_mb": peak_rss_mb()}))
"""
)


def bench_starter_audit(work: Path, quick: bool) -> Figure:
    """The first mock audit of the starter program (`new --from-reference`, security and
    availability, four systems), through a throwaway vault as `audit --scenario` does."""
    info: dict[str, float] = {}

    def once() -> float:
        folder = work / "starter"
        result = child(STARTER_CHILD, str(folder))
        shutil.rmtree(folder)
        info.update(
            findings=float(result["findings"]),
            controls=float(result["controls"]),
            peak_rss_mb=float(result["rss_mb"]),
        )
        return float(result["time"])

    med, low, high = measure(once)
    return Figure(
        "starter program's first audit",
        "s",
        med,
        low,
        high,
        None,
        None,
        "< 5 s",
        med < 5,
        info,
    )


# ----- the terminal UI ---------------------------------------------------------------------

TUI_CHECK = """
import json
try:
    from mockaudit.tui.app import make_app
    from mockaudit.tui.widgets.population_view import PopulationView
    print(json.dumps({"ok": True}))
except Exception as exc:
    print(json.dumps({"ok": False, "why": f"{type(exc).__name__}: {exc}"[:120]}))
"""

FRAME_PRELUDE = """
import asyncio, json, sys, time
from textual import events
marks = {}
DEADLINE = time.monotonic() + 300

async def settle(pilot, done):
    # wait (polling the app's queue) until done() holds; a stuck UI fails, never hangs
    while not done():
        if time.monotonic() > DEADLINE:
            raise TimeoutError("the UI never reached the state measured")
        await pilot.pause(0.001)

def hook(message):
    # Textual posts Ready once the first frame has been displayed.
    if isinstance(message, events.Ready):
        marks.setdefault("frame", time.monotonic())

async def first_frame(app):
    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        await settle(pilot, lambda: "frame" in marks)
"""

BARE_START = (
    FRAME_PRELUDE
    + """
from textual.app import App
from textual.widgets import Static

class Bare(App):
    def compose(self):
        yield Static("mockaudit")

asyncio.run(first_frame(Bare()))
print(json.dumps({"frame_at": marks["frame"]}))
"""
)

OURS_START = (
    FRAME_PRELUDE
    + """
from pathlib import Path
imported = time.monotonic()
from mockaudit.tui.app import make_app
imported = time.monotonic() - imported

asyncio.run(first_frame(make_app(Path(sys.argv[1]))))
print(json.dumps({"frame_at": marks["frame"], "import_s": imported}))
"""
)


def _cold_start(code: str, *args: str) -> dict[str, float]:
    """Seconds from spawning the interpreter to the app's first frame (monotonic clock),
    under "s", beside the other figures the child reports."""
    spawned = time.monotonic()
    result = child(code, *args)
    return {**result, "s": float(result["frame_at"]) - spawned}


def _tui_missing() -> str | None:
    result = child(TUI_CHECK)
    return None if result["ok"] else str(result["why"])


def bench_tui_start(work: Path, quick: bool) -> Figure:
    name, goal = "TUI cold start to first frame (headless)", "≤ 1.5× bare Textual app"
    missing = _tui_missing()
    if missing:
        return unavailable(name, goal, f"mockaudit.tui has no app yet ({missing})")
    from mockaudit.session import Session

    vault = work / "v-tui"
    Session.create(vault, PASS).close()
    _cold_start(BARE_START)  # warm-up (.pyc files, page cache), not counted
    _cold_start(OURS_START, str(vault))
    bare: list[float] = []
    ours: list[dict[str, float]] = []
    for _ in range(RUNS):  # alternate, so a busy spell on a shared machine hits both alike
        bare.append(_cold_start(BARE_START)["s"])
        ours.append(_cold_start(OURS_START, str(vault)))
    base, base_low, base_high = statistics.median(bare), min(bare), max(bare)
    times = [run["s"] for run in ours]
    med, low, high = statistics.median(times), min(times), max(times)
    imports = statistics.median(run["import_s"] for run in ours)
    ratio = med / base
    return Figure(
        name,
        "s",
        med,
        low,
        high,
        base,
        ratio,
        goal,
        ratio <= 1.5,
        {"baseline_min": base_low, "baseline_max": base_high, "app_import_s": imports},
        "to the unlock screen; baseline: App with one Static; runs alternate",
    )


POPULATION_VIEW = (
    FRAME_PRELUDE
    + """
import threading
from pathlib import Path
from textual import work
from textual.app import App
from textual.screen import Screen
from mockaudit.session import Session
from mockaudit.tui.widgets.population_view import PopulationView

vault, population = Path(sys.argv[1]), sys.argv[2]
session = Session.open(vault, "x")  # unlocking is not part of this figure
lock = threading.Lock()  # the TUI's SessionGate serialises calls the same way

class Browse(Screen):
    # As the program screen does: pages are fetched by the screen in thread workers.
    def compose(self):
        yield PopulationView(id="rows")

    def on_population_view_page_wanted(self, message):
        self.fetch(message.population, message.offset, message.limit)

    @work(thread=True)
    def fetch(self, population, offset, limit):
        with lock:
            rows = session.population_page(population, offset, limit)
        view = self.query_one(PopulationView)
        self.app.call_from_thread(view.add_page, population, offset, rows)

class Host(App):
    def on_mount(self):
        self.push_screen(Browse())

def shown(view):
    # every visible line has its row (none still says "loading…")
    lines = view.scrollable_content_region.height
    for y in range(1, max(2, lines)):
        if "loading" in "".join(s.text for s in view.render_line(y)):
            return False
    return True

async def main():
    app = Host()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(PopulationView)
        t = time.perf_counter()
        with lock:
            table = next(p for p in session.populations() if p.population_id == population)
        view.show(population, table.columns, table.row_count)
        view.focus()
        await settle(pilot, lambda: shown(view))
        await pilot.pause()
        opened = time.perf_counter() - t
        t = time.perf_counter()
        await pilot.press("end")
        await settle(pilot, lambda: view.cursor == table.row_count - 1 and shown(view))
        await pilot.pause()
        jumped = time.perf_counter() - t
    return opened, jumped, table.row_count

opened, jumped, rows = asyncio.run(main())
print(json.dumps({"open": opened, "jump": jumped, "rows": rows}))
"""
)

DATATABLE = (
    FRAME_PRELUDE
    + """
import csv
from itertools import islice
from textual.app import App
from textual.widgets import DataTable

with open(sys.argv[1], newline="") as fh:
    reader = csv.reader(fh)
    header = next(reader)
    rows = list(islice(reader, int(sys.argv[2])))

class Table(App):
    def compose(self):
        yield DataTable()

    def on_mount(self):
        table = self.query_one(DataTable)
        table.add_columns(*header)
        table.add_rows(rows)

async def main():
    app = Table()
    t = time.monotonic()
    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        await settle(pilot, lambda: "frame" in marks)
        opened = marks["frame"] - t
        table = app.query_one(DataTable)
        t = time.perf_counter()
        await pilot.press("ctrl+end")
        await settle(pilot, lambda: table.cursor_row == len(rows) - 1)
        await pilot.pause()
        jumped = time.perf_counter() - t
    return opened, jumped

opened, jumped = asyncio.run(main())
print(json.dumps({"open": opened, "jump": jumped}))
"""
)


def bench_tui_population(work: Path, quick: bool) -> list[Figure]:
    data = shared()
    rows = data.population_rows
    table_rows = 2_000 if quick else 100_000
    names = (f"TUI: open a {rows:,}-row population", f"TUI: jump to row {rows:,}")
    goal = f"< 0.5 s (baseline: DataTable, {table_rows:,} rows)"
    missing = _tui_missing()
    if missing:
        why = f"mockaudit.tui has no app yet ({missing})"
        return [unavailable(name, goal, why) for name in names]
    vault = data.population_vault_path()
    csv_path = data.population() / "populations" / "changes.csv"
    ours = [child(POPULATION_VIEW, str(vault), "changes") for _ in range(RUNS)]
    theirs = [child(DATATABLE, str(csv_path), str(table_rows)) for _ in range(RUNS)]
    figures = []
    for name, key in zip(names, ("open", "jump"), strict=True):
        values = [float(r[key]) for r in ours]
        base = statistics.median(float(r[key]) for r in theirs)
        med = statistics.median(values)
        figures.append(
            Figure(
                name,
                "s",
                med,
                min(values),
                max(values),
                base,
                med / base,
                goal,
                med < 0.5,
                {"baseline_rows": table_rows},
                "PopulationView + Session.population_page in a thread worker, to a full frame",
            )
        )
    return figures


# ----- the table ---------------------------------------------------------------------------

Bench = Callable[[Path, bool], "Figure | list[Figure]"]
# ----- opinion distribution ------------------------------------------------------------------

OPINION_CHILD = (
    CHILD_PRELUDE
    + """
from mockaudit.readiness import simulate
from mockaudit.readiness.evaluation import Context, outcomes
from mockaudit.readiness.opinion import notes

vault = Path(sys.argv[1])
with Session.open(vault, "x") as s:
    run = s.run_audit(seed=7)
    program = s.program()
engagement = program.engagement


def once():
    context = Context.of(program, run.findings)
    seeded = outcomes(program, run.tests, run.findings)
    distribution, _ = simulate(
        context, seeded, run.tests, report_type=engagement.report_type,
        confidence=engagement.confidence, seed=run.seed, samples=1000,
        notes=notes(run.findings),
    )
    return distribution


t = time.perf_counter()
first = once()
elapsed = time.perf_counter() - t
again = once()
print(json.dumps({
    "time": elapsed, "rss_mb": peak_rss_mb(), "controls": len(run.tests),
    "varying": len(first.varying), "reproducible": first == again,
}))
"""
)


def bench_opinion_distribution(work: Path, quick: bool) -> Figure:
    """1,000 simulated auditor samples of the `large` scenario's run (issue 14: < 10 s)."""
    data = shared()
    vault = data.scenario_vaults.get("large")
    if vault is None:
        _, vault = _scenario_import(work, "large", 1)
    info: dict[str, float] = {}

    def once() -> float:
        result = child(OPINION_CHILD, str(vault))
        info.update(
            controls=float(result["controls"]),
            varying=float(result["varying"]),
            reproducible=float(bool(result["reproducible"])),
        )
        return float(result["time"])

    med, low, high = measure(once)
    return Figure(
        f"opinion distribution, 1,000 samples of `{data.size('large')}`",
        "s",
        med,
        low,
        high,
        None,
        None,
        "< 10 s, same seed → same distribution",
        med < 10 and info["reproducible"] == 1.0,
        info,
    )


BENCHES: dict[str, Bench] = {
    "unlock": bench_unlock,
    "ingest_large": bench_ingest_large,
    "ingest_small": bench_ingest_small,
    "import_population": bench_import_population,
    "analysis": bench_analysis,
    "audit_large": bench_audit_large,
    "audit_huge": bench_audit_huge,
    "exports": bench_exports,
    "opinion_distribution": bench_opinion_distribution,
    "xlsx_huge": bench_xlsx_huge,
    "rekey": bench_rekey,
    "unlock_members": bench_unlock_members,
    "starter_audit": bench_starter_audit,
    "tui_start": bench_tui_start,
    "tui_population": bench_tui_population,
}


def _num(value: float | None, width: int) -> str:
    if value is None:
        return " " * width
    return f"{value:{width}.2f}" if abs(value) < 1000 else f"{value:{width}.0f}"


def print_table(figures: list[Figure]) -> None:
    print(
        f"{'figure':<46} {'median':>9} {'min..max':>17} {'baseline':>9} {'ratio':>6}  verdict  goal"
    )
    for f in figures:
        verdict = {True: "MET", False: "NOT MET", None: "-"}[f.met]
        span = f"{f.low:.2f}..{f.high:.2f}" if f.low is not None and f.high is not None else ""
        extra = "".join(f" {k}={v:.1f}" for k, v in f.extra.items())
        tail = f" ({f.unit}{extra})" if f.median is not None else ""
        note = f" — {f.note}" if f.note else ""
        print(
            f"{f.name:<46} {_num(f.median, 9)} {span:>17} {_num(f.baseline, 9)} "
            f"{_num(f.ratio, 6)}  {verdict:<7}  {f.goal}{tail}{note}"
        )


def main() -> None:
    global SHARED
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, under two minutes")
    parser.add_argument("--only", nargs="*", choices=sorted(BENCHES), help="run only these")
    args = parser.parse_args()
    sys.path.insert(0, str(SRC))
    names = args.only or list(BENCHES)
    figures: list[Figure] = []
    load = os.getloadavg()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="mockaudit-bench-", dir=HERE) as tmp:
        SHARED = Shared(Path(tmp) / "shared", args.quick)
        SHARED.root.mkdir()
        for name in names:
            work = Path(tmp) / name
            work.mkdir()
            print(f"running {name}…", file=sys.stderr, flush=True)
            t = time.perf_counter()
            result = BENCHES[name](work, args.quick)
            figures += result if isinstance(result, list) else [result]
            print(f"  {name}: {time.perf_counter() - t:.0f} s", file=sys.stderr, flush=True)
    print_table(figures)
    elapsed = time.perf_counter() - started
    out = HERE / ("results-quick.json" if args.quick else "results.json")
    meta = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "quick": args.quick,
        "seconds": round(elapsed, 1),
        "load_before": load,  # other work on the machine: ratios hold, absolute times drift
        "load_after": os.getloadavg(),
    }
    out.write_text(json.dumps({"meta": meta, "figures": [asdict(f) for f in figures]}, indent=2))
    print(f"wrote {out} after {elapsed:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
