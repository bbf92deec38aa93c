"""Change population from a local git repository's first-parent history.

For SOC 2 change management the population is "every change that reached the
production branch": on a branch that only moves by merges or squash commits,
that is exactly the first-parent chain (merge commits and direct pushes), not
the commits that lived on feature branches. Each row names who authored and
who merged the change, when it landed, its pull/merge request number and who
approved it according to the commit's ``Reviewed-by:`` / ``Approved-by:``
trailers — the fields an auditor tests for independent approval.

The ``git`` command line is used (no new dependency) and its output is read
from the pipe record by record, so a history of any length streams through in
bounded memory. Trailers are parsed by git itself, as ``git interpret-trailers``
defines them (last paragraph, case-insensitive keys, folded lines unfolded).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Generator, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO

from mockaudit.errors import InputError

GIT_COLUMNS = (
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
)
APPROVAL_TRAILERS = ("Reviewed-by", "Approved-by")

_TRAILER_SEP = "\x1e"
# One field per placeholder, NUL-separated; with -z git ends each record with NUL
# too, so the stream is a flat run of NUL-terminated fields, _FIELDS per commit.
# Commit messages and identities cannot contain NUL, so no escaping is needed.
_FORMAT_FIELDS = (
    "%H",
    "%P",
    "%ct",
    "%an",
    "%ae",
    "%cn",
    "%ce",
    "%(trailers:"
    + ",".join(f"key={k}" for k in APPROVAL_TRAILERS)
    + ",valueonly,unfold,separator=%x1e)",
    "%s",
    "%B",
)
_FIELDS = len(_FORMAT_FIELDS)
_READ_SIZE = 64 * 1024
_TIMEOUT_S = 60

# Pull/merge request references, most specific first. Subject-only patterns are
# anchored so a stray "#12" in prose is not taken for a PR number.
_SUBJECT_PR = (
    re.compile(r"^Merge pull request #(\d+) from "),  # GitHub merge commit
    re.compile(r"^Merged PR (\d+):"),  # Azure DevOps
    re.compile(r"\(#(\d+)\)\s*$"),  # GitHub squash: "Title (#123)"
    re.compile(r"\(pull request #(\d+)\)\s*$"),  # Bitbucket: "Merged in x (pull request #7)"
    re.compile(r"(?:^|[\s(])!(\d+)\)?\s*$"),  # GitLab squash: "Title (!45)" / "Title !45"
)
_BODY_PR = (
    re.compile(r"^See merge request \S*!(\d+)\s*$", re.MULTILINE),  # GitLab merge
    # curl and others close the pull request from the commit: "Closes #123" in the body
    re.compile(r"^\s*(?:Closes|Fixes|Resolves)\s+#(\d+)\b", re.MULTILINE | re.IGNORECASE),
)
_EMAIL_SUFFIX = re.compile(r"\s*<[^<>]*>\s*$")
# Variables that would make git read some other repository than the one named.
_REPO_ENV = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_COMMON_DIR",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_NAMESPACE",
)


def iter_first_parent_changes(
    repo: Path,
    branch: str = "main",
    *,
    since: date | None = None,
    until: date | None = None,
) -> Generator[dict[str, str], None, None]:
    """Yield one row (GIT_COLUMNS) per first-parent commit of ``branch``, newest first.

    ``since``/``until`` are inclusive UTC dates compared with ``merged_at`` (the
    committer date: when the change landed on the branch). Raises InputError if
    git is missing, ``repo`` is not a repository or ``branch`` does not exist —
    at the call, before the first row. Closing the generator early stops git.
    """
    git = shutil.which("git")
    if git is None:
        raise _git_missing(repo)
    env = _git_env(repo)
    # Checked now, not at the first next(): a bad repo or branch fails at the call.
    tip = _resolve_branch(git, env, repo, branch)
    return _stream_log(git, env, repo, branch, tip, since, until)


def _git_missing(repo: Path) -> InputError:
    return InputError(f"git is not installed; it is needed to import history from {repo}")


def _git_env(repo: Path) -> dict[str, str]:
    """The caller's environment, pinned to ``repo``: no enclosing repo, no prompts."""
    env = {k: v for k, v in os.environ.items() if k not in _REPO_ENV}
    # Never walk up from the named folder into some enclosing repository.
    env["GIT_CEILING_DIRECTORIES"] = str(repo.resolve().parent)
    env["GIT_TERMINAL_PROMPT"] = "0"
    env["LC_ALL"] = "C"
    return env


def _run(git: str, env: dict[str, str], repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            [git, "-C", str(repo), *args],
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=_TIMEOUT_S,
            check=False,
        )
    except FileNotFoundError:
        raise _git_missing(repo) from None
    except subprocess.TimeoutExpired:
        raise InputError(f"git did not answer within {_TIMEOUT_S} s for {repo}") from None


