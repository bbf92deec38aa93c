"""SIGKILL during every write path loses nothing acknowledged (vault-security.md §6 rows 1, 14).

The crash_child.py harness generalised (issue 9 acceptance 3): for scenario import,
population import, run storage, passphrase change, walkthrough transcript storage and
the exports (findings file, program folder, evidence files, HTML report, evidence
package), a child process runs the operation in a loop and
prints an ACK after each one returns; it is SIGKILLed at a random moment, or kills
itself at a named hook point — before its Nth file operation, before its Nth SQL
statement, or right after its Nth COMMIT (committed, not yet acknowledged). After
every kill the vault must open and pass the full verifier (``assert_vault_sound``),
and every acknowledged operation must be there, complete:

* import — each acknowledged program version holds that import's program; the latest
  version (acknowledged, or committed just before the kill) has all its populations
  with exactly its rows and every file it names mapped to that file's content;
* population import — the table holds one whole source (the last acknowledged or the
  one in flight), rows and path map agreeing with it; every acknowledged source kept;
* run storage — every acknowledged run loads with its seed and findings, and every
  stored run has its ``run_stored`` custody event;
* passphrase change — exactly one passphrase opens the vault (never neither): the
  last acknowledged one or the one being set;
* walkthrough storage — every acknowledged transcript decrypts to its control, and
  every ``transcript`` custody event has its walkthroughs row and vice versa;
* remediation records (issue 18) — every acknowledged response to a finding is stored
  whole, or replaced by a later one to the same finding that was in flight, and every
  stored change has its ``remediation`` custody event;
* exports — every acknowledged output exists and is complete, and nothing under a
  final name is ever partial (a findings file, report or program folder is whole, a
  package verifies, every exported evidence file is whole and has its ``exported``
  custody event — also at every SQL statement of an evidence export, walked one by one).

Children are forked from one pre-imported server (crash_worker.py), so a kill costs
~0.1 s rather than a Python start-up. CI: ≥ 30 kills per path (~1 min in all);
``make soak`` (MOCKAUDIT_SOAK=1): ≥ 500 per path.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from mockaudit.errors import IntegrityError, MemberError, WrongPassphraseError
from mockaudit.session import Session, verify_package
from mockaudit.vault import custody, db, keyfile, population_store, program_store
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.faults.crash_worker import (
    EXPORT_KINDS,
    member_for,
    passphrase_for,
    population_rows,
    remediation_target,
)
from tests.faults.program_paths import FIXTURE, changes_csv
from tests.verifier import assert_vault_sound

pytestmark = pytest.mark.crash

ROOT = Path(__file__).parents[2]
SOAK = os.environ.get("MOCKAUDIT_SOAK") == "1"
# MOCKAUDIT_KILLS overrides the count (e.g. 1000 for the vault-security.md goal table).
KILLS = int(os.environ.get("MOCKAUDIT_KILLS", "500" if SOAK else "30"))
KILLS_PER_VAULT = 10  # a fresh copy of the template now and then keeps each verify short
HOOKS = ("none", "op", "sql", "commit")


# ----- the fork server -----


class CrashServer:
    def __init__(self) -> None:
        paths = [str(ROOT), os.environ.get("PYTHONPATH", "")]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.faults.crash_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
            cwd=ROOT,
            env=env,
        )
        first = self._line()
        assert first.startswith("SERVER "), first

    def _line(self) -> str:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line, "the crash server died"
        return line.rstrip("\n")

    def run(self, job: dict[str, Any]) -> tuple[list[str], int]:
        """Run one job; its output lines and exit status (-9: SIGKILLed)."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()
        lines = []
        while True:
            line = self._line()
            if line.startswith("EXIT "):
                return lines, int(line.split()[2])
            lines.append(line)

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def server() -> Any:
    srv = CrashServer()
    try:
        yield srv
    finally:
        srv.close()


# ----- templates -----


@dataclass
class Templates:
    programmed: Path  # the fixture program, one run, three evidence files
    prior: dict[str, str]


@pytest.fixture(scope="module")
def templates(scratch_root: Path) -> Templates:
    root = scratch_root / "crash-templates"
    root.mkdir()
    folder = root / "programmed"
    with Session.create(folder, PASSPHRASE, kdf=FAST_KDF) as s:
        s.import_scenario(FIXTURE)
        s.run_audit(seed=1)
        prior = {i.evidence_id: i.sha256 for i in s.list_evidence()}
    return Templates(folder, prior)


