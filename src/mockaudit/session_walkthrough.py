"""The session's walkthrough use cases (issue 7): rehearse, store, list, export.

The rehearsal itself is pure (fieldwork/walkthrough/, no files, no DB): these methods
gather its ``VaultFacts`` and store each result as an encrypted transcript blob (custody
event "transcript", linked to the control) plus a row in ``walkthroughs``
(vault/walkthrough_store.py). The fieldwork modules load only when a rehearsal is used.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from mockaudit.domain import Control
from mockaudit.domain.evidence import EvidenceInfo, Link
from mockaudit.domain.reference_controls import Family
from mockaudit.domain.walkthrough import Question, WalkthroughResult
from mockaudit.domain.walkthrough_readiness import OwnerReadiness, WalkthroughRecord
from mockaudit.errors import InputError, IntegrityError
from mockaudit.session_base import SessionBase, translated
from mockaudit.vault import program_store, walkthrough_store

if TYPE_CHECKING:  # the rehearsal's modules load only when a rehearsal is used
    from mockaudit.fieldwork.walkthrough.facts import EvidenceFact, VaultFacts
    from mockaudit.fieldwork.walkthrough.rehearsal import Rehearsal


class WalkthroughSession(SessionBase):
    """Walkthrough rehearsals of the control owners, over one unlocked vault."""

    @staticmethod
    def walkthrough_questions() -> dict[Family, tuple[Question, ...]]:
        """The question bank, per control family, in the order the auditor asks."""
        from mockaudit.fieldwork.walkthrough.questions import question_bank

        return question_bank()

    @staticmethod
    def check_walkthrough_answers(answers: Mapping[str, str]) -> None:
        """Every key must be a question of the bank: a typo would silently skip a question."""
        from mockaudit.fieldwork.walkthrough.rehearsal import check_answer_keys

        check_answer_keys(answers)

    def walkthrough_facts(self, *, as_of: date | None = None) -> VaultFacts:
        """The program and every evidence item with its links, item dates and custody date."""
        from mockaudit.fieldwork.walkthrough.facts import VaultFacts

        with translated("gathering the walkthrough facts"):
            program = program_store.load_program(self.vault.conn)
            infos = self.vault.list_evidence()
            days = walkthrough_store.item_days(self.vault.conn, infos)
        evidence = tuple(_walkthrough_evidence(info, days) for info in infos)
        return VaultFacts(program, evidence, as_of or _walkthrough_today())

    def walkthrough_controls(self, owner: str) -> list[str]:
        """The ids of the controls ``owner`` (a person id) owns, in program order."""
        program = self.program()
        ids = [c.id for c in program.controls if c.owner == owner]
        if not ids:
            owners = sorted({c.owner for c in program.controls if c.owner})
            raise InputError(f"{owner!r} owns no control (owners: {', '.join(owners) or 'none'})")
        return ids

    def walkthrough_start(self, control_id: str, *, as_of: date | None = None) -> Rehearsal:
        """A new rehearsal of one control; ask ``rehearsal.question`` and ``answer`` it."""
        from mockaudit.fieldwork.walkthrough.rehearsal import Rehearsal

        facts = self.walkthrough_facts(as_of=as_of)
        return Rehearsal.start(_walkthrough_control(facts, control_id), facts.program, facts)

    def rehearse(
        self,
        control_id: str,
        answers: Mapping[str, str],
        shown_evidence: str | None = None,
        *,
        as_of: date | None = None,
    ) -> WalkthroughResult:
        """The headless rehearsal: answers by question id, then the evidence shown (an id,
        or a stored name such as ``evidence/incidents/INC-0431-postmortem.md``). Not saved."""
        from mockaudit.fieldwork.walkthrough.rehearsal import rehearse

        facts = self.walkthrough_facts(as_of=as_of)
        control = _walkthrough_control(facts, control_id)
        shown = _walkthrough_shown(facts, control.id, shown_evidence)
        return rehearse(control, facts.program, facts, answers, shown)

    def save_walkthrough(self, result: WalkthroughResult) -> WalkthroughResult:
        """Store the transcript encrypted in the vault and list it; returns it with its id."""
        with translated(f"saving the walkthrough of {result.control_id}"):
            # Vault.transaction: a failure after the transcript blob was written removes
            # the blob at once, as after a failed import (not only at the next open).
            with self.vault.transaction() as conn:
                wid = walkthrough_store.next_id(conn)
                stored = result.model_copy(update={"walkthrough_id": wid})
                data = stored.model_dump_json(indent=2).encode("utf-8")
                added = self.vault.add_stream(
                    io.BytesIO(data),
                    f"walkthroughs/{stored.walkthrough_id}-{result.control_id}.json",
                    link=Link(control_id=result.control_id),
                    source=f"walkthrough rehearsal {stored.walkthrough_id}",
                    event="transcript",
                )
                walkthrough_store.insert(conn, stored, added.evidence_id)
        return stored

    def walkthroughs(self, owner: str | None = None) -> list[WalkthroughRecord]:
        """Stored rehearsals, oldest first; only ``owner``'s with an owner."""
        with translated("listing walkthroughs"):
            return walkthrough_store.records(self.vault.conn, owner)

    def walkthrough(self, walkthrough_id: str) -> WalkthroughResult:
        """A stored rehearsal, decrypted from its transcript blob."""
        with translated(f"reading walkthrough {walkthrough_id}"):
            evidence = walkthrough_store.transcript_evidence(self.vault.conn, walkthrough_id)
            data = b"".join(self.vault.read_chunks(str(evidence)))
        try:
            return WalkthroughResult.model_validate_json(data)
        except ValueError:
            raise IntegrityError(
                f"the transcript {evidence} of {walkthrough_id} is not a walkthrough transcript"
            ) from None

    def owner_readiness(self) -> list[OwnerReadiness]:
        """Per control owner: latest rehearsal of each control they own, rolled up."""
        from mockaudit.fieldwork.walkthrough.report import owner_readiness

        return owner_readiness(self.program(), self.walkthroughs())

    def export_walkthrough_markdown(self, walkthrough_id: str, out: Path) -> Path:
        """Write a stored rehearsal as Markdown for the owner to study (custody: exported)."""
        from mockaudit.export.output import write_export
        from mockaudit.fieldwork.walkthrough.report import transcript_markdown

        result = self.walkthrough(walkthrough_id)
        out = Path(out)
        with translated(f"writing {out}"):
            # The custody event commits before the decrypted copy appears: a failure in
            # between over-states the exports, never leaves a copy without its event.
            evidence_id = walkthrough_store.transcript_evidence(self.vault.conn, walkthrough_id)
            if self.vault.writable and evidence_id:
                self.vault.record_export(evidence_id, str(out), "walkthrough transcript (md)")
            write_export(out, transcript_markdown(result).encode("utf-8"))  # sweeps old temps
        return out


