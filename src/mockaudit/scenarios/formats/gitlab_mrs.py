"""GitLab merge requests: ``GET /projects/:id/merge_requests?state=merged`` pages.

Fields as GitLab documents them: ``iid``, ``project_id``, ``title``, ``author
{username}``, ``merged_at``, ``merge_user``/``merged_by``, ``merge_commit_sha``
(``squash_commit_sha`` for squash merges), ``target_branch``, ``labels``
(strings), ``references.full``, ``head_pipeline.status``. Approvals come from
``GET …/merge_requests/:iid/approvals`` (``iid``, ``project_id``, ``approved_by
[{user, approved_at}]``), either embedded as ``approvals`` or concatenated into
the same file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mockaudit.scenarios.formats.github_prs import TICKET, mentions
from mockaudit.scenarios.formats.json_stream import json_objects
from mockaudit.scenarios.formats.reviews import Approval, approvals_by_number, pick_approval
from mockaudit.scenarios.formats.timestamps import utc_text

EXTRA = ("approvers", "base_branch", "labels", "merge_commit", "author_is_bot")


def _username(user: Any) -> str:
    return str(user.get("username") or "") if isinstance(user, dict) else ""


def _is_approvals(obj: dict[str, Any]) -> bool:
    return "approved_by" in obj and "merged_at" not in obj


def _approvals(obj: dict[str, Any]) -> list[Approval]:
    out = []
    for entry in obj.get("approved_by") or []:
        if isinstance(entry, dict):
            user = entry.get("user", entry)
            when = utc_text(str(entry.get("approved_at") or ""))
            out.append(Approval(at=when, login=_username(user)))
    return out


def _key(obj: dict[str, Any]) -> str:
    return f"{obj.get('project_id')}!{obj.get('iid')}"


def read(path: Path) -> Iterator[dict[str, str]]:
    separate = (
        approvals_by_number(
            (_key(o), a) for o in json_objects(path) if _is_approvals(o) for a in _approvals(o)
        )
        if mentions(path, b'"approved_by"')
        else {}
    )
    for obj in json_objects(path):
        if _is_approvals(obj) or "iid" not in obj:
            continue
        row = _row(obj, separate)
        if row is not None:
            yield row


def _row(obj: dict[str, Any], separate: dict[str, list[Approval]]) -> dict[str, str] | None:
    merged_at = utc_text(str(obj.get("merged_at") or ""))
    if not merged_at:
        return None
    embedded = obj.get("approvals")
    approvals = (_approvals(embedded) if isinstance(embedded, dict) else []) + separate.get(
        _key(obj), []
    )
    author_user = obj.get("author")
    author = _username(author_user)
    chosen = pick_approval(approvals, author, merged_at)
    refs = obj.get("references")
    full = str(refs.get("full") or "") if isinstance(refs, dict) else ""
    project = full.rsplit("!", 1)[0] if full else str(obj.get("project_id") or "")
    pipeline = obj.get("head_pipeline")
    title = str(obj.get("title") or "")
    ticket = TICKET.search(f"{title} {obj.get('source_branch') or ''}")
    status = str(pipeline.get("status") or "") if isinstance(pipeline, dict) else ""
    return {
        "pr_id": f"{project}!{obj.get('iid')}",
        "repo": project,
        "title": title,
        "ticket_id": ticket.group(1) if ticket else "",
        "author": author,
        "approver": chosen.login if chosen else "",
        "approved_at": chosen.at if chosen else "",
        "merged_at": merged_at,
        "merged_by": _username(obj.get("merge_user") or obj.get("merged_by")),
        "ci_status": status,
        "deploy_id": "",
        "deployed_at": "",
        "approvers": ";".join(dict.fromkeys(a.login for a in sorted(approvals))),
        "base_branch": str(obj.get("target_branch") or ""),
        "labels": ";".join(str(x) for x in obj.get("labels") or []),
        "merge_commit": str(obj.get("merge_commit_sha") or obj.get("squash_commit_sha") or ""),
        "author_is_bot": "yes"
        if isinstance(author_user, dict) and author_user.get("bot")
        else "no",
    }
