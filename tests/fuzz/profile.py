"""Hypothesis settings for the parser fuzzers: fixed seeds in CI, long random runs in soak.

CI (default) runs a few hundred examples per parser with ``derandomize=True``, so a run
is reproducible and a failure is found again on the next run; ``make soak``
(MOCKAUDIT_SOAK=1, which selects these tests through the ``crash`` marker) runs
``soak`` examples each, randomised. The deadline only catches hangs: an example that
takes seconds is a parser stuck on its input, not a slow machine.
"""

from __future__ import annotations

import os
from collections import Counter
from datetime import timedelta

from hypothesis import HealthCheck, settings

SOAK = os.environ.get("MOCKAUDIT_SOAK") == "1"
EXAMPLES: Counter[str] = Counter()  # examples run per parser, for the issue-9 figures


def fuzz(ci: int, soak: int = 20_000) -> settings:
    return settings(
        max_examples=soak if SOAK else ci,
        derandomize=not SOAK,
        deadline=timedelta(seconds=5),
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.function_scoped_fixture,
            HealthCheck.filter_too_much,
        ],
    )


def assert_one_line(exc: BaseException, limit: int = 600) -> str:
    """A rejection a user can read: one non-empty line, of a bounded length."""
    text = str(exc)
    assert text and "\n" not in text and "\r" not in text, repr(text)
    assert len(text) <= limit, f"{len(text)}-character message: {text[:200]}…"
    assert "Traceback" not in text, text
    return text
