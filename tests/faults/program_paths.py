"""The program-side write paths under fault: material, state snapshots and one class per path.

The evidence paths (add, export, checkpoint, passphrase, create) live in
test_io_faults.py. This module adds everything else that writes: scenario import
(first and changing), population import, run storage, program export and the
findings/request-list exports. Each ``Path`` knows how to run its operation on an
open session and what "prior state intact" and "done" mean for it, so the every-Nth
fault loops (file operations and SQL statements) and the SIGKILL loops share them.

"Prior state" is more than a sound vault: ``ProgramState`` also pins the program
versions, the path → evidence map, every population's rows (digest), the stored runs
and the custody tree, so a failed import that left its evidence or a population
table behind is caught even though the vault itself still verifies.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from mockaudit.session import Session, verify_package
from mockaudit.vault import custody, population_store
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.verifier import assert_vault_sound

FIXTURE = Path(__file__).parents[1] / "scenarios" / "fixtures" / "valid"
AS_OF = date(2026, 7, 1)
CHANGES_HEADER = (
    "pr_id,author,approver,approved_at,merged_at,ci_status,risk_level,deployed_at,"
    "bypass_reason,evidence"
)


# ----- inputs -----


def changes_csv(rows: int, salt: str = "") -> bytes:
    """A 'changes' population of ``rows`` rows that fits the fixture program."""
    out = io.StringIO()
    out.write(CHANGES_HEADER + "\n")
    writer = csv.writer(out, lineterminator="\n")
    for i in range(rows):
        day = 1 + i % 28
        month = 1 + (i // 28) % 6
        writer.writerow(
            [
                f"PR-{salt}{i}",
                f"dev{i % 7}",
                f"dev{(i + 1) % 7}",
                f"2026-{month:02d}-{day:02d}T09:00:00Z",
                f"2026-{month:02d}-{day:02d}T10:00:00Z",
                "success" if i % 11 else "failure",
                ("low", "medium", "high")[i % 3],
                f"2026-{month:02d}-{day:02d}",
                "",
                "",
            ]
        )
    return out.getvalue().encode("utf-8")


def changed_scenario(dest: Path, tag: str, *, rows: int = 4) -> Path:
    """A copy of the fixture whose program, one evidence file and 'changes' rows differ.

    ``tag`` makes each copy distinct (a new program version, new blobs, a replaced
    population), which is what the crash loop needs from one import to the next.
    """
    shutil.copytree(FIXTURE, dest)
    toml = dest / "scenario.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(
        text.replace('name = "Northwind Cloud Inc."', f'name = "Northwind Cloud Inc. {tag}"'),
        encoding="utf-8",
    )
    shot = dest / "evidence" / "config" / "branch-protection.png"
    shot.write_bytes(shot.read_bytes() + f"restated {tag}".encode())
    (dest / "populations" / "changes.csv").write_bytes(changes_csv(rows, tag))
    return dest


def sha_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ----- what a vault holds beyond its evidence -----


@dataclass(frozen=True)
class ProgramState:
    """Everything an import, a run or an export could change, by content (not by id)."""

    versions: tuple[tuple[int, str], ...]  # (version, program sha256)
    files: tuple[tuple[str, str], ...]  # program path → sha256 of the evidence it maps to
    populations: tuple[tuple[str, int, str, str], ...]  # id, rows, source sha, rows digest
    runs: tuple[tuple[int, int, int], ...]  # (seed, program version, findings) per run
    evidence: frozenset[str]  # sha256 of every evidence item
    walkthroughs: tuple[tuple[str, str, str], ...]  # (id, control, transcript sha256)
    events: tuple[str, ...]  # custody event types, in order


def program_state(folder: Path, passphrase: str = PASSPHRASE) -> ProgramState:
    with Session.open(folder, passphrase, write=False) as s:
        conn = s.vault.conn
        versions = tuple(
            (int(v), str(h))
            for v, h in conn.execute("SELECT version, sha256 FROM program_versions ORDER BY 1")
        )
        files = tuple(
            (str(p), str(h))
            for p, h in conn.execute(
                "SELECT f.path, e.sha256 FROM program_files f JOIN evidence e "
                "USING (evidence_id) ORDER BY 1"
            )
        )
        pops = tuple(
            (t.population_id, t.row_count, t.source_sha256, _rows_digest(conn, t))
            for t in population_store.all_tables(conn)
        )
        runs = tuple(
            (r.seed, r.program_version, len(r.findings))
            for r in (s.run(run_id) for run_id, *_ in s.runs())
        )
        evidence = frozenset(i.sha256 for i in s.list_evidence())
        walkthroughs = tuple(
            (str(w), str(c), str(h))
            for w, c, h in conn.execute(
                "SELECT w.walkthrough_id, w.control_id, e.sha256 FROM walkthroughs w "
                "JOIN evidence e USING (evidence_id) ORDER BY 1"
            )
        )
        events = tuple(
            custody.decode(bytes(p)).event
            for (p,) in conn.execute("SELECT payload FROM custody ORDER BY seq")
        )
    return ProgramState(versions, files, pops, runs, evidence, walkthroughs, events)


def _rows_digest(conn: object, table: population_store.PopulationTable) -> str:
    names = ", ".join(f"c{i}" for i in range(len(table.columns)))
    digest = hashlib.sha256()
    sql = f'SELECT _line, _key, _day, {names} FROM "{table.table}" ORDER BY _line'
    for row in conn.execute(sql):  # type: ignore[attr-defined]
        digest.update(repr(tuple(row)).encode())
    # the day runs (with each day's ISO week) live beside the table
    runs = f'SELECT first_row, last_row, day, week FROM "{table.table}_days" ORDER BY first_row'
    for row in conn.execute(runs):  # type: ignore[attr-defined]
        digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


# ----- material: template vaults and inputs, built once per module -----


@dataclass
class Material:
    root: Path
    empty: Path  # a vault with three evidence items and no program
    programmed: Path  # the same plus the fixture program (v1), populations and one run
    prior: dict[str, dict[str, str]]  # template name → acknowledged evidence (id → sha)
    states: dict[str, ProgramState]  # template name → its ProgramState
    change: Path  # a changed copy of the fixture (program v2)
    population_csv: Path  # 300 new 'changes' rows
    population_json: Path  # the same rows as a JSON array
    walkthrough: Any  # a WalkthroughResult of CHG-01 (saved once as WT-000001)

    def template(self, name: str) -> Path:
        return self.empty if name == "empty" else self.programmed


def build_material(root: Path) -> Material:
    root.mkdir(parents=True, exist_ok=True)
    src = root / "src"
    src.mkdir()
    prior_files = []
    for i, size in enumerate([10, 70_000, 1]):
        path = src / f"prior-{i}.bin"
        path.write_bytes(hashlib.sha256(str(i).encode()).digest() * (size // 32 + 1))
        prior_files.append(path)
    empty = root / "empty"
    with Session.create(empty, PASSPHRASE, kdf=FAST_KDF) as s:
        prior = {r.evidence_id: r.sha256 for r in s.add_evidence(prior_files, control="CHG-01")}
    programmed = root / "programmed"
    shutil.copytree(empty, programmed)
    with Session.open(programmed, PASSPHRASE) as s:
        s.import_scenario(FIXTURE)
        s.run_audit(seed=1)
        walkthrough = rehearsal(s)
        s.save_walkthrough(walkthrough)
        programmed_prior = {i.evidence_id: i.sha256 for i in s.list_evidence()}
    change = changed_scenario(root / "change", "v2")
    population_csv = root / "changes-300.csv"
    population_csv.write_bytes(changes_csv(300, "p"))
    population_json = root / "changes-300.json"
    population_json.write_text(_as_json(population_csv), encoding="utf-8")
    states = {}
    for name, folder, acked in (
        ("empty", empty, prior),
        ("programmed", programmed, programmed_prior),
    ):
        assert_vault_sound(folder, PASSPHRASE, acked, exact=True)
        states[name] = program_state(folder)
    return Material(
        root,
        empty,
        programmed,
        {"empty": prior, "programmed": programmed_prior},
        states,
        change,
        population_csv,
        population_json,
        walkthrough,
    )


def rehearsal(s: Session) -> Any:
    """A walkthrough rehearsal of CHG-01 (no answers: every question evaded), not saved.
    It is made once and saved as often as needed, so every transcript is identical."""
    return s.rehearse("CHG-01", {}, None, as_of=AS_OF)


def _as_json(path: Path) -> str:
    import json

    with path.open(encoding="utf-8", newline="") as fh:
        return json.dumps(list(csv.DictReader(fh)), indent=1)


# ----- one class per write path -----


@dataclass
class Attempt:
    """One attempt at an operation: its vault copy and its output folder."""

    folder: Path
    work: Path
    temps_may_wait: bool = False
    outputs: list[Path] = field(default_factory=list)


class WritePath:
    """How to run one write path, and what 'prior state intact' and 'done' mean."""

    name = ""
    template = "programmed"
    file_ops = True  # whether the operation writes through fsio (run storage does not)
    writes_vault = True  # exports only read the vault

    def act(self, s: Session, attempt: Attempt, m: Material) -> None:
        raise NotImplementedError

    # Whether the output is one folder that must appear whole or not at all.
    whole_folder = False
    # Whether a fault in the directory fsync after the final rename is absorbed.
    absorbs_final_dir_fsync = False
    # Whether a failure may leave an output without its custody event (a known bug).
    unlogged_copy_known = False
    # Whether the retry removes temp files a persistent fault left beside the output.
    retry_sweeps_temps = True

    def output_files(self, attempt: Attempt) -> list[Path]:
        """Files the operation left in its output folder (temp files included)."""
        if not attempt.work.is_dir():
            return []
        return sorted(p for p in attempt.work.rglob("*") if p.is_file())

    # Custody events a failed attempt may leave behind: events committed before the
    # output appeared (an over-statement of exports, never a copy without its event).
    may_add_on_failure: frozenset[str] = frozenset()

    def assert_prior(self, attempt: Attempt, m: Material) -> None:
        """The vault verifies with exactly its evidence; nothing else in it changed."""
        prior = m.prior[self.template]
        assert_vault_sound(attempt.folder, PASSPHRASE, prior, exact=True)
        before = m.states[self.template]
        self.assert_state(program_state(attempt.folder), before, before)

    def assert_state(self, got: ProgramState, before: ProgramState, want: ProgramState) -> None:
        """``got`` is ``want`` (which grew from ``before``), except for events a failed
        attempt may have added between the two."""
        assert replace(got, events=()) == replace(want, events=()), _diff(want, got)
        new = want.events[len(before.events) :]
        assert got.events[: len(before.events)] == before.events, _diff(want, got)
        assert got.events[len(got.events) - len(new) :] == new, _diff(want, got)
        extra = got.events[len(before.events) : len(got.events) - len(new)]
        assert set(extra) <= self.may_add_on_failure, f"events left by a failure: {extra}"

    def assert_done(self, attempt: Attempt, m: Material, reference: ProgramState) -> None:
        assert_vault_sound(attempt.folder, PASSPHRASE, m.prior[self.template])
        state = program_state(attempt.folder)
        self.assert_state(state, m.states[self.template], reference)

    def assert_logged(self, attempt: Attempt) -> None:
        """Every output that records custody has its event (exports of vault content)."""

    def reference_output(self, attempt: Attempt) -> dict[str, str]:
        """Output path → sha256, temp files (and temp folders) left out."""
        out = {}
        for path in self.output_files(attempt):
            relative = path.relative_to(attempt.work)
            if not is_temp(relative):
                out[str(relative)] = self.digest(path)
        return out

    def digest(self, path: Path) -> str:
        """What 'the same output' means for one file (byte-identical by default)."""
        return sha_file(path)


def is_temp(relative: Path) -> bool:
    """Our temp names start with a dot (``.NAME.<hex>.partial``), files and folders alike."""
    return any(part.startswith(".") for part in relative.parts)


def _diff(want: ProgramState, got: ProgramState) -> str:
    parts = []
    for name in ("versions", "files", "populations", "runs", "evidence", "walkthroughs", "events"):
        a, b = getattr(want, name), getattr(got, name)
        if a != b:
            if name == "events":
                parts.append(f"custody events {len(a)} → {len(b)}: extra {list(b[len(a) :])[:6]}")
            elif name == "evidence":
                parts.append(f"evidence +{len(b - a)} -{len(a - b)}")
            else:
                parts.append(f"{name} differ: {a!r:.200} vs {b!r:.200}")
    return "; ".join(parts) or "equal"


class ImportScenario(WritePath):
    def __init__(self, name: str, template: str, folder: Callable[[Material], Path]) -> None:
        self.name = name
        self.template = template
        self.folder = folder

    def act(self, s: Session, attempt: Attempt, m: Material) -> None:
        s.import_scenario(self.folder(m))


class ImportPopulation(WritePath):
    def __init__(self, name: str, file: Callable[[Material], Path]) -> None:
        self.name = name
        self.file = file

    def act(self, s: Session, attempt: Attempt, m: Material) -> None:
        s.import_population("changes", file=self.file(m))


class StoreRun(WritePath):
    name = "run"
    file_ops = False

    def act(self, s: Session, attempt: Attempt, m: Material) -> None:
        s.run_audit(seed=7)


class ExportProgram(WritePath):
    """Issue 15: one exported event per decrypted file, committed before the rename."""

    name = "export-program"
    writes_vault = True
    may_add_on_failure = frozenset({"exported"})

    def act(self, s: Session, attempt: Attempt, m: Material) -> None:
        s.export_program(attempt.work / "program")

    whole_folder = True
    absorbs_final_dir_fsync = True  # the folder is in place; the parent fsync is best effort


class ExportTable(WritePath):
    """Findings or the request list of the stored run, as one file."""

    writes_vault = False

    def __init__(self, what: str, fmt: str) -> None:
        self.name = f"export-{what}-{fmt}"
        self.what = what
        self.fmt = fmt

    def act(self, s: Session, attempt: Attempt, m: Material) -> None:
        out = attempt.work / f"{self.what}.{self.fmt}"
        if self.what == "findings":
            s.export_findings(self.fmt, out)
        else:
            s.export_requests(self.fmt, out)

    def digest(self, path: Path) -> str:
        """A workbook stamps its save time in docProps/core.xml: compare everything else
        (a torn workbook fails here: zipfile reads the central directory at the end)."""
        if path.suffix != ".xlsx":
            return sha_file(path)
        import zipfile

        digest = hashlib.sha256()
        with zipfile.ZipFile(path) as book:
            for name in sorted(book.namelist()):
                if name != "docProps/core.xml":
                    digest.update(name.encode() + b"\0" + book.read(name))
        return digest.hexdigest()


class ExportReport(ExportTable):
    """The mock report: it embeds a checkpoint signed (and recorded) just before the write."""

    may_add_on_failure = frozenset({"checkpoint"})

    def __init__(self) -> None:
        super().__init__("report", "html")

    def act(self, s: Session, attempt: Attempt, m: Material) -> None:
        s.export_report(attempt.work / "report.html")

    def digest(self, path: Path) -> str:
        """Everything but the freshly signed checkpoint note."""
        text = path.read_text(encoding="utf-8")
        assert text.rstrip().endswith("</html>"), f"{path.name} is cut short"
        text = re.sub(r'<pre class="note">.*?</pre>', "NOTE", text, flags=re.DOTALL)
        return hashlib.sha256(text.encode()).hexdigest()


class ExportOscal(ExportTable):
    def __init__(self) -> None:
        super().__init__("oscal", "json")

    def act(self, s: Session, attempt: Attempt, m: Material) -> None:
        s.export_oscal(attempt.work / "oscal.json")


class WritePackage(ExportTable):
    """The evidence package: its exported events and checkpoint commit before the rename."""

    writes_vault = True
    may_add_on_failure = frozenset({"exported", "checkpoint"})

    def __init__(self) -> None:
        super().__init__("package", "zip")

    def act(self, s: Session, attempt: Attempt, m: Material) -> None:
        s.write_package(attempt.work / "package.zip")

    def digest(self, path: Path) -> str:
        check = verify_package(path)
        assert not check.problems, f"{path.name}: {check.problems[:3]}"
        return f"verified package of {check.files_checked} files"


class SaveWalkthrough(WritePath):
    """A rehearsal transcript: an encrypted blob, its custody event and a row, together."""

    name = "walkthrough"

    def act(self, s: Session, attempt: Attempt, m: Material) -> None:
        s.save_walkthrough(m.walkthrough)


class ExportWalkthrough(WritePath):
    """A stored transcript as Markdown for its owner; custody records the export."""

    name = "walkthrough-md"
    writes_vault = True
    may_add_on_failure = frozenset({"exported"})

    def act(self, s: Session, attempt: Attempt, m: Material) -> None:
        s.export_walkthrough_markdown("WT-000001", attempt.work / "WT-000001.md")

    def assert_logged(self, attempt: Attempt) -> None:
        out = attempt.work / "WT-000001.md"
        if not out.exists() or self.unlogged_copy_known:
            return
        with Session.open(attempt.folder, PASSPHRASE, write=False) as s:
            destinations = {
                e.fields.get("destination")
                for ev in s.list_evidence()
                for e in s.evidence_detail(ev.evidence_id).history
                if e.event == "exported"
            }
        assert str(out) in destinations, f"{out.name} left the vault without a custody event"


PATHS: list[WritePath] = [
    ImportScenario("import-first", "empty", lambda m: FIXTURE),
    ImportScenario("import-change", "programmed", lambda m: m.change),
    ImportPopulation("population-csv", lambda m: m.population_csv),
    ImportPopulation("population-json", lambda m: m.population_json),
    StoreRun(),
    ExportProgram(),
    ExportTable("findings", "json"),
    ExportTable("findings", "xlsx"),
    ExportTable("requests", "csv"),
    ExportReport(),
    ExportOscal(),
    WritePackage(),
    SaveWalkthrough(),
    ExportWalkthrough(),
]


def fresh(path: WritePath, m: Material, base: Path, label: str) -> Attempt:
    attempt = Attempt(base / label / "vault", base / label / "work")
    attempt.work.mkdir(parents=True)
    shutil.copytree(m.template(path.template), attempt.folder)
    return attempt


def iter_paths(kind: str) -> Iterator[WritePath]:
    for path in PATHS:
        if kind != "file" or path.file_ops:
            yield path
