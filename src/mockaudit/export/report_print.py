"""What the mock report needs to print cleanly: whole IDs and dates, a page footer, a paper size.

* IDs and dates (``CHG-01``, ``F-0007``, ``2025-01-18``, ``ledger-api#1847``) are
  kept on one line, and so are written dates (``June 30, 2026``): browsers may break
  a line after any hyphen or space, and a narrow table
  column turned them into ``CHG-`` / ``01``. ``keep_whole`` wraps each such token in
  ``<span class="nw">`` (``white-space: nowrap`` in the stylesheet), so the text itself
  is unchanged: it still searches, copies and reads as the ID.
* The footer is an ``@page`` margin box (``page_css``): it lives in the page margin,
  which the body never enters, so no body text can be printed under it; it says
  what the document is not and "page n of m".
* ``page_css`` also fixes the paper size when one is asked for (the PDF export);
  without one the browser prints on the reader's paper.
"""

from __future__ import annotations

import re

PAPER_SIZES = {"a4": "A4", "letter": "letter"}

_TAG = re.compile(r"(<[^>]*>)")
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_TOKEN = re.compile(
    rf"(?:{_MONTHS}) \d{{1,2}}, \d{{4}}"  # a written date: "June 30, 2026"
    r"|[A-Za-z0-9][A-Za-z0-9_.#:]*(?:-[A-Za-z0-9_.#:]+)+"  # CHG-01, 2026-06-30, F-0007
)
_CAPITALS = re.compile(r"[A-Z]{2,}")
_INNER_ID = re.compile(r"\d{4}-\d{2}-\d{2}|[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*-\d[A-Za-z0-9]*")
_VERBATIM = ("svg", "pre", "style", "script", "title")  # text there is not laid out as prose
_MAX_TOKEN = 48  # longer runs (hashes, paths) may still wrap rather than overflow a column


def keep_whole(html: str) -> str:
    """``html`` with every ID- or date-like token in its text wrapped in a no-wrap span."""
    parts = _TAG.split(html)
    verbatim = 0
    for index, part in enumerate(parts):
        if index % 2:  # a tag
            verbatim += _depth_change(part)
        elif part and verbatim <= 0:
            parts[index] = _TOKEN.sub(_wrap, part)
    return "".join(parts)


def _depth_change(tag: str) -> int:
    name = tag.strip("</>").split(None, 1)[0].lower() if tag.strip("</>") else ""
    if name not in _VERBATIM or tag.endswith("/>"):
        return 0
    return -1 if tag.startswith("</") else 1


def _wrap(match: re.Match[str]) -> str:
    token = match.group(0)
    if not is_identifier(token):
        return token
    if len(token) > _MAX_TOKEN:  # e.g. a file name: keep only the IDs and dates in it whole
        return _INNER_ID.sub(_span, token)
    return f'<span class="nw">{token}</span>'


def _span(match: re.Match[str]) -> str:
    return f'<span class="nw">{match.group(0)}</span>'


def is_identifier(token: str) -> bool:
    """An ID or a date, not a hyphenated word: it holds a digit, or starts in capitals."""
    return any(ch.isdigit() for ch in token) or bool(_CAPITALS.match(token))


def page_css(footer: str, paper: str | None = None) -> str:
    """The ``@page`` rules: ``footer`` and the page count in the bottom margin, and the
    paper size when ``paper`` (a key of ``PAPER_SIZES``) is given."""
    size = f"size: {PAPER_SIZES[paper]}; " if paper else ""
    return (
        f"@page {{ {size}margin: 14mm 12mm 20mm; "
        "@bottom-center { content: "
        f'{css_string(footer)} "  \\2014  page " counter(page) " of " counter(pages); '
        "font: bold 7.5pt Helvetica, Arial, sans-serif; color: #b42318; "
        "border-top: 1px solid #b42318; vertical-align: top; padding-top: 2mm; } }"
    )


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string that cannot end the string or the style element."""
    escaped = []
    for ch in " ".join(text.split()):
        if ch in '"\\<>&' or ord(ch) < 0x20 or ord(ch) == 0x7F:
            escaped.append(f"\\{ord(ch):x} ")
        else:
            escaped.append(ch)
    return '"' + "".join(escaped) + '"'
