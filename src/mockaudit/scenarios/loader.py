"""Load a scenario folder (scenario-format.md) strictly, or explain in one line why not.

The loader is where a hand-written file meets the models: it turns TOML syntax
errors and pydantic validation errors into a single line naming the file, the
table row (index and id) and the key, then checks everything that needs the
file system — paths stay inside the folder, referenced files exist, and every
column an attribute, key, date or reconciliation names is in the CSV header.
It reads only the headers of population files; rows are streamed later by
whoever imports them.
"""

from __future__ import annotations

import stat
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from types import MappingProxyType
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from mockaudit.domain import REFERENCE_ERROR, SCENARIO_FORMAT, Program
from mockaudit.errors import InputError
from mockaudit.scenarios.csv_reader import RowTable, open_csv
from mockaudit.scenarios.json_reader import open_json_rows

SCENARIO_FILE = "scenario.toml"
PROBLEM_CHARS = 200  # a message quotes the user's text, but never all of a long value


@dataclass(frozen=True)
class Scenario:
    """A validated scenario folder: the program plus the absolute paths of its files.

    ``population_files`` maps population id → CSV/JSON path; ``evidence_files``
    maps each evidence path written in scenario.toml (policy files, count
    evidence, control evidence) → its absolute path, which may not exist (a
    missing file is an audit finding, not a load error). Per-row evidence named in
    population CSVs is not listed here: resolve it with :meth:`resolve`.
    """

    root: Path
    program: Program
    population_files: Mapping[str, Path] = field(default_factory=dict)
    evidence_files: Mapping[str, Path] = field(default_factory=dict)
    headers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def table(self, population_id: str) -> RowTable:
        """The row stream of a population, with messages naming its file as written."""
        population = self.program.population(population_id)
        if population is None:
            raise InputError(f"{SCENARIO_FILE}: no population {population_id!r}")
        return _open_table(self.population_files[population_id], population.file)

    def resolve(self, relative: str, where: str) -> Path:
        """The absolute path of ``relative`` inside the folder (existence not checked).

        ``where`` names the reference in messages, e.g. ``populations/changes.csv line 7``.
        """
        return resolve_inside(self.root, relative, where)


def load_scenario(folder: Path) -> Scenario:
    """Read and check ``folder/scenario.toml`` and the files it names."""
    root = _scenario_root(folder)
    data = _read_toml(root / SCENARIO_FILE)
    _check_format(data)
    program = _validate(data)
    population_files, headers = _check_populations(root, program)
    _check_columns(program, headers)
    evidence_files = _check_evidence(root, program)
    return Scenario(
        root=root,
        program=program,
        population_files=MappingProxyType(population_files),
        evidence_files=MappingProxyType(evidence_files),
        headers=MappingProxyType(headers),
    )


def resolve_inside(root: Path, relative: str, where: str) -> Path:
    """Resolve a path written in the scenario, refusing anything that leaves ``root``.

    Absolute paths, ``..`` parts, and symlinks whose target is outside the
    folder are all refused, so a scenario cannot make mockaudit read
    ``~/.ssh/id_ed25519`` into a vault.
    """
    if not relative.strip():
        raise InputError(f"{where}: empty path")
    shown = _shown(relative, quote=False)
    if "\0" in relative:
        raise InputError(f'{where}: "{shown}" contains a NUL character')
    posix, windows = PurePosixPath(relative), PureWindowsPath(relative)
    if posix.is_absolute() or windows.is_absolute() or windows.drive:
        raise InputError(f'{where}: "{shown}" is absolute; paths must be relative to the folder')
    if ".." in posix.parts or ".." in windows.parts:
        raise InputError(f'{where}: "{shown}" leaves the scenario folder ("..")')
    try:
        target = (root / relative).resolve()
    except (OSError, RuntimeError) as exc:  # a name too long, a symlink loop
        raise InputError(f'{where}: "{shown}" cannot be resolved ({_reason(exc)})') from None
    if not target.is_relative_to(root):
        raise InputError(f'{where}: "{shown}" points outside the scenario folder')
    return target


def _scenario_root(folder: Path) -> Path:
    if not folder.is_dir():
        raise InputError(f"{folder}: not a scenario folder (not a directory)")
    root = folder.resolve()
    if not (root / SCENARIO_FILE).is_file():
        raise InputError(f"{folder}: no {SCENARIO_FILE} in this folder")
    return root


