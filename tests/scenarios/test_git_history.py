"""Git change-population importer, against small repositories built here.

Acceptance: on a generated repository the importer yields exactly the
first-parent merges (and direct commits) of the branch, with authors, approvers
from trailers and PR numbers — never the commits that lived on feature branches.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from mockaudit.errors import InputError
from mockaudit.scenarios.git_history import (
    GIT_COLUMNS,
    iter_first_parent_changes,
    pr_number,
)

ALICE = ("Alice Adams", "alice@example.com")
BOB = ("Bob Brown", "bob@example.com")
CAROL = ("Carol Chen", "carol@example.com")
ERIN = ("Erin Eze", "erin@example.com")
GITHUB = ("GitHub", "noreply@github.com")


def git(
    repo: Path,
    *args: str,
    when: str = "2026-01-05T10:00:00+00:00",
    author: tuple[str, str] = ALICE,
    committer: tuple[str, str] | None = None,
) -> str:
    """Run git with a fixed identity and dates, isolated from the user's config."""
    committer = committer or author
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": author[0],
        "GIT_AUTHOR_EMAIL": author[1],
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_NAME": committer[0],
        "GIT_COMMITTER_EMAIL": committer[1],
        "GIT_COMMITTER_DATE": when,
    }
    done = subprocess.run(
        ["git", "-C", str(repo), *args], env=env, check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


def commit(
    repo: Path,
    message: str,
    *,
    when: str = "2026-01-05T10:00:00+00:00",
    author: tuple[str, str] = ALICE,
    committer: tuple[str, str] | None = None,
) -> str:
    """A commit that changes a file (so merges are real merges), returning its sha."""
    log = repo / "changes.log"
    with log.open("a", encoding="utf-8") as f:
        f.write(message.splitlines()[0] + "\n")
    git(repo, "add", "changes.log")
    git(repo, "commit", "-q", "-m", message, when=when, author=author, committer=committer)
    return git(repo, "rev-parse", "HEAD")


def init(repo: Path) -> None:
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q", "-b", "main")


@dataclass
class History:
    repo: Path
    initial: str
    login_merge: str
    squash: str
    hotfix: str
    gitlab_merge: str
    branch_only: list[str]


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> History:
    """main: initial → merge PR #12 (2 branch commits) → squash #15 → hotfix → GitLab !45."""
    repo = tmp_path_factory.mktemp("history") / "app"
    init(repo)
    initial = commit(repo, "Initial commit", when="2026-01-05T09:00:00+00:00")

    git(repo, "checkout", "-q", "-b", "feature/login")
    b1 = commit(repo, "Add login form (#99)", author=BOB, when="2026-01-06T10:00:00+00:00")
    b2 = commit(
        repo,
        "Validate password\n\nReviewed-by: Zed Zimmer <zed@example.com>",
        author=BOB,
        when="2026-01-07T10:00:00+00:00",
    )
    git(repo, "checkout", "-q", "main")
    git(
        repo,
        "merge",
        "-q",
        "--no-ff",
        "feature/login",
        "-m",
        "Merge pull request #12 from acme/feature/login",
        "-m",
        "Add login",
        "-m",
        "Reviewed-by: Carol Chen <carol@example.com>\n"
        "Approved-by: Dan Diaz <dan@example.com>\n"
        "Reviewed-by: Carol Chen <carol@example.com>",
        author=ERIN,
        committer=GITHUB,
        when="2026-01-08T16:30:00+00:00",
    )
    login_merge = git(repo, "rev-parse", "HEAD")

    squash = commit(
        repo,
        "Fix rounding in invoices (#15)\n\n* fix\n* test\n\n"
        "Approved-by: Alice Adams <alice@example.com>\nreviewed-by: Carol Chen <carol@x.org>",
        author=BOB,
        committer=GITHUB,
        when="2026-02-01T12:00:00+00:00",
    )
    # Local time +02:00: lands on 9 February in UTC.
    hotfix = commit(repo, "Hotfix config", when="2026-02-10T01:30:00+02:00")

    git(repo, "checkout", "-q", "-b", "feature/export")
    b3 = commit(repo, "Export CSV", author=CAROL, when="2026-03-01T10:00:00+00:00")
    git(repo, "checkout", "-q", "main")
    git(
        repo,
        "merge",
        "-q",
        "--no-ff",
        "feature/export",
        "-m",
        "Merge branch 'feature/export' into 'main'",
        "-m",
        "Export CSV\n\nSee merge request acme/app!45",
        "-m",
        "Approved-by: Bob Brown <bob@example.com>\nApproved-by: <sec-team@example.com>",
        author=BOB,
        when="2026-03-02T08:00:00+00:00",
    )
    gitlab_merge = git(repo, "rev-parse", "HEAD")
    return History(repo, initial, login_merge, squash, hotfix, gitlab_merge, [b1, b2, b3])


def test_yields_exactly_the_first_parent_commits_with_authors_approvers_and_prs(
    history: History,
) -> None:
    rows = list(iter_first_parent_changes(history.repo))
    h = history
    assert rows == [
        {
            "commit": h.gitlab_merge,
            "merged_at": "2026-03-02T08:00:00Z",
            "author": "Bob Brown",
            "author_email": "bob@example.com",
            "committer": "Bob Brown",
            "committer_email": "bob@example.com",
            "pr_number": "45",
            "approvers": "Bob Brown;sec-team@example.com",
            "subject": "Merge branch 'feature/export' into 'main'",
            "parents": f"{h.hotfix};{h.branch_only[2]}",
        },
        {
            "commit": h.hotfix,
            "merged_at": "2026-02-09T23:30:00Z",
            "author": "Alice Adams",
            "author_email": "alice@example.com",
            "committer": "Alice Adams",
            "committer_email": "alice@example.com",
            "pr_number": "",
            "approvers": "",
            "subject": "Hotfix config",
            "parents": h.squash,
        },
        {
            "commit": h.squash,
            "merged_at": "2026-02-01T12:00:00Z",
            "author": "Bob Brown",
            "author_email": "bob@example.com",
            "committer": "GitHub",
            "committer_email": "noreply@github.com",
            "pr_number": "15",
            "approvers": "Alice Adams;Carol Chen",
            "subject": "Fix rounding in invoices (#15)",
            "parents": h.login_merge,
        },
        {
            "commit": h.login_merge,
            "merged_at": "2026-01-08T16:30:00Z",
            "author": "Erin Eze",
            "author_email": "erin@example.com",
            "committer": "GitHub",
            "committer_email": "noreply@github.com",
            "pr_number": "12",
            "approvers": "Carol Chen;Dan Diaz",
            "subject": "Merge pull request #12 from acme/feature/login",
            "parents": f"{h.initial};{h.branch_only[1]}",
        },
        {
            "commit": h.initial,
            "merged_at": "2026-01-05T09:00:00Z",
            "author": "Alice Adams",
            "author_email": "alice@example.com",
            "committer": "Alice Adams",
            "committer_email": "alice@example.com",
            "pr_number": "",
            "approvers": "",
            "subject": "Initial commit",
            "parents": "",
        },
    ]
    assert all(tuple(row) == GIT_COLUMNS for row in rows)
    # Cross-check against git's own first-parent walk; branch commits never appear.
    assert [r["commit"] for r in rows] == git(h.repo, "rev-list", "--first-parent", "main").split()
    assert not {r["commit"] for r in rows} & set(h.branch_only)


def test_since_and_until_are_inclusive_utc_dates(history: History) -> None:
    rows = iter_first_parent_changes(history.repo, since=date(2026, 1, 8), until=date(2026, 2, 9))
    assert [r["commit"] for r in rows] == [history.hotfix, history.squash, history.login_merge]
    assert list(iter_first_parent_changes(history.repo, since=date(2026, 3, 3))) == []


def test_other_branches_and_tags_can_be_named(history: History) -> None:
    rows = list(iter_first_parent_changes(history.repo, "feature/login"))
    assert [r["commit"] for r in rows] == [*history.branch_only[1::-1], history.initial]
    assert rows[1]["pr_number"] == "99" and rows[0]["approvers"] == "Zed Zimmer"


def test_not_a_git_repository(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is not a git repository"):
        iter_first_parent_changes(tmp_path)
    with pytest.raises(InputError, match="no such directory"):
        iter_first_parent_changes(tmp_path / "missing")


def test_a_folder_inside_a_repository_is_not_read_as_that_repository(history: History) -> None:
    """A scenario folder kept inside some project's git repo must not import that repo."""
    inner = history.repo / "scenario"
    inner.mkdir(exist_ok=True)
    with pytest.raises(InputError, match="is not a git repository"):
        iter_first_parent_changes(inner)


def test_unknown_branch(history: History, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="branch 'develop' not found"):
        iter_first_parent_changes(history.repo, "develop")
    with pytest.raises(InputError, match="not a valid branch name"):
        iter_first_parent_changes(history.repo, "--all")
    empty = tmp_path / "empty"
    init(empty)
    with pytest.raises(InputError, match="branch 'main' not found"):
        iter_first_parent_changes(empty)


def test_git_not_installed(
    history: History, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(InputError, match="git is not installed") as err:
        iter_first_parent_changes(history.repo)
    assert "\n" not in str(err.value)


def test_legacy_encodings_are_converted_to_utf8(tmp_path: Path) -> None:
    repo = tmp_path / "latin"
    init(repo)
    (repo / "f").write_text("x")
    git(repo, "add", "f")
    (tmp_path / "msg").write_bytes("Caf\xe9 menu (#7)\n".encode("latin-1"))
    git(
        repo,
        "-c",
        "i18n.commitEncoding=ISO-8859-1",
        "commit",
        "-q",
        "-F",
        str(tmp_path / "msg"),
    )
    (row,) = iter_first_parent_changes(repo)
    # git re-encodes the whole commit object from its declared encoding to UTF-8.
    assert (row["subject"], row["pr_number"]) == ("Caf\u00e9 menu (#7)", "7")


def test_non_ascii_names_survive(tmp_path: Path) -> None:
    repo = tmp_path / "names"
    init(repo)
    commit(repo, "Add \u00fcber feature (#3)", author=("Zo\u00eb \u5f20", "zoe@example.com"))
    (row,) = iter_first_parent_changes(repo)
    assert (row["author"], row["subject"]) == ("Zo\u00eb \u5f20", "Add \u00fcber feature (#3)")


def fast_import_history(repo: Path, count: int) -> None:
    """``count`` first-parent commits in one git call (quicker than ``count`` commits)."""
    init(repo)
    stream = []
    for i in range(count):
        msg = f"Change {i} (#{i + 1})\n\nReviewed-by: Reviewer {i % 7} <r{i % 7}@example.com>\n"
        data = msg.encode()
        stream.append(
            f"commit refs/heads/main\nmark :{i + 1}\n"
            f"author Dev {i % 5} <dev{i % 5}@example.com> {1767225600 + i * 60} +0000\n"
            f"committer Dev {i % 5} <dev{i % 5}@example.com> {1767225600 + i * 60} +0000\n"
            f"data {len(data)}\n{msg}\n"
        )
    subprocess.run(
        ["git", "-C", str(repo), "fast-import", "--quiet"],
        input="".join(stream).encode(),
        check=True,
        env={**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"},
    )


def test_long_history_streams_and_an_early_stop_ends_git(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "long"
    fast_import_history(repo, 3000)  # ~0.5 MB of log output: more than a pipe buffer
    started: list[subprocess.Popen[bytes]] = []
    real_popen = subprocess.Popen

    def recording_popen(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        proc = real_popen(*args, **kwargs)
        started.append(proc)
        return proc

    monkeypatch.setattr(subprocess, "Popen", recording_popen)
    rows = iter_first_parent_changes(repo)
    first = next(rows)
    assert (first["pr_number"], first["approvers"]) == ("3000", "Reviewer 3")
    log_process = started[-1]
    assert log_process.poll() is None  # git is still blocked writing the rest
    rows.close()  # stop early: git must be killed and reaped, not left on a full pipe
    assert log_process.returncode is not None
    monkeypatch.undo()

    count = 0
    for count, row in enumerate(iter_first_parent_changes(repo), start=1):
        assert row["pr_number"] == str(3001 - count)
    assert count == 3000


@pytest.mark.parametrize(
    ("subject", "body", "want"),
    [
        ("Merge pull request #123 from acme/feature", "", "123"),
        ("Add invoices (#45)", "", "45"),
        ('Revert "Add invoices (#45)" (#46)', "", "46"),
        ("Merge branch 'x' into 'main'", "Title\n\nSee merge request group/app!45\n", "45"),
        ("Add export (!45)", "", "45"),
        ("Add export !45", "", "45"),
        ("Merged in feature/x (pull request #7)", "", "7"),
        ("Merged PR 812: Add audit log", "", "812"),
        ("Fix issue #12 in parser", "", ""),
        ("Release 2.0!", "", ""),
        ("Direct commit", "mentions see merge request in prose", ""),
    ],
)
def test_pr_number_parsing(subject: str, body: str, want: str) -> None:
    assert pr_number(subject, body) == want