def _walkthrough_today() -> date:
    return datetime.now(UTC).date()


def _walkthrough_evidence(info: EvidenceInfo, days: dict[tuple[str, str], date]) -> EvidenceFact:
    from mockaudit.fieldwork.walkthrough.facts import EvidenceFact, EvidenceLink

    links = tuple(
        EvidenceLink(
            control=link.control_id,
            population=link.population_id,
            item=link.item_key,
            item_date=days.get((link.population_id, link.item_key)),
        )
        for link in info.links
    )
    collected = datetime.fromisoformat(info.added_at).date()
    return EvidenceFact(info.evidence_id, info.original_name, collected, links)


def _walkthrough_control(facts: VaultFacts, control_id: str) -> Control:
    control = facts.program.control(control_id)
    if control is None:
        known = ", ".join(c.id for c in facts.program.controls) or "none"
        raise InputError(f"the program has no control {control_id!r} (controls: {known})")
    return control


def _walkthrough_shown(facts: VaultFacts, control_id: str, shown: str | None) -> str | None:
    """An evidence id as given, or the id of the one stored item with that name."""
    if not shown or not shown.strip():
        return None
    shown = shown.strip()
    if any(f.evidence_id == shown for f in facts.evidence):
        return shown
    named = [f for f in facts.evidence if f.name == shown or f.name.endswith("/" + shown)]
    if len(named) > 1:
        linked = [f for f in named if any(link.control == control_id for link in f.links)]
        named = linked or named
    if len(named) > 1:
        ids = ", ".join(f.evidence_id for f in named[:5])
        raise InputError(f"shown_evidence {shown!r} matches {len(named)} items ({ids}); give an id")
    return named[0].evidence_id if named else shown