# ----- one class per path: what to run, what to remember, what to check -----


@dataclass
class Vault:
    """One vault copy the loop kills children on, and what was acknowledged on it."""

    folder: Path
    work: Path
    seed: int
    passphrase: str = PASSPHRASE
    next_i: int = 0
    kills: int = 0
    acks: list[list[str]] = field(default_factory=list)
    attempted: list[int] = field(default_factory=list)  # iteration numbers started
    kit_code: str | None = None  # the recovery code that opens now (RecoveryKitPath)


@dataclass(frozen=True)
class JobResult:
    """What the last child acknowledged, and the operation it was in when killed."""

    acks: list[list[str]]
    in_flight: int | None  # iteration number, None if the child finished


class CrashPath:
    op = ""
    job_extra: dict[str, Any] = {}
    iterations = 3  # operations per child: kills land in the first, second or third

    def setup(self, vault: Vault, t: Templates) -> None:
        """Called once per fresh vault copy (the reference outputs of exports, say)."""

    def check(self, vault: Vault, t: Templates, job: JobResult) -> None:
        raise NotImplementedError


class ImportPath(CrashPath):
    op = "import"
    job_extra = {"rows": 120}

    def check(self, vault: Vault, t: Templates, job: JobResult) -> None:
        assert_vault_sound(vault.folder, vault.passphrase, t.prior)
        with Session.open(vault.folder, vault.passphrase, write=False) as s:
            conn = s.vault.conn
            latest = program_store.latest_version(conn)
            tags = {}
            for version in range(2, latest + 1):
                name = program_store.load_program(conn, version).organization.name
                tags[version] = name.rsplit(" ", 1)[-1]
            for _, _, version, tag in vault.acks:
                assert tags.get(int(version)) == tag, f"acknowledged import {tag} lost"
            attempted = {f"{vault.seed}-{i}" for i in vault.attempted}
            assert set(tags.values()) <= attempted, f"unknown program versions: {tags}"
            if latest > 1:
                _assert_import_complete(s, tags[latest], self.job_extra["rows"])


def _assert_import_complete(s: Session, tag: str, rows: int) -> None:
    """The latest import whole: its rows, its files, and the other populations intact."""
    conn = s.vault.conn
    files = dict(
        conn.execute(
            "SELECT f.path, e.sha256 FROM program_files f JOIN evidence e USING (evidence_id)"
        ).fetchall()
    )
    expected_csv = changes_csv(rows, tag)
    csv_sha = hashlib.sha256(expected_csv).hexdigest()
    table = population_store.get_table(conn, "changes")
    assert table is not None and table.source_sha256 == csv_sha, f"import {tag}: rows missing"
    assert table.row_count == rows
    assert files["populations/changes.csv"] == csv_sha
    keys = [k for (k,) in conn.execute(f'SELECT _key FROM "{table.table}" ORDER BY _line')]
    assert keys == [f"PR-{tag}{i}" for i in range(rows)], f"import {tag}: rows differ"
    shot = (FIXTURE / "evidence/config/branch-protection.png").read_bytes()
    expected_shot = hashlib.sha256(shot + f"restated {tag}".encode()).hexdigest()
    assert files["evidence/config/branch-protection.png"] == expected_shot
    for other in ("terminations", "access-removals"):
        pop = population_store.get_table(conn, other)
        assert pop is not None and pop.row_count > 0, f"population {other} lost"
        source = FIXTURE / "populations" / f"{other}.csv"
        assert pop.source_sha256 == hashlib.sha256(source.read_bytes()).hexdigest()


