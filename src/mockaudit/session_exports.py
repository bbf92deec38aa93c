"""The session's export use cases (issues 5 and 6): findings, the request list, the mock
report, OSCAL and the evidence package of a stored run, and the client's answers to its
requests (the fieldwork inbox).

Findings formats are dispatched through mockaudit.export.formats; html and oscal go to
``export_report`` / ``export_oscal``, which add the signed checkpoint and the evidence.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from mockaudit.domain.bridge_letter import (
    BridgeLetter,
    HistoryEntry,
    check_gap,
    draft_bridge_letter,
)
from mockaudit.domain.comparison import run_to_compare
from mockaudit.domain.findings import Severity
from mockaudit.domain.progress import StageProgress, quiet
from mockaudit.domain.responses import RESPONSE_STATUSES, RequestResponse
from mockaudit.domain.run import Run
from mockaudit.errors import InputError
from mockaudit.session_base import translated
from mockaudit.session_remediation import RemediationSession
from mockaudit.vault import custody, db, program_store, request_responses

if TYPE_CHECKING:  # the package writer loads only when a package is written
    from mockaudit.services.package import PackageReport


class ExportSession(RemediationSession):
    """Exports of stored runs, and the answers to their requests."""

    def export_findings(
        self, format: str, out: Path, run_id: str | None = None, *, bom: bool = False
    ) -> Run:
        """Write the findings of a stored run (the latest by default) as ``format`` to ``out``.

        The run is exported with the program version it audited, so a report made
        today of last month's run still names last month's controls and owners.
        Returns the run exported.
        """
        from mockaudit.export import formats

        writer = formats.findings_writer(format)  # an unknown format fails before any read
        if format.lower() == "html":
            return self.export_report(Path(out), run_id)
        if format.lower() == "oscal":
            return self.export_oscal(Path(out), run_id)
        run = self.run(run_id)
        program = self._program_of(run)
        evidence = self.list_evidence() if writer.evidence else []
        with translated(f"writing {out}"):
            responses = self.remediations_by_finding(run)
            formats.write_findings(
                run, program, format, Path(out), evidence=evidence, bom=bom, responses=responses
            )
        return run

    def export_requests(
        self, format: str, out: Path, run_id: str | None = None, *, bom: bool = False
    ) -> Run:
        """Write the request (PBC) list of a stored run (the latest by default) to ``out``."""
        from mockaudit.export import formats

        formats.request_writer(format)
        run = self.run(run_id)
        with translated(f"writing {out}"):
            formats.write_requests(run, format, Path(out), bom=bom)
        return run

    # ----- the mock SOC 2 report (html), OSCAL, the evidence package -----
    # The report embeds a freshly signed custody checkpoint; the package records one
    # "exported" custody event per file, then signs a checkpoint that it carries.

    def export_report(self, out: Path, run_id: str | None = None) -> Run:
        """Write the mock SOC 2 report (one HTML file) of a stored run, latest by default."""
        from mockaudit.export.report_html import write_html

        run = self.run(run_id)
        program = self._program_of(run)
        out = Path(out)
        with translated(f"writing the report to {out}"):
            note = (
                self.vault.checkpoint() if self.vault.writable else self.vault.latest_checkpoint()
            )
            responses = self.remediations_by_finding(run)
            write_html(
                run,
                program,
                out,
                checkpoint=note,
                responses=responses,
                provenance=self._provenance(),
            )
        return run

    def _provenance(self) -> list[tuple[str, str, str, str]]:
        """(evidence id, file, collected by, date) of every item, for the report's appendix."""
        firsts = custody.collecting_events(self.vault.conn)
        rows = []
        for info in self.vault.list_evidence():
            event = firsts.get(info.evidence_id)
            who = event.actor if event else "no collection event recorded"
            rows.append((info.evidence_id, info.original_name, who, info.added_at[:10]))
        return rows

    def export_report_pdf(self, out: Path, run_id: str | None = None, *, paper: str = "a4") -> Run:
        """Print the mock SOC 2 report of a stored run to PDF (headless Chromium; a4|letter)."""
        from mockaudit.export.report_html import render_html
        from mockaudit.export.report_pdf import html_to_pdf
        from mockaudit.export.report_print import PAPER_SIZES

        if paper not in PAPER_SIZES:
            raise InputError(f"unknown paper {paper!r}: use one of {', '.join(PAPER_SIZES)}")
        run = self.run(run_id)
        program = self._program_of(run)
        out = Path(out)
        with translated(f"writing the report to {out}"):
            note = (
                self.vault.checkpoint() if self.vault.writable else self.vault.latest_checkpoint()
            )
            responses = self.remediations_by_finding(run)
            html = render_html(
                run,
                program,
                checkpoint=note,
                paper=paper,
                responses=responses,
                provenance=self._provenance(),
            )
            html_to_pdf(html, out)
        return run

    def export_oscal(self, out: Path, run_id: str | None = None) -> Run:
        """Write OSCAL assessment results of a stored run, with the vault's evidence hashes."""
        from mockaudit.export.oscal import write_oscal

        run = self.run(run_id)
        program = self._program_of(run)
        evidence = self.list_evidence()
        out = Path(out)
        with translated(f"writing OSCAL to {out}"):
            write_oscal(run, program, out, evidence)
        return run

    def write_bridge_letter(self, as_of: date, out: Path) -> BridgeLetter:
        """Draft management's bridge letter from the period end to ``as_of`` (§3.6) into
        ``out`` (.md or .html): material changes from the description's significant changes,
        the program versions imported in the gap and the latest run comparison."""
        from mockaudit.export.bridge_letter import letter_format, write_bridge_letter

        out = Path(out)
        letter_format(out)  # a wrong suffix fails before anything is read
        program = self.program()
        check_gap(program.engagement.period_end, as_of)
        with translated("reading the program history"):
            history = [
                HistoryEntry(version, stamp, tuple(changes))
                for version, stamp, _, changes in program_store.program_history(self.vault.conn)
            ]
        letter = draft_bridge_letter(
            program, as_of, history=history, new_findings=self._new_since_previous_run()
        )
        with translated(f"writing the bridge letter to {out}"):
            write_bridge_letter(letter, out)
        return letter

    def _new_since_previous_run(self) -> list[str]:
        """High findings of the latest run that the run it compares with did not have."""
        from mockaudit.readiness.compare import compare

        runs = program_store.list_runs(self.vault.conn)
        previous = run_to_compare([(run_id, seed) for run_id, seed, _, _ in runs])
        if previous is None:
            return []
        latest = self.run()
        comparison = compare(self.run(previous).findings, latest.findings)
        return [
            f"new since run {previous}: {f.title}"
            for f in comparison.new
            if f.severity is Severity.HIGH
        ]

    def write_package(
        self, out: Path, run_id: str | None = None, progress: StageProgress | None = None
    ) -> PackageReport:
        """Write the evidence package (ZIP) of a stored run; see services/package.py.
        ``progress`` hears (stage, done, total) per file decrypted into it."""
        from mockaudit.services.package import write_package

        run = self.run(run_id)
        out = Path(out)
        with translated(f"writing the evidence package {out}"):
            return write_package(self.vault, run, out, progress or quiet)

    # ----- request responses: the client's answers in the fieldwork inbox -----
    # Stored in request_responses (migration 0003); one answer per (run, request), a
    # later answer replaces the earlier one.

    def respond_to_request(
        self,
        run_id: str,
        code: str,
        status: str,
        evidence_ids: list[str],
        note: str = "",
    ) -> RequestResponse:
        """Answer request ``code`` of a stored run: attach vault evidence, or say it does not
        exist. Each attached file gets an ``annotated`` custody event naming the request."""
        if status not in RESPONSE_STATUSES:
            raise InputError(
                f"request status must be one of {', '.join(sorted(RESPONSE_STATUSES))}, "
                f"got {status!r}"
            )
        run = self.run(run_id)
        if all(r.code != code for r in run.requests):
            raise InputError(f"run {run.id} has no request {code}")
        ids = list(dict.fromkeys(evidence_ids))
        if status != "not_available" and not ids:
            raise InputError(f"{code}: attach at least one evidence file, or mark it not available")
        stamp = custody.now_utc().isoformat(timespec="seconds")
        answer = RequestResponse(run.id, code, status, tuple(ids), " ".join(note.split()), stamp)
        with translated(f"answering {code}"), self.vault.mutex, db.atomic(self.vault.conn):
            for evidence_id in ids:
                self.vault.get_evidence(evidence_id)  # InputError naming an unknown id
            request_responses.upsert(self.vault.conn, answer)
            for evidence_id in ids:
                custody.append(
                    self.vault.conn,
                    "annotated",
                    evidence_id=evidence_id,
                    purpose=f"answers {code} of {run.id}",
                    run_id=run.id,
                    request=code,
                )
        return answer

    def responses(self, run_id: str) -> dict[str, RequestResponse]:
        """The answers recorded for a run's requests, by request code."""
        with translated("reading request answers"):
            return request_responses.for_run(self.vault.conn, run_id)
