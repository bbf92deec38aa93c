"""GitHub pull requests: ``gh pr list --json …`` output, or the REST API's pulls and reviews.

gh (GraphQL-backed) writes ``number``, ``author {login, is_bot}``, ``mergedAt``,
``mergeCommit {oid}``, ``mergedBy``, ``baseRefName``, ``labels [{name}]``,
``reviews [{author, state, submittedAt}]``, ``statusCheckRollup`` and ``url``;
bots appear as ``app/<slug>``. The REST API writes ``user {login, type}``,
``merged_at``, ``merge_commit_sha``, ``base {ref, repo}``, ``html_url`` on a pull,
and reviews come from ``/pulls/{n}/reviews`` (``user``, ``state``,
``submitted_at``, ``pull_request_url``), concatenated into the same file. Only
merged pull requests are rows; an approval counts when its state is APPROVED.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mockaudit.scenarios.formats.json_stream import json_objects
from mockaudit.scenarios.formats.reviews import Approval, approvals_by_number, pick_approval
from mockaudit.scenarios.formats.timestamps import utc_text

EXTRA = ("approvers", "base_branch", "labels", "merge_commit", "author_is_bot")
TICKET = re.compile(r"\b([A-Z][A-Z0-9]+-\d+)\b")
_PULL_URL = re.compile(r"/repos/([^/]+/[^/]+)/pulls/(\d+)$")


def login(user: Any) -> str:
    """A user's login as the REST API spells it (``app/dependabot`` -> ``dependabot[bot]``)."""
    if not isinstance(user, dict):
        return ""
    name = str(user.get("login") or "")
    if name.startswith("app/"):
        return f"{name[4:]}[bot]"
    return name


def is_bot(user: Any) -> bool:
    if not isinstance(user, dict):
        return False
    name = login(user)
    return bool(user.get("is_bot")) or user.get("type") == "Bot" or name.endswith("[bot]")


def read(path: Path) -> Iterator[dict[str, str]]:
    """One row per merged pull request, with its approvals joined."""
    separate = (
        approvals_by_number(_review_objects(path)) if mentions(path, b'"pull_request_url"') else {}
    )
    for obj in json_objects(path):
        if _is_review(obj) or not ("number" in obj or "mergedAt" in obj or "merged_at" in obj):
            continue
        row = _row(obj, separate)
        if row is not None:
            yield row


def mentions(path: Path, needle: bytes) -> bool:
    """Whether the file holds ``needle`` at all: a byte scan, so a gh export with reviews
    embedded in each pull request is decoded once, not twice."""
    tail = b""
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            if needle in tail + chunk:
                return True
            tail = chunk[-len(needle) :]
    return False


def _is_review(obj: dict[str, Any]) -> bool:
    return "pull_request_url" in obj and "state" in obj


def _review_objects(path: Path) -> Iterator[tuple[str, Approval]]:
    for obj in json_objects(path):
        if _is_review(obj) and str(obj.get("state")).upper() == "APPROVED":
            match = _PULL_URL.search(str(obj.get("pull_request_url")))
            if match:
                when = utc_text(str(obj.get("submitted_at") or ""))
                key = f"{match.group(1)}#{match.group(2)}"
                yield key, Approval(at=when, login=login(obj.get("user")))


def _repo(obj: dict[str, Any]) -> str:
    base = obj.get("base")
    if isinstance(base, dict) and isinstance(base.get("repo"), dict):
        return str(base["repo"].get("full_name") or "")
    url = str(obj.get("url") or obj.get("html_url") or "")
    match = re.search(r"github\.com/([^/]+/[^/]+)/pull/", url)
    return match.group(1) if match else ""


def _embedded(obj: dict[str, Any]) -> list[Approval]:
    reviews = obj.get("reviews") or obj.get("latestReviews") or []
    out = []
    for review in reviews if isinstance(reviews, list) else []:
        if isinstance(review, dict) and str(review.get("state")).upper() == "APPROVED":
            when = review.get("submittedAt") or review.get("submitted_at") or ""
            user = review.get("author") or review.get("user")
            out.append(Approval(at=utc_text(str(when)), login=login(user)))
    return out


def _row(obj: dict[str, Any], separate: dict[str, list[Approval]]) -> dict[str, str] | None:
    merged_at = utc_text(str(obj.get("mergedAt") or obj.get("merged_at") or ""))
    if not merged_at:
        return None  # closed without merging, or still open
    repo, number = _repo(obj), str(obj.get("number"))
    author_user = obj.get("author") or obj.get("user")
    author = login(author_user)
    approvals = _embedded(obj) + separate.get(f"{repo}#{number}", [])
    chosen = pick_approval(approvals, author, merged_at)
    base = obj.get("base")
    commit = obj.get("mergeCommit")
    title = str(obj.get("title") or "")
    ticket = TICKET.search(f"{title} {obj.get('headRefName') or ''}")
    return {
        "pr_id": f"{repo}#{number}" if repo else number,
        "repo": repo,
        "title": title,
        "ticket_id": ticket.group(1) if ticket else "",
        "author": author,
        "approver": chosen.login if chosen else "",
        "approved_at": chosen.at if chosen else "",
        "merged_at": merged_at,
        "merged_by": login(obj.get("mergedBy") or obj.get("merged_by")),
        "ci_status": _ci_status(obj.get("statusCheckRollup")),
        "deploy_id": "",
        "deployed_at": "",
        "approvers": ";".join(dict.fromkeys(a.login for a in sorted(approvals))),
        "base_branch": str(
            obj.get("baseRefName") or (base.get("ref") if isinstance(base, dict) else "") or ""
        ),
        "labels": ";".join(_labels(obj.get("labels"))),
        "merge_commit": str(
            (commit.get("oid") if isinstance(commit, dict) else None)
            or obj.get("merge_commit_sha")
            or ""
        ),
        "author_is_bot": "yes" if is_bot(author_user) else "no",
    }


def _labels(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    return [str(v.get("name")) if isinstance(v, dict) else str(v) for v in value]


_PASS = {"SUCCESS", "NEUTRAL", "SKIPPED"}
_PENDING = {"PENDING", "EXPECTED", "QUEUED", "IN_PROGRESS", "WAITING", "REQUESTED"}


def _ci_status(rollup: Any) -> str:
    """success | failure | pending from gh's statusCheckRollup; "" when it was not exported."""
    if not isinstance(rollup, list) or not rollup:
        return ""
    states = set()
    for check in rollup:
        if isinstance(check, dict):
            state = check.get("conclusion") or check.get("state") or check.get("status") or ""
            states.add(str(state).upper())
    if states <= _PASS:
        return "success"
    if states & _PENDING and not states - _PASS - _PENDING:
        return "pending"
    return "failure"
