"""Run the atheris (libFuzzer) targets of tests/fuzz/atheris_targets.py, one at a time.

    python -m tests.fuzz.run_atheris [--runs N] [--only NAME ...] [--max-seconds S]
                                     [--corpus-dir tests/fuzz/corpus] [--out-dir build/fuzz]
    python -m tests.fuzz.run_atheris --write-seeds   # (re)write the seed corpus

Why a fresh subprocess per target: atheris rewrites the bytecode of the loaded parser
functions and libFuzzer stops the process at the first crash, so each target gets a
clean instrumented interpreter and a crash in one does not hide the others. Targets run one
after another (one core). Each starts from its seed corpus in the repo
(``--corpus-dir/<target>/``, read only) plus a working corpus under ``--out-dir`` where
libFuzzer keeps what it finds; crashing and hanging inputs are written to
``--out-dir/<target>/``. Prints a table, writes ``--out-dir/summary.json`` and exits 1
if any target crashed or hung (2 if atheris is missing).
"""

from __future__ import annotations

import argparse
import dis
import gc
import importlib.util
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import types
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "fuzz" / "corpus"
OUT = ROOT / "build" / "fuzz"
INSTALL_HINT = (
    "atheris is not installed in this Python; run `make fuzz`, or: python3 -m venv "
    "build/fuzzvenv && build/fuzzvenv/bin/pip install atheris==3.0.0 -e '.[test]' && "
    "build/fuzzvenv/bin/python -m tests.fuzz.run_atheris"
)

_DONE = re.compile(r"Done (\d+) runs in (\d+) second")
_STATUS = re.compile(r"^#(\d+)\s", re.MULTILINE)
_ARTIFACT = re.compile(r"Test unit written to (\S+)")


@dataclass
class Result:
    target: str
    executions: int
    seconds: float  # wall time, interpreter start-up included
    cpu_seconds: float  # user + system time of the fuzzing process (the machine may be shared)
    exec_per_s: float
    crashes: int
    returncode: int
    artifacts: list[str]
    log: str


