"""Git import of a real-world-shaped repository into a starter program (acceptance 3).

The repository built here has history before the period (the extract must leave
it out), GitHub merge commits, squash merges titled ``… (#N)``, a curl-style
commit whose body says ``Closes #N``, and a direct push; a ``gh pr list`` export
carries the approvals, joined by merge commit. Every merged PR gets its number,
only in-period rows are imported, the audit raises no ``population.out_of_period``
about the extract mockaudit made, and the approvals come from the export
(including a self-approval the change control then reports).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from mockaudit import session as session_api
from mockaudit.domain import Category, FindingCode, ReportType
from mockaudit.domain.native_import import GitOptions
from mockaudit.domain.starter import StarterOptions
from mockaudit.scenarios.git_history import pr_number
from mockaudit.session import Session
from tests.scenarios.test_git_history import ALICE, BOB, CAROL, GITHUB, commit, git, init

PERIOD = (date(2026, 1, 1), date(2026, 6, 30))


def _merge(repo: Path, branch: str, number: int, when: str) -> str:
    git(
        repo, "merge", "-q", "--no-ff", branch,
        "-m", f"Merge pull request #{number} from acme/{branch}",
        author=BOB, committer=GITHUB, when=when,
    )  # fmt: skip
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, dict[int, str]]:
    """main: 2 old changes (2025) → merge #21 → squash #22 → Closes #23 → direct push → merge #24."""
    repo = tmp_path / "app"
    init(repo)
    commit(repo, "Initial commit", when="2025-03-01T09:00:00+00:00")
    commit(repo, "Old feature (#3)", when="2025-06-01T09:00:00+00:00")
    shas: dict[int, str] = {}
    git(repo, "checkout", "-q", "-b", "feat-a")
    commit(repo, "Work on A", author=ALICE, when="2026-01-10T09:00:00+00:00")
    git(repo, "checkout", "-q", "main")
    shas[21] = _merge(repo, "feat-a", 21, "2026-01-12T10:00:00+00:00")
    shas[22] = commit(repo, "Squashed change (#22)", author=CAROL, when="2026-02-01T10:00:00+00:00")
    shas[23] = commit(
        repo,
        "lib: fix overflow in parser\n\nReported-by: someone\nCloses #23",
        author=ALICE,
        when="2026-03-01T10:00:00-05:00",
    )
    commit(repo, "Direct push to main", author=CAROL, when="2026-04-01T10:00:00+00:00")
    git(repo, "checkout", "-q", "-b", "feat-b")
    commit(repo, "Work on B", author=BOB, when="2026-05-01T09:00:00+00:00")
    git(repo, "checkout", "-q", "main")
    shas[24] = _merge(repo, "feat-b", 24, "2026-05-02T10:00:00+00:00")
    return repo, shas


def _review_export(path: Path, shas: dict[int, str]) -> Path:
    authors = {21: "alice", 22: "carol", 23: "alice", 24: "bob"}
    approvers = {21: "bob", 22: "carol", 23: "dave", 24: "alice"}  # 22 approved by its author
    prs = [
        {
            "number": n,
            "title": f"PR {n}",
            "url": f"https://github.com/acme/app/pull/{n}",
            "author": {"login": authors[n], "is_bot": False},
            "mergedAt": "2026-01-01T00:00:00Z",
            "mergeCommit": {"oid": sha},
            "baseRefName": "main",
            "reviews": [
                {"author": {"login": approvers[n]}, "state": "APPROVED",
                 "submittedAt": "2025-12-31T00:00:00Z"}
            ],
            "statusCheckRollup": [{"conclusion": "SUCCESS"}],
        }
        for n, sha in shas.items()
    ]  # fmt: skip
    path.write_text(json.dumps(prs[:2]) + "\n" + json.dumps(prs[2:]))  # two pages
    return path


@pytest.mark.parametrize(
    ("subject", "body", "number"),
    [
        ("Merge pull request #7 from a/b", "", "7"),
        ("Fix thing (#8)", "", "8"),
        ("lib: fix", "Closes #9", "9"),
        ("lib: fix", "Some text\nFixes #10\n", "10"),
        ("lib: fix", "see #11 for context", ""),
    ],
)
def test_pr_number_sources(subject: str, body: str, number: str) -> None:
    assert pr_number(subject, body) == number


