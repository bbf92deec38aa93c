"""Evidence in and out of the vault: byte-identical, deduplicated, with custody."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mockaudit.errors import InputError
from mockaudit.session import Session

SIZES = [0, 1, 65535, 65536, 65537, 10 * 1024 * 1024]


@pytest.mark.parametrize("size", SIZES)
def test_round_trip_is_byte_identical(session: Session, tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    src = tmp_path / f"evidence-{size}.bin"
    src.write_bytes(data)
    [added] = session.add_evidence([src], control="CHG-01")
    assert added.size == size
    out = session.export_evidence([added.evidence_id], tmp_path / "out")
    assert len(out) == 1
    assert out[0].read_bytes() == data
    assert out[0].parent == tmp_path / "out"


def test_same_content_is_stored_once_with_two_custody_events(
    session: Session, tmp_path: Path
) -> None:
    a = tmp_path / "a.txt"
    b = tmp_path / "b.txt"
    a.write_text("the same bytes")
    b.write_text("the same bytes")
    first = session.add_evidence([a])[0]
    second = session.add_evidence([b], control="IAM-01")[0]
    assert second.evidence_id == first.evidence_id
    assert second.deduplicated and not first.deduplicated
    assert len(list(session.vault.blobs.iter_files())) == 1
    history = session.evidence_detail(first.evidence_id).history
    assert [e.event for e in history] == ["collected", "collected"]
    assert [e.fields["original_name"] for e in history] == ["a.txt", "b.txt"]
    links = session.evidence_detail(first.evidence_id).info.links
    assert [link.control_id for link in links] == ["IAM-01"]


def test_custody_event_carries_provenance(session: Session, tmp_path: Path) -> None:
    src = tmp_path / "policy.pdf"
    src.write_bytes(b"%PDF-1.4 policy")
    added = session.add_evidence([src], control="GOV-01")[0]
    [event] = session.evidence_detail(added.evidence_id).history
    fields = event.fields
    assert fields["sha256"] == added.sha256
    assert fields["size"] == len(b"%PDF-1.4 policy")
    assert fields["original_name"] == "policy.pdf"
    assert fields["media_type"] == "application/pdf"
    assert fields["time_utc"].endswith("+00:00")
    for key in ("collector", "host", "tools", "tz_offset"):
        assert fields[key]
    assert fields["tools"]["mockaudit"]


def test_blob_files_are_named_randomly_not_by_content_hash(
    session: Session, tmp_path: Path
) -> None:
    src = tmp_path / "x.txt"
    src.write_text("hello")
    added = session.add_evidence([src])[0]
    names = [p.name for p in session.vault.blobs.iter_files()]
    assert names and added.sha256 not in names and all(len(n) == 32 for n in names)


def test_list_filters_by_control_and_search(session: Session, tmp_path: Path) -> None:
    for name, control in [("review-q1.csv", "IAM-04"), ("backup.log", "AVL-02")]:
        (tmp_path / name).write_text(name)
        session.add_evidence([tmp_path / name], control=control)
    assert [i.original_name for i in session.list_evidence(control="IAM-04")] == ["review-q1.csv"]
    assert [i.original_name for i in session.list_evidence(search="backup")] == ["backup.log"]
    assert len(session.list_evidence()) == 2


def test_missing_file_is_a_clear_error_and_adds_nothing(session: Session, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        session.add_evidence([tmp_path / "nope.pdf"])
    assert session.list_evidence() == []


def test_population_and_item_go_together(session: Session, tmp_path: Path) -> None:
    (tmp_path / "x").write_text("x")
    with pytest.raises(InputError, match="go together"):
        session.add_evidence([tmp_path / "x"], population="changes")


def test_unknown_evidence_id_is_a_clear_error(session: Session) -> None:
    with pytest.raises(InputError, match="no evidence with id EV-999999"):
        session.evidence_detail("EV-999999")


def test_reopen_keeps_everything(vault_dir: Path, session: Session, tmp_path: Path) -> None:
    from tests.conftest import PASSPHRASE

    (tmp_path / "keep.txt").write_text("keep me")
    added = session.add_evidence([tmp_path / "keep.txt"])[0]
    session.close()
    with Session.open(vault_dir, PASSPHRASE) as again:
        [info] = again.list_evidence()
        assert info.evidence_id == added.evidence_id
        assert b"".join(again.vault.read_chunks(info.evidence_id)) == b"keep me"