class PopulationPath(CrashPath):
    op = "population"

    def check(self, vault: Vault, t: Templates, job: JobResult) -> None:
        state = assert_vault_sound(vault.folder, vault.passphrase, t.prior)
        acked = [(tag, sha, int(rows)) for _, _, tag, sha, rows in vault.acks]
        for _, sha, _ in acked:
            assert sha in state.evidence.values(), "an acknowledged source was lost"
        with Session.open(vault.folder, vault.passphrase, write=False) as s:
            conn = s.vault.conn
            table = population_store.get_table(conn, "changes")
            assert table is not None
            mapped = conn.execute(
                "SELECT e.sha256 FROM program_files f JOIN evidence e USING (evidence_id) "
                "WHERE f.path = 'populations/changes.csv'"
            ).fetchone()[0]
            keys = [k for (k,) in conn.execute(f'SELECT _key FROM "{table.table}" ORDER BY _line')]
        assert mapped == table.source_sha256, "the path map and the rows disagree"
        # The rows are one whole source: the last acknowledged one, or one started after it.
        last = acked[-1][0] if acked else None
        candidates = [f"{vault.seed}-{i}" for i in vault.attempted]
        if last is not None:
            candidates = candidates[candidates.index(last) :]
        fixture_sha = hashlib.sha256((FIXTURE / "populations/changes.csv").read_bytes())
        if table.source_sha256 == fixture_sha.hexdigest():
            assert last is None, "the rows went back to a source before the acknowledged one"
            return
        matches = [
            tag
            for tag in candidates
            if hashlib.sha256(population_rows(tag)).hexdigest() == table.source_sha256
        ]
        assert matches, "the population holds rows from no known import"
        data = population_rows(matches[0]).decode().splitlines()[1:]
        assert keys == [line.split(",", 1)[0] for line in data], "the rows are incomplete"
        assert table.row_count == len(data)


class RunPath(CrashPath):
    op = "run"

    def check(self, vault: Vault, t: Templates, job: JobResult) -> None:
        assert_vault_sound(vault.folder, vault.passphrase, t.prior, exact=True)
        with Session.open(vault.folder, vault.passphrase, write=False) as s:
            stored = {run_id: s.run(run_id) for run_id, *_ in s.runs()}
            events = [
                custody.decode(bytes(p)).fields.get("run_id")
                for (p,) in s.vault.conn.execute(
                    "SELECT payload FROM custody WHERE event_type = 'run_stored'"
                )
            ]
        for _, _, run_id, seed, findings in vault.acks:
            run = stored.get(run_id)
            assert run is not None, f"acknowledged run {run_id} lost"
            assert (run.seed, len(run.findings)) == (int(seed), int(findings))
        assert sorted(events) == sorted(stored), "a run without its custody event, or vice versa"
        seeds = {1} | {vault.seed * 1000 + i for i in vault.attempted}
        assert {r.seed for r in stored.values()} <= seeds
        assert len(stored) - 1 <= len(vault.acks) + vault.kills  # ≤ 1 unacknowledged per kill


class PasswdPath(CrashPath):
    op = "passwd"

    def check(self, vault: Vault, t: Templates, job: JobResult) -> None:
        # Exactly one passphrase opens: the last acknowledged, or the one being set.
        last = passphrase_for(vault.seed, int(job.acks[-1][3])) if job.acks else vault.passphrase
        allowed = [last]
        if job.in_flight is not None:
            allowed.append(passphrase_for(vault.seed, job.in_flight))
        tried = dict.fromkeys([vault.passphrase, *allowed])
        opens = []
        for phrase in tried:
            try:
                Session.open(vault.folder, phrase, write=False).close()
                opens.append(phrase)
            except WrongPassphraseError:
                pass
        assert len(opens) == 1, f"{len(opens)} passphrases open the vault"
        assert opens[0] in allowed, "the vault opens with a passphrase older than acknowledged"
        vault.passphrase = opens[0]
        assert_vault_sound(vault.folder, vault.passphrase, t.prior, exact=True)
        key = (vault.folder / "vault.key").read_bytes()
        assert (vault.folder / "vault.key.bak").read_bytes() == key, "vault.key.bak is stale"


