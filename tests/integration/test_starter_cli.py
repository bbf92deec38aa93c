"""The command line of issue 17: new --from-reference, population formats, import --as/--map."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import FAST_KDF_ARGS

FIXTURES = Path(__file__).parents[1] / "scenarios" / "fixtures" / "formats"
FORMAT_NAMES = (
    "github-prs", "gitlab-mrs", "jira", "okta-users", "okta-log", "google-workspace-users",
    "aws-iam-credential-report", "aws-backup-jobs", "pagerduty-incidents", "hr-roster",
)  # fmt: skip


def test_population_formats_lists_every_name_with_its_export(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("population", "formats")
    assert result.code == 0
    for name in FORMAT_NAMES:
        assert f"\n{name} " in f"\n{result.out}"
    assert result.out.count("  export: ") == len(FORMAT_NAMES)
    assert "aws iam generate-credential-report" in result.out


def test_new_from_reference_then_import_as_format(run_cli, tmp_path: Path, passfile: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "acme"
    made = run_cli(
        "new", folder, "--from-reference", "--categories", "security,availability",
        "--systems", "github,okta,aws,google-workspace", "--period", "2026-01-01..2026-12-31",
    )  # fmt: skip
    assert made.code == 0, made.err
    assert "36/36 criteria covered" in made.out
    vault = ["--vault", tmp_path / "v", "--passphrase-file", passfile]
    assert run_cli("init", *vault, *FAST_KDF_ARGS).code == 0
    assert run_cli("import", *vault, folder).code == 0
    done = run_cli(
        "population", "import", *vault, FIXTURES / "backup-jobs.json",
        "--as", "aws-backup-jobs", "--population", "backups",
    )  # fmt: skip
    assert done.code == 0, done.err
    assert "population backups: 3 rows" in done.out
    removals = run_cli(
        "population", "import", *vault, FIXTURES / "okta-log.json",
        "--as", "okta-log", "--population", "access_removals",
    )  # fmt: skip
    assert "population access_removals: 2 rows" in removals.out


def test_bad_input_is_one_line(run_cli, tmp_path: Path, passfile: Path) -> None:  # type: ignore[no-untyped-def]
    bad_period = run_cli("new", tmp_path / "x", "--from-reference", "--period", "2026-13-01..x")
    assert bad_period.code == 2 and bad_period.err.count("\n") == 1
    assert "--period" in bad_period.err
    bad_cat = run_cli("new", tmp_path / "y", "--from-reference", "--categories", "securty")
    assert bad_cat.code == 2 and "--categories" in bad_cat.err
    folder = tmp_path / "acme"
    assert run_cli("new", folder, "--from-reference", "--systems", "github").code == 0
    vault = ["--vault", tmp_path / "v", "--passphrase-file", passfile]
    run_cli("init", *vault, *FAST_KDF_ARGS)
    run_cli("import", *vault, folder)
    unknown = run_cli(
        "population", "import", *vault, FIXTURES / "jira.csv", "--as", "jiraa",
        "--population", "vulnerabilities",
    )  # fmt: skip
    assert unknown.code == 2 and "unknown format 'jiraa'" in unknown.err
    assert unknown.err.count("\n") == 1
    mapping = run_cli(
        "population", "import", *vault, FIXTURES / "jira.csv", "--map", "nonsense",
        "--population", "vulnerabilities",
    )  # fmt: skip
    assert mapping.code == 2 and "COLUMN=SOURCE" in mapping.err
    alone = run_cli(
        "population", "import", *vault, FIXTURES / "jira.csv", "--date-format", "%d/%m/%Y",
        "--population", "vulnerabilities",
    )  # fmt: skip
    assert alone.code == 2 and "--date-format applies with" in alone.err
    wrong = run_cli(
        "population", "import", *vault, FIXTURES / "okta-users.json", "--as", "okta-users",
        "--population", "changes",
    )  # fmt: skip
    assert wrong.code == 2 and "needs" in wrong.err and "Traceback" not in wrong.err
