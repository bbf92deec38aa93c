"""``mockaudit audit``: run the simulated auditor and say what the real one would conclude."""

from __future__ import annotations

from pathlib import Path

import click

from mockaudit import session
from mockaudit.cli.common import chosen_member, read_passphrase, resolve_vault, vault_options
from mockaudit.cli.progress import progress_on_stderr
from mockaudit.domain import Finding, Severity
from mockaudit.domain.comparison import Comparison
from mockaudit.domain.remediation import AssumedRemediation
from mockaudit.domain.run import Readiness, Run, Timeline
from mockaudit.errors import InputError, MockauditError

_RANK = {"high": 0, "medium": 1, "low": 2}


class BlockingFindings(MockauditError):
    exit_code = 1


@click.command()
@vault_options
@click.option(
    "--scenario",
    "scenario_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Audit this scenario folder through a throwaway vault instead.",
)
@click.option(
    "--seed", type=int, help="Sampling seed (printed; reuse it to redraw the same samples)."
)
@click.option(
    "--json",
    "json_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the findings (mockaudit.findings/1) to this file.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["high", "medium", "low"]),
    help="Exit 1 when a finding of this severity or worse is found.",
)
@click.option(
    "--compare",
    "previous",
    help="A previous run id, or a findings JSON file: list fixed, new and still-open findings.",
)
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), help="Date the timeline starts from.")
@click.option(
    "--window",
    type=click.Choice(["3", "6", "12"]),
    default="6",
    show_default=True,
    help="Type 2 observation window for the timeline, in months.",
)
@click.option("--top", type=int, default=10, show_default=True, help="How many findings to list.")
@click.option(
    "--assume-remediated-by",
    "assume_by",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Also show the score and opinion distribution as if every remediation due before "
    "this date were done (lists the findings assumed fixed).",
)
def audit(
    vault_dir: Path | None,
    passphrase_file: Path | None,
    scenario_dir: Path | None,
    seed: int | None,
    json_out: Path | None,
    fail_on: str | None,
    previous: str | None,
    as_of: object,
    window: str,
    top: int,
    assume_by: object,
) -> None:
    """Run a mock audit: requests, C&A checks, samples, tests, follow-ups, conclusion.

    By default audits the program in the vault and stores the run there. With
    --scenario DIR the folder is audited through a throwaway vault and no other
    vault is touched.
    """
    day = as_of.date() if hasattr(as_of, "date") else None  # click gives a datetime
    months = int(window)
    earlier: list[Finding] | None = None
    assumed: AssumedRemediation | None = None
    by = assume_by.date() if hasattr(assume_by, "date") else None
    if scenario_dir is not None:
        if vault_dir is not None:
            raise InputError("use either --vault or --scenario, not both")
        if by is not None:
            raise InputError("--assume-remediated-by reads the vault's remediations: use --vault")
        with progress_on_stderr() as progress:
            run = session.audit_folder(
                scenario_dir, seed=seed, as_of=day, window_months=months, progress=progress
            )
        if previous:
            earlier = _previous_from_file(previous)
    else:
        folder = resolve_vault(vault_dir)
        passphrase = read_passphrase(passphrase_file)  # asked before any progress is drawn
        with session.Session.open(folder, passphrase, member=chosen_member()) as s:
            if previous:
                earlier = _previous(s, previous)
            with progress_on_stderr() as progress:
                run = s.run_audit(seed=seed, as_of=day, window_months=months, progress=progress)
            if by is not None:
                assumed = s.assume_remediated(by, run, window_months=months)
    if json_out is not None:
        session.write_findings_json(run, json_out)
    print_summary(run, top=top)
    if earlier is not None:
        print_comparison(session.compare_runs(earlier, run.findings))
    if assumed is not None:
        print_assumed(assumed)
    if fail_on and any(_RANK[f.severity.value] <= _RANK[fail_on] for f in run.findings):
        raise BlockingFindings(f"findings at or above {fail_on} severity (see above)")


def _previous(s: session.Session, previous: str) -> list[Finding]:
    if Path(previous).is_file():
        return session.findings_from_file(Path(previous))
    return list(s.run(previous).findings)


