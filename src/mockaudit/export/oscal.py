"""OSCAL assessment-results JSON of one run, for GRC tools that speak OSCAL.

One ``result`` holds the run: an observation per control test (methods TEST and
EXAMINE, a subject per sampled item), an observation per request the auditor
sent (INTERVIEW for walkthroughs, EXAMINE otherwise), a finding per control
conclusion (satisfied / not-satisfied) and a finding per gap. Evidence appears
as back-matter resources carrying the vault's SHA-256, which the observations
cite as ``relevant-evidence``. UUIDs are uuid5 of the run id and the object, so
the same run always exports the same document and tools can diff two exports.

Every back-matter resource is referenced by an ``href`` of what it supports (its
uuid in version-4 form, see ``resource_uuid``): the
assessment plan by ``import-ap``, a sampled item by a link on the subject that
names it, a piece of evidence by the ``relevant-evidence`` of an observation.
Evidence no observation cites is left out (the vault, not this document, is the
inventory), so tools such as trestle find no orphan resource.

The document declares OSCAL ``OSCAL_VERSION`` (1.2.3), and the tests validate
it against NIST's published JSON schema of that version and against
compliance-trestle's ``AssessmentResults`` model (both test-only dependencies).
It is built from plain dicts. Custom properties live in the
``urn:mockaudit:oscal`` namespace; nothing in the document points outside it.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from mockaudit import fsio
from mockaudit.domain import Finding, Program
from mockaudit.domain.run import (
    ControlConclusion,
    ControlTest,
    Request,
    RequestKind,
    Run,
    SampleItem,
)
from mockaudit.export import oscal_vendors as vendors
from mockaudit.export.report_text import REHEARSAL_NOTICE, result_text

OSCAL_VERSION = "1.2.3"
PROP_NS = "urn:mockaudit:oscal"
UUID_NAMESPACE = uuid.UUID("6f1d0c0e-5a3b-5c44-9d8e-6d6f636b6175")
"""Fixed namespace of every uuid5 this module makes (any constant would do; never change it)."""

_NOT_NCNAME = re.compile(r"[^A-Za-z0-9_.\-]")
_STATUS = {
    ControlConclusion.NO_EXCEPTIONS: ("satisfied", "pass"),
    ControlConclusion.EXCEPTIONS: ("not-satisfied", "fail"),
    ControlConclusion.NOT_TESTABLE: ("not-satisfied", "other"),
}

Json = dict[str, Any]


class LinkLike(Protocol):
    @property
    def control_id(self) -> str: ...
    @property
    def population_id(self) -> str: ...
    @property
    def item_key(self) -> str: ...


class EvidenceLike(Protocol):
    """What this writer needs of a vault evidence record (``vault.store.EvidenceInfo``)."""

    @property
    def evidence_id(self) -> str: ...
    @property
    def original_name(self) -> str: ...
    @property
    def sha256(self) -> str: ...
    @property
    def size(self) -> int: ...
    @property
    def media_type(self) -> str: ...
    @property
    def links(self) -> Sequence[LinkLike]: ...


def write_oscal(
    run: Run,
    program: Program,
    out: Path,
    evidence: Mapping[str, EvidenceLike] | Iterable[EvidenceLike] | None = None,
) -> None:
    """Write the assessment-results document to ``out`` atomically.

    ``evidence`` is the vault's evidence records, as a list or keyed by evidence id;
    without it the observations carry no relevant evidence (nothing can be hashed).
    """
    records = by_id(evidence)
    text = json.dumps(oscal_document(run, program, records), indent=2, ensure_ascii=False)
    out = Path(out)
    fsio.sweep_temps(out.parent, {out.name})
    fsio.atomic_write_bytes(out, (text + "\n").encode("utf-8"))


def by_id(
    evidence: Mapping[str, EvidenceLike] | Iterable[EvidenceLike] | None,
) -> dict[str, EvidenceLike]:
    """Evidence records keyed by evidence id, from a mapping or a plain list."""
    if evidence is None:
        return {}
    if isinstance(evidence, Mapping):
        return dict(evidence)
    return {info.evidence_id: info for info in evidence}


def oscal_document(run: Run, program: Program, evidence: Mapping[str, EvidenceLike]) -> Json:
    """The ``{"assessment-results": …}`` document as JSON-ready dicts."""
    document = _Builder(run, program, evidence).document()
    return {"assessment-results": _prune(document)}


class _Builder:
    """Builds one document; keeps the uuid helper and the evidence indexes in one place."""

    def __init__(self, run: Run, program: Program, evidence: Mapping[str, EvidenceLike]) -> None:
        self.run = run
        self.program = program
        self.evidence = evidence
        self.when = _aware(run.started_at).isoformat()
        self.platform = self.uuid("platform")
        self.by_control: dict[str, list[str]] = {}
        self.by_population: dict[str, list[str]] = {}
        self.by_item: dict[tuple[str, str], list[str]] = {}
        for ev_id, info in sorted(evidence.items()):
            for link in info.links:
                if link.control_id:
                    self.by_control.setdefault(link.control_id, []).append(ev_id)
                if link.population_id and link.item_key:
                    key = (link.population_id, link.item_key)
                    self.by_item.setdefault(key, []).append(ev_id)
                elif link.population_id:
                    self.by_population.setdefault(link.population_id, []).append(ev_id)
        self.items: dict[str, Json] = {}  # uuid → back-matter resource of a sampled item
        self.cited: set[str] = set()  # evidence ids some observation cites

    def uuid(self, *parts: str) -> str:
        return str(uuid.uuid5(UUID_NAMESPACE, "\x1f".join((self.run.id, *parts))))

    def resource_uuid(self, *parts: str) -> str:
        """A back-matter resource's uuid: the same name-derived bits in version-4 form.

        OSCAL accepts v4 and v5 alike, but trestle resolves ``#uuid`` references only
        when the uuid reads as v4, and would report every v5 resource as unreferenced.
        """
        derived = uuid.uuid5(UUID_NAMESPACE, "\x1f".join((self.run.id, "resource", *parts)))
        return str(uuid.UUID(bytes=derived.bytes, version=4))

    # -- document ---------------------------------------------------------------------

    def document(self) -> Json:
        plan = self.resource_uuid("assessment-plan")
        result = self.result()
        return {
            "uuid": self.uuid("assessment-results"),
            "metadata": self.metadata(),
            "import-ap": {
                "href": f"#{plan}",
                "remarks": "The sample plan is part of the mockaudit run (see back-matter).",
            },
            "results": [result],
            "back-matter": {"resources": self.resources(plan)},
        }

    def metadata(self) -> Json:
        org = _line(self.program.organization.name) or "service organization"
        return {
            "title": f"mockaudit assessment results (rehearsal): {org}, run {_line(self.run.id)}",
            "last-modified": self.when,
            "version": _line(self.run.mockaudit_version) or "0",
            "oscal-version": OSCAL_VERSION,
            "props": _props(
                ("report-type", self.run.report_type.value),
                ("run-id", self.run.id),
                ("seed", str(self.run.seed)),
            ),
            "roles": vendors.roles(self.program),
            "parties": vendors.parties(self.program, self.uuid),
            "remarks": REHEARSAL_NOTICE,
        }

    def result(self) -> Json:
        readiness = self.run.readiness
        observations = [self.test_observation(t) for t in self.run.tests]
        observations += [
            self.request_observation(r)
            for r in self.run.requests
            if r.kind is not RequestKind.SAMPLE
        ]
        observations += vendors.observations(
            self.program, self.run.findings, self.uuid, _props, self.when, self.origins()
        )
        findings = [self.conclusion_finding(t) for t in self.run.tests]
        findings += [self.gap_finding(f) for f in self.run.findings]
        period = (
            f"{self.run.period_start} to {self.run.period_end}"
            if self.run.period_start
            else f"as of {self.run.period_end}"
        )
        result: Json = {
            "uuid": self.uuid("result"),
            "title": f"Mock SOC 2 {self.run.report_type.value} audit, run {_line(self.run.id)}",
            "description": f"{REHEARSAL_NOTICE} Period: {period}.",
            "start": self.when,
            "props": _props(
                ("period-start", str(self.run.period_start or "")),
                ("period-end", str(self.run.period_end)),
                ("likely-opinion", readiness.likely_opinion.value if readiness else ""),
                ("readiness-score", f"{readiness.score:.2f}" if readiness else ""),
            ),
            "local-definitions": {
                "components": vendors.components(self.program, self.uuid, _props),
                "assessment-assets": {
                    "assessment-platforms": [
                        {
                            "uuid": self.platform,
                            "title": f"mockaudit {_line(self.run.mockaudit_version)} "
                            "(simulated auditor)",
                        }
                    ]
                },
            },
            "reviewed-controls": {"control-selections": [self.control_selection()]},
            "remarks": REHEARSAL_NOTICE,
        }
        if observations:
            result["observations"] = observations
        if findings:
            result["findings"] = findings
        return result

    def control_selection(self) -> Json:
        ids = list(
            dict.fromkeys(
                [c.id for c in self.program.controls] + [t.control for t in self.run.tests]
            )
        )
        if not ids:
            return {"include-all": {}}
        return {"include-controls": [{"control-id": _token(cid)} for cid in ids]}

    def origins(self) -> list[Json]:
        return [{"actors": [{"type": "assessment-platform", "actor-uuid": self.platform}]}]

    # -- observations -----------------------------------------------------------------

    def test_observation(self, test: ControlTest) -> Json:
        control = self.program.control(test.control)
        title = f"{test.control}: {control.title}" if control else test.control
        sampled = test.population is not None and bool(test.items)
        methods = ["TEST", "EXAMINE"] if sampled else ["EXAMINE"]
        observation: Json = {
            "uuid": self.uuid("observation", "test", test.control),
            "title": _line(f"Test of {title}") or "Test of a control",
            "description": result_text(test, control, self.program),
            "props": _props(
                ("control", test.control),
                ("conclusion", test.conclusion.value),
                ("sample-size", str(test.sample_size)),
                ("population-size", str(test.population_size)),
                ("deviations", str(test.deviations)),
                ("seed", str(test.seed)),
            ),
            "methods": methods,
            "types": ["control-objective"],
            "origins": self.origins(),
            "collected": self.when,
        }
        population = test.population or ""
        subjects = [self.item_subject(population, item) for item in test.items] if sampled else []
        if subjects:
            observation["subjects"] = subjects
        evidence = self.test_evidence(test)
        if evidence:
            observation["relevant-evidence"] = evidence
        return observation

    def item_subject(self, population: str, item: SampleItem) -> Json:
        key = item.key
        ref = self.resource_uuid("item", population, key)
        self.items.setdefault(
            ref,
            {
                "uuid": ref,
                "title": _line(f"{population} item {key}") or "sampled item",
                "props": _props(
                    ("population", population),
                    ("item-key", key),
                    ("line", str(item.line)),
                    ("date", str(item.day or "")),
                ),
            },
        )
        return {
            "subject-uuid": ref,
            "type": "resource",
            "title": _line(f"{population} {key}") or "sampled item",
            "props": _props(
                ("deviation", "true" if item.deviation else "false"),
                ("expansion", "true" if item.expansion else "false"),
            ),
            "links": [{"href": f"#{ref}", "rel": "reference"}],
        }

    def test_evidence(self, test: ControlTest) -> list[Json]:
        ids = list(self.by_control.get(test.control, ()))
        if test.population:
            ids += self.by_population.get(test.population, ())
            for item in test.items:
                ids += self.by_item.get((test.population, item.key), ())
        for request in self.run.requests:
            if request.control == test.control:
                ids += request.found
        return self.relevant(ids)

    def request_observation(self, request: Request) -> Json:
        interview = request.kind is RequestKind.WALKTHROUGH
        observation: Json = {
            "uuid": self.uuid("observation", "request", request.code),
            "title": _line(f"{request.code} ({request.kind.value}, {request.status.value})")
            or "request",
            "description": request.description or request.code,
            "props": _props(
                ("request", request.code),
                ("request-kind", request.kind.value),
                ("request-status", request.status.value),
                ("control", request.control or ""),
                ("population", request.population or ""),
                ("round", str(request.round)),
            ),
            "methods": ["INTERVIEW"] if interview else ["EXAMINE"],
            "origins": self.origins(),
            "collected": self.when,
        }
        evidence = self.relevant(request.found)
        if evidence:
            observation["relevant-evidence"] = evidence
        if request.missing:
            observation["remarks"] = "Not provided: " + ", ".join(request.missing)
        return observation

    def relevant(self, ids: Iterable[str]) -> list[Json]:
        out = []
        for ev_id in dict.fromkeys(ids):
            info = self.evidence.get(ev_id)
            if info is None:
                continue
            self.cited.add(ev_id)
            out.append(
                {
                    "href": f"#{self.resource_uuid('evidence', ev_id)}",
                    "description": f"{ev_id} {_line(info.original_name)} (SHA-256 {info.sha256})",
                }
            )
        return out

    # -- findings ---------------------------------------------------------------------

    def conclusion_finding(self, test: ControlTest) -> Json:
        state, reason = _STATUS[test.conclusion]
        control = self.program.control(test.control)
        return {
            "uuid": self.uuid("finding", "control", test.control),
            "title": _line(f"{test.control}: {test.conclusion.value.replace('_', ' ')}")
            or "control conclusion",
            "description": result_text(test, control, self.program),
            "props": _props(("control", test.control), ("conclusion", test.conclusion.value)),
            "origins": self.origins(),
            "target": {
                "type": "objective-id",
                "target-id": _token(test.control),
                "status": {"state": state, "reason": reason},
            },
            "related-observations": [
                {"observation-uuid": self.uuid("observation", "test", test.control)}
            ],
        }

    def gap_finding(self, finding: Finding) -> Json:
        subject = (
            finding.control
            or (finding.criteria[0] if finding.criteria else None)
            or finding.population
            or finding.policy
            or finding.risk
            or "program"
        )
        tested = {t.control for t in self.run.tests}
        out: Json = {
            "uuid": self.uuid("finding", "gap", finding.id),
            "title": _line(f"{finding.id}: {finding.title}") or finding.id,
            "description": finding.detail or finding.title,
            "props": _props(
                ("finding-id", finding.id),
                ("code", finding.code.value),
                ("severity", finding.severity.value),
                ("owner", finding.owner or "none"),
                ("criteria", " ".join(finding.criteria)),
                ("items", " ".join(finding.items[:50])),
            ),
            "origins": self.origins(),
            "target": {
                "type": "objective-id",
                "target-id": _token(subject),
                "status": {"state": "not-satisfied", "reason": "fail"},
            },
        }
        if vendors.is_described(finding):
            out["related-observations"] = [
                {"observation-uuid": vendors.observation_uuid(finding, self.uuid)}
            ]
        elif finding.control in tested:
            out["related-observations"] = [
                {"observation-uuid": self.uuid("observation", "test", finding.control or "")}
            ]
        if finding.remediation:
            out["remarks"] = f"Remediation: {finding.remediation}"
        return out

    # -- back matter ------------------------------------------------------------------

    def resources(self, plan: str) -> list[Json]:
        resources: list[Json] = [
            {
                "uuid": plan,
                "title": f"Mock assessment plan of run {_line(self.run.id)}",
                "description": (
                    f"Samples were drawn with seed {self.run.seed}; re-running the audit with "
                    "this seed redraws them. There is no separate OSCAL assessment plan."
                ),
            }
        ]
        resources += list(self.items.values())
        for ev_id in sorted(self.cited):
            info = self.evidence[ev_id]
            resources.append(
                {
                    "uuid": self.resource_uuid("evidence", ev_id),
                    "title": _line(info.original_name) or ev_id,
                    "props": _props(
                        ("evidence-id", ev_id),
                        ("size", str(info.size)),
                    ),
                    "rlinks": [
                        {
                            "href": f"urn:mockaudit:evidence:{_token(ev_id)}",
                            **({"media-type": m} if (m := _line(info.media_type)) else {}),
                            "hashes": [{"algorithm": "SHA-256", "value": info.sha256}],
                        }
                    ],
                }
            )
        return resources


# -- value helpers ---------------------------------------------------------------------------


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _line(text: str) -> str:
    """One line without surrounding blanks (OSCAL titles and property values)."""
    return " ".join(str(text).split())


def _token(text: str) -> str:
    """An XML NCName-safe token (OSCAL control ids, target ids)."""
    token = _NOT_NCNAME.sub("_", text) or "_"
    return token if re.match(r"[A-Za-z_]", token) else f"_{token}"


def _props(*pairs: tuple[str, str]) -> list[Json]:
    """Properties in mockaudit's namespace; empty values are left out."""
    return [
        {"name": name, "ns": PROP_NS, "value": value}
        for name, raw in pairs
        if (value := _line(raw))
    ]


def _prune(value: Any) -> Any:
    """Drop empty lists (OSCAL arrays need at least one element); empty objects stay."""
    if isinstance(value, dict):
        return {k: _prune(v) for k, v in value.items() if v != []}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value
