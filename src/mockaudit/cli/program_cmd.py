"""Program commands: criteria, new, import, population import."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import click

from mockaudit import session
from mockaudit.cli.common import chosen_member, read_passphrase, resolve_vault, vault_options
from mockaudit.cli.progress import progress_on_stderr
from mockaudit.domain import CRITERIA, Category, ReportType
from mockaudit.domain.native_import import GitOptions, NativeImport
from mockaudit.domain.starter import StarterOptions, parse_period
from mockaudit.errors import InputError
from mockaudit.session import Session

TEMPLATE = Path(__file__).resolve().parents[1] / "scenarios" / "template"


@click.command()
@click.option("--category", help="Only this category (security, availability, …).")
def criteria(category: str | None) -> None:
    """List the 61 Trust Services Criteria with a one-line summary each."""
    shown = [c for c in CRITERIA if category is None or c.category == category]
    if not shown:
        raise InputError(f"no criteria in category {category!r}")
    for c in shown:
        click.echo(f"{c.id:<7} {c.category:<21} {c.summary}")


@click.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--from-reference",
    is_flag=True,
    help="Write a complete starter program from the 90-control reference set.",
)
@click.option(
    "--categories",
    default="security",
    show_default=True,
    help="Comma-separated: security, availability, confidentiality, processing_integrity, privacy.",
)
@click.option(
    "--systems",
    default="",
    help="Comma-separated systems you run, e.g. github,okta,aws,google-workspace,jira.",
)
@click.option("--period", help="START..END (ISO dates); default: this calendar year.")
@click.option(
    "--type",
    "report_type",
    type=click.Choice(["type1", "type2"]),
    default="type2",
    show_default=True,
)
@click.option("--company", default="Your Company Inc.", show_default=True)
def new(
    folder: Path,
    from_reference: bool,
    categories: str,
    systems: str,
    period: str | None,
    report_type: str,
    company: str,
) -> None:
    """Scaffold a scenario folder: a commented template, or --from-reference a whole program."""
    if from_reference:
        _new_from_reference(folder, categories, systems, period, report_type, company)
        return
    if folder.exists() and any(folder.iterdir()):
        raise InputError(f"{folder} exists and is not empty; choose a new folder")
    shutil.copytree(TEMPLATE, folder, dirs_exist_ok=True)
    click.echo(f"created {folder}: edit {folder / 'scenario.toml'}, then run")
    click.echo(f"  mockaudit import {folder}")


def _new_from_reference(
    folder: Path, categories: str, systems: str, period: str | None, report_type: str, company: str
) -> None:
    try:
        cats = tuple(Category(c.strip()) for c in categories.split(",") if c.strip())
    except ValueError:
        raise InputError(
            f"--categories {categories!r}: use security, availability, confidentiality, "
            "processing_integrity, privacy"
        ) from None
    year = datetime.now(UTC).year
    try:
        start, end = parse_period(period) if period else (date(year, 1, 1), date(year, 12, 31))
    except ValueError as exc:
        raise InputError(f"--period: {exc}") from None
    options = StarterOptions(
        company=company,
        categories=cats,
        systems=tuple(s.strip().lower() for s in systems.split(",") if s.strip()),
        report_type=ReportType(report_type),
        period_start=start,
        period_end=end,
    )
    report = session.new_from_reference(folder, options)
    click.echo(
        f"created {folder}: {report.controls} controls, {report.populations} populations, "
        f"{report.policies} policies, {report.risks} risks; "
        f"{report.criteria_covered}/{report.criteria_in_scope} criteria covered"
    )
    click.echo(f"owners to assign ({len(report.owner_roles)}): {', '.join(report.owner_roles)}")
    click.echo(f"next: read {folder / 'COLLECT.md'}, then")
    click.echo(f"  mockaudit audit --scenario {folder}")


@click.command("import")
@vault_options
@click.argument("scenario_dir", type=click.Path(file_okay=False, path_type=Path))
def import_(vault_dir: Path | None, passphrase_file: Path | None, scenario_dir: Path) -> None:
    """Load a scenario folder into the vault: program, populations and every evidence file.

    The whole folder is validated before anything is written. Re-importing an
    unchanged folder changes nothing; a changed folder records what changed.
    """
    folder = resolve_vault(vault_dir)
    passphrase = read_passphrase(passphrase_file)  # asked before any progress is drawn
    with (
        progress_on_stderr() as progress,
        Session.open(folder, passphrase, member=chosen_member()) as session,
    ):
        report = session.import_scenario(scenario_dir, progress=progress)
    click.echo(f"program version {report.program_version}")
    for change in report.changes:
        click.echo(f"  {change}")
    if not report.changes:
        click.echo("  no change to the program")
    for pop in report.populations:
        click.echo(f"population {pop.population}: {pop.rows} rows ({pop.status})")
    click.echo(f"files stored: {report.files_stored}, unchanged: {report.files_unchanged}")
    if report.files_missing:
        click.echo(f"files named but missing ({len(report.files_missing)}); the audit will report:")
        for path in report.files_missing[:20]:
            click.echo(f"  {path}")
        if len(report.files_missing) > 20:
            click.echo(f"  … and {len(report.files_missing) - 20} more")


@click.group("population")
def population_group() -> None:
    """Replace one population with a fresh export."""


@population_group.command("import")
@vault_options
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--population", "population_id", required=True, help="Population id in the program.")
@click.option(
    "--from-git",
    "git_repo",
    type=click.Path(file_okay=False, path_type=Path),
    help="Build the population from this repository's first-parent history.",
)
@click.option("--branch", default="main", show_default=True, help="Branch for --from-git.")
@click.option("--as", "as_format", help="Read FILE as a vendor export (see `population formats`).")
@click.option(
    "--map",
    "mapping",
    multiple=True,
    metavar="COLUMN=SOURCE",
    help="Fill population COLUMN from the file's SOURCE column (repeat).",
)
@click.option("--date-format", help="strptime format of the file's dates, e.g. %d/%m/%Y.")
@click.option(
    "--all-history", is_flag=True, help="--from-git: every change, not only the audit period."
)
@click.option(
    "--reviews",
    type=click.Path(dir_okay=False, path_type=Path),
    help="--from-git: a GitHub/GitLab pull-request export whose approvals are joined by commit.",
)
def population_import(
    vault_dir: Path | None,
    passphrase_file: Path | None,
    file: Path | None,
    population_id: str,
    git_repo: Path | None,
    branch: str,
    as_format: str | None,
    mapping: tuple[str, ...],
    date_format: str | None,
    all_history: bool,
    reviews: Path | None,
) -> None:
    """Import or replace a population from FILE (CSV/JSON) or from --from-git REPO.

    From git, each row is a change that reached BRANCH in the audit period (all of
    them with --all-history): commit, merged_at, author, committer, PR number from
    the merge or squash message or a Closes/Fixes #N line, approvers from
    Reviewed-by:/Approved-by: trailers, and with --reviews the pull request's
    author, approval, approval time and CI status joined by merge commit.
    """
    if file is not None and not file.is_file():
        raise InputError(f"{file}: no such file")
    folder = resolve_vault(vault_dir)
    passphrase = read_passphrase(passphrase_file)
    with (
        progress_on_stderr() as progress,
        Session.open(folder, passphrase, member=chosen_member()) as session,
    ):
        done = session.import_population(
            population_id,
            file=file,
            git_repo=git_repo,
            branch=branch,
            progress=progress,
            native=NativeImport(as_format, mapping, date_format),
            git=GitOptions(all_history, reviews),
        )
    click.echo(f"population {done.population}: {done.rows} rows ({done.status})")


@population_group.command("formats")
def population_formats() -> None:
    """List the native import formats (--as) with the export command for each."""
    for fmt in session.population_formats():
        click.echo(f"{fmt.name:<27} {fmt.title} -> {fmt.population_kind}")
        click.echo(f"  export: {fmt.export}")


@click.group("program")
def program_group() -> None:
    """Look at the program stored in the vault, or export it back as a folder."""


@program_group.command("show")
@vault_options
def program_show(vault_dir: Path | None, passphrase_file: Path | None) -> None:
    """Summary of the stored program and its import history."""
    folder = resolve_vault(vault_dir)
    with Session.open(
        folder, read_passphrase(passphrase_file), member=chosen_member(), write=False
    ) as session:
        program = session.program()
        history = session.program_history()
    e = program.engagement
    period = f"{e.period_start} to {e.period_end}" if e.period_start else f"as of {e.period_end}"
    click.echo(f"{program.organization.name}: {e.report_type.value}, {period}")
    click.echo(f"categories: {', '.join(c.value for c in e.categories)}")
    counts = {
        "controls": len(program.controls),
        "populations": len(program.populations),
        "policies": len(program.policies),
        "risks": len(program.risks),
        "people": len(program.people),
    }
    click.echo(", ".join(f"{n} {what}" for what, n in counts.items()))
    for version, when, source, changes in history:
        click.echo(f"version {version} imported {when} from {source}: {'; '.join(changes[:5])}")


@program_group.command("export")
@vault_options
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="New folder to write the scenario into.",
)
def program_export(vault_dir: Path | None, passphrase_file: Path | None, out: Path) -> None:
    """Write the program, populations and evidence back out as a scenario folder."""
    folder = resolve_vault(vault_dir)
    with Session.open(folder, read_passphrase(passphrase_file), member=chosen_member()) as session:
        count = session.export_program(out)
    click.echo(f"wrote {count} files to {out}")


@click.group("scenario")
def scenario_group() -> None:
    """Synthetic scenarios: a whole company's program, populations and evidence."""


