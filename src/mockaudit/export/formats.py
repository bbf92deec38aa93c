"""Which writer makes which export format: the one table ``session.py`` dispatches through.

Writers are imported only when their format is asked for (openpyxl is not
loaded to write a CSV). Formats owned by other writers (``html``: the mock
SOC 2 report, ``oscal``: assessment results) are looked up by module and
function name; until that module exists the format answers "not available
yet" instead of failing with an import error.

Extension point: to add a format, add a row to ``FINDINGS_WRITERS`` — the
module under ``mockaudit.export``, the function, and what it needs besides the
run and the output path.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mockaudit.domain import Program
from mockaudit.domain.remediation import Remediation
from mockaudit.domain.run import Run
from mockaudit.errors import InputError
from mockaudit.export.output import write_text


@dataclass(frozen=True)
class Writer:
    """Where a format's writer lives and how it is called."""

    module: str  # under mockaudit.export
    function: str
    program: bool = False  # called as f(run, program, out, ...)
    evidence: bool = False  # also gets the vault's evidence list (OSCAL relevant-evidence)
    bom: bool = False  # accepts bom= (CSV)
    responses: bool = False  # accepts responses= (management's, by finding id)


FINDINGS_WRITERS: dict[str, Writer] = {
    "csv": Writer("findings_csv", "write_csv", bom=True, responses=True),
    "json": Writer("formats", "write_json", responses=True),
    "md": Writer("findings_markdown", "write_markdown", program=True),
    "xlsx": Writer("findings_xlsx", "write_xlsx", program=True, responses=True),
    "html": Writer("report_html", "write_html", program=True, responses=True),
    "oscal": Writer("oscal", "write_oscal", program=True, evidence=True),
}
REQUEST_WRITERS: dict[str, Writer] = {
    "csv": Writer("requests_table", "write_requests_csv", bom=True),
    "xlsx": Writer("requests_table", "write_requests_xlsx"),
}
FINDINGS_FORMATS = tuple(FINDINGS_WRITERS)
REQUEST_FORMATS = tuple(REQUEST_WRITERS)


def write_json(run: Run, out: Path, *, responses: Mapping[str, Remediation] | None = None) -> None:
    """The ``mockaudit.findings/1`` document (findings_json), atomically."""
    from mockaudit.export.findings_json import dumps

    try:
        document = dumps(run, responses)
    except ValueError:
        raise InputError(f"run {run.id} has no readiness conclusion to export") from None
    write_text(out, document)


def write_findings(
    run: Run,
    program: Program,
    format: str,
    out: Path,
    *,
    evidence: Sequence[Any] = (),
    bom: bool = False,
    responses: Mapping[str, Remediation] | None = None,
) -> None:
    """Write the findings of ``run`` in ``format`` (one of ``FINDINGS_FORMATS``) to ``out``;
    ``responses`` (management's, by finding id) reach the writers that print them."""
    writer = findings_writer(format)
    args: list[Any] = [run, program, out] if writer.program else [run, out]
    if writer.evidence:
        args.append(evidence)
    extra = {"responses": responses} if writer.responses and responses else {}
    _call(writer, format, args, bom=bom, **extra)


def write_requests(run: Run, format: str, out: Path, *, bom: bool = False) -> None:
    """Write the request (PBC) list of ``run`` in ``format`` (csv or xlsx) to ``out``."""
    _call(request_writer(format), format, [run, out], bom=bom)


def findings_writer(format: str) -> Writer:
    """The writer of a findings format; InputError naming the known ones otherwise."""
    return _pick(FINDINGS_WRITERS, format, "findings")


def request_writer(format: str) -> Writer:
    """The writer of a request-list format; InputError naming the known ones otherwise."""
    return _pick(REQUEST_WRITERS, format, "request list")


def _pick(table: dict[str, Writer], format: str, what: str) -> Writer:
    writer = table.get(format.lower())
    if writer is None:
        known = ", ".join(table)
        raise InputError(f"unknown {what} format {format!r}: use one of {known}")
    return writer


def _call(writer: Writer, format: str, args: list[Any], *, bom: bool, **extra: Any) -> None:
    name = f"mockaudit.export.{writer.module}"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:  # the writer exists but something it needs does not: a bug
            raise
        raise InputError(f"format {format} is not available yet") from None
    function = getattr(module, writer.function, None)
    if function is None:
        raise InputError(f"format {format} is not available yet")
    if writer.bom:
        function(*args, bom=bom, **extra)
    else:
        function(*args, **extra)
