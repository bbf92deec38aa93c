"""A vault made by the release before key slots opens and migrates losslessly (issue 20,
acceptance 5). The fixture (tests/vault/data/release-8a742f3, README there) was written by
that release's own code; the test always works on a copy, never on the committed bytes."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from mockaudit.errors import MemberError
from mockaudit.session import Session
from mockaudit.vault import keyfile
from tests.verifier import assert_vault_sound

FIXTURE = Path(__file__).parent / "data" / "release-8a742f3"
PASSPHRASE = "fixture passphrase 8a742f3"  # test fixture only (README beside it)
ITEMS = {
    "EV-000001": "access-review-q3.csv",
    "EV-000002": "mfa-config.txt",
    "EV-000003": "change-ticket-1042.json",
}


@pytest.fixture
def old_vault(tmp_path: Path) -> Path:
    folder = tmp_path / "vault"
    shutil.copytree(FIXTURE / "vault", folder)
    return folder


def _format(folder: Path, name: str = "vault.key") -> str:
    return str(json.loads((folder / name).read_bytes())["format"])


def test_the_fixture_is_what_the_old_release_wrote() -> None:
    assert _format(FIXTURE / "vault") == keyfile.LEGACY_FORMAT
    size = sum(p.stat().st_size for p in FIXTURE.rglob("*") if p.is_file())
    assert size < 200 * 1024


def test_old_release_vault_opens_read_only_without_changing(old_vault: Path) -> None:
    before = {p: p.read_bytes() for p in old_vault.rglob("*") if p.is_file()}
    with Session.open(old_vault, PASSPHRASE, write=False) as s:
        assert [m.label for m in s.members()] == ["Owner (member owner)"]
        assert {i.evidence_id: i.original_name for i in s.list_evidence()} == ITEMS
    after = {
        p: p.read_bytes() for p in old_vault.rglob("*") if p.is_file() and p.name != "vault.lock"
    }
    assert after == {p: b for p, b in before.items() if p.name != "vault.lock"}


def test_old_release_vault_migrates_to_one_owner_slot_losslessly(old_vault: Path) -> None:
    with Session.open(old_vault, PASSPHRASE, write=False) as s:
        tree_before = int(s.facts()["custody_events"])
    with Session.open(old_vault, PASSPHRASE) as s:  # the first writable open migrates
        assert [(m.member_id, m.kind) for m in s.members()] == [("owner", "passphrase")]
        events = s.vault.custody_history("EV-000001")
        report = s.verify(full=True, against=FIXTURE / "checkpoint.txt")
        assert report.ok, report.problems
        assert any("proven against the external checkpoint" in n for n in report.verdict())
    assert _format(old_vault) == keyfile.HEADER_FORMAT
    assert _format(old_vault, "vault.key.bak") == keyfile.HEADER_FORMAT
    header = keyfile.read_header(old_vault)
    assert [s.member_id for s in header.slots] == ["owner"]
    # every item, byte for byte, and the pre-slot custody trail says who it was then
    for ev, name in ITEMS.items():
        data = (FIXTURE / "files" / name).read_bytes()
        state = assert_vault_sound(old_vault, PASSPHRASE, {ev: hashlib.sha256(data).hexdigest()})
    assert len(state.evidence) == 3
    assert events[0].event == "collected" and "member" not in events[0].fields
    assert events[0].collected_line.endswith(f"(before member slots) on {events[0].time_utc[:10]}")
    with Session.open(old_vault, PASSPHRASE, member="owner") as s:
        assert int(s.facts()["custody_events"]) == tree_before + 1
        last = s.vault.conn.execute(
            "SELECT event_type FROM custody ORDER BY seq DESC LIMIT 1"
        ).fetchone()[0]
        assert last == "members_migrated"
        s.add_member("dana", "Dana Lee", "dana's passphrase")  # a team vault from here on
    with Session.open(old_vault, "dana's passphrase", member="dana") as s:
        assert {i.evidence_id for i in s.list_evidence()} == set(ITEMS)


def test_old_release_vault_knows_only_owner(old_vault: Path) -> None:
    with pytest.raises(MemberError, match="no member named 'dana'"):
        Session.open(old_vault, PASSPHRASE, member="dana")
    assert _format(old_vault) == keyfile.LEGACY_FORMAT
