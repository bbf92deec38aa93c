"""The write-path table of the power-loss tests: one entry per path.

Each entry names the crash harness's operation (tests/faults/crash_worker.py), its job
parameters and the checker that decides, after a power cut, whether every acknowledged
operation is still there (the SIGKILL checkers of test_crash_paths.py, reused as they
are, plus checkers for the paths that harness does not cover). Adding a path — rekey,
member changes — is one ``PowerPath`` line here (and its ``op_*`` in crash_worker.py).
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass

from mockaudit.session import Session
from tests.faults.crash_worker import ALL_EXPORT_KINDS, evidence_bytes
from tests.faults.test_crash_paths import (
    CrashPath,
    ExportPath,
    ImportPath,
    JobResult,
    MemberAddPath,
    MemberRemovePath,
    PasswdPath,
    PopulationPath,
    RecoveryKitPath,
    RunPath,
    Templates,
    Vault,
    WalkthroughPath,
)
from tests.verifier import assert_vault_sound

LARGE = 3 * 1024 * 1024 + 12345  # 49 chunks of 64 KiB, the last one short


class AddPath(CrashPath):
    """Evidence add, one file per call: every acknowledged item present and identical."""

    op = "add"

    def acked(self, vault: Vault) -> dict[str, str]:
        return {fields[2]: fields[3] for fields in vault.acks}

    def check(self, vault: Vault, t: Templates, job: JobResult) -> None:
        state = assert_vault_sound(vault.folder, vault.passphrase, {**t.prior, **self.acked(vault)})
        # Nothing but the template and this vault's own attempts became visible.
        ours = {
            hashlib.sha256(evidence_bytes(vault.seed, i, self.job_extra.get("size"))).hexdigest()
            for i in vault.attempted
        }
        extra = set(state.evidence.values()) - set(t.prior.values()) - ours
        assert not extra, f"{len(extra)} evidence items nobody added"


class LargeAddPath(AddPath):
    job_extra = {"size": LARGE}
    iterations = 2


class BatchPath(AddPath):
    """Five files per call: the batch is acknowledged (and must survive) as a whole."""

    op = "batch"

    def acked(self, vault: Vault) -> dict[str, str]:
        pairs = (item.split(":") for fields in vault.acks for item in fields[2:])
        return {evidence_id: sha for evidence_id, sha in pairs}

    def check(self, vault: Vault, t: Templates, job: JobResult) -> None:
        state = assert_vault_sound(vault.folder, vault.passphrase, {**t.prior, **self.acked(vault)})
        shas = set(state.evidence.values())
        for i in vault.attempted:  # a batch commits in one transaction: all or nothing
            batch = {
                hashlib.sha256(evidence_bytes(vault.seed, i * 10 + k)).hexdigest() for k in range(5)
            }
            assert batch <= shas or not batch & shas, f"batch {i} is half stored"


class RespondPath(CrashPath):
    """Request responses: each request holds its last acknowledged answer, or a later one."""

    op = "respond"

    def check(self, vault: Vault, t: Templates, job: JobResult) -> None:
        assert_vault_sound(vault.folder, vault.passphrase, t.prior, exact=True)
        last: dict[tuple[str, str], int] = {}
        for _, _, run_id, code, tag, _ids in vault.acks:
            last[(run_id, code)] = int(tag.rsplit("-", 1)[1])
        with Session.open(vault.folder, vault.passphrase, write=False) as s:
            for (run_id, code), acked_i in last.items():
                answer = s.responses(run_id).get(code)
                assert answer is not None, f"acknowledged answer to {code} lost"
                i = int(answer.note.rsplit("-", 1)[1])
                assert i >= acked_i and i in vault.attempted, f"{code}: answer {i} < {acked_i}"
                expected = [e.evidence_id for e in s.list_evidence()][: 1 + i % 3]
                assert list(answer.evidence_ids) == expected, f"{code}: evidence differs"


class CheckpointPath(CrashPath):
    """Checkpoints: each acknowledged note file is whole, recorded, and verifies."""

    op = "checkpoint"

    def check(self, vault: Vault, t: Templates, job: JobResult) -> None:
        assert_vault_sound(vault.folder, vault.passphrase, t.prior, exact=True)
        with Session.open(vault.folder, vault.passphrase, write=False) as s:
            notes = {str(n) for (n,) in s.vault.conn.execute("SELECT note FROM checkpoints")}
            for fields in vault.acks:
                out = vault.work / fields[2]
                assert out.is_file(), f"acknowledged checkpoint {out.name} lost"
                assert out.read_text(encoding="utf-8") in notes, f"{out.name} is not recorded"
                report = s.verify(against=out)
                assert report.ok, f"{out.name}: {report.problems[:3]}"


class AllExportsPath(ExportPath):
    """Every export writer, one of each per child (ExportPath's five plus four more)."""

    iterations = len(ALL_EXPORT_KINDS)
    job_extra = {"kinds": list(ALL_EXPORT_KINDS)}

    def setup(self, vault: Vault, t: Templates) -> None:
        super().setup(vault, t)
        ref = vault.work.parent / "reference"
        if not (ref / "requests.csv").exists():
            with Session.open(t.programmed, vault.passphrase, write=False) as s:
                s.export_requests("csv", ref / "requests.csv")

    def check(self, vault: Vault, t: Templates, job: JobResult) -> None:
        super().check(vault, t, job)
        requests = (vault.work.parent / "reference" / "requests.csv").read_bytes()
        for entry in sorted(vault.work.iterdir()):
            if entry.name.startswith("requests-"):
                assert entry.read_bytes() == requests, f"{entry.name} is not whole"
            elif entry.name.startswith("xlsx-"):
                with zipfile.ZipFile(entry) as book:
                    assert book.testzip() is None, f"{entry.name} is damaged"
            elif entry.name.startswith("oscal-"):
                import json

                json.loads(entry.read_text(encoding="utf-8"))  # whole, or this raises
            elif entry.name.startswith("walkthrough-"):
                text = entry.read_text(encoding="utf-8")
                assert text.startswith("#") and text.endswith("\n"), f"{entry.name} is cut"


@dataclass(frozen=True)
class PowerPath:
    """One write path under power loss: its name in the figures, and its checker."""

    name: str
    path: CrashPath
    template: str = "programmed"  # or "walkthrough": the same plus WT-000001


POWER_PATHS: list[PowerPath] = [
    PowerPath("evidence-add", AddPath()),
    PowerPath("batch-add", BatchPath()),
    PowerPath("large-add", LargeAddPath()),
    PowerPath("scenario-import", ImportPath()),
    PowerPath("population-import", PopulationPath()),
    PowerPath("run-storage", RunPath()),
    PowerPath("request-response", RespondPath()),
    PowerPath("walkthrough", WalkthroughPath()),
    PowerPath("checkpoint", CheckpointPath()),
    PowerPath("passphrase-change", PasswdPath()),
    PowerPath("member-add", MemberAddPath()),
    PowerPath("member-remove", MemberRemovePath()),
    PowerPath("recovery-kit", RecoveryKitPath()),
    PowerPath("exports", AllExportsPath(), "walkthrough"),
]