def _resolve_branch(git: str, env: dict[str, str], repo: Path, branch: str) -> str:
    """Full sha of ``branch``'s tip; InputError naming the repo or the branch."""
    if not repo.is_dir():
        raise InputError(f"{repo} is not a git repository (no such directory)")
    probe = _run(git, env, repo, "rev-parse", "--git-dir")
    if probe.returncode != 0:
        if "dubious ownership" in probe.stderr:
            raise InputError(
                f"git refuses to read {repo}: owned by another user (see git's safe.directory)"
            )
        raise InputError(f"{repo} is not a git repository")
    if not branch or branch.startswith("-") or any(ch.isspace() for ch in branch):
        raise InputError(f"branch {branch!r} is not a valid branch name")
    found = _run(git, env, repo, "rev-parse", "--verify", "--quiet", f"{branch}^{{commit}}")
    sha = found.stdout.strip()
    if found.returncode != 0 or not re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", sha):
        raise InputError(f"branch {branch!r} not found in git repository {repo}")
    return sha


def _stream_log(
    git: str,
    env: dict[str, str],
    repo: Path,
    branch: str,
    tip: str,
    since: date | None,
    until: date | None,
) -> Generator[dict[str, str], None, None]:
    cmd = [
        git,
        "-C",
        str(repo),
        "--no-pager",
        "log",
        "--first-parent",
        "--no-show-signature",
        "--no-color",
        "--encoding=UTF-8",
        "-z",
        "--format=" + "%x00".join(_FORMAT_FIELDS),
        tip,
        "--",
    ]
    with tempfile.TemporaryFile() as errors:  # a file, so a chatty stderr cannot block git
        try:
            proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=errors)
        except FileNotFoundError:
            raise _git_missing(repo) from None
        try:
            assert proc.stdout is not None
            for fields in _records(proc.stdout):
                row = _row(fields)
                day = date.fromisoformat(row["merged_at"][:10])
                if (since is None or day >= since) and (until is None or day <= until):
                    yield row
            if proc.wait(timeout=_TIMEOUT_S) != 0:
                errors.seek(0)
                reason = errors.read(500).decode("utf-8", "replace").strip().splitlines()
                detail = f": {reason[0]}" if reason else ""
                raise InputError(f"git log failed for branch {branch!r} in {repo}{detail}")
        finally:
            if proc.poll() is None:  # the caller stopped early, or we failed mid-stream
                proc.kill()
                proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()


def _records(stream: IO[bytes]) -> Iterator[list[str]]:
    """Group the NUL-terminated fields read from the pipe into per-commit lists."""
    pending = b""
    fields: list[str] = []
    while chunk := stream.read(_READ_SIZE):
        pieces = (pending + chunk).split(b"\0")
        pending = pieces.pop()  # an unterminated field continues in the next chunk
        for piece in pieces:
            fields.append(piece.decode("utf-8", "replace"))
            if len(fields) == _FIELDS:
                yield fields
                fields = []
    if pending or fields:
        raise InputError("git log output ended in the middle of a commit record")


def _row(fields: list[str]) -> dict[str, str]:
    sha, parents, stamp, an, ae, cn, ce, trailers, subject, body = fields
    merged_at = datetime.fromtimestamp(int(stamp), tz=UTC)
    return {
        "commit": sha,
        "merged_at": merged_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "author": an,
        "author_email": ae,
        "committer": cn,
        "committer_email": ce,
        "pr_number": pr_number(subject, body),
        "approvers": ";".join(_approvers(trailers)),
        "subject": subject,
        "parents": ";".join(parents.split()),
    }


def pr_number(subject: str, body: str = "") -> str:
    """The pull/merge request number a merge or squash message names, or ""."""
    for pattern in _SUBJECT_PR:
        if m := pattern.search(subject):
            return str(int(m.group(1)))
    for pattern in _BODY_PR:
        if m := pattern.search(body):
            return str(int(m.group(1)))
    return ""


def _approvers(trailers: str) -> list[str]:
    """Names from trailer values like ``Jane Doe <jane@x>``, deduplicated in order.

    A ';' inside a name becomes ',' so the joined column still splits cleanly.
    """
    names: list[str] = []
    for value in trailers.split(_TRAILER_SEP):
        # "Name <email>" -> Name; a bare "<email>" keeps the address rather than lose the approval.
        name = _EMAIL_SUFFIX.sub("", value) or value.strip().strip("<>")
        name = " ".join(name.split()).replace(";", ",")
        if name and name not in names:
            names.append(name)
    return names
