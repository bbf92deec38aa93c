"""The §4 items every auditor requests, beyond what the program models.

An item the program already answers (a population, control, policy set, risk
register…) is asked by the other opening requests; every other item of the
categories in scope is asked here, marked "not modelled — collect and add to the
vault" until a file is added for it (``mockaudit evidence add FILE --request
PBC-NNN``), which files it at ``pbc/<item>`` and answers it from then on.
"""

from __future__ import annotations

from mockaudit.domain.criteria import is_criterion
from mockaudit.domain.run import RequestKind, RequestStatus
from mockaudit.domain.standard_requests import NOT_MODELLED, StandardItem, unmodelled_items
from mockaudit.fieldwork.request_context import PBC_DUE, Ask, RequestContext

STANDARD_KEY = "standard:"
_KINDS = {
    "DOC": RequestKind.DOCUMENT,
    "POP": RequestKind.POPULATION,
    "SMP": RequestKind.DOCUMENT,
    "CFG": RequestKind.CONFIGURATION,
    "INQ": RequestKind.WALKTHROUGH,
}


def standard_asks(ctx: RequestContext) -> list[Ask]:
    return [_ask(ctx, item) for item in unmodelled_items(ctx.program)]


def _ask(ctx: RequestContext, item: StandardItem) -> Ask:
    found, _ = ctx.held([item.vault_path])
    text = item.item[0].lower() + item.item[1:]
    return Ask(
        key=f"{STANDARD_KEY}{item.id}",
        kind=_KINDS[item.kind],
        description=f"Please provide the {text} (standard request {item.id}).",
        criteria=tuple(c for c in item.criteria if is_criterion(c)),
        status=RequestStatus.PROVIDED if found else RequestStatus.NOT_AVAILABLE,
        reply="Provided." if found else f"Not available: {NOT_MODELLED}.",
        found=found,
        missing=() if found else (NOT_MODELLED,),
        due_in=PBC_DUE,
    )
