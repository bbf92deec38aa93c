"""Team access (issue 20): a key slot per member, custody that names who did it, removal
that revokes, a recovery kit — and failures that say one line and change no byte.

Acceptance 1: two members add evidence; custody and the package name each correctly;
removing one rotates the master key: their old vault.key copy with their passphrase
opens nothing, and nothing was lost (verifier clean). Acceptance 4: a wrong member name,
a removed member and a wrong recovery code each give one clear line and change no byte.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from mockaudit.errors import (
    IntegrityError,
    MemberError,
    MockauditError,
    WrongPassphraseError,
)
from mockaudit.session import Session
from mockaudit.vault import custody, keyfile
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.faults.program_paths import FIXTURE
from tests.verifier import assert_vault_sound

DANA = "dana passphrase, long enough"
SAM = "sam passphrase, also long"


def tree_hashes(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (the lock file too) by its SHA-256."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def team(vault_dir: Path) -> Path:
    """Owner Lee, members Dana and Sam; a program and a run, so a package can be written."""
    with Session.create(vault_dir, PASSPHRASE, kdf=FAST_KDF, member="lee", display="Lee Chen") as s:
        s.add_member("dana", "Dana Lee", DANA)
        s.add_member("sam", "Sam Roe", SAM)
        s.import_scenario(FIXTURE)
        s.run_audit(seed=1)
    return vault_dir


def _add(folder: Path, member: str, phrase: str, name: str, tmp: Path) -> str:
    path = tmp / name
    path.write_bytes(f"{name} collected by {member}".encode())
    with Session.open(folder, phrase, member=member) as s:
        [done] = s.add_evidence([path], control="CHG-01")
    return done.evidence_id


def test_two_members_add_evidence_and_custody_and_package_name_each(
    team: Path, tmp_path: Path
) -> None:
    dana_ev = _add(team, "dana", DANA, "dana-screenshot.png", tmp_path)
    sam_ev = _add(team, "sam", SAM, "sam-ticket.json", tmp_path)
    with Session.open(team, PASSPHRASE, member="lee") as s:
        dana = s.evidence_detail(dana_ev)
        sam = s.evidence_detail(sam_ev)
        assert dana.collected_by.startswith("collected by Dana Lee (member dana) on 20")
        assert sam.collected_by.startswith("collected by Sam Roe (member sam) on 20")
        collected = next(e for e in dana.history if e.event == "collected")
        assert (collected.fields["member"], collected.fields["member_name"]) == (
            "dana",
            "Dana Lee",
        )
        s.write_package(tmp_path / "package.zip")
        s.export_report(tmp_path / "report.html")
    with zipfile.ZipFile(tmp_path / "package.zip") as z:
        manifest = json.loads(z.read("manifest.json"))
    by_id = {f["evidence_id"]: f for f in manifest["files"]}
    assert by_id[dana_ev]["collected_by"] == dana.collected_by
    assert by_id[sam_ev]["collected_by"] == sam.collected_by
    assert by_id[dana_ev]["custody"][0]["member"] == "dana"
    report = (tmp_path / "report.html").read_text()
    assert "Who Collected the Evidence" in report
    assert "Dana Lee (member dana)" in report and "Sam Roe (member sam)" in report


def test_removed_members_old_vault_key_opens_nothing_and_nothing_is_lost(
    team: Path, tmp_path: Path
) -> None:
    dana_ev = _add(team, "dana", DANA, "before-removal.txt", tmp_path)
    dana_copy = (team / "vault.key").read_bytes()  # what Dana kept
    with Session.open(team, PASSPHRASE, member="lee") as s:
        before = {i.evidence_id: i.sha256 for i in s.list_evidence()}
        epoch = s.remove_member("dana")
        assert [m.member_id for m in s.members() if m.kind == "removed"] == ["dana"]
    after_ev = _add(team, "sam", SAM, "after-removal.txt", tmp_path)
    state = assert_vault_sound(team, PASSPHRASE, before, member="lee")  # verifier clean
    assert dana_ev in state.evidence and after_ev in state.evidence
    assert keyfile.read_header(team).key_epoch == epoch
    # Dana's own copy of the old header, with Dana's passphrase, in a copy of the vault:
    stale = tmp_path / "stale"
    shutil.copytree(team, stale)
    (stale / "vault.key").write_bytes(dana_copy)
    old_vmk = keyfile.unwrap_vmk(keyfile.parse_header(dana_copy), DANA, "dana")
    new_vmk = keyfile.unwrap_vmk(keyfile.read_header(team), SAM, "sam")
    assert old_vmk != new_vmk  # the rotation made a new master key
    with pytest.raises(IntegrityError, match="old copy"):
        Session.open(stale, DANA, member="dana", write=False).close()
    (stale / "vault.key.bak").write_bytes(dana_copy)  # both key files replaced
    with pytest.raises(IntegrityError):
        Session.open(stale, DANA, member="dana").close()
    # and with the current vault.key, Dana has no slot at all
    with pytest.raises(MemberError, match="was removed"):
        Session.open(team, DANA, member="dana").close()
    with Session.open(team, PASSPHRASE, member="lee", write=False) as s:
        events = [
            custody.decode(bytes(p)).fields
            for (p,) in s.vault.conn.execute(
                "SELECT payload FROM custody WHERE event_type IN ('member_removed', 'key_rotated') "
                "ORDER BY seq"
            )
        ]
    assert [(e["event"], e["member"]) for e in events] == [
        ("member_removed", "lee"),
        ("key_rotated", "lee"),
    ]
    assert events[0]["member_id"] == "dana"


def test_unlocking_one_of_twenty_members_runs_one_derivation(
    vault_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session.create(vault_dir, PASSPHRASE, kdf=FAST_KDF) as s:
        for n in range(19):
            s.add_member(f"m{n:02d}", f"Member {n}", f"passphrase of member {n}")
    assert len(keyfile.read_header(vault_dir).members()) == 20
    calls: list[int] = []
    real = keyfile.derive_kek

    def counting(passphrase: str, params: keyfile.KdfParams, salt: bytes) -> bytes:
        calls.append(1)
        return real(passphrase, params, salt)

    monkeypatch.setattr(keyfile, "derive_kek", counting)
    Session.open(vault_dir, "passphrase of member 17", member="m17").close()
    assert len(calls) == 1
    calls.clear()
    with pytest.raises(WrongPassphraseError):
        Session.open(vault_dir, "not m05's passphrase", member="m05")
    assert len(calls) == 1


@pytest.mark.parametrize(
    "attempt",
    ["wrong member name", "removed member", "wrong recovery code", "wrong member passphrase"],
)
def test_failed_unlocks_say_one_line_and_change_no_byte(
    attempt: str, team: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Session.open(team, PASSPHRASE, member="lee") as s:
        s.write_recovery_kit(tmp_path / "kit.html")
        s.remove_member("sam")
    before = tree_hashes(team)
    with pytest.raises(MockauditError) as caught:
        if attempt == "wrong member name":
            Session.open(team, PASSPHRASE, member="lea")
        elif attempt == "removed member":
            Session.open(team, SAM, member="sam")
        elif attempt == "wrong recovery code":
            Session.open(
                team, "AAAAA-BBBBB-CCCCC-DDDDD-EEEEE-FFFFF", recovery=True, setting_passphrase=True
            )
        else:
            Session.open(team, DANA + "x", member="dana")
    message = caught.value.message
    assert "\n" not in message and len(message) < 200
    assert caught.value.exit_code == 3
    for secret in (PASSPHRASE, SAM, DANA):
        assert secret not in message
    expected = {
        "wrong member name": "no member named 'lea'",
        "removed member": "member 'sam' was removed",
        "wrong recovery code": "wrong recovery code",
        "wrong member passphrase": "wrong passphrase for member 'dana'",
    }[attempt]
    assert expected in message
    assert tree_hashes(team) == before, "a failed unlock changed the vault folder"


def test_recovery_code_sets_a_forgotten_passphrase_and_opens_nothing_else(
    team: Path, tmp_path: Path
) -> None:
    with Session.open(team, PASSPHRASE, member="lee") as s:
        code = s.write_recovery_kit(tmp_path / "kit.html")
    page = (tmp_path / "kit.html").read_text()
    assert code in page and keyfile.read_header(team).vault_id in page
    assert code not in (team / "vault.key").read_text()  # never stored in plain
    typed = code.lower().replace("-", " ")  # case, spaces and dashes do not matter
    with pytest.raises(MemberError, match="only sets a new passphrase"):
        Session.open(team, typed, recovery=True)
    with Session.open(team, typed, recovery=True, setting_passphrase=True) as s:
        assert s.me().kind == "recovery"
        with pytest.raises(MockauditError):
            s.add_member("eve", "Eve", "eve's passphrase")  # a code sets passphrases only
        s.set_member_passphrase("lee's new passphrase", "lee")
    with pytest.raises(WrongPassphraseError):
        Session.open(team, PASSPHRASE, member="lee")
    with Session.open(team, "lee's new passphrase", member="lee", write=False) as s:
        last = custody.decode(
            bytes(
                s.vault.conn.execute(
                    "SELECT payload FROM custody ORDER BY seq DESC LIMIT 1"
                ).fetchone()[0]
            )
        )
    assert (last.event, last.fields["member_id"], last.fields["via"]) == (
        "passphrase_changed",
        "lee",
        "recovery kit",
    )


def test_enrolment_code_only_lets_the_new_member_choose_a_passphrase(team: Path) -> None:
    with Session.open(team, PASSPHRASE, member="lee") as s:
        code = s.add_member("kim", "Kim Park", None)
    assert code is not None
    with pytest.raises(MemberError, match="must choose a passphrase first"):
        Session.open(team, code, member="kim")
    with Session.open(team, code, member="kim", setting_passphrase=True) as s:
        s.set_member_passphrase("kim's own passphrase")
    with pytest.raises(WrongPassphraseError):
        Session.open(team, code, member="kim", setting_passphrase=True)
    with Session.open(team, "kim's own passphrase", member="kim") as s:
        assert s.me().label == "Kim Park (member kim)"


def test_member_is_remembered_per_vault_and_env_overrides(
    team: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Session.open(team, DANA, member="dana").close()
    Session.open(team, DANA).close()  # remembered: no --member needed
    monkeypatch.setenv("MOCKAUDIT_MEMBER", "sam")
    with Session.open(team, SAM) as s:
        assert s.me().member_id == "sam"


def test_a_multi_member_vault_asks_who_without_a_member(
    team: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOCKAUDIT_HOME", str(tmp_path / "another-user"))  # nothing remembered
    before = tree_hashes(team)
    with pytest.raises(MemberError, match="has 3 members .*--member NAME"):
        Session.open(team, PASSPHRASE)
    assert tree_hashes(team) == before
