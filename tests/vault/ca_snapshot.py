"""What the vault answers to every C&A question, as comparable JSON (issue 22, acceptance 2).

``snapshot(folder, seed)`` imports a scenario folder into a throwaway vault and records:

- per population: its stored digest (source SHA-256, row count, a SHA-256 over every
  row as ``rows()`` returns it), the day histogram, and for a battery of periods ×
  units the full ``profile`` (counts, example keys, blanks, occurrences, gaps), the
  ``strata`` and a SHA-256 of every stratum's row ids in order;
- the C&A findings of a mock audit (``population.*`` and ``reconciliation.break``, every
  field) and each control test's sample (key, line, day, stratum).

``tests/vault/data/ca_before.json`` was written by this module from the code before
the import was reworked (the full ``_day`` index, parsing in the writer process);
``test_ca_unchanged.py`` asserts the current code gives the same answers. Issue 14's
engine changed the samples (sizes scale with the period, per-system reliance) and
Northwind's data (a ``change_type`` column): the fixture was refreshed then, after
checking that every other case's storage answers and C&A findings (ids aside: they
number the whole run) still equalled the old code's.
Regenerate (only when a change of answers is intended and proven right):
``.venv/bin/python -m tests.vault.ca_snapshot``.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, is_dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from mockaudit.domain.observations import PeriodUnit
from mockaudit.scenarios.synthetic.generator import generate_scenario
from mockaudit.services.auditing import THROWAWAY_KDF, audit_vault
from mockaudit.services.importer import import_scenario
from mockaudit.vault import population_queries as pq
from mockaudit.vault.population_store import all_tables
from mockaudit.vault.program_source import VaultSource
from mockaudit.vault.store import Vault

PACKS = Path(__file__).parents[2] / "scenarios"
FIXTURE = Path(__file__).parent / "data" / "ca_before.json"
SEEDS = range(1, 21)
AS_OF = date(2026, 7, 15)
CA_CODES = ("population.", "reconciliation.")


def pack_names() -> list[str]:
    return sorted(p.name for p in PACKS.iterdir() if (p / "scenario.toml").is_file())


def cases() -> list[str]:
    return [f"pack:{name}" for name in pack_names()] + [f"seed:{n}" for n in SEEDS]


def case_folder(case: str, scratch: Path) -> tuple[Path, int]:
    """The scenario folder of a case and the audit seed it uses."""
    kind, _, name = case.partition(":")
    if kind == "pack":
        return PACKS / name, 7
    folder = scratch / f"small-{name}"
    generate_scenario(folder, seed=int(name), size="small", defects=0.05)
    return folder, int(name)


def snapshot(folder: Path, seed: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="mockaudit-ca-") as tmp:
        vault = Vault.create(Path(tmp) / "vault", secrets.token_urlsafe(16), kdf=THROWAWAY_KDF)
        try:
            import_scenario(vault, folder)
            source = VaultSource(vault)
            populations = {t.population_id: _population(source, t) for t in all_tables(vault.conn)}
            run = audit_vault(vault, seed=seed, as_of=AS_OF, store=False)
        finally:
            vault.close()
    findings = [
        _plain(f.model_dump(mode="json", exclude={"id"}))  # ids number the whole run's findings
        for f in run.findings
        if f.code.value.startswith(CA_CODES)
    ]
    samples = {
        t.control: [[i.key, i.line, str(i.day), i.stratum, i.expansion] for i in t.items]
        for t in run.tests
    }
    return {"populations": populations, "findings": findings, "samples": _digest(samples)}


def _population(source: VaultSource, t: pq.PopulationTable) -> dict[str, Any]:
    conn = source.conn
    days = pq.day_counts(conn, t)
    rows = hashlib.sha256()
    for row in pq.rows(conn, t):
        rows.update(repr((row.key, row.line, row.day, sorted(row.values.items()))).encode())
    out: dict[str, Any] = {
        "source_sha256": t.source_sha256,
        "row_count": t.row_count,
        "rows_sha256": rows.hexdigest(),
        "days_sha256": _digest([list(d) for d in days]),
        "periods": {},
    }
    for start, end in _periods(days):
        for unit in PeriodUnit:
            profile = source.profile(
                t.population_id, start, end, unit=unit, columns=list(t.columns)
            )
            strata = dict(source.strata(t.population_id, start, end, unit))
            ids = {
                label: _ids_digest(pq.stratum_rows(conn, t, start, end, unit, label))
                for label in strata
            }
            answers = {"profile": _plain(profile), "strata": strata, "stratum_ids": ids}
            # The as-of year by month in full (a failure shows what moved); the rest as digests.
            full = unit is PeriodUnit.MONTH and end == AS_OF
            shown = answers if full else _digest(answers)
            out["periods"][f"{start}..{end} {unit.value}"] = shown
    return out


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def _periods(days: list[pq.DayCount]) -> Iterator[tuple[date, date]]:
    """The data's own span, its middle half, and a fixed year around the as-of date."""
    dated = [date.fromisoformat(d) for d, *_ in days if d is not None]
    yield AS_OF - timedelta(days=365), AS_OF
    if dated:
        first, last = dated[0], dated[-1]
        yield first, last
        quarter = (last - first) // 4
        yield first + quarter, last - quarter


def _ids_digest(ids: Any) -> str:
    return hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()


def _plain(value: Any) -> Any:
    """JSON-comparable: dataclasses to dicts, dates to text, tuples to lists."""
    if is_dataclass(value) and not isinstance(value, type):
        return _plain(asdict(value))
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def write_fixture() -> None:
    with tempfile.TemporaryDirectory(prefix="mockaudit-ca-gen-") as scratch:
        data = {}
        for case in cases():
            folder, seed = case_folder(case, Path(scratch))
            data[case] = snapshot(folder, seed)
            print(case, flush=True)
    FIXTURE.parent.mkdir(exist_ok=True)
    FIXTURE.write_text(json.dumps(data, indent=0, sort_keys=True) + "\n")


if __name__ == "__main__":
    write_fixture()
