"""A git history as a change population: the audit period only, approvals joined.

Rows are the first-parent changes of the branch (:mod:`git_history`) landed in
the audit period — the extract is filtered by what it is for, and its label
records that filter — unless the whole history is asked for. With a GitHub or
GitLab pull-request export (``--reviews FILE``), each change is joined to its
pull request by merge commit (then by number): the PR author's login, the
approval the independent-review test reads, when it was given, every approver
and the CI status. The rows are written once to a temporary CSV (streamed, not
held in memory) that is both the table read and the file the vault keeps.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from mockaudit.domain.reference_controls import POPULATION_KINDS
from mockaudit.errors import InputError
from mockaudit.scenarios.formats import github_prs, gitlab_mrs
from mockaudit.scenarios.formats.json_stream import json_objects
from mockaudit.scenarios.git_history import GIT_COLUMNS, iter_first_parent_changes

_CHANGE_COLUMNS = POPULATION_KINDS["changes"].column_names
GIT_CHANGE_COLUMNS = (
    *GIT_COLUMNS,
    *(c for c in _CHANGE_COLUMNS if c not in GIT_COLUMNS),
    "git_author",
)
"""The git columns, then those of the reference ``changes`` population, so a git
import fills the starter program's change control."""

_JOINED = ("pr_id", "author", "approver", "approved_at", "approvers", "ci_status", "title")


@dataclass(frozen=True)
class GitExtract:
    repo: Path
    branch: str
    since: date | None
    until: date | None
    reviews: Path | None = None

    @property
    def label(self) -> str:
        """What was extracted, filter included (the population's source)."""
        window = f" merged {self.since}..{self.until}" if self.since or self.until else " (all)"
        joined = f" + reviews {self.reviews.name}" if self.reviews else ""
        return f"git {self.repo} {self.branch}{window}{joined}"


def write_git_changes(extract: GitExtract, out: Path) -> int:
    """Write the extract as CSV to ``out``; return the number of rows."""
    joined = _reviews_by_commit(extract.reviews) if extract.reviews else {}
    rows = iter_first_parent_changes(
        extract.repo, extract.branch, since=extract.since, until=extract.until
    )
    count = 0
    with open(out, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(GIT_CHANGE_COLUMNS)
        for row in rows:
            writer.writerow(_change(row, joined).get(c, "") for c in GIT_CHANGE_COLUMNS)
            count += 1
    return count


def _change(row: dict[str, str], joined: dict[str, dict[str, str]]) -> dict[str, str]:
    out = dict(row)
    out["git_author"] = row["author"]
    out["merge_commit"] = row["commit"]
    number = row["pr_number"]
    out["pr_id"] = f"#{number}" if number else row["commit"][:12]
    out["title"] = row["subject"]
    approvers = [a for a in row["approvers"].split(";") if a]
    out["approver"] = approvers[0] if approvers else ""
    pr = joined.get(row["commit"]) or (joined.get(f"#{number}") if number else None)
    if pr is not None:
        merged = ";".join(dict.fromkeys([*approvers, *pr["approvers"].split(";")]))
        out.update({k: pr[k] for k in _JOINED})
        out["approvers"] = merged.strip(";")
        out["pr_number"] = pr["pr_id"].rsplit("#", 1)[-1].rsplit("!", 1)[-1]
    return out


def _reviews_by_commit(path: Path) -> dict[str, dict[str, str]]:
    """Pull requests of the export by merge commit and by ``#number`` (one small dict each)."""
    first = next(json_objects(path, ()), None)
    if first is None:
        raise InputError(f"{path.name}: no pull requests in the review export")
    reader = gitlab_mrs.read if "iid" in first else github_prs.read
    found: dict[str, dict[str, str]] = {}
    for pr in reader(path):
        slim = {k: pr.get(k, "") for k in (*_JOINED, "merge_commit")}
        if slim["merge_commit"]:
            found[slim["merge_commit"]] = slim
        number = slim["pr_id"].rsplit("#", 1)[-1].rsplit("!", 1)[-1]
        found.setdefault(f"#{number}", slim)
    return found
