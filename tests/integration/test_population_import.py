"""``mockaudit population import``: replace one population from a file or a git history."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from mockaudit.errors import InputError
from mockaudit.session import Session
from mockaudit.vault.population_store import get_table

TEMPLATE = Path(__file__).parents[2] / "src" / "mockaudit" / "scenarios" / "template"

GIT_HEADER = [
    "commit",
    "merged_at",
    "author",
    "author_email",
    "committer",
    "committer_email",
    "pr_number",
    "approvers",
    "subject",
    "parents",
]
GIT_PROGRAM = """
format = "mockaudit.scenario/1"
[organization]
name = "Git Co"
[engagement]
report_type = "type2"
period_start = 2026-01-01
period_end = 2026-06-30
[[people]]
id = "cto"
name = "CTO"
[[populations]]
id = "changes"
title = "Changes merged to main"
system = "github"
file = "populations/git.csv"
key = "commit"
date = "merged_at"
[[controls]]
id = "CHG-01"
title = "Changes are approved by someone else"
criteria = ["CC8.1"]
owner = "cto"
frequency = "per_event"
kind = "manual"
nature = "preventive"
risk = "moderate"
population = "changes"
  [[controls.attributes]]
  id = "independent-approval"
  check = "different"
  fields = ["author", "approvers"]
"""


def _git(repo: Path, *args: str, when: str = "2026-02-02T10:00:00+00:00") -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
        "GIT_AUTHOR_NAME": "Ana",
        "GIT_AUTHOR_EMAIL": "ana@x",
        "GIT_COMMITTER_NAME": "Ana",
        "GIT_COMMITTER_EMAIL": "ana@x",
        "GIT_CONFIG_GLOBAL": "/dev/null",
    }
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


def test_replace_from_csv_and_reject_missing_columns(session: Session, tmp_path: Path) -> None:
    folder = tmp_path / "s"
    shutil.copytree(TEMPLATE, folder)
    session.import_scenario(folder)
    fresh = tmp_path / "export.csv"
    fresh.write_text(
        "pr_id,author,approver,approved_at,merged_at,evidence\n"
        + "".join(f"PR-{i},ana,ben,2026-04-0{i},2026-04-0{i},\n" for i in range(1, 6))
    )
    done = session.import_population("changes", file=fresh)
    assert (done.rows, done.status) == (5, "replaced")
    assert get_table(session.vault.conn, "changes").row_count == 5  # type: ignore[union-attr]
    narrow = tmp_path / "narrow.csv"
    narrow.write_text("pr_id,merged_at\nPR-1,2026-04-01\n")
    with pytest.raises(InputError, match="no column 'evidence', which population changes needs"):
        session.import_population("changes", file=narrow)
    assert get_table(session.vault.conn, "changes").row_count == 5  # type: ignore[union-attr]
    with pytest.raises(InputError, match="no population 'nope'"):
        session.import_population("nope", file=fresh)


def test_replace_from_git_first_parent_history(session: Session, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "commit", "-q", "--allow-empty", "-m", "initial")
    _git(repo, "checkout", "-q", "-b", "feature")
    _git(repo, "commit", "-q", "--allow-empty", "-m", "work on feature")
    _git(repo, "checkout", "-q", "main")
    _git(
        repo,
        "merge",
        "-q",
        "--no-ff",
        "feature",
        "-m",
        "Merge pull request #7 from x/feature\n\nReviewed-by: Ben <ben@x>",
        when="2026-03-03T09:00:00+00:00",
    )
    folder = tmp_path / "s"
    (folder / "populations").mkdir(parents=True)
    (folder / "scenario.toml").write_text(GIT_PROGRAM)
    (folder / "populations" / "git.csv").write_text(",".join(GIT_HEADER) + "\n")
    session.import_scenario(folder)
    done = session.import_population("changes", git_repo=repo)
    assert done.rows == 2  # the initial commit and the merge, not the feature commit
    rows = list(session.source().rows("changes"))
    merge = next(r for r in rows if r.values["pr_number"] == "7")
    assert (
        merge.values["approvers"] == "Ben"
        and merge.day is not None
        and merge.day.isoformat() == "2026-03-03"
    )
    stored = [i for i in session.list_evidence() if i.original_name == "git-repo-main.csv"]
    assert len(stored) == 1 and stored[0].links[0].population_id == "changes"
