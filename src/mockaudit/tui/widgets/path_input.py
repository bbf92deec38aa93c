"""A path input that completes file and folder names as you type (→ accepts the suggestion)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from textual.suggester import Suggester
from textual.widgets import Input


class PathSuggester(Suggester):
    """Suggests the first directory entry that extends what was typed (folders get a /)."""

    def __init__(self, *, dirs_only: bool = False) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.dirs_only = dirs_only

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        return await asyncio.to_thread(complete_path, value, self.dirs_only)


def complete_path(value: str, dirs_only: bool = False) -> str | None:
    """The first directory entry extending ``value`` (hidden ones only when asked for)."""
    expanded = os.path.expanduser(value)
    folder, prefix = os.path.split(expanded)
    if not prefix:
        return None  # right after a "/": wait for a letter before guessing a child
    try:
        names = sorted(os.listdir(folder or "."))
    except OSError:
        return None
    for name in names:
        if not name.startswith(prefix):
            continue
        if name.startswith(".") and not prefix.startswith("."):
            continue
        is_dir = os.path.isdir(os.path.join(folder, name))
        if dirs_only and not is_dir:
            continue
        if name == prefix:
            if is_dir and not value.endswith("/"):
                return value + "/"
            continue
        completed = value[: len(value) - len(prefix)] + name
        return completed + ("/" if is_dir else "")
    return None


class PathInput(Input):
    """An Input with path completion; ``path`` is the typed value, user-expanded."""

    def __init__(
        self,
        value: str = "",
        *,
        placeholder: str = "path",
        dirs_only: bool = False,
        id: str | None = None,
        compact: bool = False,
    ) -> None:
        super().__init__(
            value,
            placeholder=placeholder,
            suggester=PathSuggester(dirs_only=dirs_only),
            id=id,
            compact=compact,
        )

    @property
    def path(self) -> Path:
        return Path(os.path.expanduser(self.value.strip()))
