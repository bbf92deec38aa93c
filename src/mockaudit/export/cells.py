"""Cell text for spreadsheets (CSV and XLSX): formula injection neutralised, UTF-8 intact.

Finding titles, owners, item keys and request descriptions come from files a
user (or an attacker who can edit a population export) wrote. A spreadsheet
opening an export treats a cell that starts with ``=``, ``+``, ``-`` or ``@``
as a formula (``=HYPERLINK(...)``, DDE payloads), and a leading tab or carriage
return can hide such a trigger. The OWASP "CSV Injection" guidance (and ASVS
5.0 requirement 1.2.10) says: prefix such a cell with a single quote so it is
shown as text, and quote every CSV field per RFC 4180 — the writers use
``csv.QUOTE_ALL`` for the second half.

Treatment here, applied to text cells only (numbers and booleans are written
as typed values and never pass through this module):

* a cell whose first character is one of ``= + - @``, tab, CR, LF, NUL or
  their full-width forms ``＝ ＋ － ＠`` (some spreadsheet locales evaluate
  those too) gets one leading ``'``;
* a cell that already starts with ``'`` followed (after any run of ``'``) by
  such a trigger gets one more ``'``, so ``restore`` is an exact inverse and a
  reader can recover the original text;
* everything else, including every non-ASCII character, is left untouched.

List fields (criteria, items, evidence ids) are ``;``-joined in one cell, and the
cell is neutralised once, as a whole (``list_cell``): a quote before every element
would change the keys themselves (``'+3`` is no longer the population's ``+3``).
CSV fields are quoted per RFC 4180, so a reader that splits on ``;`` still sees
one field that starts with the quote. ``list_values`` reverses it. An element
that itself contains ``;`` cannot be told apart after the join: the findings
JSON is the lossless format.

XLSX needs no quote at all: the workbook writers store every text as a string
cell (shared string, ``t="s"``), which Excel and LibreOffice show as text and
never evaluate, so ``=1+2`` in the data is ``=1+2`` in the cell, exactly as in
the JSON. What XLSX cannot store is most C0 control characters (the XML forbids
them): ``xlsx_text`` replaces those with U+FFFD and writes every line break as
LF (XML readers turn a stored CR into LF anyway, so saying so up front keeps
what is written equal to what is read back). Tab and LF are kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

QUOTE = "'"
TRIGGERS = frozenset("=+-@\t\r\n\x00\uff1d\uff0b\uff0d\uff20")
LIST_SEPARATOR = ";"

# The characters XML 1.0 forbids (openpyxl raises IllegalCharacterError on them).
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_REPLACEMENT = "\ufffd"
_CR = re.compile(r"\r\n?")


def needs_quote(text: str) -> bool:
    """True when a spreadsheet could read ``text`` as a formula, or ``restore`` would
    mistake a leading quote of the original text for the one ``neutralise`` adds."""
    return text.lstrip(QUOTE)[:1] in TRIGGERS


def neutralise(text: str) -> str:
    """``text`` made inert for a spreadsheet: one leading ``'`` where it is needed."""
    return QUOTE + text if needs_quote(text) else text


def restore(text: str) -> str:
    """The inverse of ``neutralise``: the original text of a cell read back."""
    if text.startswith(QUOTE) and needs_quote(text[1:]):
        return text[1:]
    return text


def xml_safe(text: str) -> str:
    """``text`` with line breaks as LF and the control characters XML cannot hold as U+FFFD."""
    return _XML_ILLEGAL.sub(_REPLACEMENT, _CR.sub("\n", text))


def xlsx_text(text: str) -> str:
    """A text cell for XLSX (written as a string cell, so inert): XML-safe, nothing added."""
    return xml_safe(text)


def joined(values: Iterable[str]) -> str:
    """A list field (criteria, items, evidence ids) as the text ``a;b;c``, unchanged."""
    return LIST_SEPARATOR.join(values)


def list_cell(values: Iterable[str]) -> str:
    """A list field as one CSV cell ``a;b;c``, neutralised once as a whole."""
    return neutralise(joined(values))


def list_values(cell: str) -> tuple[str, ...]:
    """The inverse of ``list_cell`` (an empty cell is an empty list)."""
    text = restore(cell)
    return tuple(text.split(LIST_SEPARATOR)) if text else ()


def optional(value: str | None) -> str:
    """None as an empty cell."""
    return "" if value is None else value