@scenario_group.command("generate")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="New (or empty) folder to write the scenario into.",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same folder.")
@click.option(
    "--size",
    type=click.Choice(["small", "medium", "large", "huge"]),
    default="small",
    show_default=True,
    help="~30/60/90/90 controls and ~2k/50k/500k/5M rows.",
)
@click.option(
    "--defects",
    type=float,
    default=0.0,
    show_default=True,
    help="0..1: how many planted defects of each finding code (0 = a clean program).",
)
@click.option(
    "--category",
    "categories",
    multiple=True,
    type=click.Choice(
        ["security", "availability", "confidentiality", "processing_integrity", "privacy"]
    ),
    help="Trust Services categories in scope (repeat; default depends on size).",
)
def scenario_generate(
    out: Path, seed: int, size: str, defects: float, categories: tuple[str, ...]
) -> None:
    """Write a realistic synthetic scenario folder and truth.json (the planted defects)."""
    report = session.generate_scenario(
        out, seed=seed, size=size, defects=defects, categories=list(categories) or None
    )
    rows = sum(report.populations.values())
    click.echo(
        f"{report.folder}: {report.controls} controls, {len(report.populations)} populations, "
        f"{rows:,} rows, {report.evidence_files} evidence files ({report.seconds:.1f} s)"
    )
    if report.planted:
        click.echo(f"planted {sum(report.planted.values())} defects; see truth.json")


def register(cli: click.Group) -> None:
    cli.add_command(scenario_group)
    cli.add_command(program_group)
    cli.add_command(population_group)
    cli.add_command(criteria)
    cli.add_command(new)
    cli.add_command(import_)
