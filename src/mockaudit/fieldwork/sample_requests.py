"""Round 2 and the expanded sample: asking for the evidence of the items selected.

When the populations arrive the auditor selects samples and sends one request
per tested control (soc2-domain.md §3.1); a deviation in the sample leads to
an expanded sample, asked as a follow-up of the first (§3.4).
"""

from __future__ import annotations

from collections.abc import Sequence

from mockaudit.domain import Population
from mockaudit.domain.enums import AttributeCheck
from mockaudit.domain.run import ControlTest, RequestKind, RequestStatus
from mockaudit.fieldwork.request_context import SAMPLE_DUE, Ask, RequestContext
from mockaudit.fieldwork.request_wording import and_join, lower_first
from mockaudit.fieldwork.severity import counted

_S = RequestStatus


def sample_ask(ctx: RequestContext, test: ControlTest) -> Ask | None:
    """The evidence request for the first sample of a tested control (None if nothing drawn)."""
    keys = [item.key for item in test.items if not item.expansion]
    if not keys or test.population is None:
        return None
    return _items_ask(ctx, test, keys, key=f"sample:{test.control}", lead="", adjective="sampled")


def expansion_ask(ctx: RequestContext, test: ControlTest) -> Ask | None:
    """The evidence request for the items added after a deviation (None if none were)."""
    keys = [item.key for item in test.items if item.expansion]
    if not keys:
        return None
    lead = f"We found a deviation in the sample of {test.control} and are extending it. "
    return _items_ask(
        ctx, test, keys, key=f"expansion:{test.control}", lead=lead, adjective="additional"
    )


def _items_ask(
    ctx: RequestContext,
    test: ControlTest,
    keys: Sequence[str],
    *,
    key: str,
    lead: str,
    adjective: str,
) -> Ask:
    population = ctx.program.population(test.population) if test.population else None
    title = lower_first(population.title) if population else "items"
    found, lacking = _item_evidence(ctx, test, population, keys)
    if not lacking:
        status, reply = _S.PROVIDED, f"Provided evidence for all {counted(len(keys), 'item')}."
    elif len(lacking) < len(keys):
        status, reply = _S.PARTIAL, f"Could not provide evidence for {and_join(lacking)}."
    else:
        status, reply = _S.NOT_AVAILABLE, "Not available: no evidence for any listed item."
    first_round = key.startswith("sample:")
    return Ask(
        key=key,
        kind=RequestKind.SAMPLE if first_round else RequestKind.FOLLOW_UP,
        description=(
            f"{lead}Please provide, for each of the {len(keys)} {adjective} {title} listed "
            f"below, the evidence that {test.control} operated: {', '.join(keys)}."
        ),
        control=test.control,
        population=test.population,
        criteria=ctx.criteria_of(test.control),
        owner=ctx.owner_of(test.control),
        status=status,
        reply=reply,
        found=found,
        missing=tuple(lacking),
        due_in=SAMPLE_DUE,
        parent=None if first_round else f"sample:{test.control}",
    )


def _item_evidence(
    ctx: RequestContext, test: ControlTest, population: Population | None, keys: Sequence[str]
) -> tuple[tuple[str, ...], list[str]]:
    """(evidence ids held for these items, items lacking evidence the control's checks need).

    Rows are the evidence of controls without an ``evidence`` attribute; files
    listed for their items are still reported as found.
    """
    if population is None or population.evidence_column is None:
        return (), []
    control = ctx.program.control(test.control)
    needs_files = control is not None and any(
        a.check is AttributeCheck.EVIDENCE for a in control.attributes
    )
    ids: list[str] = []
    lacking: list[str] = []
    for item_key in keys:
        held, missing = ctx.held(ctx.item_paths.get((population.id, item_key), ()))
        ids.extend(held)
        if needs_files and (missing or not held):
            lacking.append(item_key)
    return tuple(dict.fromkeys(ids)), lacking
