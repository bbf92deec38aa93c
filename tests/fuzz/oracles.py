"""What the standard library reads from the same bytes: the fuzzers' oracles.

Shared by the hypothesis fuzzers (test_fuzz_tables.py) and the atheris targets
(atheris_targets.py), so both judge a reader against the same definition.
"""

from __future__ import annotations

import csv
import io
import json


def csv_oracle(data: bytes, delimiter: str) -> list[list[str]] | None:
    """What Python's csv module reads (blank rows skipped), or None if it cannot."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if "\x00" in text:
        return None
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error:
        return None
    return [r for r in rows if r and not (len(r) == 1 and not r[0].strip())]


def json_oracle(data: bytes) -> list[dict[str, str]] | None:
    """The table ``json.loads`` of the whole text gives, or None if it is not one."""
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
        if "\x00" in text:
            return None
        doc = json.loads(
            text,
            object_pairs_hook=lambda pairs: ("obj", pairs),
            parse_int=str,
            parse_float=str,
            parse_constant=str,
        )
    except (ValueError, RecursionError):
        return None
    if not isinstance(doc, list):
        return None
    rows = []
    for element in doc:
        if not (isinstance(element, tuple) and element[0] == "obj"):
            return None
        pairs = element[1]
        keys = [k for k, _ in pairs]
        if len(set(keys)) != len(keys) or any(not k.strip() for k in keys):
            return None
        row = {}
        for key, value in pairs:
            if isinstance(value, list | tuple):
                return None
            row[key] = (
                ""
                if value is None
                else ("true" if value is True else "false" if value is False else str(value))
            )
        rows.append(row)
    return rows