class RekeyPath(CrashPath):
    """Issue 15: after a kill at any point of a master-key rotation, exactly one master
    key opens vault.db, every blob verifies, and an old vault.key copy opens nothing."""

    op = "rekey"

    def setup(self, vault: Vault, t: Templates) -> None:
        (vault.work / "original.key").write_bytes((vault.folder / "vault.key").read_bytes())

    def check(self, vault: Vault, t: Templates, job: JobResult) -> None:
        folder = vault.folder
        candidates = [keyfile.read_header(folder)]  # as the kill left it, before recovery
        intent = keyfile.read_intent(folder)
        if intent is not None:
            candidates.append(intent)
        candidates.append(keyfile.parse_header((vault.work / "original.key").read_bytes()))
        vmks = {keyfile.unwrap_vmk(h, vault.passphrase) for h in candidates}
        assert_vault_sound(folder, vault.passphrase, t.prior, exact=True)  # recovery runs here
        assert not (folder / keyfile.INTENT_FILE).exists(), "the rotation was left unfinished"
        header = keyfile.read_header(folder)
        opening = [v for v in vmks if _db_opens(folder, v)]
        assert len(opening) == 1, f"{len(opening)} master keys open vault.db"
        assert opening[0] == keyfile.unwrap_vmk(header, vault.passphrase)
        acked = [int(a[2]) for a in vault.acks]
        if acked:
            assert header.key_epoch >= max(acked), "an acknowledged rotation was undone"
            assert (
                keyfile.unwrap_vmk(
                    keyfile.parse_header((vault.work / "original.key").read_bytes()),
                    vault.passphrase,
                )
                not in opening
            ), "the original master key still opens after a rotation"
            stale = vault.work / "stale"
            shutil.rmtree(stale, ignore_errors=True)
            shutil.copytree(folder, stale)
            (stale / "vault.key").write_bytes((vault.work / "original.key").read_bytes())
            (stale / "vault.key.bak").unlink()
            with pytest.raises(IntegrityError):
                Session.open(stale, vault.passphrase, write=False).close()
            shutil.rmtree(stale)


class MemberAddPath(CrashPath):
    """Issue 20: after a kill anywhere in ``member add``, every acknowledged member's slot
    opens with their passphrase, the owner's always does (never zero), and the only other
    slot that may open is the one being added when the kill came (committed, not yet
    acknowledged); every slot has its ``member_added`` custody event and vice versa."""

    op = "member_add"
    job_extra = {"member": "owner"}

    def check(self, vault: Vault, t: Templates, job: JobResult) -> None:
        assert_vault_sound(vault.folder, vault.passphrase, t.prior, exact=True, member="owner")
        header = keyfile.read_header(vault.folder)
        names = {s.member_id for s in header.members()} - {"owner"}
        acked = {a[2] for a in vault.acks}
        assert acked <= names, f"acknowledged members lost their slot: {acked - names}"
        tried = {member_for(vault.seed, i)[0] for i in vault.attempted}
        assert names <= acked | tried, f"slots nobody added: {names - acked - tried}"
        _assert_only_slots_open(header, names, tried - names, vault.seed)
        with Session.open(vault.folder, vault.passphrase, member="owner", write=False) as s:
            added = {
                custody.decode(bytes(p)).fields["member_id"]
                for (p,) in s.vault.conn.execute(
                    "SELECT payload FROM custody WHERE event_type = 'member_added'"
                )
            }
        assert added == names, "a slot without its member_added event, or vice versa"


def _assert_only_slots_open(
    header: keyfile.Header, present: set[str], absent: set[str], seed: int
) -> None:
    """The owner and every member in ``present`` open; nobody in ``absent`` has a slot."""
    keyfile.unlock(header, PASSPHRASE, "owner")  # never zero
    for name in present:
        keyfile.unlock(header, member_phrase(name), name)
    for name in absent:
        with pytest.raises(MemberError):
            keyfile.unlock(header, member_phrase(name), name)


def member_phrase(name: str) -> str:
    seed, i = name[1:].split("-")
    return member_for(int(seed), int(i))[1]


class MemberRemovePath(CrashPath):
    """Issue 20: ``member remove`` (slot dropped + master-key rotation) killed anywhere:
    acknowledged removals stay removed and their kept vault.key copy opens nothing; the
    remaining slots open; exactly one master key opens vault.db; nothing lost."""

    op = "member_remove"
    job_extra = {"member": "owner"}
    iterations = 2  # each: add a member (acknowledged), then remove them (acknowledged)

    def check(self, vault: Vault, t: Templates, job: JobResult) -> None:
        folder = vault.folder
        assert_vault_sound(folder, vault.passphrase, t.prior, exact=True, member="owner")
        assert not (folder / keyfile.INTENT_FILE).exists(), "the rotation was left unfinished"
        header = keyfile.read_header(folder)
        names = {s.member_id for s in header.members()} - {"owner"}
        added = {a[2] for a in vault.acks if a[1] == "member_add"}
        removed = {a[2] for a in vault.acks if a[1] == "member_remove"}
        assert not names & removed, f"removed members still have a slot: {names & removed}"
        with Session.open(folder, vault.passphrase, member="owner", write=False) as s:
            events = {
                custody.decode(bytes(p)).fields["member_id"]
                for (p,) in s.vault.conn.execute(
                    "SELECT payload FROM custody WHERE event_type = 'member_removed'"
                )
            }
        # An acknowledged member without a slot was removed by a committed (perhaps not
        # yet acknowledged) removal, which the custody log records; a slot never has one.
        assert removed <= events and added - names <= events and not events & names
        _assert_only_slots_open(header, names, removed, vault.seed)
        vmk = keyfile.unwrap_vmk(header, PASSPHRASE, "owner")
        assert _db_opens(folder, vmk)
        for name in removed:  # their copy of vault.key, with their passphrase: nothing
            kept = keyfile.parse_header((vault.work / f"{name}.key").read_bytes())
            old_vmk = keyfile.unwrap_vmk(kept, member_phrase(name), name)
            assert not _db_opens(folder, old_vmk), f"{name}'s old vault.key still opens"
            with pytest.raises(MemberError, match="was removed"):
                keyfile.unlock(header, member_phrase(name), name)


