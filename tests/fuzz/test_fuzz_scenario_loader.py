"""Fuzzing the scenario loader (issue 9 acceptance 4): hostile scenario.toml files.

Three generators, each writing scenario.toml into a copy of a valid scenario folder
(its populations and evidence stay, so a document that validates goes on to the file
checks): random TOML documents over the real key names; structured mutations of the
valid file (a key deleted, a value replaced by any TOML value, an unknown key, a
row duplicated or emptied); and text mutations (lines dropped, duplicated, swapped or
edited, bytes inserted, the file cut short). Property: ``load_scenario`` returns a
Scenario or raises InputError with a one-line message — never another exception, and
never a hang (the hypothesis deadline).
"""

from __future__ import annotations

import datetime as dt
import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import event, given
from hypothesis import strategies as st

from mockaudit.errors import InputError
from mockaudit.scenarios.loader import load_scenario
from tests.fuzz.profile import EXAMPLES, assert_one_line, fuzz

pytestmark = pytest.mark.crash  # counts scale up under make soak

FIXTURE = Path(__file__).parents[1] / "scenarios" / "fixtures" / "valid"
VALID_TEXT = (FIXTURE / "scenario.toml").read_text(encoding="utf-8")
VALID = tomllib.loads(VALID_TEXT)

KEYS = sorted(
    {
        "format",
        "organization",
        "engagement",
        "people",
        "policies",
        "risks",
        "populations",
        "controls",
        "reconciliations",
        "commitments",
        "attributes",
        "id",
        "name",
        "title",
        "file",
        "key",
        "date",
        "evidence",
        "evidence_column",
        "count_evidence",
        "owner",
        "population",
        "check",
        "field",
        "fields",
        "value",
        "values",
        "days",
        "criteria",
        "left",
        "right",
        "left_match",
        "right_match",
        "left_date",
        "right_date",
        "max_days",
        "period_start",
        "period_end",
        "report_type",
        "categories",
        "systems",
        "frequency",
        "kind",
        "nature",
        "risk",
        "control",
        "attribute",
        "reconciliation",
        "left_on",
    }
)
PATHS = [
    "populations/changes.csv",
    "evidence",
    "../outside.txt",
    "/etc/passwd",
    "C:\\x.csv",
    "",
    " ",
    "populations",
    "scenario.toml",
    "evidence/changes/PR-1.txt",
    "a\x00b",
    "~/x",
]

scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.text(min_size=700, max_size=2000),  # a message must not echo it whole
    st.sampled_from(
        [
            "mockaudit.scenario/1",
            "type1",
            "type2",
            "CHG-01",
            "dana",
            "changes",
            "security",
            "per_event",
            "different",
            "before",
            *PATHS,
        ]
    ),
    st.dates(),
    st.datetimes(timezones=st.none() | st.just(dt.UTC)),
    st.times(),
)
toml_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=20,
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("fuzz-scenario") / "scenario"
    shutil.copytree(FIXTURE, target)
    return target


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    yield
    print(f"\nfuzz examples (scenario loader): {dict(sorted(EXAMPLES.items()))}")


def _load(folder: Path, data: bytes, label: str) -> None:
    EXAMPLES[label] += 1
    (folder / "scenario.toml").write_bytes(data)
    try:
        scenario = load_scenario(folder)
    except InputError as exc:
        assert_one_line(exc)
        event("rejected")
        return
    assert scenario.program.controls is not None


# ----- random documents -----


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    doc: dict[str, Any] = draw(st.dictionaries(st.sampled_from(KEYS), toml_values, max_size=8))
    if draw(st.integers(0, 3)):
        doc["format"] = "mockaudit.scenario/1"
    return doc


@fuzz(ci=200)
@given(documents())
def test_random_documents(folder: Path, doc: dict[str, Any]) -> None:
    _load(folder, tomli_w.dumps(doc).encode("utf-8"), "loader: random documents")


# ----- structured mutations of the valid file -----


