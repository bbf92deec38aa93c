"""The bulk fill pauses Python's cyclic GC and always gives it back, even when the import fails."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockaudit.errors import InputError
from mockaudit.session import Session
from mockaudit.vault import db
from mockaudit.vault.population_store import RowBatch, replace_population
from tests.conftest import FAST_KDF, PASSPHRASE

HEADER = ("id", "when")


def _import(session: Session, batches: Iterator[RowBatch]) -> int:
    with db.atomic(session.vault.conn) as conn:
        return replace_population(
            conn,
            "p",
            HEADER,
            batches,
            key_column="id",
            date_column="when",
            source_sha256="0" * 64,
            source_path="p.csv",
            imported_at="2026-01-01T00:00:00+00:00",
        ).row_count


def _blocks(seen: list[bool], fail: bool = False) -> Iterator[RowBatch]:
    seen.append(gc.isenabled())
    yield [2], [["k1", "2026-01-02"]]
    seen.append(gc.isenabled())
    if fail:
        raise InputError("p.csv line 3: 1 fields, header has 2")
    yield [3], [["k2", "2026-01-03"]]


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    s = Session.create(tmp_path / "vault", PASSPHRASE, kdf=FAST_KDF)
    try:
        yield s
    finally:
        s.close()


def test_gc_is_off_while_rows_stream_and_back_on_after(session: Session) -> None:
    seen: list[bool] = []
    assert gc.isenabled()
    assert _import(session, _blocks(seen)) == 2
    assert seen == [False, False]
    assert gc.isenabled()


def test_gc_comes_back_when_the_import_fails(session: Session) -> None:
    seen: list[bool] = []
    with pytest.raises(InputError):
        _import(session, _blocks(seen, fail=True))
    assert seen == [False, False]
    assert gc.isenabled()


def test_a_caller_that_turned_gc_off_keeps_it_off(session: Session) -> None:
    gc.disable()
    try:
        _import(session, _blocks([]))
        assert not gc.isenabled()
    finally:
        gc.enable()