class RecoveryKitPath(CrashPath):
    """Issue 20: ``vault recovery-kit`` killed anywhere: the last acknowledged kit's code
    still opens unless the kit being made replaced it — and then that kit's page exists and
    its code opens (never zero kits); earlier kits open nothing; the owner always opens."""

    op = "recovery_kit"
    job_extra = {"member": "owner"}

    def check(self, vault: Vault, t: Templates, job: JobResult) -> None:
        assert_vault_sound(vault.folder, vault.passphrase, t.prior, exact=True, member="owner")
        header = keyfile.read_header(vault.folder)
        keyfile.unlock(header, PASSPHRASE, "owner")  # never zero members
        acked = [a[3] for a in vault.acks]
        if job.acks:
            vault.kit_code = job.acks[-1][3]
        # Kits whose page was written but never acknowledged (a kill before the ACK): one of
        # them may have replaced the acknowledged kit, and its page holds its code.
        pages = [
            _kit_code(page)
            for page in sorted(vault.work.glob("kit-*.html"))
            if page.name not in {a[2] for a in vault.acks}
        ]
        if vault.kit_code is not None:
            opening = [c for c in (vault.kit_code, *pages) if _kit_opens(header, c)]
            assert opening, "the acknowledged recovery kit no longer opens, and no newer one does"
        for code in set(acked) - {vault.kit_code}:
            assert not _kit_opens(header, code), "a replaced recovery kit still opens"
        assert len([s for s in header.slots if s.kind == "recovery"]) <= 2


def _kit_code(page: Path) -> str:
    match = re.search(r'aria-label="recovery code">([0-9A-Z-]+)<', page.read_text())
    assert match, f"{page.name} is not a whole recovery kit"
    return match.group(1)


def _kit_opens(header: keyfile.Header, code: str) -> bool:
    try:
        keyfile.unlock(header, code, recovery=True)
    except (WrongPassphraseError, MemberError):
        return False
    return True


def _db_opens(folder: Path, vmk: bytes) -> bool:
    try:
        db.connect(folder / db.DB_FILE, keyfile.subkey(vmk, "sqlcipher")).close()
    except IntegrityError:
        return False
    return True


class ExportPath(CrashPath):
    op = "export"
    iterations = 5  # one of each writer per child

    def setup(self, vault: Vault, t: Templates) -> None:
        ref = vault.work.parent / "reference"
        if ref.exists():
            return
        ref.mkdir()
        with Session.open(t.programmed, PASSPHRASE, write=False) as s:
            s.export_findings("json", ref / "findings.json")
        with Session.open(t.programmed, PASSPHRASE) as s:
            s.export_program(ref / "program")

    def check(self, vault: Vault, t: Templates, job: JobResult) -> None:
        assert_vault_sound(vault.folder, vault.passphrase, t.prior, exact=True)
        ref = vault.work.parent / "reference"
        findings = (ref / "findings.json").read_bytes()
        program = _tree_digest(ref / "program")
        with Session.open(vault.folder, vault.passphrase, write=False) as s:
            logged = {
                e.fields["destination"]
                for ev in t.prior
                for e in s.evidence_detail(ev).history
                if e.event == "exported"
            }
        for entry in sorted(vault.work.iterdir()):
            if entry.name.startswith("."):  # a temp file or staging folder of a killed export
                continue
            if entry.name.startswith("findings-"):
                assert entry.read_bytes() == findings, f"{entry.name} is not whole"
            elif entry.name.startswith("program-"):
                assert _tree_digest(entry) == program, f"{entry.name} is not whole"
            elif entry.name.startswith("report-"):
                text = entry.read_text(encoding="utf-8")
                assert text.rstrip().endswith("</html>"), f"{entry.name} is not whole"
            elif entry.name.startswith("package-"):
                check = verify_package(entry)
                assert not check.problems, f"{entry.name}: {check.problems[:3]}"
            elif entry.name.startswith("evidence-"):
                for path in entry.iterdir():
                    if path.name.startswith("."):
                        continue
                    evidence_id = path.name.split("_", 1)[0]
                    sha = hashlib.sha256(path.read_bytes()).hexdigest()
                    assert sha == t.prior[evidence_id], f"{path.name} is not whole"
                    assert path.name in logged, f"{path.name} left without a custody event"
        for ack in vault.acks:
            assert (vault.work / ack[3]).exists(), f"acknowledged export {ack[3]} lost"


