"""``evidence export`` never writes outside --out, whatever the stored names are."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockaudit.session import Session
from mockaudit.vault.store import Vault
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.helpers import snapshot_tree

CURATED = [
    "../escape.txt", "../../etc/passwd", "/etc/passwd", "/tmp/abs.txt", "C:\\Windows\\evil.dll",
    "\\\\server\\share\\x", "..\\..\\x.txt", "a/../../b.txt", "name\x00.txt", "\u202etxt.exe",
    "CON", "aux.txt", "LPT1.log", "." , "..", "", " ", "x" * 300 + ".pdf", "é" * 200,
    "link-target.txt", "sub/dir/file.txt", "..\u2215..\u2215x", "\uff0e\uff0e/x",
]  # fmt: skip


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Vault, Path]]:
    root = tmp_path_factory.mktemp("export")
    session = Session.create(root / "vault", PASSPHRASE, kdf=FAST_KDF)
    yield session.vault, root
    session.close()


def _export_and_check(vault: Vault, root: Path, names: list[str], tag: str) -> None:
    out = root / f"out-{tag}"
    out.mkdir()
    outside = root / "outside"
    outside.mkdir(exist_ok=True)
    (outside / "target.txt").write_text("do not touch")
    # Pre-existing symlinks inside the export folder, named like what the export may write.
    for i in range(1, 4):
        os.symlink(outside / "target.txt", out / f"EV-{i:06d}_link-target.txt")
    os.symlink(outside, out / "sub")
    ids = []
    for i, name in enumerate(names):
        result = vault.add_stream(io.BytesIO(f"{tag}-{i}-{name}".encode("utf-8", "replace")), name)
        ids.append(result.evidence_id)
    before_outside = snapshot_tree(root / "outside")
    before_root = {p.name for p in root.iterdir()}
    from mockaudit.vault.evidence_export import export_evidence

    written = export_evidence(vault, ids, out)
    assert snapshot_tree(root / "outside") == before_outside
    assert {p.name for p in root.iterdir()} == before_root
    for path in written:
        assert path.parent == out and not path.is_symlink()
        assert os.path.realpath(path).startswith(os.path.realpath(out) + os.sep)
        assert len(path.name.encode()) <= 200 and "\x00" not in path.name and "/" not in path.name


def test_curated_hostile_names(world: tuple[Vault, Path]) -> None:
    vault, root = world
    _export_and_check(vault, root, CURATED, "curated")


_counter = iter(range(10**9))


@pytest.mark.crash  # 150 names per CI run, 10,000 under make soak (the goal table's count)
@settings(
    max_examples=10_000 if os.environ.get("MOCKAUDIT_SOAK") == "1" else 150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.lists(st.text(min_size=0, max_size=260), min_size=1, max_size=4))
def test_generated_names_never_escape(world: tuple[Vault, Path], names: list[str]) -> None:
    vault, root = world
    _export_and_check(vault, root, names, f"gen{next(_counter)}")
