"""How a long job says how far it is, whoever listens (a CLI line, a TUI bar, nobody).

A ``StageProgress`` is called with (stage, done, total): the stage names what is being
counted ("testing controls", "packaging files"), ``done`` how many so far and ``total``
how many in all, 0 when not known. Plain ints and a string: the core calls it without
knowing the face, and the faces pass it in through the session.
"""

from __future__ import annotations

from collections.abc import Callable

StageProgress = Callable[[str, int, int], None]


def quiet(stage: str, done: int, total: int) -> None:
    """The listener when nobody listens."""
