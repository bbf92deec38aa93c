"""AWS Backup jobs: ``aws backup list-backup-jobs`` JSON (``{"BackupJobs": [...]}`` pages).

Fields as AWS documents ``BackupJob``: ``BackupJobId``, ``ResourceArn``,
``ResourceName``, ``ResourceType``, ``BackupVaultArn``, ``CreationDate``,
``CompletionDate``, ``State`` (COMPLETED, FAILED, ABORTED, EXPIRED, PARTIAL…),
``BackupSizeInBytes``. The CLI writes dates as ISO-8601 with an offset; the raw
API as epoch seconds; both are read. ``IsEncrypted`` is kept when the export has
it (``describe-backup-job`` does, ``list-backup-jobs`` does not).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from mockaudit.scenarios.formats.json_stream import json_objects
from mockaudit.scenarios.formats.timestamps import utc_day, utc_text, value_text

EXTRA = ("completed_at", "resource_type")


def read(path: Path) -> Iterator[dict[str, str]]:
    for job in json_objects(path, ("BackupJobs",)):
        created = value_text(job.get("CreationDate"))
        vault = str(job.get("BackupVaultArn") or "")
        size = job.get("BackupSizeInBytes")
        encrypted = job.get("IsEncrypted")
        yield {
            "job_id": str(job.get("BackupJobId") or ""),
            "datastore": str(job.get("ResourceName") or job.get("ResourceArn") or ""),
            "run_date": utc_day(created),
            "started_at": utc_text(created),
            "status": str(job.get("State") or "").lower(),
            "size_mb": str(round(int(size) / 1_048_576)) if isinstance(size, int) else "",
            "destination_region": vault.split(":")[3] if vault.count(":") >= 4 else "",
            "encrypted": value_text(encrypted) if isinstance(encrypted, bool) else "",
            "completed_at": utc_text(value_text(job.get("CompletionDate"))),
            "resource_type": str(job.get("ResourceType") or ""),
        }
