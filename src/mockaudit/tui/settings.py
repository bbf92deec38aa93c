"""What the terminal UI can be told from outside: auto-lock, key cost, clock, test switches.

Passed into ``make_app`` so the CLI, the tests and the snapshot harness each build
the app they need without patching globals (Posting's ``make_posting`` habit).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from mockaudit.errors import InputError

if TYPE_CHECKING:  # the vault's crypto loads when it is unlocked, not at start-up
    from mockaudit.session import KdfParams

AUTOLOCK_ENV = "MOCKAUDIT_AUTOLOCK_MINUTES"
DEFAULT_AUTOLOCK_MINUTES = 15.0


def autolock_from_env(environ: dict[str, str] | None = None) -> float:
    """Idle minutes before the vault locks itself; 0 turns auto-lock off."""
    env = os.environ if environ is None else environ
    raw = env.get(AUTOLOCK_ENV, "").strip()
    if not raw:
        return DEFAULT_AUTOLOCK_MINUTES
    try:
        minutes = float(raw)
    except ValueError:
        raise InputError(f"{AUTOLOCK_ENV} must be a number of minutes, got {raw!r}") from None
    if minutes < 0:
        raise InputError(f"{AUTOLOCK_ENV} cannot be negative, got {raw!r}")
    return minutes


@dataclass(frozen=True)
class TuiSettings:
    """Everything the app reads from its environment, made explicit."""

    autolock_minutes: float = DEFAULT_AUTOLOCK_MINUTES
    kdf: KdfParams | None = None  # cost for a *new* vault; None = production default
    today: date | None = None  # the simulated clock's "today" (None = the real date)
    seed: int | None = None  # the first run's seed (None = random)
    start_section: str = "dashboard"  # the section shown after unlocking
    cursor_blink: bool = True  # off in tests so snapshots are stable
    idle_check_seconds: float = 15.0
    monotonic: Callable[[], float] = field(default=time.monotonic)

    @classmethod
    def from_env(cls) -> TuiSettings:
        return cls(autolock_minutes=autolock_from_env())

    def as_of(self) -> date:
        """The date audits are run "as of" (fixed in tests, today otherwise)."""
        return self.today or datetime.now(UTC).date()