def _containers(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _containers(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _containers(value, (*path, index))


@st.composite
def mutated_documents(draw: st.DrawFn) -> dict[str, Any]:
    doc = tomllib.loads(VALID_TEXT)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(list(_containers(doc))[1:]))
        parent: Any = doc
        for part in path[:-1]:
            parent = parent[part]
        last = path[-1]
        action = draw(st.sampled_from(["replace", "delete", "unknown", "duplicate", "empty"]))
        if action == "replace":
            parent[last] = draw(toml_values)
        elif action == "delete":
            del parent[last]
        elif action == "unknown" and isinstance(parent[last], dict):
            parent[last][draw(st.sampled_from(KEYS) | st.text(max_size=6))] = draw(scalars)
        elif action == "duplicate" and isinstance(parent, list):
            parent.insert(last, parent[last])
        elif action == "empty" and isinstance(parent[last], list | dict):
            parent[last] = type(parent[last])()
    return doc


@fuzz(ci=200)
@given(mutated_documents())
def test_mutations_of_a_valid_scenario(folder: Path, doc: dict[str, Any]) -> None:
    _load(folder, tomli_w.dumps(doc).encode("utf-8"), "loader: structured mutations")


# ----- text mutations -----


@st.composite
def mutated_text(draw: st.DrawFn) -> bytes:
    lines = VALID_TEXT.encode("utf-8").split(b"\n")
    for _ in range(draw(st.integers(1, 5))):
        at = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["drop", "dup", "swap", "edit", "junk", "cut"]))
        if action == "drop":
            del lines[at]
        elif action == "dup":
            lines.insert(at, lines[at])
        elif action == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        elif action == "edit" and lines[at]:
            i = draw(st.integers(0, len(lines[at]) - 1))
            piece = draw(
                st.sampled_from(
                    [
                        b"=",
                        b'"',
                        b"[",
                        b"]",
                        b"[[",
                        b"#",
                        b"'''",
                        b"\\",
                        b"\xff",
                        b"\x00",
                        b"\r",
                        b"0",
                        b"-",
                        b":",
                    ]
                )
            )
            lines[at] = lines[at][:i] + piece + lines[at][i + 1 :]
        elif action == "junk":
            lines.insert(at, draw(st.binary(max_size=30)))
        else:
            del lines[at:]
        if not lines:
            lines = [b""]
    return b"\n".join(lines)


@fuzz(ci=200)
@given(mutated_text())
def test_text_mutations_of_a_valid_scenario(folder: Path, data: bytes) -> None:
    _load(folder, data, "loader: text mutations")


def test_the_valid_fixture_still_loads(folder: Path) -> None:
    """The mutations above start from a file that loads: the property is not vacuous."""
    _load(folder, VALID_TEXT.encode("utf-8"), "loader: valid")
    assert load_scenario(folder).program.population("changes") is not None


@pytest.mark.parametrize(
    "change",
    [
        {"format": {"organization": ["x" * 900] * 3}},  # echoed whole before
        {"controls": [{"id": "C" * 5000, "title": 1}]},  # an id inside the location
        {"populations": [{**VALID["populations"][0], "file": "populations/a\x00b.csv"}]},
        {"populations": [{**VALID["populations"][0], "file": "p/" + "x" * 300 + ".csv"}]},
        {"policies": [{**VALID["policies"][0], "file": "evidence/" + "y" * 300}]},
        {"controls": [{**VALID["controls"][2], "evidence": ["e\x00.png"]}]},
        {"engagement": {**VALID["engagement"], "period_start": "0" * 800}},  # quoted whole
        {"populations": [{**VALID["populations"][0], "evidence_column": "c" * 800}]},
    ],
    ids=[
        "huge-format",
        "huge-id",
        "nul-in-path",
        "long-population-name",
        "long-evidence-name",
        "nul-in-evidence",
        "long-bad-date",
        "long-column",
    ],
)
def test_fuzz_findings_are_one_short_line(folder: Path, change: dict[str, Any]) -> None:
    """Regressions (fuzz): a non-string ``format``, a long id, a long invalid date and a
    long column name were echoed whole into the message (hundreds of characters); a path with a NUL raised ValueError and a name longer than
    the file system allows raised OSError (ENAMETOOLONG) — both as tracebacks."""
    doc = {**VALID, **change}
    (folder / "scenario.toml").write_bytes(tomli_w.dumps(doc).encode("utf-8"))
    with pytest.raises(InputError) as caught:
        load_scenario(folder)
    assert_one_line(caught.value, limit=300)
