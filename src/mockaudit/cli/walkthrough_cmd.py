"""``mockaudit walkthrough …``: rehearse control-owner walkthroughs, headless or at a prompt.

``--answers FILE`` runs a rehearsal from a TOML file (scripted practice, tests)::

    control = "CHG-01"                 # optional: the default for --control
    as_of = 2026-07-15                 # optional: the default for --as-of
    shown_evidence = "EV-000012"       # optional: an evidence id or stored name
    [answers]                          # keyed by question id
    purpose = "Every pull request to main is reviewed by another engineer."
    [answers.CHG-02]                   # optional: per-control answers for --owner runs
    purpose = "…"
    [expect]                           # ignored here: what a test expects

Without ``--answers`` and with a terminal, the auditor asks at a prompt instead.
"""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mockaudit.cli.common import chosen_member, read_passphrase, resolve_vault, vault_options
from mockaudit.domain.reference_controls import Family
from mockaudit.domain.walkthrough import Feedback, WalkthroughResult
from mockaudit.domain.walkthrough_readiness import latest_by_control, next_step
from mockaudit.errors import InputError
from mockaudit.session import Session

if TYPE_CHECKING:  # the session builds it; its modules load only when it does
    from mockaudit.session import Rehearsal

_TOP_KEYS = frozenset({"control", "scenario", "as_of", "shown_evidence", "answers", "expect"})


@dataclass(frozen=True)
class AnswerFile:
    """A parsed answers file: shared answers, per-control answers, the evidence shown."""

    path: Path
    control: str | None = None
    as_of: date | None = None
    shared: dict[str, str] = field(default_factory=dict)
    per_control: dict[str, dict[str, str]] = field(default_factory=dict)
    shown: dict[str, str] = field(default_factory=dict)  # control id ("" = any) → evidence
    expect: dict[str, object] = field(default_factory=dict)

    def answers_for(self, control_id: str) -> dict[str, str]:
        return {**self.shared, **self.per_control.get(control_id, {})}

    def shown_for(self, control_id: str) -> str | None:
        return self.shown.get(control_id, self.shown.get(""))


MAX_ANSWERS_BYTES = 16 * 1024 * 1024
"""An answers file past this is refused before it is parsed (TOML costs ~10x its size)."""


def load_answers(path: Path) -> AnswerFile:
    """Read and check an answers file; every problem names the file and the key."""
    try:
        with Path(path).open("rb") as fh:
            raw = fh.read(MAX_ANSWERS_BYTES + 1)
        if len(raw) > MAX_ANSWERS_BYTES:
            raise InputError(f"{path}: larger than the {MAX_ANSWERS_BYTES // 2**20} MiB limit")
        data = tomllib.loads(raw.decode("utf-8"))
    except OSError:
        raise InputError(f"cannot read answers file {path}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML ({exc})") from None
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise InputError(
            f"{path}: unknown key {unknown[0]!r} (known: {', '.join(sorted(_TOP_KEYS))})"
        )
    shared, per_control = _answers_table(path, data.get("answers", {}))
    Session.check_walkthrough_answers(shared)
    for answers in per_control.values():
        Session.check_walkthrough_answers(answers)
    control = data.get("control")
    if control is not None and not isinstance(control, str):
        raise InputError(f"{path}: control must be a string")
    as_of = data.get("as_of")
    if as_of is not None and (not isinstance(as_of, date) or isinstance(as_of, datetime)):
        raise InputError(f"{path}: as_of must be a date (as_of = 2026-07-15)")
    expect = data.get("expect", {})
    if not isinstance(expect, dict):
        raise InputError(f"{path}: [expect] must be a table")
    shown = _shown(path, data)
    return AnswerFile(Path(path), control, as_of, shared, per_control, shown, expect)


def _answers_table(path: Path, table: object) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    if not isinstance(table, dict):
        raise InputError(f'{path}: [answers] must be a table of question id = "answer"')
    shared: dict[str, str] = {}
    per_control: dict[str, dict[str, str]] = {}
    for key, value in table.items():
        if isinstance(value, str):
            shared[key] = value
        elif isinstance(value, dict):
            per_control[key] = {}
            for qid, text in value.items():
                if not isinstance(text, str):
                    raise InputError(f"{path}: answers.{key}.{qid} must be a string")
                per_control[key][qid] = text
        else:
            raise InputError(f"{path}: answers.{key} must be a string")
    return shared, per_control


def _shown(path: Path, data: Mapping[str, object]) -> dict[str, str]:
    value = data.get("shown_evidence")
    if value is None:
        return {}
    if isinstance(value, str):
        return {"": value}
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        return {str(k): str(v) for k, v in value.items()}
    raise InputError(f"{path}: shown_evidence must be an evidence id or a table of them")


# --- printing ------------------------------------------------------------------------------


