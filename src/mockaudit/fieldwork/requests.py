"""The auditor's request (PBC) list, played round by round on a business-day clock.

soc2-domain.md §3.1 is the script: at kickoff (day 0) the auditor sends the
request list — documents, populations, configurations, walkthroughs (the kinds
of §4) — due in ``PBC_DUE`` business days; when the populations arrive the
auditor selects samples and sends one sample request per tested control, due
``SAMPLE_DUE`` days later; then every gap the auditor cannot close from what
was provided becomes a follow-up in the next round, answered in 1–2 business
days ([S25]). Days are business days counted from kickoff.

The client's side is simulated from the vault: what it holds is provided; what
a client can do inside fieldwork (re-extract a population from its system with
the query and a count screenshot, explain a deviation, name an owner, re-send a
file that fails verification) closes the follow-up; what nobody can produce
after the fact (missing evidence, a period gap, a past approval, a control that
never ran) is answered "not available" and stays open. Some answers raise the
next question — an explained deviation leads to the expanded sample (§3.4), a
re-extracted population to a completeness re-check (§3.2), a newly named owner
to a walkthrough (§4 R67) — so rounds continue until nothing new comes up, or
``MAX_ROUNDS`` is reached.

Only what the auditor can see is followed up: item findings of the
full-population scan on items outside the sample (``sampled`` false) are not.
Call this after the findings are numbered, so follow-ups name their findings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from mockaudit.domain import Control, Finding, FindingCode, Population, Program
from mockaudit.domain.enums import AttributeCheck, Frequency, ReportType
from mockaudit.domain.observations import EvidenceRef, PopulationProfile
from mockaudit.domain.run import ControlTest, Message, Request, RequestKind, RequestStatus
from mockaudit.fieldwork.attributes import evidence_paths
from mockaudit.fieldwork.ports import ProgramSource

PBC_DUE = 5
"""Business days the client has for the initial request list."""
SAMPLE_DUE = 2
"""Business days for the evidence of the selected samples."""
ANSWER_DUE = 1
"""Follow-ups that need an explanation or a confirmation."""
REPULL_DUE = 2
"""Follow-ups that need a new extract or files (the top of §3.1's 1–2 days)."""
MAX_ROUNDS = 6
"""Rounds in all: the request list, the samples and up to four follow-up rounds."""

TYPE1_LOOKBACK = timedelta(days=365)

_C = FindingCode
_S = RequestStatus

_POPULATION_CODES = frozenset(
    {
        _C.POPULATION_COUNT_MISMATCH,
        _C.POPULATION_EXTRACTED_EARLY,
        _C.POPULATION_WEAK_SOURCE,
        _C.POPULATION_DUPLICATE,
        _C.POPULATION_OUT_OF_PERIOD,
        _C.POPULATION_MISSING_FIELD,
        _C.POPULATION_PERIOD_GAP,
    }
)
_REPULL_CODES = frozenset({_C.POPULATION_COUNT_MISMATCH, _C.POPULATION_EXTRACTED_EARLY})
_ITEM_CODES = frozenset({_C.SAMPLE_DEVIATION, _C.EVIDENCE_MISSING, _C.EVIDENCE_INTEGRITY})
_NOT_FOLLOWED_UP = frozenset({_C.SCOPE_TOO_BROAD, _C.WALKTHROUGH_DIVERGENCE})
_SHARED_CODES = frozenset({_C.SCOPE_CRITERION_UNCOVERED, _C.RISK_UNMITIGATED})


@dataclass(frozen=True)
class RequestLog:
    """Every request in the order issued, the correspondence, and how many rounds were played."""

    requests: tuple[Request, ...]
    messages: tuple[Message, ...]
    rounds: int

    @property
    def follow_up_rounds(self) -> int:
        return len({r.round for r in self.requests if r.kind is RequestKind.FOLLOW_UP})


@dataclass(frozen=True)
class _Ask:
    """A request before it gets its code and days, with the client's simulated answer."""

    key: str  # what follow-ups point at: "population:changes", "sample:CHG-01"…
    kind: RequestKind
    description: str
    status: RequestStatus
    reply: str
    due_in: int
    control: str | None = None
    population: str | None = None
    criteria: tuple[str, ...] = ()
    owner: str | None = None
    found: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    parent: str | None = None  # key of the ask this one follows up
    findings: tuple[str, ...] = ()
    then: tuple[_Ask, ...] = ()  # questions the answer raises, asked next round


def audit_window(program: Program) -> tuple[date, date]:
    """The dates populations are requested for: the Type 2 period, or the year to a Type 1 date."""
    engagement = program.engagement
    if engagement.report_type is ReportType.TYPE2 and engagement.period_start is not None:
        return engagement.period_start, engagement.period_end
    return engagement.period_end - TYPE1_LOOKBACK, engagement.period_end


def active_owner(program: Program, person_id: str | None) -> str | None:
    """``person_id`` when that person exists and had not left before period_end, else None."""
    person = program.person(person_id) if person_id else None
    if person is None:
        return None
    if person.left_on is not None and person.left_on < program.engagement.period_end:
        return None
    return person.id


def build_requests(
    program: Program,
    profiles: Mapping[str, PopulationProfile],
    tests: Sequence[ControlTest],
    findings: Sequence[Finding],
    source: ProgramSource,
) -> RequestLog:
    """Play the engagement: the request list, the sample requests and the follow-up rounds."""
    ctx = _Context.build(program, profiles, tests, source)
    opening = _initial_asks(ctx)
    samples = [ask for test in tests if (ask := _sample_ask(ctx, test)) is not None]
    return _Clock().play([opening, samples], _follow_up_asks(ctx, findings))


# --- what the auditor has in hand -------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    program: Program
    start: date
    end: date
    profiles: Mapping[str, PopulationProfile]
    tests: Mapping[str, ControlTest]
    item_paths: Mapping[tuple[str, str], tuple[str, ...]]  # (population, key) → files
    refs: Mapping[str, EvidenceRef]

    @classmethod
    def build(
        cls,
        program: Program,
        profiles: Mapping[str, PopulationProfile],
        tests: Sequence[ControlTest],
        source: ProgramSource,
    ) -> _Context:
        item_paths = _sampled_item_paths(program, tests, source)
        paths = [
            *(p.file for p in program.policies if p.file),
            *(p.count_evidence for p in program.populations if p.count_evidence),
            *(path for c in program.controls for path in c.evidence),
            *(path for files in item_paths.values() for path in files),
        ]
        start, end = audit_window(program)
        return cls(
            program=program,
            start=start,
            end=end,
            profiles=profiles,
            tests={t.control: t for t in tests},
            item_paths=item_paths,
            refs=source.evidence(list(dict.fromkeys(paths))) if paths else {},
        )

    def held(self, paths: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(evidence ids the vault holds, paths it does not) for these paths."""
        found: list[str] = []
        missing: list[str] = []
        for path in dict.fromkeys(paths):
            ref = self.refs.get(path)
            if ref is not None and ref.evidence_id is not None:
                found.append(ref.evidence_id)
            else:
                missing.append(path)
        return tuple(dict.fromkeys(found)), tuple(missing)

    def owner_of(self, control_id: str | None) -> str | None:
        control = self.program.control(control_id) if control_id else None
        return active_owner(self.program, control.owner) if control else None

    def users_of(self, population: str) -> list[Control]:
        return [c for c in self.program.controls if c.population == population]

    def population_owner(self, population: str) -> str | None:
        """The first current owner among the controls tested on this population."""
        owners = (self.owner_of(c.id) for c in self.users_of(population))
        return next((o for o in owners if o is not None), None)

    def criteria_of(self, control_id: str | None) -> tuple[str, ...]:
        control = self.program.control(control_id) if control_id else None
        return control.criteria if control else ()

    def period(self) -> str:
        return f"from {self.start.isoformat()} to {self.end.isoformat()}"


def _sampled_item_paths(
    program: Program, tests: Sequence[ControlTest], source: ProgramSource
) -> dict[tuple[str, str], tuple[str, ...]]:
    """The evidence files each sampled item lists: one pass per population, stopping early."""
    wanted: dict[str, set[str]] = {}
    for test in tests:
        population = program.population(test.population) if test.population else None
        if population is not None and population.evidence_column is not None and test.items:
            wanted.setdefault(population.id, set()).update(item.key for item in test.items)
    out: dict[tuple[str, str], tuple[str, ...]] = {}
    for population_id, keys in wanted.items():
        column = next(p.evidence_column for p in program.populations if p.id == population_id)
        for row in source.rows(population_id):
            if row.key in keys:
                out[(population_id, row.key)] = tuple(evidence_paths(row, column))
                keys.discard(row.key)
                if not keys:
                    break
    return out


# --- words --------------------------------------------------------------------------------


def _lower_first(text: str) -> str:
    """ "Merged pull requests" → "merged pull requests"; "AWS changes" stays as it is."""
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _and(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _listed(texts: Sequence[str], limit: int = 5) -> str:
    shown = "; ".join(texts[:limit])
    return f"{shown}; and {len(texts) - limit} more" if len(texts) > limit else shown


def _criteria_of(controls: Iterable[Control]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(crit for c in controls for crit in c.criteria))


# --- round 1: the request list ----------------------------------------------------------


def _initial_asks(ctx: _Context) -> list[_Ask]:
    program = ctx.program
    return [
        *_description_asks(ctx),
        *(_policy_ask(ctx, p.id) for p in program.policies),
        *(_population_ask(ctx, p) for p in program.populations),
        *(ask for c in program.controls if (ask := _control_evidence_ask(ctx, c)) is not None),
        *_walkthrough_asks(ctx),
    ]


def _description_asks(ctx: _Context) -> list[_Ask]:
    """§4 R01, R02 and R12: the system description, the systems list, the risk register."""
    org, engagement = ctx.program.organization, ctx.program.engagement
    services = org.services.strip()
    systems = ", ".join(engagement.systems)
    asks = [
        _Ask(
            key="description",
            kind=RequestKind.DOCUMENT,
            description=(
                f"Please provide the current system description for {org.name}: the services "
                f"provided{f' ({services})' if services else ''}, system boundaries and "
                "components, principal service commitments, complementary user entity controls "
                "and subservice organizations (DC 200)."
            ),
            status=_S.PROVIDED if services else _S.PARTIAL,
            reply="Provided." if services else "Provided, without a description of the services.",
            missing=() if services else ("services",),
            due_in=PBC_DUE,
        ),
        _Ask(
            key="systems",
            kind=RequestKind.DOCUMENT,
            description=(
                "Please provide the list of in-scope systems, applications, databases and cloud "
                f"accounts with their owners{f' ({systems})' if systems else ''}."
            ),
            criteria=("CC6.1",),
            status=_S.PROVIDED if systems else _S.NOT_AVAILABLE,
            reply="Provided." if systems else "Not available: no system list is kept.",
            due_in=PBC_DUE,
        ),
    ]
    if ctx.program.risks:
        asks.append(
            _Ask(
                key="risks",
                kind=RequestKind.DOCUMENT,
                description=(
                    "Please provide the risk assessment and risk register "
                    f"({_count(len(ctx.program.risks), 'risk')}) with likelihood, impact, owners "
                    "and the controls that treat each risk, and management's approval."
                ),
                criteria=("CC3.1", "CC3.2"),
                status=_S.PROVIDED,
                reply="Provided.",
                due_in=PBC_DUE,
            )
        )
    return asks


def _policy_ask(ctx: _Context, policy_id: str) -> _Ask:
    """§4 R05: each policy with its approval."""
    policy = next(p for p in ctx.program.policies if p.id == policy_id)
    found, missing = ctx.held([policy.file] if policy.file else [])
    provided = bool(found) and not missing
    return _Ask(
        key=f"policy:{policy.id}",
        kind=RequestKind.DOCUMENT,
        description=(
            f"Please provide the approved {policy.title} ({policy.id}) with its version, owner, "
            "approval date and approver."
        ),
        criteria=("CC2.2", "CC5.3"),
        owner=active_owner(ctx.program, policy.owner),
        status=_S.PROVIDED if provided else _S.NOT_AVAILABLE,
        reply="Provided." if provided else "Not available: no approved copy on file.",
        found=found,
        missing=missing if policy.file else ("approved copy",),
        due_in=PBC_DUE,
    )


def _population_ask(ctx: _Context, population: Population) -> _Ask:
    """§3.2's population request: complete, from the system of record, with query and count."""
    what = f"the complete population of {_lower_first(population.title)} {ctx.period()}"
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
    return _Ask(
        key=f"population:{population.id}",
        kind=RequestKind.POPULATION,
        description=description,
        population=population.id,
        criteria=_criteria_of(ctx.users_of(population.id)),
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
    rows = _count(profile.rows, "row") if profile is not None else "the list"
    if not missing:
        return _S.PROVIDED, f"Provided {rows} from {population.system} with the query and count."
    return _S.PARTIAL, f"Provided {rows} from {population.system}, without {_and(missing)}."


def _control_evidence_ask(ctx: _Context, control: Control) -> _Ask | None:
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
        reply = f"Could not provide {_and(missing)}."
    else:
        status, reply = _S.PROVIDED, "Provided."
    return _Ask(
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


def _walkthrough_asks(ctx: _Context) -> list[_Ask]:
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
            _Ask(
                key=f"walkthrough:{person.id}",
                kind=RequestKind.WALKTHROUGH,
                description=(
                    f"Please schedule a walkthrough with {who} for "
                    f"{', '.join(c.id for c in controls)}: a screen-share of how each control "
                    "operates and of the query behind its population."
                ),
                criteria=_criteria_of(controls),
                owner=person.id,
                status=_S.PROVIDED,
                reply="Walkthrough held.",
                due_in=PBC_DUE,
            )
        )
    orphans = by_owner.get(None)
    if orphans:
        asks.append(
            _Ask(
                key="walkthrough:",
                kind=RequestKind.WALKTHROUGH,
                description=(
                    f"Please name the person who operated {', '.join(c.id for c in orphans)} "
                    "during the period and schedule a walkthrough with them: no current owner "
                    "is on record."
                ),
                criteria=_criteria_of(orphans),
                status=_S.NOT_AVAILABLE,
                reply="Not available: nobody currently owns these controls.",
                due_in=PBC_DUE,
            )
        )
    return asks


# --- round 2: the samples ---------------------------------------------------------------


def _sample_ask(ctx: _Context, test: ControlTest) -> _Ask | None:
    keys = [item.key for item in test.items if not item.expansion]
    if not keys or test.population is None:
        return None
    return _items_ask(ctx, test, keys, key=f"sample:{test.control}", lead="", adjective="sampled")


def _expansion_ask(ctx: _Context, test: ControlTest) -> _Ask | None:
    keys = [item.key for item in test.items if item.expansion]
    if not keys:
        return None
    lead = f"We found a deviation in the sample of {test.control} and are extending it. "
    return _items_ask(
        ctx, test, keys, key=f"expansion:{test.control}", lead=lead, adjective="additional"
    )


def _items_ask(
    ctx: _Context, test: ControlTest, keys: Sequence[str], *, key: str, lead: str, adjective: str
) -> _Ask:
    population = ctx.program.population(test.population) if test.population else None
    title = _lower_first(population.title) if population else "items"
    found, lacking = _item_evidence(ctx, test, population, keys)
    if not lacking:
        status, reply = _S.PROVIDED, f"Provided evidence for all {_count(len(keys), 'item')}."
    elif len(lacking) < len(keys):
        status, reply = _S.PARTIAL, f"Could not provide evidence for {_and(lacking)}."
    else:
        status, reply = _S.NOT_AVAILABLE, "Not available: no evidence for any listed item."
    first_round = key.startswith("sample:")
    return _Ask(
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
    ctx: _Context, test: ControlTest, population: Population | None, keys: Sequence[str]
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


# --- rounds 3+: follow-ups --------------------------------------------------------------


def _follow_up_asks(ctx: _Context, findings: Sequence[Finding]) -> list[_Ask]:
    """Sort what the auditor saw into population, sample and subject questions."""
    expansion_keys = {
        (t.control, item.key) for t in ctx.tests.values() for item in t.items if item.expansion
    }
    populations: list[Finding] = []
    first_items: list[Finding] = []
    later_items: list[Finding] = []
    subjects: list[Finding] = []
    for f in findings:
        if f.code in _NOT_FOLLOWED_UP:
            continue
        if f.code in _ITEM_CODES and f.items:
            if f.sampled is False:
                continue  # found by the full scan only: the auditor never sees it
            later = any((f.control, k) in expansion_keys for k in f.items)
            (later_items if later else first_items).append(f)
        elif f.code in _POPULATION_CODES and f.population is not None:
            populations.append(f)
        else:
            subjects.append(f)
    return [
        *_population_follow_ups(ctx, populations),
        *_sample_follow_ups(ctx, first_items, later_items),
        *_subject_follow_ups(ctx, subjects),
    ]


def _ids(findings: Iterable[Finding]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(f.id for f in findings if f.id))


def _items_of(findings: Iterable[Finding]) -> list[str]:
    return list(dict.fromkeys(k for f in findings for k in f.items))


_Fix = tuple[str, bool, str]
"""(what the auditor asks, whether the client can do it inside fieldwork, the client's answer)."""


def _population_fix(population: Population, finding: Finding, end: date) -> _Fix:
    system_made = not population.is_hand_made
    keys = ", ".join(finding.items[:5])
    code = finding.code
    if code is _C.POPULATION_COUNT_MISMATCH:
        ask = f"re-extract the complete list ({_lower_first(finding.title)})"
        return ask, system_made, "re-extracted" if system_made else "no system export exists"
    if code is _C.POPULATION_EXTRACTED_EARLY:
        ask = f"re-extract it after the period end ({end.isoformat()})"
        return ask, system_made, "re-extracted" if system_made else "no system export exists"
    if code is _C.POPULATION_WEAK_SOURCE and system_made:
        return "send the query used and a screenshot of the total count", True, "query sent"
    if code is _C.POPULATION_WEAK_SOURCE:
        ask = "export it from the system that records these events"
        return ask, False, "no system export exists"
    if code is _C.POPULATION_DUPLICATE:
        return f"explain the duplicated keys ({keys})", True, "duplicates explained"
    if code is _C.POPULATION_OUT_OF_PERIOD:
        ask = f"confirm the rows dated outside the period are out of scope ({keys})"
        return ask, True, "out-of-period rows confirmed"
    if code is _C.POPULATION_MISSING_FIELD:
        return f"complete the blank fields ({keys})", False, "the blank fields were never recorded"
    ask = f"provide the rows for the part of the period it does not cover ({finding.title})"
    return ask, False, "no rows exist for that part of the period"


def _population_follow_ups(ctx: _Context, findings: Sequence[Finding]) -> list[_Ask]:
    """One follow-up per challenged population, combining every C&A problem with it."""
    by_population: dict[str, list[Finding]] = {}
    for f in findings:
        by_population.setdefault(f.population or "", []).append(f)
    asks = []
    for population in ctx.program.populations:
        group = by_population.get(population.id)
        if group:
            asks.append(_population_follow_up(ctx, population, group))
    return asks


def _population_follow_up(ctx: _Context, population: Population, group: list[Finding]) -> _Ask:
    fixes = [_population_fix(population, f, ctx.end) for f in group]
    done = [answer for _, ok, answer in fixes if ok]
    stuck = [answer for _, ok, answer in fixes if not ok]
    status = _S.CLOSED if not stuck else (_S.PARTIAL if done else _S.NOT_AVAILABLE)
    reply = "; ".join([*done, *(f"not available: {s}" for s in stuck)])
    repulled = any(
        f.code in _REPULL_CODES and ok for f, (_, ok, _) in zip(group, fixes, strict=True)
    )
    sampled = any(ctx.tests[c.id].items for c in ctx.users_of(population.id) if c.id in ctx.tests)
    users = ctx.users_of(population.id)
    recheck = _Ask(
        key=f"recheck:{population.id}",
        kind=RequestKind.FOLLOW_UP,
        description=(
            "We re-performed completeness on the re-extracted population of "
            f"{_lower_first(population.title)}: please confirm it reconciles to the source "
            "count, and provide evidence for any sample items we add from rows that were missing."
        ),
        population=population.id,
        criteria=_criteria_of(users),
        owner=ctx.population_owner(population.id),
        status=_S.CLOSED,
        reply="Confirmed.",
        due_in=ANSWER_DUE,
        parent=f"population:{population.id}",
    )
    return replace(
        recheck,
        key=f"repull:{population.id}",
        description=(
            f"Follow-up on the population of {_lower_first(population.title)} "
            f"({population.id}): please {'; '.join(ask for ask, _, _ in fixes)}."
        ),
        status=status,
        reply=reply[:1].upper() + reply[1:] + ".",
        due_in=REPULL_DUE,
        findings=_ids(group),
        missing=tuple(_items_of(f for f, (_, ok, _) in zip(group, fixes, strict=True) if not ok)),
        then=(recheck,) if repulled and sampled else (),
    )


_ItemQuestion = tuple[str, str, RequestStatus, int, str]
"""(key prefix, question after "Sampled item(s) X of C", status, due in, client's reply)."""

_ITEM_QUESTIONS: dict[FindingCode, _ItemQuestion] = {
    _C.SAMPLE_DEVIATION: (
        "deviations",
        "did not pass ({titles}). Please explain the cause of each deviation and what was done "
        "about it, and provide any further evidence",
        _S.CLOSED,
        ANSWER_DUE,
        "Explanations provided; the deviations stand.",
    ),
    _C.EVIDENCE_MISSING: (
        "missing",
        "{has} no evidence in what you provided ({titles}). Please provide it",
        _S.NOT_AVAILABLE,
        REPULL_DUE,
        "Not available: no evidence exists for these items.",
    ),
    _C.EVIDENCE_INTEGRITY: (
        "integrity",
        "{has} evidence that fails verification ({titles}). Please provide fresh copies from the "
        "source system",
        _S.CLOSED,
        REPULL_DUE,
        "Fresh copies provided.",
    ),
}


def _item_questions(
    ctx: _Context, findings: Sequence[Finding], *, parent: str, tag: str
) -> dict[str | None, list[_Ask]]:
    """Per control: one question per item code, about the items its findings name."""
    grouped: dict[tuple[str | None, FindingCode], list[Finding]] = {}
    for f in findings:
        grouped.setdefault((f.control, f.code), []).append(f)
    out: dict[str | None, list[_Ask]] = {}
    for (control_id, code), group in grouped.items():
        prefix, question, status, due, reply = _ITEM_QUESTIONS[code]
        items = _items_of(group)
        population = group[0].population
        noun = "Sampled item" if len(items) == 1 else "Sampled items"
        subject = f" of {control_id}" if control_id else ""
        has = "has" if len(items) == 1 else "have"
        text = question.format(titles=_listed([f.title for f in group]), has=has)
        out.setdefault(control_id, []).append(
            _Ask(
                key=f"{prefix}{tag}:{control_id or population}",
                kind=RequestKind.FOLLOW_UP,
                description=f"{noun} {', '.join(items)}{subject} {text}.",
                control=control_id,
                population=population,
                criteria=ctx.criteria_of(control_id),
                owner=group[0].owner or ctx.owner_of(control_id),
                status=status,
                reply=reply,
                due_in=due,
                parent=f"{parent}:{control_id}"
                if control_id in ctx.tests
                else (f"population:{population}" if population else None),
                findings=_ids(group),
                missing=tuple(items) if status is _S.NOT_AVAILABLE else (),
            )
        )
    return out


def _sample_follow_ups(
    ctx: _Context, first_items: Sequence[Finding], later_items: Sequence[Finding]
) -> list[_Ask]:
    """Questions on the first sample; the expanded sample and its questions follow them (§3.4)."""
    first = _item_questions(ctx, first_items, parent="sample", tag="")
    later = _item_questions(ctx, later_items, parent="expansion", tag="-expansion")
    asks: list[_Ask] = []
    for test in ctx.tests.values():
        questions = first.pop(test.control, [])
        expansion = _expansion_ask(ctx, test)
        if expansion is not None:
            expansion = replace(expansion, then=tuple(later.pop(test.control, [])))
            if questions:
                questions[0] = replace(questions[0], then=(*questions[0].then, expansion))
            else:
                questions = [expansion]
        asks.extend(questions)
    for leftover in (*first.values(), *later.values()):
        asks.extend(leftover)
    return asks


def _subject_follow_ups(ctx: _Context, findings: Sequence[Finding]) -> list[_Ask]:
    """Follow-ups on controls, policies, reconciliations, criteria and risks."""
    grouped: dict[tuple[FindingCode, str], list[Finding]] = {}
    for f in findings:
        subject = f.control or f.policy or f.population or f.risk or f.title
        grouped.setdefault((f.code, "" if f.code in _SHARED_CODES else subject), []).append(f)
    return [_subject_ask(ctx, code, subject, group) for (code, subject), group in grouped.items()]


def _subject_ask(ctx: _Context, code: FindingCode, subject: str, group: list[Finding]) -> _Ask:
    first = group[0]
    question, parent, status, due, reply = _subject_question(ctx, code, first, group)
    policy_owner = ctx.program.policy(first.policy) if first.policy else None
    owner = first.owner or ctx.owner_of(first.control)
    if owner is None and policy_owner is not None:
        owner = active_owner(ctx.program, policy_owner.owner)
    then: tuple[_Ask, ...] = ()
    if code is _C.CONTROL_OWNERLESS:
        then = (
            _Ask(
                key=f"owner-walkthrough:{subject}",
                kind=RequestKind.FOLLOW_UP,
                description=f"Please schedule the walkthrough of {subject} with its new owner.",
                control=first.control,
                criteria=ctx.criteria_of(first.control),
                status=_S.CLOSED,
                reply="Walkthrough held with the new owner.",
                due_in=REPULL_DUE,
                parent=f"owner:{subject}",
            ),
        )
    return _Ask(
        key=f"{'owner' if code is _C.CONTROL_OWNERLESS else code.value}:{subject}",
        kind=RequestKind.FOLLOW_UP,
        description=question,
        control=first.control,
        population=first.population,
        criteria=tuple(dict.fromkeys(c for f in group for c in f.criteria)),
        owner=owner,
        status=status,
        reply=reply,
        due_in=due,
        parent=parent,
        findings=_ids(group),
        missing=tuple(_items_of(group)) if status is _S.NOT_AVAILABLE else (),
        then=then,
    )


_Question = tuple[str, str | None, RequestStatus, int, str]
"""(question, parent key, client's answer, due in, client's reply)."""


def _subject_question(
    ctx: _Context, code: FindingCode, first: Finding, group: list[Finding]
) -> _Question:
    ctrl = first.control or ""
    gone = _S.NOT_AVAILABLE
    if code is _C.CONTROL_OWNERLESS:
        ask = (
            f"{ctrl} has no current owner: please confirm who operated it during the period and "
            "name an owner who can walk us through it."
        )
        return ask, "walkthrough:", _S.CLOSED, ANSWER_DUE, "Owner named."
    if ctrl and code in (_C.CONTROL_NO_EVIDENCE, _C.EVIDENCE_MISSING, _C.EVIDENCE_INTEGRITY):
        return _control_evidence_question(ctx, code, first)
    if code is _C.CONTROL_NO_POPULATION:
        ask = (
            f"{first.title}. Please provide the complete list of occurrences of {ctrl} "
            f"{ctx.period()} from the system of record."
        )
        return ask, None, gone, REPULL_DUE, "Not available: no such list is kept."
    if code is _C.CONTROL_NOT_OPERATED:
        control = ctx.program.control(ctrl)
        parent = f"population:{control.population}" if control and control.population else None
        ask = (
            f"No occurrence of {ctrl} was found {ctx.period()}: please confirm it did not "
            "operate, or provide the occurrences."
        )
        reply = "Confirmed: it did not operate in the period."
        return ask, parent or f"control:{ctrl}", gone, ANSWER_DUE, reply
    if first.policy is not None and code is not _C.POLICY_PRACTICE_DIVERGENCE:
        ask = (
            f"{first.title}. Please provide evidence that {first.policy} was reviewed and "
            "approved within its review interval."
        )
        return ask, f"policy:{first.policy}", gone, ANSWER_DUE, "Not available."
    if code is _C.POLICY_PRACTICE_DIVERGENCE:
        ask = (
            f"{first.title}. Please explain how practice meets the commitment in "
            f"{first.policy or 'the policy'}, with supporting evidence."
        )
        reply = "Explanation provided; the divergence stands."
        parent = f"policy:{first.policy}" if first.policy else None
        return ask, parent, _S.CLOSED, ANSWER_DUE, reply
    if code is _C.RECONCILIATION_BREAK:
        rows = _and(_items_of(group)[:10]) if _items_of(group) else "these rows"
        ask = f"{first.title}. Please provide evidence that {rows} were handled in time."
        parent = f"population:{first.population}" if first.population else None
        return ask, parent, gone, REPULL_DUE, "Not available."
    if code is _C.SCOPE_CRITERION_UNCOVERED:
        crits = _and(list(dict.fromkeys(c for f in group for c in f.criteria)) or ["them"])
        ask = f"No control in the program addresses {crits}: please identify the controls that do."
        return ask, "description", gone, ANSWER_DUE, "Not available: no control addresses them."
    if code is _C.RISK_UNMITIGATED:
        risks = _and(list(dict.fromkeys(f.risk or f.title for f in group)))
        ask = f"Risks {risks} have no mitigating control: please identify how each is treated."
        parent = "risks" if ctx.program.risks else "description"
        return ask, parent, gone, ANSWER_DUE, "Not available: no treatment is in place."
    return f"Follow-up on: {first.title}.", None, gone, ANSWER_DUE, "Not available."


def _control_evidence_question(ctx: _Context, code: FindingCode, first: Finding) -> _Question:
    """Control-level evidence missing or failing verification (§3.1 follow-up reasons)."""
    ctrl = first.control or ""
    control = ctx.program.control(ctrl)
    named = _and(list(control.evidence)) if control and control.evidence else "none named"
    fresh = code is _C.EVIDENCE_INTEGRITY
    ask = (
        f"{first.title}. Please provide {'fresh copies of ' if fresh else ''}the evidence that "
        f"{ctrl} operated {ctx.period()} (files named: {named})."
    )
    if fresh:
        return ask, f"control:{ctrl}", _S.CLOSED, REPULL_DUE, "Fresh copies provided."
    return ask, f"control:{ctrl}", _S.NOT_AVAILABLE, REPULL_DUE, "Not available."


# --- the clock ----------------------------------------------------------------------------


@dataclass
class _Clock:
    """Issues rounds of asks: numbers them, dates them and writes the correspondence."""

    day: int = 0
    round: int = 0
    next_number: int = 1
    requests: list[Request] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    codes: dict[str, str] = field(default_factory=dict)  # ask key → request code
    roots: dict[str, str] = field(default_factory=dict)  # code → the root request's code
    follow_ups: dict[str, int] = field(default_factory=dict)  # root code → follow-ups so far

    def play(self, opening: Sequence[Sequence[_Ask]], follow_ups: Sequence[_Ask]) -> RequestLog:
        for batch, what in zip(opening, ("Request list", "Sample requests"), strict=False):
            if batch:
                self.issue(batch, what)
        pending = list(follow_ups)
        while pending and self.round < MAX_ROUNDS:
            issued = self.issue(pending, "Follow-up requests")
            pending = [then for ask in issued for then in ask.then]
        if pending:
            self.say("auditor", f"{len(pending)} further questions are left for the exit meeting.")
        lacking = sum(1 for r in self.requests if r.status in (_S.NOT_AVAILABLE, _S.PARTIAL))
        self.say(
            "auditor",
            f"Evidence gathering closed on day {self.day} after {self.round} rounds; "
            f"{_count(lacking, 'request')} answered in part or not at all.",
        )
        return RequestLog(tuple(self.requests), tuple(self.messages), self.round)

    def say(self, sender: str, text: str, day: int | None = None) -> None:
        when = self.day if day is None else day
        self.messages.append(Message(day=when, round=self.round, sender=sender, text=text))

    def code_for(self, ask: _Ask) -> tuple[str, str | None]:
        """(this ask's code, the code it follows): follow-ups are numbered under their root."""
        parent = self.codes.get(ask.parent) if ask.parent else None
        if parent is None or ask.kind is not RequestKind.FOLLOW_UP:
            code = f"PBC-{self.next_number:03d}"
            self.next_number += 1
            self.roots[code] = code
            return code, parent
        root = self.roots[parent]
        self.follow_ups[root] = self.follow_ups.get(root, 0) + 1
        code = f"{root}-F{self.follow_ups[root]}"
        self.roots[code] = root
        return code, parent

    def issue(self, batch: Sequence[_Ask], what: str) -> list[_Ask]:
        self.round += 1
        last_due = self.day + max(ask.due_in for ask in batch)
        self.say("auditor", f"{what}: {len(batch)} sent, due by day {last_due}.")
        issued: list[tuple[_Ask, Request]] = []
        for ask in batch:
            code, follows = self.code_for(ask)
            self.codes.setdefault(ask.key, code)
            request = _request(ask, code, follows, self.round, self.day)
            issued.append((ask, request))
            self.requests.append(request)
            self.say("auditor", f"{code}: {ask.description}")
        for ask, request in sorted(issued, key=lambda pair: pair[1].due_day):
            self.say("client", f"{request.code}: {ask.reply}", day=request.due_day)
        self.day = last_due
        return [ask for ask, _ in issued]


def _request(ask: _Ask, code: str, follows: str | None, round_no: int, day: int) -> Request:
    return Request(
        code=code,
        kind=ask.kind,
        description=ask.description,
        control=ask.control,
        population=ask.population,
        criteria=ask.criteria,
        owner=ask.owner,
        round=round_no,
        issued_day=day,
        due_day=day + ask.due_in,
        status=ask.status,
        found=ask.found,
        missing=ask.missing,
        follows=follows,
        findings=ask.findings,
    )
