"""The 90-control reference set (soc2-domain.md §5) is complete and internally consistent."""

from __future__ import annotations

import pytest

from mockaudit.domain.controls import Control
from mockaudit.domain.criteria import CRITERIA, is_criterion
from mockaudit.domain.enums import AttributeCheck, Frequency
from mockaudit.domain.reference_controls import (
    POPULATION_KINDS,
    REFERENCE_CONTROLS,
    ColumnType,
    Family,
    controls_of,
    population_kind,
    reference_control,
)

SAMPLED = {f for f in Frequency if f not in (Frequency.ANNUAL, Frequency.CONTINUOUS)}


def test_ninety_controls_with_unique_ids() -> None:
    ids = [c.id for c in REFERENCE_CONTROLS]
    assert len(ids) == 90
    assert len(set(ids)) == 90


def test_every_criterion_id_is_a_real_tsc_criterion() -> None:
    bad = [(c.id, cid) for c in REFERENCE_CONTROLS for cid in c.criteria if not is_criterion(cid)]
    assert bad == []


def test_the_set_covers_all_61_criteria() -> None:
    covered = {cid for c in REFERENCE_CONTROLS for cid in c.criteria}
    assert [c.id for c in CRITERIA if c.id not in covered] == []


def test_every_family_is_present_and_every_control_has_one() -> None:
    assert {c.family for c in REFERENCE_CONTROLS} == set(Family)
    assert sum(len(controls_of(f)) for f in Family) == 90


def test_attributes_read_columns_of_their_population_kind() -> None:
    for control in REFERENCE_CONTROLS:
        if control.population is None:
            assert control.attributes == (), control.id
            continue
        kind = population_kind(control.population)
        for attribute in control.attributes:
            for column in attribute.columns:
                assert column in kind.column_names, (control.id, attribute.id, column)
            if attribute.check is AttributeCheck.EVIDENCE:
                assert kind.evidence_column is not None, (control.id, kind.id)


def test_date_checks_only_compare_date_columns() -> None:
    dated = {ColumnType.DATE, ColumnType.DATETIME}
    for control in REFERENCE_CONTROLS:
        kind = POPULATION_KINDS.get(control.population or "")
        for attribute in control.attributes:
            if attribute.check in (AttributeCheck.BEFORE, AttributeCheck.WITHIN_DAYS):
                assert kind is not None
                types = {kind.column(name).type for name in attribute.columns}
                assert types <= dated, (control.id, attribute.id)


def test_sampled_controls_have_a_population_and_the_rest_name_their_evidence() -> None:
    for control in REFERENCE_CONTROLS:
        if control.frequency in SAMPLED:
            assert control.population is not None, control.id
            assert control.attributes, control.id
        else:
            assert control.evidence, control.id


def test_population_kinds_are_well_formed_and_all_used() -> None:
    expected = {
        "changes",
        "hires",
        "terminations",
        "access_removals",
        "access_reviews",
        "backups",
        "restore_tests",
        "vulnerabilities",
        "incidents",
        "trainings",
        "vendor_reviews",
    }
    assert expected <= set(POPULATION_KINDS)
    used = {c.population for c in REFERENCE_CONTROLS}
    for kind in POPULATION_KINDS.values():
        names = kind.column_names
        assert len(names) == len(set(names)), kind.id
        assert kind.key in names and kind.date in names, kind.id
        assert kind.column(kind.date).type in (ColumnType.DATE, ColumnType.DATETIME), kind.id
        assert kind.system not in ("spreadsheet", "manual"), kind.id
        assert "{start}" in kind.query and "{end}" in kind.query, kind.id
        assert kind.id in used, kind.id


def test_every_reference_control_builds_a_valid_domain_control() -> None:
    for ref in REFERENCE_CONTROLS:
        control = Control(
            id=ref.id,
            title=ref.title,
            description=ref.description,
            criteria=ref.criteria,
            owner="someone",
            frequency=ref.frequency,
            kind=ref.kind,
            nature=ref.nature,
            risk=ref.risk,
            population=ref.population,
            attributes=ref.attributes,
        )
        assert control.id == ref.id


def test_lookups_name_the_missing_id() -> None:
    assert reference_control("CHG-01").population == "changes"
    with pytest.raises(KeyError, match="CHG-99"):
        reference_control("CHG-99")
    with pytest.raises(KeyError, match="nope"):
        population_kind("nope")