def _previous_from_file(previous: str) -> list[Finding]:
    if not Path(previous).is_file():
        raise InputError("with --scenario, --compare needs a findings JSON file")
    return session.findings_from_file(Path(previous))


def print_summary(run: Run, *, top: int) -> None:
    r = run.readiness
    assert r is not None
    period = (
        f"{run.period_start} to {run.period_end}" if run.period_start else f"as of {run.period_end}"
    )
    click.echo(f"mock {run.report_type.value} audit, {period} — run {run.id}, seed {run.seed}")
    click.echo(f"readiness score: {r.score:.1f}/100")
    click.echo(f"likely opinion:  {r.likely_opinion.value} — {r.opinion_rule}")
    days = r.fieldwork_days
    click.echo(
        f"fieldwork:       {days.expected} business days (range {days.low}–{days.high}), "
        f"{r.follow_up_rounds} follow-up round(s)"
    )
    c = r.controls
    click.echo(
        f"controls:        {c.total} total, {c.no_exceptions} without exceptions, "
        f"{c.exceptions} with exceptions, {c.not_testable} not testable"
    )
    if r.timeline is not None:
        click.echo(f"timeline:        {_timeline_text(r.timeline)}")
    counts = {s: sum(1 for f in run.findings if f.severity is s) for s in Severity}
    click.echo("findings:        " + ", ".join(f"{n} {s.value}" for s, n in counts.items()))
    for f in run.findings[:top]:
        owner = f.owner or "NO OWNER"
        click.echo(f"  {f.id} {f.severity.value:<6} {f.code.value:<28} {owner:<12} {f.title}")
    if len(run.findings) > top:
        click.echo(f"  … {len(run.findings) - top} more (use --json FILE or --top N)")


def print_comparison(diff: Comparison) -> None:
    click.echo(
        f"since the previous run: {len(diff.fixed)} fixed, {len(diff.new)} new, "
        f"{len(diff.still_open)} still open"
    )
    for label, items in (("fixed", diff.fixed), ("new", diff.new), ("still open", diff.still_open)):
        for f in items[:20]:
            click.echo(f"  {label:<10} {f.code.value:<28} {f.title}")


def print_assumed(assumed: AssumedRemediation) -> None:
    before, after = assumed.before, assumed.after
    click.echo(
        f"as if every remediation due before {assumed.by} were done "
        f"({len(assumed.fixed)} finding(s) assumed fixed):"
    )
    click.echo(f"  readiness score: {before.score:.1f} -> {after.score:.1f}/100")
    click.echo(f"  opinion distribution: {_distribution(before)} -> {_distribution(after)}")
    click.echo(f"  likely opinion:  {after.likely_opinion.value} — {after.opinion_rule}")
    if after.timeline is not None:
        t = after.timeline
        click.echo(
            f"  timeline:        remediated by {t.remediated_on}; Type 1 from {t.type1_earliest}"
        )
    for record in assumed.fixed:
        due = record.due.isoformat() if record.due else "no due date"
        click.echo(
            f"  assumed fixed {record.finding_id} ({record.status_text}, due {due}) {record.title}"
        )


def _distribution(readiness: Readiness) -> str:
    chances = readiness.opinion_distribution.probabilities if readiness.opinion_distribution else {}
    return ", ".join(f"{name} {p:.0%}" for name, p in chances.items() if p)


def register(cli: click.Group) -> None:
    cli.add_command(audit)


def _timeline_text(t: Timeline) -> str:
    """A period already over is reported as run; remediation goes into the next one."""
    if t.period_completed:
        return (
            f"Type 2 {t.type2_period_start} to {t.type2_period_end} is over: report about "
            f"{t.type2_report_date} with its exceptions; next period {t.next_period_start} to "
            f"{t.next_period_end}, report about {t.next_report_date}"
            + (
                f" (exceptions until remediation, about {t.remediated_on}, fall into it too)"
                if t.next_period_carries_gaps()
                else ""
            )
        )
    return (
        f"Type 1 from {t.type1_earliest}; Type 2 {t.type2_period_start} to "
        f"{t.type2_period_end}, report about {t.type2_report_date}"
    )