def test_git_import_period_numbers_and_joined_approvals(
    repo: tuple[Path, dict[int, str]], session: Session, tmp_path: Path
) -> None:
    path, shas = repo
    folder = tmp_path / "acme"
    session_api.new_from_reference(
        folder,
        StarterOptions(
            "Acme", (Category.SECURITY,), ("github",), ReportType.TYPE2, PERIOD[0], PERIOD[1]
        ),
    )
    session.import_scenario(folder)
    reviews = _review_export(tmp_path / "prs.json", shas)
    done = session.import_population("changes", git_repo=path, git=GitOptions(reviews=reviews))
    assert done.rows == 5  # 4 merged PRs and the direct push; the 2025 history left out
    rows = {r.key: r for r in session.population_page("changes", 0, 100)}
    assert {k for k in rows if "#" in k} == {f"acme/app#{n}" for n in shas}
    by_commit = {r.values["commit"]: r.values for r in rows.values()}
    for n, sha in shas.items():
        assert by_commit[sha]["pr_number"] == str(n)
        assert by_commit[sha]["approved_at"] == "2025-12-31T00:00:00Z"
    assert by_commit[shas[21]]["approver"] == "bob"
    assert by_commit[shas[22]]["author"] == by_commit[shas[22]]["approver"] == "carol"
    assert all(r.values["merged_at"] >= "2026-01-01" for r in rows.values())

    run = session.run_audit(seed=2)
    codes = {(f.code, f.population) for f in run.findings}
    assert (FindingCode.POPULATION_OUT_OF_PERIOD, "changes") not in codes
    deviations = [
        f for f in run.findings if f.code is FindingCode.SAMPLE_DEVIATION and f.control == "CHG-01"
    ]
    assert "acme/app#22" in {i for f in deviations for i in f.items}


def test_all_history_keeps_everything(
    repo: tuple[Path, dict[int, str]], session: Session, tmp_path: Path
) -> None:
    path, _ = repo
    folder = tmp_path / "acme"
    session_api.new_from_reference(
        folder,
        StarterOptions(
            "Acme", (Category.SECURITY,), ("github",), ReportType.TYPE2, PERIOD[0], PERIOD[1]
        ),
    )
    session.import_scenario(folder)
    done = session.import_population("changes", git_repo=path, git=GitOptions(all_history=True))
    assert done.rows == 7
    assert any(t.source_path.endswith("(all)") for t in session.populations())


def test_gitlab_approvals_join_by_merge_commit(
    repo: tuple[Path, dict[int, str]], session: Session, tmp_path: Path
) -> None:
    path, shas = repo
    folder = tmp_path / "acme"
    session_api.new_from_reference(
        folder,
        StarterOptions(
            "Acme", (Category.SECURITY,), ("gitlab",), ReportType.TYPE2, PERIOD[0], PERIOD[1]
        ),
    )
    session.import_scenario(folder)
    mrs = [
        {"iid": n, "project_id": 1, "title": f"MR {n}", "merged_at": "2026-01-01T00:00:00Z",
         "author": {"username": "alice"}, "merge_commit_sha": sha,
         "references": {"full": f"acme/app!{n}"}}
        for n, sha in shas.items()
    ]  # fmt: skip
    approvals = [
        {"iid": n, "project_id": 1, "approved_by": [{"user": {"username": "erin"}}]} for n in shas
    ]
    export = tmp_path / "mrs.json"
    export.write_text(json.dumps(mrs) + "\n" + "\n".join(json.dumps(a) for a in approvals))
    session.import_population("changes", git_repo=path, git=GitOptions(reviews=export))
    rows = [r.values for r in session.population_page("changes", 0, 100)]
    joined = [r for r in rows if r["commit"] in shas.values()]
    assert len(joined) == 4
    assert {r["pr_id"] for r in joined} == {f"acme/app!{n}" for n in shas}
    assert {r["approver"] for r in joined} == {"erin"}
    assert {r["pr_number"] for r in joined} == {str(n) for n in shas}