def _parse_args(argv: list[str], names: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz.run_atheris")
    parser.add_argument("--runs", type=int, default=1_000_000, help="executions per target")
    parser.add_argument("--only", nargs="+", choices=names, metavar="NAME", help=", ".join(names))
    parser.add_argument("--max-seconds", type=int, default=0, help="cap per target (0: none)")
    parser.add_argument("--timeout", type=int, default=5, help="seconds per input (a hang)")
    parser.add_argument("--corpus-dir", type=Path, default=CORPUS)
    parser.add_argument("--out-dir", type=Path, default=OUT)
    parser.add_argument("--write-seeds", action="store_true", help="write the seed corpus, exit")
    return parser.parse_args(argv)


def _child(name: str, libfuzzer_args: list[str]) -> None:
    """Inside the subprocess: instrument mockaudit, then hand the target to libFuzzer."""
    atheris = importlib.import_module("atheris")  # only in the fuzzing venv
    from tests.fuzz import atheris_targets

    skipped = _instrument(atheris)
    for qualname in skipped:
        print(f"WARNING: left {qualname} uninstrumented (atheris mis-compiles it)", file=sys.stderr)
    atheris.Setup([sys.argv[0], *libfuzzer_args], atheris_targets.TARGETS[name])
    atheris.Fuzz()


def _instrument(atheris: Any) -> list[str]:
    """Instrument every function of the parsers' packages; return those left plain.

    Why not ``atheris.instrument_imports``: atheris 2.3.0 on Python 3.11 computes some
    long backward jumps one instruction off (the EXTENDED_ARG it adds is not counted),
    so a loop jumps into an inline cache and the interpreter segfaults — a crash of the
    fuzzer, not of mockaudit (json_reader._next_char, blob_format._read_units and
    tomllib's parse_array hit it). Instrumenting function by function lets us check
    every jump of the result and keep the original code where one is misplaced.
    """
    import mockaudit

    roots = tuple(
        str(Path(module.__file__ or "").parent) + os.sep for module in (mockaudit, tomllib)
    )
    skipped = []
    for obj in gc.get_objects():
        if not isinstance(obj, types.FunctionType):
            continue
        if not obj.__code__.co_filename.startswith(roots):
            continue
        original = obj.__code__
        try:
            atheris.instrument_func(obj)
        except Exception:  # atheris cannot rewrite it: fuzz it plain
            obj.__code__ = original
            skipped.append(obj.__qualname__)
            continue
        if _misplaced_jump(obj.__code__):
            obj.__code__ = original
            skipped.append(obj.__qualname__)
    return skipped


def _misplaced_jump(code: types.CodeType) -> bool:
    """True if a jump in ``code`` (or a nested function) lands between instructions."""
    instructions = list(dis.get_instructions(code))
    starts = {i.offset for i in instructions}
    jumps = set(dis.hasjrel) | set(dis.hasjabs)
    if any(i.opcode in jumps and i.argval not in starts for i in instructions):
        return True
    return any(_misplaced_jump(c) for c in code.co_consts if isinstance(c, types.CodeType))


def write_seeds(corpus: Path) -> None:
    from tests.fuzz.atheris_targets import seeds

    for name, files in seeds().items():
        folder = corpus / name
        folder.mkdir(parents=True, exist_ok=True)
        for seed, data in files.items():
            (folder / seed).write_bytes(data)
        print(f"{folder.relative_to(ROOT)}: {len(files)} seeds")


def _run_one(name: str, max_len: int, args: argparse.Namespace) -> Result:
    out = (args.out_dir / name).resolve()
    work = out / "corpus"
    work.mkdir(parents=True, exist_ok=True)
    seeds = (args.corpus_dir / name).resolve()
    scratch = Path(tempfile.mkdtemp(prefix=f"mockaudit-fuzz-{name}-", dir=_fast_tmp()))
    libfuzzer = [
        f"-runs={args.runs}",
        f"-max_len={max_len}",
        f"-timeout={args.timeout}",
        f"-artifact_prefix={out}/",
        "-print_final_stats=1",
        *([f"-max_total_time={args.max_seconds}"] if args.max_seconds else []),
        str(work),
        *([str(seeds)] if seeds.is_dir() else []),
    ]
    command = [sys.executable, "-m", "tests.fuzz.run_atheris", "--child", name, "--", *libfuzzer]
    env = {**os.environ, "MOCKAUDIT_FUZZ_SCRATCH": str(scratch)}
    log = out / "log.txt"
    started, cpu_before = time.monotonic(), _children_cpu()
    with log.open("wb") as fh:
        proc = subprocess.run(command, cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT)
    seconds, cpu = time.monotonic() - started, _children_cpu() - cpu_before
    shutil.rmtree(scratch, ignore_errors=True)
    text = log.read_text(encoding="utf-8", errors="replace")
    done = _DONE.search(text)
    statuses = _STATUS.findall(text)
    executions = int(done.group(1)) if done else int(statuses[-1]) if statuses else 0
    artifacts = _ARTIFACT.findall(text)
    return Result(
        target=name,
        executions=executions,
        seconds=round(seconds, 1),
        cpu_seconds=round(cpu, 1),
        exec_per_s=round(executions / seconds) if seconds else 0,
        crashes=len(artifacts) or (1 if proc.returncode else 0),
        returncode=proc.returncode,
        artifacts=artifacts,
        log=str(log),
    )


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _fast_tmp() -> str | None:
    """A RAM-backed folder for the per-input scratch files when there is one: the file
    targets write every input, and a disk write costs more than parsing it."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


def _table(results: list[Result]) -> str:
    lines = [
        f"{'target':<16} {'executions':>11} {'seconds':>8} {'cpu s':>7} {'exec/s':>7} {'crashes':>7}"
    ]
    for r in results:
        lines.append(
            f"{r.target:<16} {r.executions:>11,} {r.seconds:>8.1f} {r.cpu_seconds:>7.1f} "
            f"{r.exec_per_s:>7,} {r.crashes:>7}"
        )
    return "\n".join(lines)


def _report_crash(result: Result) -> None:
    print(f"CRASH in {result.target} (exit {result.returncode}); log: {result.log}")
    for path in result.artifacts or ["(no input written; see the log)"]:
        print(f"  input: {path}")
    text = Path(result.log).read_text(encoding="utf-8", errors="replace")
    start = text.find("=== Uncaught Python exception")
    if start >= 0:
        print("  " + "\n  ".join(text[start:].splitlines()[:25]))


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        _child(argv[1], argv[3:])  # --child NAME -- <libFuzzer args>
        return 0
    from tests.fuzz.atheris_targets import MAX_LEN, TARGETS

    args = _parse_args(argv, list(TARGETS))
    if args.write_seeds:
        write_seeds(args.corpus_dir)
        return 0
    if importlib.util.find_spec("atheris") is None:
        print(INSTALL_HINT, file=sys.stderr)
        return 2
    results = []
    for name in args.only or list(TARGETS):
        print(f"fuzzing {name} …", flush=True)
        result = _run_one(name, MAX_LEN[name], args)
        results.append(result)
        print(_table([result]).splitlines()[1], flush=True)
    print()
    print(_table(results))
    args.out_dir.mkdir(parents=True, exist_ok=True)
    summary = {
        "runs_requested": args.runs,
        "max_seconds": args.max_seconds,
        "python": platform.python_version(),
        "atheris": _atheris_version(),
        "crashed": [r.target for r in results if r.crashes],
        "targets": [asdict(r) for r in results],
    }
    path = args.out_dir / "summary.json"
    path.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"summary: {path}")
    failed = [r for r in results if r.crashes]
    for result in failed:
        _report_crash(result)
    return 1 if failed else 0


def _atheris_version() -> str:
    from importlib.metadata import version

    return version("atheris")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
