"""How requests word what they ask for: lists, titles in a sentence, what findings name.

Requests are read by a client, so every one of them joins lists, shortens long
ones and quotes titles the same way; this module is that one way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from mockaudit.domain import Finding


class HasCriteria(Protocol):
    """Anything mapped to criteria: a control or a finding."""

    @property
    def criteria(self) -> tuple[str, ...]: ...


def lower_first(text: str) -> str:
    """ "Merged pull requests" → "merged pull requests"; "AWS changes" stays as it is."""
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def and_join(words: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def listed(texts: Sequence[str], limit: int = 5) -> str:
    """The first ``limit`` texts, then how many more there are."""
    shown = "; ".join(texts[:limit])
    return f"{shown}; and {len(texts) - limit} more" if len(texts) > limit else shown


def criteria_of(subjects: Iterable[HasCriteria]) -> tuple[str, ...]:
    """Every criterion the subjects map to, once each, in first-seen order."""
    return tuple(dict.fromkeys(crit for s in subjects for crit in s.criteria))


def ids_of(findings: Iterable[Finding]) -> tuple[str, ...]:
    """The findings' ids, once each (findings not yet numbered have none)."""
    return tuple(dict.fromkeys(f.id for f in findings if f.id))


def items_of(findings: Iterable[Finding]) -> list[str]:
    """The items the findings name, once each, in first-seen order."""
    return list(dict.fromkeys(k for f in findings for k in f.items))
