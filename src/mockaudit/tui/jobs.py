"""The slow things the UI starts, as plain functions a thread worker calls.

Each takes the open ``Session`` and a ``Report`` callback (done, total, stage) and
returns a ``Outcome``: the one line the task bar shows and, for some jobs, a
value the app keeps (the new run's id). No widget is touched here — the app
turns reports into ``ProgressChanged`` messages, which are thread-safe.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from mockaudit.errors import InputError

if TYPE_CHECKING:  # only annotations here: the jobs run once the vault is open
    from mockaudit.session import Session
    from mockaudit.tui.screens.response_form import ResponseInput

Report = Callable[[int, int | None, str], None]


@dataclass(frozen=True)
class Outcome:
    text: str
    value: object = None


def import_scenario(session: Session, folder: Path, report: Report) -> Outcome:
    result = session.import_scenario(folder, _staged(report))
    rows = sum(p.rows for p in result.populations)
    missing = f", {len(result.files_missing)} named file(s) missing" if result.files_missing else ""
    return Outcome(
        f"Imported {folder.name}: program v{result.program_version}, "
        f"{len(result.populations)} populations ({rows:,} rows), "
        f"{result.files_stored} files stored{missing}"
    )


def _staged(report: Report) -> Callable[[str, int, int], None]:
    """The core's (stage, done, total) as the task bar's (done, total or None, stage)."""

    def progress(stage: str, done: int, total: int) -> None:
        report(done, total or None, stage)

    return progress


def run_audit(session: Session, seed: int | None, as_of: date, report: Report) -> Outcome:
    report(0, None, "sampling and testing")
    run = session.run_audit(seed=seed, as_of=as_of, progress=_staged(report))
    score = f"{run.readiness.score:.1f}" if run.readiness else "n/a"
    opinion = run.readiness.likely_opinion.value if run.readiness else "n/a"
    return Outcome(
        f"Run {run.id} (seed {run.seed}): readiness {score}, likely {opinion}, "
        f"{len(run.findings)} findings",
        value=run.id,
    )


def verify(session: Session, report: Report) -> Outcome:
    def progress(done: int, total: int) -> None:
        report(done, total or None, "re-hashing evidence")

    result = session.verify(full=True, progress=progress)
    if result.ok:
        parked = f"; {len(result.quarantined)} file(s) in quarantine/" if result.quarantined else ""
        return Outcome(
            f"Re-hashed {result.blobs_checked} blobs against custody: no problems{parked}. "
            "History checked only against itself (verify --against an outside checkpoint "
            "proves it)"
        )
    return Outcome(f"Verify found {len(result.problems)} problem(s); first: {result.problems[0]}")


def add_files(
    session: Session, paths: Sequence[Path], control: str | None, report: Report
) -> Outcome:
    def progress(done: int, total: int) -> None:
        report(done, total or None, "encrypting")

    added = session.add_evidence(list(paths), control=control or None, progress=progress)
    ids = ", ".join(a.evidence_id for a in added[:5])
    more = f" and {len(added) - 5} more" if len(added) > 5 else ""
    return Outcome(f"Added {len(added)} file(s): {ids}{more}")


# kind -> (session method, formats). Findings and requests take (format, out); the report
# (one HTML file) and the evidence package (one ZIP) take (out) only.
EXPORTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "findings": ("export_findings", ("xlsx", "csv", "json", "md", "html", "oscal")),
    "requests": ("export_requests", ("xlsx", "csv")),
    "report": ("export_report", ("html",)),
    "package": ("write_package", ("zip",)),
}
SINGLE_FORMAT = {"report", "package"}


def export(session: Session, kind: str, fmt: str, out: Path, report: Report) -> Outcome:
    method_name, formats = EXPORTS[kind]
    method = getattr(session, method_name, None)
    if method is None:
        raise InputError(f"{kind} export is not available in this build")
    if fmt not in formats:
        raise InputError(f"{kind} cannot be exported as {fmt}")
    report(0, None, f"writing {out.name}")
    out.parent.mkdir(parents=True, exist_ok=True)  # the suggested <vault>-exports/ folder
    if kind == "package":  # one file after another: the bar shows how many of how many
        session.write_package(out, progress=_staged(report))
    elif kind in SINGLE_FORMAT:
        method(out)
    else:
        method(fmt, out)
    size = out.stat().st_size if out.exists() else 0
    return Outcome(f"Wrote {out} ({size:,} bytes)", value=out)


def remediate(session: Session, form: ResponseInput) -> Outcome:
    """Store management's response from the TUI form (fields left empty stay unchanged)."""
    fields = (form.owner, form.due, form.cause, form.response)
    if any(value is not None for value in fields):
        session.set_remediation(
            form.finding_id,
            owner=form.owner,
            due=form.due,
            cause=form.cause,
            response=form.response,
        )
    if form.status is not None:
        session.set_remediation_status(form.finding_id, form.status, evidence=form.evidence)
    record = session.remediation(form.finding_id)
    if record is None:
        return Outcome(f"{form.finding_id}: nothing to save")
    return Outcome(f"{form.finding_id}: response saved ({record.status_text})")


def respond(
    session: Session, run_id: str, code: str, status: str, ids: list[str], note: str
) -> Outcome:
    answer = session.respond_to_request(run_id, code, status, ids, note)
    what = f"{len(answer.evidence_ids)} file(s) attached" if answer.evidence_ids else status
    return Outcome(f"{code}: {what.replace('_', ' ')}")