MAX_TOML_BYTES = 16 * 1024 * 1024
"""scenario.toml larger than this is refused before it is read (parsing costs ~10x its size)."""


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_TOML_BYTES + 1)
    except OSError as exc:
        raise InputError(f"{SCENARIO_FILE}: cannot read ({exc.strerror or exc})") from None
    if len(raw) > MAX_TOML_BYTES:
        raise InputError(f"{SCENARIO_FILE}: larger than the {MAX_TOML_BYTES // 2**20} MiB limit")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(f"{SCENARIO_FILE} line {line}: not valid UTF-8") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{SCENARIO_FILE}: invalid TOML: {exc}") from None


def _check_format(data: Mapping[str, Any]) -> None:
    if "format" not in data:
        raise InputError(f'{SCENARIO_FILE}: format: missing key (expected "{SCENARIO_FORMAT}")')
    value = data["format"]
    if value != SCENARIO_FORMAT:
        # Name what was found, never echo it whole: it may be a table of any size.
        got = _shown(value) if isinstance(value, str) else _toml_type(value)
        raise InputError(
            f'{SCENARIO_FILE}: format: {got} is not supported (expected "{SCENARIO_FORMAT}")'
        )


def _validate(data: dict[str, Any]) -> Program:
    try:
        return Program.model_validate(data)
    except ValidationError as exc:
        raise InputError(f"{SCENARIO_FILE}: {describe_error(exc.errors()[0], data)}") from None


def describe_error(error: ErrorDetails, data: Any) -> str:
    """One pydantic error as ``controls[3] (CHG-01).owner: <problem>`` in plain words."""
    ctx = error.get("ctx") or {}
    if error["type"] == REFERENCE_ERROR:
        location, problem = str(ctx["location"]), str(ctx["problem"])
    else:
        location, problem = describe_location(error["loc"], data), _problem(error)
    # Validators quote the value they refuse, and a value can be any length.
    location = _shown(location, quote=False, limit=PROBLEM_CHARS)
    problem = _shown(problem, quote=False, limit=PROBLEM_CHARS)
    return f"{location}: {problem}" if location else problem


def describe_location(loc: Sequence[int | str], data: Any) -> str:
    """Render a pydantic location against the raw data, adding each row's id when it has one."""
    text = ""
    node: Any = data
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
            node = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("id"), str):
                text += f" ({_shown(node['id'], quote=False)})"
        else:
            text += f".{part}" if text else part
            node = node.get(part) if isinstance(node, dict) else None
    return text


_PLAIN = {
    "missing": "missing key",
    "extra_forbidden": "unknown key",
    "tuple_type": "expected an array",
    "list_type": "expected an array",
    "model_type": "expected a table",
    "model_attributes_type": "expected a table",
    "dict_type": "expected a table",
}


def _problem(error: ErrorDetails) -> str:
    kind = error["type"]
    if kind in _PLAIN:
        return _PLAIN[kind]
    if kind in {"value_error", "assertion_error"}:
        return str((error.get("ctx") or {}).get("error", error["msg"]))
    value = error.get("input")
    if kind in {"enum", "literal_error"} and isinstance(value, str) and len(value) <= 60:
        return f'{error["msg"]} (got "{value}")'
    if kind.endswith(("_type", "_parsing")):
        return f"{error['msg']} (got {_toml_type(value)})"
    return str(error["msg"])


def _shown(text: str, *, quote: bool = True, limit: int = 60) -> str:
    """User text inside a message: cut to ``limit`` characters, one line."""
    short = text if len(text) <= limit else text[: limit - 1] + "…"
    return repr(short) if quote else short


def _q(text: str) -> str:
    """An id, column or path the user wrote, as a message shows it (at most 60 characters)."""
    return _shown(text, quote=False)


def _toml_type(value: object) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a float", str: "a string"}
    for kind, name in names.items():
        if type(value) is kind:
            return name
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def _open_table(path: Path, label: str) -> RowTable:
    if path.suffix.lower() == ".json":
        return open_json_rows(path, label)
    return open_csv(path, label)


def _existing_file(root: Path, relative: str, where: str) -> Path:
    path = resolve_inside(root, relative, where)
    kind = _kind(path, relative, where)
    if kind is None:
        raise InputError(f'{where}: "{_shown(relative, quote=False)}" does not exist')
    if kind != "file":
        raise InputError(f'{where}: "{_shown(relative, quote=False)}" is not a file')
    return path