def _echo_feedback(feedback: Feedback) -> None:
    answer = feedback.answer or "(no answer)"
    click.echo(f"  answer: {answer}")
    click.echo(f"  → {feedback.verdict.value}: {feedback.message}")


def _echo_summary(result: WalkthroughResult) -> None:
    divergences = ", ".join(result.divergences)
    evasions = ", ".join(e.check.value for e in result.evasions)
    click.echo(
        f"Summary {result.control_id}: score {result.score:.1f}/100 · divergences: "
        f"{len(result.findings)}{f' ({divergences})' if divergences else ''} · evasions: "
        f"{len(result.evasions)}{f' ({evasions})' if evasions else ''} · corroborated: "
        f"{'yes' if result.corroboration.corroborated else 'no'}"
    )
    for finding in result.findings:
        click.echo(f"  finding: {finding.title}")
        click.echo(f"    {finding.detail}")


def _echo_transcript(result: WalkthroughResult) -> None:
    owner = f"{result.owner_name} ({result.owner})" if result.owner_name else result.owner
    click.echo(f"{result.control_id} · {result.control_title} · owner {owner or 'none'}")
    total = len(result.steps) + 1
    for number, step in enumerate(result.steps, start=1):
        click.echo(f"[{number}/{total}] {step.question.text}")
        _echo_feedback(step.feedback)
    shown = result.corroboration
    click.echo(f"[{total}/{total}] Show me the last instance.")
    click.echo(f"  shown: {shown.evidence_id or '(nothing)'}")
    click.echo(
        f"  → {'corroborated' if shown.corroborated else 'not corroborated'}: {shown.message}"
    )


def _store(session: Session, result: WalkthroughResult, save: bool) -> None:
    _echo_summary(result)
    if not save:
        return
    stored = session.save_walkthrough(result)
    click.echo(
        f"Saved as {stored.walkthrough_id}; study it with: mockaudit walkthrough export "
        f"{stored.walkthrough_id} --out {stored.walkthrough_id}.md"
    )


# --- interactive ---------------------------------------------------------------------------


def _interactive(session: Session, control_id: str, as_of: date | None) -> Interview:
    """Ask at the prompt; Ctrl-D or Ctrl-C ends the interview early, keeping the answers."""
    rehearsal: Rehearsal = session.walkthrough_start(control_id, as_of=as_of)
    control = rehearsal.control
    click.echo(f"Walkthrough of {control.id} · {control.title} (empty answer: skip)")
    try:
        _ask_questions(rehearsal)
        _ask_last_instance(rehearsal)
    except click.Abort:  # Ctrl-D (end of input) or Ctrl-C at a prompt
        click.echo("")
        if not any(step.feedback.answer for step in rehearsal.steps):
            raise
        done = len(rehearsal.steps)
        click.echo(f"Finished early after {done} question(s): the rest count as skipped.")
        return Interview(rehearsal.finish_early(), stopped=True)
    return Interview(rehearsal.result(), stopped=False)


@dataclass(frozen=True)
class Interview:
    """A rehearsal at the prompt; ``stopped``: the owner ended it early (Ctrl-D / Ctrl-C)."""

    result: WalkthroughResult
    stopped: bool


def _ask_questions(rehearsal: Rehearsal) -> None:
    while rehearsal.question is not None:
        done, total = rehearsal.progress
        required = " (required)" if rehearsal.question.required else ""
        click.echo(f"[{done + 1}/{total}] {rehearsal.prompt}{required}")
        text: str = click.prompt("  you", default="", show_default=False)
        feedback = rehearsal.answer(text)
        click.echo(f"  → {feedback.verdict.value}: {feedback.message}")


def _ask_last_instance(rehearsal: Rehearsal) -> None:
    click.echo(rehearsal.prompt or "")
    for fact in rehearsal.candidates()[:10]:
        click.echo(f"  {fact.evidence_id}  {fact.name}")
    shown: str = click.prompt(
        "  evidence id (empty: nothing to show)", default="", show_default=False
    )
    feedback = rehearsal.show(shown or None)
    click.echo(f"  → {feedback.verdict.value}: {feedback.message}")


# --- commands ------------------------------------------------------------------------------


