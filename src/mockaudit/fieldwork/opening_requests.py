"""Round 1: the request list the auditor sends at kickoff (soc2-domain.md §3.1, §4).

The system description, the systems list and the risk register (§4 R01, R02,
R12), every policy with its approval (R05), every population (§3.2), the
configuration or document behind each control that is not sampled (§4 CFG), and
one walkthrough per control owner (R67). Each is answered from what the vault
holds.
"""

from __future__ import annotations

from mockaudit.domain import Control, Population
from mockaudit.domain.enums import Frequency
from mockaudit.domain.observations import PopulationProfile
from mockaudit.domain.run import RequestKind, RequestStatus
from mockaudit.domain.standard_requests import section_item
from mockaudit.fieldwork.request_context import PBC_DUE, Ask, RequestContext
from mockaudit.fieldwork.request_wording import and_join, criteria_of, lower_first
from mockaudit.fieldwork.scope import accountable_owner
from mockaudit.fieldwork.severity import counted
from mockaudit.fieldwork.standard_asks import standard_asks

_S = RequestStatus


def opening_asks(ctx: RequestContext) -> list[Ask]:
    """The request list in the order it is sent: documents, populations, controls, walkthroughs."""
    program = ctx.program
    return [
        *_description_asks(ctx),
        *(_policy_ask(ctx, p.id) for p in program.policies),
        *(_population_ask(ctx, p) for p in program.populations),
        *(ask for c in program.controls if (ask := _control_evidence_ask(ctx, c)) is not None),
        *_walkthrough_asks(ctx),
        *standard_asks(ctx),
    ]


def _description_asks(ctx: RequestContext) -> list[Ask]:
    """§4 R01, R02 and R12: the system description, the systems list, the risk register.

    Each is "provided" only when a document for it is in the vault (filed at ``pbc/R01``…
    by ``evidence add --request``; for the description, also its ``[description] file``; for
    the register, also the evidence of a risk-assessment control); what the program only
    models (description elements or a services line, system names, register entries)
    answers it in part, and nothing at all leaves it not available."""
    org, engagement = ctx.program.organization, ctx.program.engagement
    services = org.services.strip()
    systems = ", ".join(engagement.systems)
    asks = [
        _document_ask(
            ctx,
            "description",
            (
                f"Please provide the current system description for {org.name}: the services "
                f"provided{f' ({services})' if services else ''}, system boundaries and "
                "components, principal service commitments, complementary user entity controls "
                "and subservice organizations (DC 200)."
            ),
            (),
            modelled=_modelled_description(ctx),
            wanted="system description document",
            also=[d.file for d in (ctx.program.description,) if d is not None and d.file],
        ),
        _document_ask(
            ctx,
            "systems",
            (
                "Please provide the list of in-scope systems, applications, databases and cloud "
                f"accounts with their owners{f' ({systems})' if systems else ''}."
            ),
            ("CC6.1",),
            modelled=f"only the names of {counted(len(engagement.systems), 'system')}"
            if systems
            else "",
            wanted="systems list with owners",
        ),
    ]
    if ctx.program.risks:
        asks.append(
            _document_ask(
                ctx,
                "risks",
                (
                    "Please provide the risk assessment and risk register "
                    f"({counted(len(ctx.program.risks), 'risk')}) with likelihood, impact, "
                    "owners and the controls that treat each risk, and management's approval."
                ),
                ("CC3.1", "CC3.2"),
                modelled="only the register entries in the program",
                wanted="approved risk assessment",
                also=[
                    path
                    for c in ctx.program.controls
                    if {"CC3.1", "CC3.2"} & set(c.criteria)
                    for path in c.evidence
                ],
            )
        )
    return asks


def _modelled_description(ctx: RequestContext) -> str:
    """What the program holds of the description without its document ("" for nothing)."""
    if ctx.program.description is not None:
        return "only the description's elements as modelled in the program"
    if ctx.program.organization.services.strip():
        return "only the program's one-line statement of the services"
    return ""


def _document_ask(
    ctx: RequestContext,
    section: str,
    description: str,
    criteria: tuple[str, ...],
    *,
    modelled: str,
    wanted: str,
    also: list[str] | None = None,
) -> Ask:
    """A §4 document request answered by what the vault holds for it (see above)."""
    item = section_item(section)
    found, _ = ctx.held([item.vault_path, *(also or [])])
    missing: tuple[str, ...] = (wanted,)
    if found:
        status, reply, missing = _S.PROVIDED, "Provided.", ()
    elif modelled:
        status, reply = _S.PARTIAL, f"Provided {modelled}; no {wanted} is in the vault."
    else:
        status, reply = _S.NOT_AVAILABLE, f"Not available: no {wanted} is kept."
    return Ask(
        key=section,
        kind=RequestKind.DOCUMENT,
        description=description,
        criteria=criteria,
        status=status,
        reply=reply,
        found=found,
        missing=missing,
        due_in=PBC_DUE,
        standard=item.id,
    )