def _kind(path: Path, relative: str, where: str) -> str | None:
    """ "file", "other" or None (missing); InputError if the name cannot even be looked up
    (longer than the file system allows, say)."""
    try:
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        shown = _shown(relative, quote=False)
        raise InputError(f'{where}: "{shown}" cannot be read ({_reason(exc)})') from None
    return "file" if stat.S_ISREG(mode) else "other"


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return "a symbolic link loop" if isinstance(exc, RuntimeError) else type(exc).__name__


def _check_populations(
    root: Path, program: Program
) -> tuple[dict[str, Path], dict[str, tuple[str, ...]]]:
    files: dict[str, Path] = {}
    headers: dict[str, tuple[str, ...]] = {}
    for index, population in enumerate(program.populations):
        where = f"{SCENARIO_FILE}: populations[{index}] ({_q(population.id)})"
        path = _existing_file(root, population.file, f"{where}.file")
        header = tuple(_open_table(path, population.file).header)
        for key in ("key", "date", "evidence_column"):
            column = getattr(population, key)
            if column is not None and column not in header:
                raise InputError(
                    f'{where}.{key}: "{_q(column)}" is not a column of {_q(population.file)}'
                )
        files[population.id] = path
        headers[population.id] = header
    return files, headers


def _check_columns(program: Program, headers: Mapping[str, tuple[str, ...]]) -> None:
    for index, control in enumerate(program.controls):
        if control.population is None:
            continue
        population = program.population(control.population)
        assert population is not None  # Program's validator checked the reference
        header = headers[population.id]
        for a_index, attribute in enumerate(control.attributes):
            for column in attribute.columns:
                if column not in header:
                    raise InputError(
                        f"{SCENARIO_FILE}: controls[{index}] ({_q(control.id)})"
                        f".attributes[{a_index}] ({_q(attribute.id)}): "
                        f'field "{_q(column)}" is not a column of {_q(population.file)}'
                    )
    for index, commitment in enumerate(program.service_commitments):
        measure = commitment.measure
        if measure is not None and measure.column not in headers[measure.population]:
            population = program.population(measure.population)
            assert population is not None
            raise InputError(
                f"{SCENARIO_FILE}: service_commitments[{index}] ({_q(commitment.id)})"
                f'.measure.column: "{_q(measure.column)}" is not a column of '
                f"{_q(population.file)}"
            )
    for index, rec in enumerate(program.reconciliations):
        where = f"{SCENARIO_FILE}: reconciliations[{index}] ({_q(rec.id)})"
        for side in ("left", "right"):
            population = program.population(getattr(rec, side))
            assert population is not None
            for suffix in ("_match", "_date"):
                column = getattr(rec, side + suffix)
                if column not in headers[population.id]:
                    raise InputError(
                        f'{where}.{side}{suffix}: "{_q(column)}" is not a column of '
                        f"{_q(population.file)}"
                    )


def _check_evidence(root: Path, program: Program) -> dict[str, Path]:
    """Evidence paths must stay inside the folder; a missing file is NOT a load error.

    Evidence the program names but nobody can produce is exactly what the audit
    reports (``evidence.missing``, ``control.no_evidence``), so it must load.
    """
    found: dict[str, Path] = {}

    def add(relative: str | None, where: str) -> None:
        if relative is None:
            return
        path = resolve_inside(root, relative, f"{SCENARIO_FILE}: {where}")
        if _kind(path, relative, f"{SCENARIO_FILE}: {where}") == "other":
            shown = _shown(relative, quote=False)
            raise InputError(f'{SCENARIO_FILE}: {where}: "{shown}" is not a file')
        found[relative] = path

    for index, policy in enumerate(program.policies):
        add(policy.file, f"policies[{index}] ({_q(policy.id)}).file")
    for index, population in enumerate(program.populations):
        add(population.count_evidence, f"populations[{index}] ({_q(population.id)}).count_evidence")
    for index, control in enumerate(program.controls):
        for e_index, relative in enumerate(control.evidence):
            add(relative, f"controls[{index}] ({_q(control.id)}).evidence[{e_index}]")
    for index, vendor in enumerate(program.vendors):
        if vendor.review is not None:
            add(vendor.review.file, f"vendors[{index}] ({_q(vendor.id)}).review.file")
    if program.description is not None:
        add(program.description.file, "description.file")
    return found