@click.group("walkthrough", invoke_without_command=True)
@vault_options
@click.option("--control", "control_id", help="Rehearse this control (e.g. CHG-01).")
@click.option("--owner", help="Rehearse every control this person id owns.")
@click.option(
    "--answers",
    "answers_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="TOML answers file: run headless (format below).",
)
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Rehearsal date (default today): who has left, which dates are in the future.",
)
@click.option("--no-save", is_flag=True, help="Do not store the transcript in the vault.")
@click.pass_context
def walkthrough_group(
    ctx: click.Context,
    vault_dir: Path | None,
    passphrase_file: Path | None,
    control_id: str | None,
    owner: str | None,
    answers_file: Path | None,
    as_of: datetime | None,
    no_save: bool,
) -> None:
    """Rehearse a control owner's walkthrough: questions, feedback, then show the evidence.

    With --answers FILE the rehearsal runs from the file; without it, at a terminal, the
    auditor asks each question at a prompt. The transcript is stored encrypted in the vault.

    \b
    Answers file (TOML):
      control = "CHG-01"              # optional default for --control
      shown_evidence = "EV-000012"    # the last instance: an id or a stored name
      [answers]                       # question id = "answer"
      performer = "I do."
      frequency = "Every pull request to main."
    """
    if ctx.invoked_subcommand is not None:
        return
    if control_id and owner:
        raise InputError("give --control ID or --owner PERSON, not both")
    answers = load_answers(answers_file) if answers_file is not None else None
    if answers is not None and not owner:
        control_id = control_id or answers.control
    if not control_id and not owner:
        raise InputError("give --control ID or --owner PERSON")
    if answers is None and not sys.stdin.isatty():
        raise InputError("no terminal to ask on: give --answers FILE")
    day = as_of.date() if as_of is not None else (answers.as_of if answers else None)
    folder = resolve_vault(vault_dir)
    with Session.open(folder, read_passphrase(passphrase_file), member=chosen_member()) as session:
        controls = [control_id] if control_id else session.walkthrough_controls(owner or "")
        for cid in controls:
            if answers is None:
                interview = _interactive(session, cid, day)
                _store(session, interview.result, not no_save)
                if interview.stopped:
                    return  # the owner stopped: no further control of --owner is asked
                continue
            else:
                result = session.rehearse(
                    cid, answers.answers_for(cid), answers.shown_for(cid), as_of=day
                )
                _echo_transcript(result)
            _store(session, result, not no_save)


@walkthrough_group.command("export")
@vault_options
@click.argument("walkthrough_id")
@click.option(
    "--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="FILE.md"
)
def export(
    vault_dir: Path | None, passphrase_file: Path | None, walkthrough_id: str, out: Path
) -> None:
    """Write a stored rehearsal as Markdown for the owner to study."""
    folder = resolve_vault(vault_dir)
    with Session.open(folder, read_passphrase(passphrase_file), member=chosen_member()) as session:
        written = session.export_walkthrough_markdown(walkthrough_id, out)
    click.echo(f"wrote {written}")


@walkthrough_group.command("list")
@vault_options
@click.option("--owner", help="Only this person's rehearsals.")
def list_(vault_dir: Path | None, passphrase_file: Path | None, owner: str | None) -> None:
    """One line per stored rehearsal: id, control, owner, date, score, divergences."""
    folder = resolve_vault(vault_dir)
    with Session.open(
        folder, read_passphrase(passphrase_file), member=chosen_member(), write=False
    ) as session:
        records = session.walkthroughs(owner)
    for r in records:
        click.echo(
            f"{r.walkthrough_id}\t{r.control_id}\t{r.owner or '-'}\t{r.started_at}\t"
            f"{r.score:.1f}\t{','.join(r.divergences) or '-'}"
        )
    if not records:
        click.echo("no walkthroughs yet: run 'mockaudit walkthrough --control ID'", err=True)


@walkthrough_group.command("readiness")
@vault_options
def readiness(vault_dir: Path | None, passphrase_file: Path | None) -> None:
    """Per owner: controls rehearsed, latest score, divergences, evasions, ready or not,
    and the control to rehearse next (never rehearsed, then the weakest, then the stalest)."""
    folder = resolve_vault(vault_dir)
    with Session.open(
        folder, read_passphrase(passphrase_file), member=chosen_member(), write=False
    ) as session:
        rows = session.owner_readiness()
        latest = latest_by_control(session.walkthroughs())
    for row in rows:
        score = "-" if row.score is None else f"{row.score:.1f}"
        control, why = next_step(row, latest)
        click.echo(
            f"{row.owner}\t{row.name}\t{len(row.rehearsed)}/{len(row.controls)}\t{score}\t"
            f"divergences={row.divergences}\tevasions={row.evasions}\t"
            f"{'ready' if row.ready else 'not ready'}\tnext={control or '-'} ({why})"
        )


@walkthrough_group.command("questions")
@click.option(
    "--family",
    type=click.Choice([f.value for f in Family]),
    default=None,
    help="Only this control family (default: all).",
)
def questions(family: str | None) -> None:
    """The question bank: id (the key in an answers file), what it checks, and the text."""
    bank = Session.walkthrough_questions()
    for fam, asked in bank.items():
        if family is not None and fam.value != family:
            continue
        click.echo(f"# {fam.value}")
        for q in asked:
            flags = ", required" if q.required else ""
            flags += ", population controls only" if q.needs_population else ""
            click.echo(f"{q.id}\t{q.check.value}{flags}\t{q.generic_text}")


def register(cli: click.Group) -> None:
    cli.add_command(walkthrough_group)


__all__ = ["AnswerFile", "load_answers", "register"]
