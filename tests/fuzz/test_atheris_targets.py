"""The atheris targets, run without atheris: every seed and a few hostile inputs.

The coverage-guided fuzzer (tests/fuzz/run_atheris.py, ``make fuzz``) needs atheris,
which CI does not install; this keeps its targets and the corpus kept in the repo from
rotting. Each target must accept every seed (a seed that a target rejects as a bug, or
a parser change that makes one crash, fails here) and survive hostile inputs with only
its documented one-line errors. The corpus must also be what ``seeds()`` writes, so a
format change that invalidates the committed seeds is noticed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz.atheris_targets import MAX_LEN, NOTE, TARGETS, seeds

CORPUS = Path(__file__).parent / "corpus"

HOSTILE = [
    b"",
    b"\x00",
    b"\xff\xfe\x00\x00",
    b"\xef\xbb\xbf",
    b"[" * 5000 + b"]" * 5000,
    b"{" * 3000,
    b'"' * 301,
    b"\r\r\n\n\r",
    b"\xed\xa0\x80",  # a UTF-8-encoded lone surrogate
    b"a,b\r\n\r1,2\r\n",
    b"MAVB\x01\x01\x00\x01\x00\x00" + bytes(48),
    NOTE.encode().replace(b"\n\n", b"\n\n\n"),
    ("x" * 700 + "\n").encode(),
    bytes(range(256)),
]


def _corpus(name: str) -> list[Path]:
    return sorted((CORPUS / name).iterdir())


def test_every_target_has_a_seed_corpus() -> None:
    assert set(TARGETS) == set(MAX_LEN) == set(seeds())
    assert {p.name for p in CORPUS.iterdir() if p.is_dir()} == set(TARGETS)
    total = sum(p.stat().st_size for p in CORPUS.rglob("*") if p.is_file())
    assert total < 50_000, f"seed corpus is {total} bytes; keep it small"


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_committed_seeds_match_what_seeds_writes(name: str) -> None:
    expected = seeds()[name]
    assert {p.name: p.read_bytes() for p in _corpus(name)} == expected, (
        "regenerate with: python -m tests.fuzz.run_atheris --write-seeds"
    )


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_target_accepts_its_seeds_and_hostile_inputs(name: str) -> None:
    target = TARGETS[name]
    for path in _corpus(name):
        assert len(path.read_bytes()) <= MAX_LEN[name], path
        target(path.read_bytes())
    for data in HOSTILE:
        if name == "verifier_key" and len(data) > 500:
            continue  # see test_a_long_verifier_key_name_is_not_echoed_whole
        target(data)


def test_a_long_verifier_key_name_is_not_echoed_whole() -> None:
    """Found by these targets' hostile inputs: a key name has no length limit, and every
    "verifier key for <name> ..." message quotes it whole, so a 10,000-character name
    (a pasted file, say) gave a 10,058-character error line; messages now quote 60."""
    TARGETS["verifier_key"](b"[" * 10_000)
