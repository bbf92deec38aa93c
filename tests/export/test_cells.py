"""Cell sanitising: no spreadsheet cell can start a formula, and nothing else changes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockaudit.export.cells import (
    TRIGGERS,
    list_cell,
    list_values,
    neutralise,
    restore,
    xlsx_text,
)


@pytest.mark.parametrize(
    ("raw", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\uff1d1+1", "'\uff1d1+1"),
        ("'=x", "''=x"),  # a user's own leading quote survives the round trip
        ("'plain", "'plain"),
        ("plain = text", "plain = text"),
        ("Zoë — 日本語 🚀", "Zoë — 日本語 🚀"),
        ("", ""),
    ],
)
def test_neutralise_examples(raw: str, cell: str) -> None:
    assert neutralise(raw) == cell
    assert restore(cell) == raw


@given(st.text())
def test_neutralised_text_never_starts_a_formula_and_restores(raw: str) -> None:
    cell = neutralise(raw)
    assert cell[:1] not in TRIGGERS
    assert restore(cell) == raw
    assert cell in (raw, "'" + raw)  # at most one quote added, nothing else touched


@given(st.lists(st.text().filter(lambda s: ";" not in s)))
def test_list_cells_round_trip_and_are_neutralised_once(values: list[str]) -> None:
    cell = list_cell(values)
    assert list_values(cell) == tuple(values) or (values == [""] and cell == "")
    assert cell[:1] not in TRIGGERS
    joined_text = ";".join(values)
    assert cell in (joined_text, "'" + joined_text)  # one quote for the cell, none per element


def test_list_cell_keeps_the_keys_of_the_population() -> None:
    # Before: every element got its own quote ('@SUM(1);'+3), so keys no longer matched.
    assert list_cell(["@SUM(1)", "+3", "plain"]) == "'@SUM(1);+3;plain"
    assert list_cell(["plain", "=1+2"]) == "plain;=1+2"  # only the cell's start can trigger
    assert list_values("'@SUM(1);+3;plain") == ("@SUM(1)", "+3", "plain")


def test_xlsx_text_drops_xml_illegal_characters_but_adds_nothing() -> None:
    assert xlsx_text("a\x00b\x1bc\td\ne") == "a\ufffdb\ufffdc\td\ne"
    assert xlsx_text("\x00=1") == "\ufffd=1"
    assert xlsx_text("=1\x07") == "=1\ufffd"  # a string cell is inert: no quote added
    assert xlsx_text("=1+2") == "=1+2"
    assert xlsx_text("\r=1\r\nx") == "\n=1\nx"  # CR cannot survive XML: written as LF
