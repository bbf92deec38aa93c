"""TUI fixtures: a demo vault built once with a frozen clock (stable snapshots)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from mockaudit.session import Session
from tests.conftest import FAST_KDF
from tests.tui.helpers import SCENARIO, TODAY

DEMO_PASSPHRASE = "snapshot vault passphrase"
FROZEN = datetime(2026, 7, 20, 9, 0, tzinfo=UTC)


class _FrozenDatetime(datetime):
    @classmethod
    def now(cls, tz: object = None) -> _FrozenDatetime:  # type: ignore[override]
        return cls.fromtimestamp(FROZEN.timestamp(), tz=UTC)


def freeze_clock(mp: pytest.MonkeyPatch) -> None:
    """Fix every timestamp, run id and collector name the screens show."""
    from mockaudit.services import auditing
    from mockaudit.vault import custody

    counter = itertools.count(1)
    mp.setattr(custody, "now_utc", lambda: FROZEN)
    mp.setattr(custody, "_who", lambda: ("auditor", "rehearsal-host"))
    mp.setattr(auditing, "datetime", _FrozenDatetime)
    mp.setattr(
        auditing,
        "secrets",
        SimpleNamespace(token_hex=lambda n: f"{next(counter):0{2 * n}x}", token_urlsafe=str),
    )


@pytest.fixture(scope="module")
def demo_vault(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Northwind imported and audited twice (seeds 3 then 7), everything time-stamped 2026-07-20."""
    folder = tmp_path_factory.mktemp("tui") / "vault"
    with pytest.MonkeyPatch.context() as mp:
        freeze_clock(mp)
        with Session.create(folder, DEMO_PASSPHRASE, kdf=FAST_KDF) as session:
            session.import_scenario(SCENARIO)
            session.run_audit(seed=3, as_of=TODAY)
            session.run_audit(seed=7, as_of=TODAY)
    yield folder