class WalkthroughPath(CrashPath):
    op = "walkthrough"

    def check(self, vault: Vault, t: Templates, job: JobResult) -> None:
        assert_vault_sound(vault.folder, vault.passphrase, t.prior)
        with Session.open(vault.folder, vault.passphrase, write=False) as s:
            records = {r.walkthrough_id: r for r in s.walkthroughs()}
            for _, _, walkthrough_id, control in vault.acks:
                assert walkthrough_id in records, f"acknowledged {walkthrough_id} lost"
                assert s.walkthrough(walkthrough_id).control_id == control
            transcripts = {
                e
                for (e,) in s.vault.conn.execute(
                    "SELECT evidence_id FROM custody WHERE event_type = 'transcript'"
                )
            }
        listed = {r.evidence_id for r in records.values()}
        assert transcripts == listed, "a transcript without its row, or a row without one"
        assert len(records) <= len(vault.acks) + vault.kills  # ≤ 1 unacknowledged per kill


class RemediationPath(CrashPath):
    """Management's responses (issue 18): every acknowledged response is stored whole (or
    replaced by a later one to the same finding that was in flight), and every stored
    change has its "remediation" custody event (≤ 1 unacknowledged change per kill)."""

    op = "remediation"

    def check(self, vault: Vault, t: Templates, job: JobResult) -> None:
        assert_vault_sound(vault.folder, vault.passphrase, t.prior)
        with Session.open(vault.folder, vault.passphrase, write=False) as s:
            stored = {r.finding_id: r for r in s.remediations()}
            target = {i: remediation_target(s, i) for i in vault.attempted}
            events = s.vault.conn.execute(
                "SELECT count(*) FROM custody WHERE event_type = 'remediation'"
            ).fetchone()[0]
        last: dict[str, int] = {}
        for _, _, finding, tag in vault.acks:
            last[finding] = int(tag.rsplit("-", 1)[1])
        for finding, record in stored.items():
            i = int(record.response.rsplit("-", 1)[1])
            assert target[i] == finding and record.cause == f"cause {vault.seed}-{i}", finding
            assert i >= last.get(finding, -1), f"{finding}: an acknowledged response was lost"
        assert set(last) <= set(stored), "an acknowledged response was lost"
        assert len(vault.acks) <= events <= len(vault.acks) + vault.kills


def _tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


PATHS = [
    ImportPath(),
    PopulationPath(),
    RunPath(),
    PasswdPath(),
    RekeyPath(),
    ExportPath(),
    WalkthroughPath(),
    RemediationPath(),
    MemberAddPath(),
    MemberRemovePath(),
    RecoveryKitPath(),
]


# ----- the loop -----


@dataclass
class Figures:
    kills: Counter[str] = field(default_factory=Counter)  # by hook kind
    completed: int = 0  # the hook lay beyond the child's last operation
    acked: int = 0
    vaults: int = 0


def _new_vault(path: CrashPath, t: Templates, base: Path, number: int) -> Vault:
    folder = base / f"vault-{number}"
    shutil.copytree(t.programmed, folder)
    work = base / f"work-{number}"
    work.mkdir()
    vault = Vault(folder, work, seed=number)
    path.setup(vault, t)
    return vault


def _count(server: CrashServer, path: CrashPath, t: Templates, base: Path) -> dict[str, float]:
    vault = _new_vault(path, t, base, 999)
    lines, code = server.run(_job(path, vault, ["count", 0], None))
    assert code == 0, lines
    [line] = [x for x in lines if x.startswith("COUNT ")]
    ops, sql, commits, elapsed, _ = line.split()[1:]
    return {"op": int(ops), "sql": int(sql), "commit": int(commits), "elapsed": float(elapsed)}


