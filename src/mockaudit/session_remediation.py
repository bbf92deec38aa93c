"""The session's remediation use cases (issue 18): management's response to each finding,
who fixes it by when, its status to closure, and the evidence of the fix.

Records live in the ``remediations`` table (vault/remediation_store.py), keyed on the
finding's identity across runs (readiness.compare.identity_key), so re-running the audit
or re-importing a changed program keeps them. Every change appends a "remediation"
custody event in the same transaction. ``close_retested`` marks a remediated finding that
a later run no longer reports as "retest passed" with that run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from mockaudit.domain import Finding, Program
from mockaudit.domain.remediation import (
    ACTIVE,
    AssumedRemediation,
    CauseCategory,
    Remediation,
    RemediationStatus,
    check_transition,
)
from mockaudit.domain.run import Run
from mockaudit.errors import InputError
from mockaudit.session_base import SessionBase, translated
from mockaudit.vault import custody, db, remediation_store


def _key(finding: Finding) -> str:
    from mockaudit.readiness.compare import identity_key

    return identity_key(finding)


def _one_line(text: str) -> str:
    return " ".join(text.split())


class RemediationSession(SessionBase):
    """Remediation records over one unlocked vault."""

    def remediations(
        self, *, owner: str | None = None, overdue_on: date | None = None
    ) -> list[Remediation]:
        """Every record (by due date); only ``owner``'s, only those overdue on a day."""
        with translated("listing remediations"):
            found = remediation_store.records(self.vault.conn, owner)
        if overdue_on is not None:
            found = [r for r in found if r.overdue(overdue_on)]
        return found

    def remediations_by_finding(self, run: Run) -> dict[str, Remediation]:
        """The records of ``run``'s findings, by the finding's id in that run."""
        with translated("reading remediations"):
            stored = {r.key: r for r in remediation_store.records(self.vault.conn)}
        out = {}
        for finding in run.findings:
            record = stored.get(_key(finding))
            if record is not None:
                out[finding.id] = record
        return out

    def remediation(self, finding_id: str) -> Remediation | None:
        """The record of a finding of the latest run (None when nobody wrote one)."""
        run, finding = self._finding(finding_id)
        with translated(f"reading the remediation of {finding_id}"):
            return remediation_store.get(self.vault.conn, _key(finding))

    def set_remediation(
        self,
        finding_id: str,
        *,
        owner: str | None = None,
        due: date | None = None,
        cause: str | None = None,
        category: str | None = None,
        response: str | None = None,
    ) -> Remediation:
        """Write or change management's response to a finding of the latest run; only the
        fields given change."""
        run, finding = self._finding(finding_id)
        program = self._program_of(run)
        record = self._current(run, finding)
        changes: dict[str, Any] = {}
        if owner is not None:
            changes["owner"] = _person(program, owner, "owner")
        if due is not None:
            changes["due"] = due
        if cause is not None:
            changes["cause"] = _one_line(cause)
        if category is not None:
            changes["category"] = _category(category)
        if response is not None:
            changes["response"] = _one_line(response)
        if not changes:
            raise InputError(
                "nothing to set: give --owner, --due, --cause, --category or --response"
            )
        return self._store(replace(record, **changes), "set " + ", ".join(sorted(changes)))

    def set_remediation_status(
        self,
        finding_id: str,
        status: str,
        *,
        evidence: Sequence[str] = (),
        reason: str = "",
        approver: str | None = None,
    ) -> Remediation:
        """Move a finding's remediation on; evidence of the fix is linked to it."""
        new = _status(status)
        run, finding = self._finding(finding_id)
        record = self._current(run, finding)
        problem = check_transition(record.status, new)
        if problem:
            raise InputError(f"{finding_id}: {problem}")
        if new is RemediationStatus.RETESTED:
            raise InputError(
                f"{finding_id} is still reported by {run.id}; a finding is retested when a "
                "later audit run no longer reports it (run 'mockaudit audit' after the fix)"
            )
        changes: dict[str, Any] = {"status": new}
        if new is RemediationStatus.RISK_ACCEPTED:
            if not reason.strip() or not approver:
                raise InputError("risk_accepted needs --reason and --approver")
            changes["reason"] = _one_line(reason)
            changes["approver"] = _person(self._program_of(run), approver, "approver")
        ids = tuple(dict.fromkeys(evidence))
        if ids:
            with translated("checking evidence ids"):
                for evidence_id in ids:
                    self.vault.get_evidence(evidence_id)  # InputError naming an unknown id
            changes["evidence_ids"] = tuple(dict.fromkeys((*record.evidence_ids, *ids)))
        return self._store(replace(record, **changes), f"status {new.value}", ids)

    def close_retested(self, run: Run) -> list[Remediation]:
        """Mark "retest passed" every remediated record ``run`` no longer reports, and
        move the others onto ``run``'s finding ids; returns the records retested."""
        current = {_key(f): f for f in run.findings}
        retested = []
        for record in self.remediations():
            finding = current.get(record.key)
            if finding is not None and (record.run_id, record.finding_id) != (run.id, finding.id):
                self._store(replace(record, finding_id=finding.id, run_id=run.id), "followed")
            elif finding is None and record.status is RemediationStatus.REMEDIATED:
                closed = replace(record, status=RemediationStatus.RETESTED, retest_run=run.id)
                retested.append(self._store(closed, f"retest passed in {run.id}"))
        return retested

    def open_remediations_due_by(self, day: date) -> list[Remediation]:
        """Records still to be done (or just remediated) whose due date is before ``day``."""
        return [
            r
            for r in self.remediations()
            if r.due is not None
            and r.due < day
            and (r.status in ACTIVE or r.status is RemediationStatus.REMEDIATED)
        ]

    def export_remediations(
        self,
        out: Path,
        format_: str,
        *,
        owner: str | None = None,
        overdue_on: date | None = None,
        today: date | None = None,
    ) -> int:
        """Write the remediation register (csv, xlsx or md) to ``out``; return its rows."""
        from mockaudit.export.remediation_register import REGISTER_FORMATS, write_register

        if format_ not in REGISTER_FORMATS:
            raise InputError(f"format must be one of {', '.join(REGISTER_FORMATS)}")
        records = self.remediations(owner=owner, overdue_on=overdue_on)
        with translated(f"writing {out}"):
            write_register(records, Path(out), format_, today=today or datetime.now(UTC).date())
        return len(records)

    def write_calendar(
        self,
        out: Path | None,
        *,
        owner: str | None = None,
        per_owner: Path | None = None,
        today: date | None = None,
    ) -> dict[str, int]:
        """Write the .ics reminders (control instances for the rest of the period, remediation
        and request due dates) of the latest run; returns events written per file."""
        from mockaudit.export.calendar_ics import due_items, write_calendars

        if out is None and per_owner is None:
            raise InputError("give --out FILE, --per-owner DIR or both")
        try:
            run = self.run()
        except InputError:
            raise InputError("no audit run yet: run 'mockaudit audit' first") from None
        program = self._program_of(run)
        if owner is not None:
            _person(program, owner, "owner")
        records = self.remediations()
        items = due_items(program, run, records, today or datetime.now(UTC).date())
        if owner is not None:
            items = [i for i in items if i.owner == owner]
        with translated("writing the calendar"):
            return write_calendars(items, program, out, per_owner=per_owner)

    def assume_remediated(
        self, by: date, run: Run | None = None, *, window_months: int = 6
    ) -> AssumedRemediation:
        """``run``'s (the latest's) score, opinion distribution and timeline as if every
        remediation due before ``by`` (and not risk-accepted) were done."""
        from mockaudit.readiness.assumed import assumed_readiness

        run = run or self._latest()
        if run.readiness is None:
            raise InputError(f"run {run.id} has no readiness conclusion; re-run the audit")
        records = self.remediations_by_finding(run)
        fixed = {
            fid: r
            for fid, r in records.items()
            if r.status is RemediationStatus.REMEDIATED
            or (r.status in ACTIVE and r.due is not None and r.due < by)
        }
        dues = [r.due for r in fixed.values() if r.due is not None]
        start = max([*dues, _audited_on(run)])
        after = assumed_readiness(
            run, self._program_of(run), set(fixed), from_day=start, window_months=window_months
        )
        ordered = tuple(sorted(fixed.values(), key=lambda r: (r.due or by, r.finding_id)))
        return AssumedRemediation(by, ordered, run.readiness, after)

    # ----- helpers -----

    def _latest(self) -> Run:
        try:
            return self.run()
        except InputError:
            raise InputError("no audit run yet: run 'mockaudit audit' first") from None

    def _finding(self, finding_id: str) -> tuple[Run, Finding]:
        try:
            run = self.run()
        except InputError:
            raise InputError("no audit run yet: run 'mockaudit audit' first") from None
        for finding in run.findings:
            if finding.id == finding_id:
                return run, finding
        raise InputError(f"no finding {finding_id} in the latest run {run.id}")

    def _current(self, run: Run, finding: Finding) -> Remediation:
        with translated(f"reading the remediation of {finding.id}"):
            stored = remediation_store.get(self.vault.conn, _key(finding))
        if stored is not None:
            return replace(stored, finding_id=finding.id, run_id=run.id)
        return Remediation(
            key=_key(finding),
            finding_id=finding.id,
            run_id=run.id,
            title=finding.title,
            control=finding.control,
        )

    def _store(self, record: Remediation, what: str, evidence: Sequence[str] = ()) -> Remediation:
        stamp = custody.now_utc().isoformat(timespec="seconds")
        record = replace(record, updated_at=stamp)
        with (
            translated(f"saving the remediation of {record.finding_id}"),
            self.vault.mutex,
            db.atomic(self.vault.conn),
        ):
            if not self.vault.writable:
                raise InputError("the vault was opened read-only")
            remediation_store.upsert(self.vault.conn, record)
            fields = {
                "run_id": record.run_id,
                "finding": record.finding_id,
                "status": record.status.value,
                "owner": record.owner or "",
                "due": record.due.isoformat() if record.due else "",
            }
            purpose = f"remediation of {record.finding_id}: {what}"
            for evidence_id in evidence or (None,):
                custody.append(
                    self.vault.conn,
                    "remediation",
                    evidence_id=evidence_id,
                    purpose=purpose,
                    **fields,
                )
        return record


def _audited_on(run: Run) -> date:
    """The day the run's timeline started from (its as_of): remediated_on less the days."""
    timeline = run.readiness.timeline if run.readiness else None
    if timeline is None or timeline.remediated_on is None:
        return run.started_at.date()
    return timeline.remediated_on - timedelta(days=timeline.remediation_days)


def _person(program: Program, person_id: str, role: str) -> str:
    if program.person(person_id) is None:
        known = ", ".join(p.id for p in program.people) or "none"
        raise InputError(f"unknown {role} {person_id!r} (people of the program: {known})")
    return person_id


def _category(text: str) -> CauseCategory:
    try:
        return CauseCategory(text)
    except ValueError:
        allowed = ", ".join(c.value for c in CauseCategory)
        raise InputError(f"unknown cause category {text!r} (one of: {allowed})") from None


def _status(text: str) -> RemediationStatus:
    try:
        return RemediationStatus(text.replace(" ", "_").replace("-", "_"))
    except ValueError:
        allowed = ", ".join(s.value for s in RemediationStatus)
        raise InputError(f"unknown status {text!r} (one of: {allowed})") from None
