"""``mockaudit demo``: a demo vault with real evidence, opened and verified."""

from __future__ import annotations

import click


def register(cli: click.Group) -> None:
    del cli