def _job(path: CrashPath, vault: Vault, kill: list[Any], delay: float | None) -> dict[str, Any]:
    return {
        "op": path.op,
        "vault": str(vault.folder),
        "work": str(vault.work),
        "seed": vault.seed,
        "passphrase": vault.passphrase,
        "first": vault.next_i,
        "iterations": path.iterations,
        "kill": kill,
        "delay": delay,
        **path.job_extra,
    }


def crash_loop(
    server: CrashServer, path: CrashPath, t: Templates, base: Path, kills: int, seed: int
) -> Figures:
    rng = random.Random(seed)
    counts = _count(server, path, t, base)
    hooks = [h for h in HOOKS if h == "none" or counts[h] > 0]
    figures = Figures()
    vault: Vault | None = None
    attempts = 0
    while sum(figures.kills.values()) < kills:
        attempts += 1
        assert attempts <= 3 * kills, f"{path.op}: too few kills landed: {figures}"
        if vault is None or vault.kills >= KILLS_PER_VAULT:
            figures.vaults += 1
            vault = _new_vault(path, t, base, figures.vaults)
        hook = hooks[attempts % len(hooks)]
        if hook == "none":
            kill, delay = ["none", 0], rng.uniform(0, counts["elapsed"])
        else:
            kill, delay = [hook, rng.randint(1, max(1, int(counts[hook])))], None
        lines, code = server.run(_job(path, vault, kill, delay))
        errors = [line for line in lines if line.startswith("ERROR")]
        assert not errors, f"{path.op} {kill}: {errors}"
        acks = [line.split() for line in lines if line.startswith("ACK ")]
        killed = code == -signal.SIGKILL
        if killed:
            figures.kills[hook] += 1
            vault.kills += 1
            in_flight = vault.next_i + len(acks) if len(acks) < path.iterations else None
        else:
            assert code == 0 and "DONE" in lines, (code, lines)
            figures.completed += 1
            in_flight = None
        vault.attempted += list(range(vault.next_i, vault.next_i + len(acks)))
        if in_flight is not None:
            vault.attempted.append(in_flight)
        vault.acks += acks
        figures.acked += len(acks)
        vault.next_i += path.iterations
        path.check(vault, t, JobResult(acks, in_flight))
    return figures


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.op)
def test_sigkill_during_write_path_loses_nothing_acknowledged(
    path: CrashPath, server: CrashServer, templates: Templates, scratch: Path
) -> None:
    figures = crash_loop(server, path, templates, scratch, KILLS, seed=20260900 + len(path.op))
    print(f"\n{path.op}: {sum(figures.kills.values())} kills {dict(figures.kills)}, {figures}")
    assert sum(figures.kills.values()) >= KILLS
    assert figures.acked > 0, "no operation was ever acknowledged: the kills came too early"
    assert len(figures.kills) >= 2


def test_sigkill_at_every_statement_of_an_evidence_export_leaves_no_unlogged_copy(
    server: CrashServer, templates: Templates, scratch: Path
) -> None:
    """Regression: a kill between the hard link of an exported file and the commit of its
    ``exported`` event left a decrypted copy without its custody event (24 of the 56 SQL
    hook points of a six-file export). The event now commits before the link."""
    path = ExportPath()
    evidence = EXPORT_KINDS.index("evidence")

    def job(vault: Vault, kill: list[Any]) -> dict[str, Any]:
        vault.next_i = evidence
        return {**_job(path, vault, kill, None), "iterations": 1}

    probe = _new_vault(path, templates, scratch, 0)
    lines, code = server.run(job(probe, ["count", 0]))
    assert code == 0, lines
    statements = int(next(x for x in lines if x.startswith("COUNT ")).split()[2])
    assert statements > 20
    for n in range(1, statements + 1):
        vault = _new_vault(path, templates, scratch, n)
        lines, code = server.run(job(vault, ["sql", n]))
        assert code == -signal.SIGKILL, (n, lines)
        acks = [line.split() for line in lines if line.startswith("ACK ")]
        vault.attempted.append(evidence)
        path.check(vault, templates, JobResult(acks, evidence))
        shutil.rmtree(vault.folder)
        shutil.rmtree(vault.work)
