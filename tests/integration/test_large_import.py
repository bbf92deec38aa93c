"""A 1,000,000-row population imports with bounded memory, and nothing is lost (issue 3, #3).

Soak only (about a minute): ``make soak`` runs it; CI runs the same checks on 20,000 rows.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[2] / "bench"))
from run import write_population  # noqa: E402  (the bench's realistic population writer)

from mockaudit.session import Session  # noqa: E402

CHILD = """
import json, sys
from pathlib import Path
from mockaudit.session import Session
from mockaudit.vault.keyfile import KdfParams
vault, folder = Path(sys.argv[1]), Path(sys.argv[2])
with Session.create(vault, "pw", kdf=KdfParams(8192, 1)) as s:
    s.import_scenario(folder)
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps({"peak_rss_mb": hwm / 1024}))
"""


class Digest:
    """Row count, an order-independent key-set digest and one digest per column."""

    def __init__(self, width: int) -> None:
        self.rows = 0
        self.keys = 0
        self.columns = [hashlib.sha256() for _ in range(width)]

    def add(self, cells: list[str]) -> None:
        self.rows += 1
        self.keys = (
            self.keys + int.from_bytes(hashlib.sha256(cells[0].encode()).digest()[:8])
        ) % 2**64
        for digest, cell in zip(self.columns, cells, strict=True):
            digest.update(cell.encode() + b"\x1f")

    def value(self) -> tuple[int, int, list[str]]:
        return self.rows, self.keys, [d.hexdigest() for d in self.columns]


def _check(tmp_path: Path, rows: int) -> float:
    folder = tmp_path / "scenario"
    csv_path = write_population(folder, rows)
    vault = tmp_path / "vault"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2] / "src")}
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(vault), str(folder)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    peak = float(json.loads(out.stdout.strip().splitlines()[-1])["peak_rss_mb"])
    with open(csv_path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        expected = Digest(len(header))
        for cells in reader:
            expected.add(cells)
    stored = Digest(len(header))
    with Session.open(vault, "pw", write=False) as s:
        for row in s.source().rows("changes"):
            stored.add([row.values[c] for c in header])
    assert stored.value() == expected.value()
    assert stored.rows == rows
    return peak


def test_population_import_keeps_every_row_and_column(tmp_path: Path) -> None:
    peak = _check(tmp_path, 20_000)
    assert peak < 200


@pytest.mark.soak
def test_million_row_population_imports_under_200_mb(tmp_path: Path) -> None:
    peak = _check(tmp_path, 1_000_000)
    assert peak < 200, f"peak RSS {peak:.0f} MB"
