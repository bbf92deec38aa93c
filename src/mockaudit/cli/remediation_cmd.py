"""``mockaudit remediation``: management's response to each finding, to closure (issue 18).

Thin commands over the session's remediation use cases: ``set`` (owner, due date, cause,
response), ``status`` (open, in_progress, remediated, risk_accepted, with evidence of the
fix), ``list`` and ``export``. Finding ids are those of the latest run; a record follows
its finding across later runs.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import click

from mockaudit.cli.common import chosen_member, read_passphrase, resolve_vault, vault_options
from mockaudit.domain.remediation import CauseCategory, Remediation, RemediationStatus
from mockaudit.session import Session

_DAY = click.DateTime(formats=["%Y-%m-%d"])


def _today() -> date:
    return datetime.now(UTC).date()


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


@click.group("remediation")
def remediation_group() -> None:
    """Management's responses and remediation of findings, to closure."""


@remediation_group.command("set")
@vault_options
@click.argument("finding_id")
@click.option("--owner", help="Who fixes it: a person id of the program.")
@click.option("--due", type=_DAY, help="Due date (YYYY-MM-DD).")
@click.option("--cause", help="Why the exception happened (free text).")
@click.option(
    "--category",
    type=click.Choice([c.value for c in CauseCategory]),
    help="The cause's family (soc2-domain §3.4).",
)
@click.option("--response", help="Management's response, as printed in Section V.")
def set_command(
    vault_dir: Path | None,
    passphrase_file: Path | None,
    finding_id: str,
    owner: str | None,
    due: datetime | None,
    cause: str | None,
    category: str | None,
    response: str | None,
) -> None:
    """Write or change management's response to FINDING_ID (of the latest run)."""
    with Session.open(
        resolve_vault(vault_dir), read_passphrase(passphrase_file), member=chosen_member()
    ) as session:
        record = session.set_remediation(
            finding_id,
            owner=owner,
            due=_day(due),
            cause=cause,
            category=category,
            response=response,
        )
    click.echo(_line(record, _today()))


@remediation_group.command("status")
@vault_options
@click.argument("finding_id")
@click.argument(
    "status",
    type=click.Choice([s.value for s in RemediationStatus if s is not RemediationStatus.RETESTED]),
)
@click.option("--evidence", multiple=True, help="Evidence id of the fix (repeatable).")
@click.option("--reason", default="", help="risk_accepted: why the risk is accepted.")
@click.option("--approver", help="risk_accepted: who accepted it (a person id).")
def status_command(
    vault_dir: Path | None,
    passphrase_file: Path | None,
    finding_id: str,
    status: str,
    evidence: tuple[str, ...],
    reason: str,
    approver: str | None,
) -> None:
    """Move FINDING_ID's remediation to STATUS, linking evidence of the fix."""
    with Session.open(
        resolve_vault(vault_dir), read_passphrase(passphrase_file), member=chosen_member()
    ) as session:
        record = session.set_remediation_status(
            finding_id, status, evidence=evidence, reason=reason, approver=approver
        )
    click.echo(_line(record, _today()))


@remediation_group.command("list")
@vault_options
@click.option("--owner", help="Only this person's remediations.")
@click.option("--overdue", is_flag=True, help="Only those past due and not yet remediated.")
@click.option("--as-of", type=_DAY, help="The day overdue is judged on (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of lines.")
def list_command(
    vault_dir: Path | None,
    passphrase_file: Path | None,
    owner: str | None,
    overdue: bool,
    as_of: datetime | None,
    as_json: bool,
) -> None:
    """List remediation records, by due date."""
    today = _day(as_of) or _today()
    folder = resolve_vault(vault_dir)
    with Session.open(
        folder, read_passphrase(passphrase_file), member=chosen_member(), write=False
    ) as session:
        records = session.remediations(owner=owner, overdue_on=today if overdue else None)
    if as_json:
        click.echo(json.dumps([_json(r, today) for r in records], indent=2, ensure_ascii=False))
        return
    if not records:
        click.echo("no remediation records match")
    for record in records:
        click.echo(_line(record, today))


@remediation_group.command("export")
@vault_options
@click.option("--format", "format_", type=click.Choice(("csv", "xlsx", "md")), required=True)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--owner", help="Only this person's remediations.")
@click.option("--as-of", type=_DAY, help="The day overdue is judged on (default: today).")
def export_command(
    vault_dir: Path | None,
    passphrase_file: Path | None,
    format_: str,
    out: Path,
    owner: str | None,
    as_of: datetime | None,
) -> None:
    """Write the remediation register as CSV, XLSX or Markdown."""
    folder = resolve_vault(vault_dir)
    with Session.open(
        folder, read_passphrase(passphrase_file), member=chosen_member(), write=False
    ) as session:
        count = session.export_remediations(out, format_, owner=owner, today=_day(as_of))
    click.echo(f"wrote {count} remediation record(s) as {format_} to {out}")


def _line(record: Remediation, today: date) -> str:
    due = record.due.isoformat() if record.due else "no due date"
    late = " OVERDUE" if record.overdue(today) else ""
    owner = record.owner or "unassigned"
    return f"{record.finding_id}  {record.status_text}  {owner}  {due}{late}  {record.title}"


def _json(record: Remediation, today: date) -> dict[str, object]:
    return {
        "finding": record.finding_id,
        "run": record.run_id,
        "control": record.control,
        "title": record.title,
        "status": record.status.value,
        "owner": record.owner,
        "due": record.due.isoformat() if record.due else None,
        "overdue": record.overdue(today),
        "cause_category": record.category.value if record.category else None,
        "cause": record.cause,
        "response": record.response,
        "evidence": list(record.evidence_ids),
        "risk_accepted_reason": record.reason,
        "approver": record.approver,
        "retest_run": record.retest_run,
        "updated_at": record.updated_at,
    }


@click.command("calendar")
@vault_options
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="The .ics to write.")
@click.option("--owner", help="Only this person's events.")
@click.option(
    "--per-owner",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write one OWNER.ics per person into this folder.",
)
@click.option("--as-of", type=_DAY, help="Events from this day on (default: today).")
def calendar_command(
    vault_dir: Path | None,
    passphrase_file: Path | None,
    out: Path | None,
    owner: str | None,
    per_owner: Path | None,
    as_of: datetime | None,
) -> None:
    """Write reminders as iCalendar: control instances for the rest of the period, remediation
    and request due dates, each with its owner as attendee."""
    folder = resolve_vault(vault_dir)
    with Session.open(
        folder, read_passphrase(passphrase_file), member=chosen_member(), write=False
    ) as session:
        written = session.write_calendar(out, owner=owner, per_owner=per_owner, today=_day(as_of))
    for path, count in written.items():
        click.echo(f"wrote {count} event(s) to {path}")


def register(cli: click.Group) -> None:
    cli.add_command(remediation_group)
    cli.add_command(calendar_command)