def _policy_ask(ctx: RequestContext, policy_id: str) -> Ask:
    """§4 R05: each policy with its approval."""
    policy = next(p for p in ctx.program.policies if p.id == policy_id)
    found, missing = ctx.held([policy.file] if policy.file else [])
    provided = bool(found) and not missing
    return Ask(
        key=f"policy:{policy.id}",
        kind=RequestKind.DOCUMENT,
        description=(
            f"Please provide the approved {policy.title} ({policy.id}) with its version, owner, "
            "approval date and approver."
        ),
        criteria=("CC2.2", "CC5.3"),
        owner=accountable_owner(ctx.program, policy.owner),
        status=_S.PROVIDED if provided else _S.NOT_AVAILABLE,
        reply="Provided." if provided else "Not available: no approved copy on file.",
        found=found,
        missing=missing if policy.file else ("approved copy",),
        due_in=PBC_DUE,
    )


def _population_ask(ctx: RequestContext, population: Population) -> Ask:
    """§3.2's population request: complete, from the system of record, with query and count."""
    what = f"the complete population of {lower_first(population.title)} {ctx.period()}"
    if population.is_hand_made:
        source = (
            "exported from the system that records these events rather than a "
            f"{population.system.strip().lower()} list"
        )
        description = f"Please provide {what}, {source}, "
    else:
        description = f"Please provide {what} from the system of record ({population.system}), "
    description += "with the query used and a screenshot of the total count."
    found, absent = ctx.held([population.count_evidence] if population.count_evidence else [])
    missing = [*(() if population.query else ("query",)), *absent]
    if not population.count_evidence:
        missing.append("count screenshot")
    status, reply = _population_answer(population, ctx.profiles.get(population.id), missing)
    return Ask(
        key=f"population:{population.id}",
        kind=RequestKind.POPULATION,
        description=description,
        population=population.id,
        criteria=criteria_of(ctx.users_of(population.id)),
        owner=ctx.population_owner(population.id),
        status=status,
        reply=reply,
        found=found,
        missing=tuple(missing),
        due_in=PBC_DUE,
    )


def _population_answer(
    population: Population, profile: PopulationProfile | None, missing: list[str]
) -> tuple[RequestStatus, str]:
    if profile is not None and profile.rows == 0:
        return _S.NOT_AVAILABLE, "Not available: the list is empty."
    rows = counted(profile.rows, "row") if profile is not None else "the list"
    if not missing:
        return _S.PROVIDED, f"Provided {rows} from {population.system} with the query and count."
    return _S.PARTIAL, f"Provided {rows} from {population.system}, without {and_join(missing)}."


def _control_evidence_ask(ctx: RequestContext, control: Control) -> Ask | None:
    """A configuration request for continuous controls and any control-level evidence (§4 CFG);
    a document request for the other controls that have no population."""
    if control.population is not None and not control.evidence:
        return None
    if control.frequency is Frequency.CONTINUOUS or control.population is not None:
        kind = RequestKind.CONFIGURATION
        description = (
            "Please provide a screenshot or export of the configuration that enforces "
            f"{control.id} ({control.title}) as in effect during the period, showing the "
            "system and the date it was captured."
        )
    else:
        kind = RequestKind.DOCUMENT
        description = (
            f"Please provide evidence that {control.id} ({control.title}) operated "
            f"{ctx.period()}: the dated document or record of its latest performance."
        )
    found, missing = ctx.held(control.evidence)
    if not control.evidence:
        status, reply = _S.NOT_AVAILABLE, "Not available: nothing is kept for this control."
    elif missing:
        status = _S.PARTIAL if found else _S.NOT_AVAILABLE
        reply = f"Could not provide {and_join(missing)}."
    else:
        status, reply = _S.PROVIDED, "Provided."
    return Ask(
        key=f"control:{control.id}",
        kind=kind,
        description=description,
        control=control.id,
        criteria=control.criteria,
        owner=ctx.owner_of(control.id),
        status=status,
        reply=reply,
        found=found,
        missing=missing if control.evidence else ("control evidence",),
        due_in=PBC_DUE,
    )


def _walkthrough_asks(ctx: RequestContext) -> list[Ask]:
    """§4 R67: one walkthrough per control owner; controls with no current owner share one."""
    by_owner: dict[str | None, list[Control]] = {}
    for control in ctx.program.controls:
        by_owner.setdefault(ctx.owner_of(control.id), []).append(control)
    asks = []
    for owner, controls in by_owner.items():
        person = ctx.program.person(owner) if owner is not None else None
        if person is None:
            continue
        who = f"{person.name} ({person.role})" if person.role else person.name
        asks.append(
            Ask(
                key=f"walkthrough:{person.id}",
                kind=RequestKind.WALKTHROUGH,
                description=(
                    f"Please schedule a walkthrough with {who} for "
                    f"{', '.join(c.id for c in controls)}: a screen-share of how each control "
                    "operates and of the query behind its population."
                ),
                criteria=criteria_of(controls),
                owner=person.id,
                status=_S.PROVIDED,
                reply="Walkthrough held.",
                due_in=PBC_DUE,
            )
        )
    orphans = by_owner.get(None)
    if orphans:
        asks.append(
            Ask(
                key="walkthrough:",
                kind=RequestKind.WALKTHROUGH,
                description=(
                    f"Please name the person who operated {', '.join(c.id for c in orphans)} "
                    "during the period and schedule a walkthrough with them: no current owner "
                    "is on record."
                ),
                criteria=criteria_of(orphans),
                status=_S.NOT_AVAILABLE,
                reply="Not available: nobody currently owns these controls.",
                due_in=PBC_DUE,
            )
        )
    return asks
