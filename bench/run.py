"""mockaudit benchmarks: each figure beside a baseline measured in the same run.

Usage: python bench/run.py [--quick] [--only NAME ...]

Every figure is the median of ≥ 5 runs (min/max shown). Machines here are noisy,
so ratios to the in-run baseline are what the goals are stated in. Results go to
bench/results.json (or bench/results-quick.json with --quick).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

HERE = Path(__file__).resolve().parent
RUNS = 5
PASS = "bench passphrase"
MIB = 1024 * 1024


@dataclass
class Figure:
    name: str
    unit: str
    median: float
    low: float
    high: float
    baseline: float | None
    ratio: float | None
    goal: str
    met: bool | None
    extra: dict[str, float]


def measure(fn: Callable[[], float], runs: int = RUNS) -> tuple[float, float, float]:
    values = [fn() for _ in range(runs)]
    return statistics.median(values), min(values), max(values)


def child(code: str, *args: str) -> dict[str, float]:
    """Run ``code`` in a fresh interpreter; it prints one JSON object (time, rss)."""
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
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
        return size / MIB / result["time"]

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
        return count / result["time"]

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
        {},
    )


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
    sys.path.insert(0, str(HERE.parent / "src"))
    from mockaudit.session import Session

    vault = work / "v-unlock"
    Session.create(vault, PASS).close()
    med, low, high = measure(lambda: child(UNLOCK_CHILD, str(vault))["time"])
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
        {},
    )


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
with Session.open(vault, "x") as s:
    t = time.perf_counter()
    s.import_scenario(folder)
    elapsed = time.perf_counter() - t
print(json.dumps({"time": elapsed, "rss_mb": peak_rss_mb()}))
"""
)


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


def bench_import_population(work: Path, quick: bool) -> Figure:
    rows = 100_000 if quick else 1_000_000
    folder = work / "scenario"
    csv_path = write_population(folder, rows)
    sqlite3 = shutil.which("sqlite3")

    def ref() -> float:
        db = work / "plain.db"
        t = time.perf_counter()
        subprocess.run(
            [str(sqlite3), str(db), "-cmd", ".mode csv", f".import {csv_path} changes"],
            check=True,
            capture_output=True,
        )
        elapsed = time.perf_counter() - t
        db.unlink()
        return elapsed

    rss: list[float] = []

    def ours() -> float:
        vault = work / "v-import"
        result = child(IMPORT_CHILD, str(vault), str(folder))
        shutil.rmtree(vault)
        rss.append(result["rss_mb"])
        return result["time"]

    base = statistics.median([ref() for _ in range(RUNS)]) if sqlite3 else None
    med, low, high = measure(ours)
    ratio = med / base if base else None
    peak = max(rss)
    met = ratio is not None and ratio <= 2.0 and peak < 200
    return Figure(
        f"import {rows:,}-row population",
        "s",
        med,
        low,
        high,
        base,
        ratio,
        "≤ 2.0× sqlite3 .import; peak RSS < 200 MB",
        met,
        {"peak_rss_mb": peak},
    )


BENCHES: dict[str, Callable[[Path, bool], Figure]] = {
    "unlock": bench_unlock,
    "ingest_large": bench_ingest_large,
    "ingest_small": bench_ingest_small,
    "import_population": bench_import_population,
}


def print_table(figures: list[Figure]) -> None:
    print(f"{'figure':<40} {'median':>10} {'min..max':>21} {'baseline':>10} {'ratio':>6}  goal")
    for f in figures:
        base = f"{f.baseline:10.1f}" if f.baseline is not None else " " * 10
        ratio = f"{f.ratio:6.2f}" if f.ratio is not None else " " * 6
        verdict = {True: "MET", False: "NOT MET", None: ""}[f.met]
        span = f"{f.low:.2f}..{f.high:.2f}"
        print(
            f"{f.name:<40} {f.median:10.2f} {span:>21} {base} {ratio}  {f.goal} [{verdict}] "
            f"{f.unit}" + "".join(f" {k}={v:.1f}" for k, v in f.extra.items())
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, under two minutes")
    parser.add_argument("--only", nargs="*", choices=sorted(BENCHES), help="run only these")
    args = parser.parse_args()
    names = args.only or list(BENCHES)
    figures = []
    with tempfile.TemporaryDirectory(prefix="mockaudit-bench-", dir=HERE) as tmp:
        for name in names:
            work = Path(tmp) / name
            work.mkdir()
            print(f"running {name}…", file=sys.stderr, flush=True)
            figures.append(BENCHES[name](work, args.quick))
    print_table(figures)
    out = HERE / ("results-quick.json" if args.quick else "results.json")
    meta = {"python": platform.python_version(), "cpus": os.cpu_count(), "quick": args.quick}
    out.write_text(json.dumps({"meta": meta, "figures": [asdict(f) for f in figures]}, indent=2))
    print(f"wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
