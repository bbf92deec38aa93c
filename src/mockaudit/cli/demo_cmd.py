"""``mockaudit demo``: build (or reopen) a demo vault and show what the vault does.

The demo vault lives in ``./demo-vault`` with a fixed, printed passphrase — it
holds only made-up evidence. Each run adds the demo evidence (identical files are
stored once and get a new custody event), verifies every blob, and signs a
checkpoint, so a first-time user sees the whole evidence lifecycle in seconds.
"""

from __future__ import annotations

import time
from pathlib import Path

import click

from mockaudit.cli.common import progress_printer
from mockaudit.session import Session
from mockaudit.vault.keyfile import KEY_FILE

DEMO_DIR = Path("demo-vault")
DEMO_PASSPHRASE = "demo vault - not for real evidence"  # noqa: S105 - printed on purpose

DEMO_FILES: dict[str, tuple[str, str]] = {
    "access-control-policy.md": (
        "GOV-02",
        "# Access Control Policy\n\nApproved 2025-12-12 by Dana Ortiz (CTO).\n\n"
        "1. Access is granted on least privilege after manager approval.\n"
        "2. Access is removed within 1 business day of termination.\n"
        "3. Production access is reviewed every quarter.\n",
    ),
    "q1-access-review.csv": (
        "IAM-04",
        "user,system,reviewer,decision,reviewed_on\n"
        "amir@northwind.example,aws-prod,dana,keep,2026-03-28\n"
        "lee@northwind.example,aws-prod,dana,revoke,2026-03-28\n"
        "sam@northwind.example,okta-admin,dana,keep,2026-03-28\n",
    ),
    "backup-job-2026-03.log": (
        "AVL-02",
        "\n".join(f"2026-03-{d:02d}T02:00:00Z backup rds-prod status=success" for d in range(1, 32))
        + "\n",
    ),
    "branch-protection.txt": (
        "CHG-01",
        "Repository: northwind/billing-app\nBranch: main\nRequired approvals: 1\n"
        "Dismiss stale reviews: yes\nRequire status checks: ci/test\n",
    ),
}


def _write_demo_files(folder: Path) -> list[tuple[Path, str]]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, (control, text) in DEMO_FILES.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        out.append((path, control))
    return out


@click.command()
@click.option(
    "--vault",
    "vault_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEMO_DIR,
    show_default=True,
    help="Where the demo vault lives.",
)
@click.option("--headless", is_flag=True, help="Print the summary instead of opening the UI.")
def demo(vault_dir: Path, headless: bool) -> None:
    """Create or reopen a demo vault with sample evidence, verify it and sign a checkpoint."""
    del headless  # the terminal UI arrives with its own issue; until then the demo is headless
    fresh = not (vault_dir / KEY_FILE).exists()
    started = time.monotonic()
    session = (
        Session.create(vault_dir, DEMO_PASSPHRASE)
        if fresh
        else Session.open(vault_dir, DEMO_PASSPHRASE)
    )
    with session:
        unlocked = time.monotonic() - started
        files = _write_demo_files(vault_dir.parent / f".{vault_dir.name}-inbox")
        for path, control in files:
            [result] = session.add_evidence([path], control=control)
            state = "already stored, custody event added" if result.deduplicated else "stored"
            click.echo(f"  {result.evidence_id}  {control:<7} {path.name:<28} {state}")
        report = session.verify(full=True, progress=progress_printer("verifying"))
        checkpoint = vault_dir.parent / f"{vault_dir.name}-checkpoint.txt"
        session.checkpoint(checkpoint)
        facts = session.facts()
    verdict = "verified" if report.ok else f"{len(report.problems)} PROBLEM(S)"
    click.echo(
        f"demo vault {'created' if fresh else 'reopened'} at {vault_dir} (unlock {unlocked:.2f} s)"
    )
    click.echo(f"  {report.blobs_checked} evidence blobs decrypted and re-hashed: {verdict}")
    click.echo(f"  custody log: {facts['custody_events']} events; signed checkpoint: {checkpoint}")
    click.echo(f"  SQLCipher {facts.get('cipher_version', '?')}")
    click.echo(f"passphrase: {DEMO_PASSPHRASE!r} (demo only). Try:")
    click.echo(
        f"  MOCKAUDIT_PASSPHRASE='{DEMO_PASSPHRASE}' mockaudit evidence list --vault {vault_dir}"
    )
    click.echo(
        f"  MOCKAUDIT_PASSPHRASE='{DEMO_PASSPHRASE}' mockaudit vault verify --vault {vault_dir} "
        f"--against {checkpoint}"
    )


def register(cli: click.Group) -> None:
    cli.add_command(demo)
