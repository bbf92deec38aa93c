"""Controls and the attributes an auditor tests on each sampled item."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from mockaudit.domain.criteria import is_criterion
from mockaudit.domain.enums import AttributeCheck, ControlKind, Frequency, Nature, RiskTier
from mockaudit.domain.values import Day, Identifier, PositiveCount, Text

# The keys each check needs; every other optional key must be left out, so a
# misplaced ``value`` on a ``present`` check is caught instead of ignored.
CHECK_KEYS: dict[AttributeCheck, frozenset[str]] = {
    AttributeCheck.PRESENT: frozenset({"field"}),
    AttributeCheck.ABSENT: frozenset({"field"}),
    AttributeCheck.EQUALS: frozenset({"field", "value"}),
    AttributeCheck.IN: frozenset({"field", "values"}),
    AttributeCheck.DIFFERENT: frozenset({"fields"}),
    AttributeCheck.BEFORE: frozenset({"fields"}),
    AttributeCheck.WITHIN_DAYS: frozenset({"fields", "days"}),
    AttributeCheck.EVIDENCE: frozenset(),
}
_OPTIONAL_KEYS = ("field", "fields", "value", "values", "days")
ALLOWED_KEYS: dict[AttributeCheck, frozenset[str]] = {
    AttributeCheck.BEFORE: frozenset({"days"}),  # a grace: a no later than `days` after b
}
"""Keys a check accepts without requiring them (additions to scenario-format.md)."""
_DAY_COUNTS = frozenset({AttributeCheck.WITHIN_DAYS, AttributeCheck.BEFORE})


class Condition(BaseModel):
    """Which rows an attribute applies to: ``when = {column = "change_type", in = [...]}``.

    Exactly one of ``in`` / ``not_in``; values compare trimmed and case-insensitively,
    so an emergency path (``in = ["emergency", "hotfix"]``) and the standard path
    (``not_in = [...]``) can be tested on the same population.
    """

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, serialize_by_alias=True
    )

    column: Text
    in_: tuple[Text, ...] | None = Field(default=None, alias="in")
    not_in: tuple[Text, ...] | None = None

    @model_validator(mode="after")
    def _one_list(self) -> Self:
        if (self.in_ is None) == (self.not_in is None):
            raise ValueError('a condition needs exactly one of "in" and "not_in"')
        if not (self.in_ or self.not_in):
            raise ValueError("a condition needs at least one value")
        return self

    def applies(self, cell: str) -> bool:
        """Whether a row whose ``column`` holds ``cell`` is subject to the attribute."""
        value = cell.strip().casefold()
        if self.in_ is not None:
            return value in {v.strip().casefold() for v in self.in_}
        return value not in {v.strip().casefold() for v in self.not_in or ()}

    def describe(self) -> str:
        """'change_type in emergency, hotfix' (for procedure and result texts)."""
        if self.in_ is not None:
            return f"{self.column} is {' or '.join(self.in_)}"
        return f"{self.column} is not {' or '.join(self.not_in or ())}"


class Attribute(BaseModel):
    """One check applied to every sampled item of the control's population."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Identifier
    check: AttributeCheck
    field: Text | None = None
    fields: tuple[Text, ...] | None = None
    value: Text | None = None
    values: tuple[Text, ...] | None = None
    days: PositiveCount | None = None
    business_days: bool | None = None  # within_days / before: count Monday–Friday days
    when: Condition | None = None  # the attribute applies only to rows matching this

    @model_validator(mode="after")
    def _keys_match_check(self) -> Self:
        needed = CHECK_KEYS[self.check]
        allowed = needed | ALLOWED_KEYS.get(self.check, frozenset())
        for key in _OPTIONAL_KEYS:
            given = getattr(self, key) is not None
            if key in needed and not given:
                raise ValueError(f'key "{key}" is required by check "{self.check}"')
            if given and key not in allowed:
                raise ValueError(f'key "{key}" does not apply to check "{self.check}"')
        if self.fields is not None and len(self.fields) != 2:
            raise ValueError(f'check "{self.check}" needs exactly 2 fields, got {len(self.fields)}')
        if self.values is not None and not self.values:
            raise ValueError('check "in" needs at least one value')
        if self.when is not None and self.check is AttributeCheck.EVIDENCE:
            raise ValueError('key "when" does not apply to check "evidence"')
        if self.business_days is not None and self.check not in _DAY_COUNTS:
            raise ValueError(f'key "business_days" does not apply to check "{self.check}"')
        return self

    @property
    def columns(self) -> tuple[str, ...]:
        """The population columns this check reads (the evidence column is the population's)."""
        own = (self.field,) if self.field is not None else self.fields or ()
        return own + ((self.when.column,) if self.when is not None else ())


def _blank_is_none(value: object) -> object:
    """``owner = ""`` means ownerless, exactly like leaving the key out."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _one_or_many(value: object) -> object:
    """``performed_on = 2026-02-11`` and ``performed_on = [2026-01-05, 2026-06-28]`` alike."""
    if isinstance(value, list | tuple) or value is None:
        return value
    return (value,)


class Control(BaseModel):
    """A control as documented: what it does, who owns it, how often, and how it is tested.

    An owner that is missing, blank or not among ``people`` is allowed: it is an
    audit finding (``control.ownerless``), not a malformed file.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Identifier
    title: Text
    description: Text = ""
    criteria: tuple[Text, ...] = Field(min_length=1)
    owner: Annotated[Text | None, BeforeValidator(_blank_is_none)] = None
    frequency: Frequency
    kind: ControlKind
    nature: Nature
    risk: RiskTier
    population: Identifier | None = None
    evidence: tuple[Text, ...] = ()
    attributes: tuple[Attribute, ...] = ()
    # Additions to scenario-format.md (docs/scenario-format.md): when the control-level
    # evidence was produced (one date, or the dates a configuration was captured), who
    # performed and approved it, and the in-scope systems the control operates on.
    performed_on: Annotated[tuple[Day, ...] | None, BeforeValidator(_one_or_many)] = None
    performed_by: Text | None = None  # a person id (shown by name) or free text
    approved_by: Text | None = None
    systems: tuple[Text, ...] | None = None

    @field_validator("criteria")
    @classmethod
    def _known_criteria(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for cid in value:
            if not is_criterion(cid):
                raise ValueError(f'unknown criterion "{cid}"')
        return value

    @model_validator(mode="after")
    def _attributes_are_testable(self) -> Self:
        seen: set[str] = set()
        for attribute in self.attributes:
            if attribute.id in seen:
                raise ValueError(f'duplicate attribute id "{attribute.id}"')
            seen.add(attribute.id)
        if self.attributes and self.population is None:
            raise ValueError("attributes are tested on population items, but no population is set")
        if self.performed_on is not None and not self.performed_on:
            raise ValueError("performed_on needs at least one date")
        return self

    def attribute(self, attribute_id: str) -> Attribute | None:
        """The attribute with this id, or None."""
        return next((a for a in self.attributes if a.id == attribute_id), None)
