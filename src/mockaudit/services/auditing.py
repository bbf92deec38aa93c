"""Running a mock audit against a vault (stored, with custody) or a folder (throwaway vault).

Session-level glue: builds the engine's options, hands it the vault's
``ProgramSource``, stores the run with its seed so anyone can redraw the samples, and
reads the findings of an earlier run from its JSON (compared in readiness/compare.py).
"""

from __future__ import annotations

import json
import secrets
import tempfile
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from pathlib import Path

from mockaudit import __version__
from mockaudit.domain import Finding
from mockaudit.domain.progress import StageProgress, quiet
from mockaudit.domain.run import Run
from mockaudit.domain.seed import new_seed
from mockaudit.domain.walkthrough import WalkthroughResult
from mockaudit.domain.walkthrough_readiness import latest_by_control
from mockaudit.errors import InputError, IntegrityError
from mockaudit.fieldwork.engine import AuditOptions, run_audit
from mockaudit.services.importer import import_scenario
from mockaudit.vault import custody, db, program_store, walkthrough_store
from mockaudit.vault.keyfile import KdfParams
from mockaudit.vault.program_source import VaultSource
from mockaudit.vault.store import Vault

THROWAWAY_KDF = KdfParams(
    memory_kib=8 * 1024, iterations=1
)  # the vault lives seconds in a temp dir


def audit_vault(
    vault: Vault,
    *,
    seed: int | None = None,
    as_of: date | None = None,
    window_months: int = 6,
    store: bool = True,
    after_store: Callable[[Run], object] | None = None,
    progress: StageProgress = quiet,
) -> Run:
    """Play the mock audit on the vault's program; store the run unless ``store`` is
    False. ``after_store`` runs in the same transaction as the storing (what follows a
    stored run, e.g. remediation records moving onto it, lands with it or not at all)."""
    source = VaultSource(vault)
    started = datetime.now(UTC).replace(microsecond=0)
    seed = new_seed() if seed is None else seed
    options = AuditOptions(
        seed=seed,
        run_id=f"run-{started:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}",
        started_at=started,
        mockaudit_version=__version__,
        as_of=as_of or started.date(),
        window_months=window_months,
        program_version=source.version,
        walkthrough_findings=rehearsal_findings(vault),
    )
    run = run_audit(source, options, progress)
    if store and vault.writable:
        with vault.mutex, db.atomic(vault.conn):
            program_store.store_run(vault.conn, run)
            custody.append(
                vault.conn,
                "run_stored",
                run_id=run.id,
                seed=run.seed,
                findings=len(run.findings),
                program_version=run.program_version,
            )
            if after_store is not None:
                after_store(run)
    return run


def rehearsal_findings(vault: Vault) -> tuple[Finding, ...]:
    """The ``walkthrough.divergence`` findings of each control's latest stored rehearsal
    (README: contradictions in a rehearsal are findings of the next run)."""
    latest = latest_by_control(walkthrough_store.records(vault.conn))
    findings: list[Finding] = []
    for record in latest.values():
        if not record.divergences:
            continue
        evidence = walkthrough_store.transcript_evidence(vault.conn, record.walkthrough_id)
        if evidence is None:
            continue
        data = b"".join(vault.read_chunks(str(evidence)))
        try:
            result = WalkthroughResult.model_validate_json(data)
        except ValueError:
            raise IntegrityError(
                f"the transcript {evidence} of {record.walkthrough_id} is not a walkthrough "
                "transcript"
            ) from None
        findings += result.findings
    return tuple(findings)


def audit_folder(
    folder: Path,
    *,
    seed: int | None = None,
    as_of: date | None = None,
    window_months: int = 6,
    progress: StageProgress = quiet,
) -> Run:
    """Audit a scenario folder through a throwaway vault; no other vault is touched."""
    with tempfile.TemporaryDirectory(prefix="mockaudit-") as tmp:
        passphrase = secrets.token_urlsafe(24)
        vault = Vault.create(Path(tmp) / "vault", passphrase, kdf=THROWAWAY_KDF)
        try:
            import_scenario(vault, folder, progress)
            return audit_vault(
                vault, seed=seed, as_of=as_of, window_months=window_months, progress=progress
            )
        finally:
            vault.close()


def findings_from_json(path: Path) -> list[Finding]:
    """The findings of a ``mockaudit.findings/1`` document (a previous --json output)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        items: Iterable[object] = doc["findings"]
        return [Finding.model_validate(item) for item in items]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: not a mockaudit findings file ({type(exc).__name__})") from None
