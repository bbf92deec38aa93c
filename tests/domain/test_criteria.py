"""The criteria catalogue: exactly the 61 TSC ids, in the right categories."""

from __future__ import annotations

from collections import Counter

import pytest

from mockaudit.domain import CRITERIA, Category, criteria_for, criterion, is_criterion


def test_exactly_61_unique_criteria() -> None:
    ids = [c.id for c in CRITERIA]
    assert len(ids) == 61
    assert len(set(ids)) == 61


def test_counts_per_category() -> None:
    counts = Counter(c.category for c in CRITERIA)
    assert counts == {
        Category.SECURITY: 33,
        Category.AVAILABILITY: 3,
        Category.CONFIDENTIALITY: 2,
        Category.PROCESSING_INTEGRITY: 5,
        Category.PRIVACY: 18,
    }


def test_id_prefix_matches_category() -> None:
    prefix = {
        Category.SECURITY: "CC",
        Category.AVAILABILITY: "A1.",
        Category.CONFIDENTIALITY: "C1.",
        Category.PROCESSING_INTEGRITY: "PI1.",
        Category.PRIVACY: "P",
    }
    for c in CRITERIA:
        assert c.id.startswith(prefix[c.category]), c.id
        assert c.theme and c.summary and len(c.summary) < 120


@pytest.mark.parametrize(
    "cid", ["CC1.1", "CC6.8", "CC9.2", "A1.3", "C1.2", "PI1.5", "P6.7", "P8.1"]
)
def test_known_ids(cid: str) -> None:
    assert is_criterion(cid)
    assert criterion(cid).id == cid


@pytest.mark.parametrize("cid", ["CC9.3", "CC6.9", "A1.4", "P9.1", "cc8.1", "CC8.1 ", ""])
def test_unknown_ids(cid: str) -> None:
    assert not is_criterion(cid)
    with pytest.raises(KeyError):
        criterion(cid)


def test_criteria_for_always_includes_security() -> None:
    assert len(criteria_for([])) == 33
    assert len(criteria_for(["availability"])) == 36
    assert len(criteria_for([Category.PRIVACY, "confidentiality"])) == 53
    everything = criteria_for(list(Category))
    assert [c.id for c in everything] == [c.id for c in CRITERIA]
