"""``mockaudit member …`` and ``vault recovery-kit`` from the command line (issue 20):
the whole team flow, and the failures a person meets — one line on stderr, exit 3, and
not one byte of the vault folder changed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import FAST_KDF_ARGS, PASSPHRASE
from tests.vault.test_members import tree_hashes

DANA = "dana's passphrase for the cli"


@pytest.fixture
def team(run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    vault = tmp_path / "vault"
    monkeypatch.setenv("MOCKAUDIT_PASSPHRASE", PASSPHRASE)
    r = run_cli(
        "init", "--vault", vault, "--member", "lee", "--display", "Lee Chen", *FAST_KDF_ARGS
    )
    assert r.code == 0, r.err
    assert "first member: Lee Chen (member lee)" in r.out
    monkeypatch.setenv("MOCKAUDIT_NEW_PASSPHRASE", DANA)
    r = run_cli("member", "add", "dana", "--display", "Dana Lee", "--vault", vault)
    assert r.code == 0, r.err
    monkeypatch.delenv("MOCKAUDIT_NEW_PASSPHRASE")
    return vault


def test_team_flow_names_who_collected_and_recovers_a_lost_passphrase(
    run_cli, team: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shot = tmp_path / "screenshot.png"
    shot.write_bytes(b"\x89PNG not really")
    monkeypatch.setenv("MOCKAUDIT_PASSPHRASE", DANA)
    r = run_cli("evidence", "add", shot, "--vault", team, "--member", "dana")
    assert r.code == 0, r.err
    r = run_cli("evidence", "show", "EV-000001", "--vault", team)  # dana remembered
    assert r.code == 0, r.err
    assert re.search(r"provenance: +collected by Dana Lee \(member dana\) on 20\d\d-", r.out)
    monkeypatch.setenv("MOCKAUDIT_PASSPHRASE", PASSPHRASE)
    r = run_cli("member", "list", "--vault", team, "--member", "lee")
    assert r.code == 0, r.err
    assert re.search(r"^lee +Lee Chen +member .*\(you\)$", r.out, re.M)
    assert re.search(r"^dana +Dana Lee +member", r.out, re.M)
    r = run_cli("vault", "recovery-kit", "--out", tmp_path / "kit.html", "--vault", team)
    assert r.code == 0, r.err
    code = r.out.split("recovery code (shown once): ")[1].strip()
    assert code in (tmp_path / "kit.html").read_text()
    monkeypatch.delenv("MOCKAUDIT_PASSPHRASE")
    monkeypatch.setenv("MOCKAUDIT_RECOVERY_CODE", code.lower())
    monkeypatch.setenv("MOCKAUDIT_NEW_PASSPHRASE", "lee's new passphrase")
    r = run_cli("member", "passwd", "--recovery", "--member", "lee", "--vault", team)
    assert r.code == 0, r.err
    assert "passphrase of Lee Chen (member lee) set" in r.out
    monkeypatch.setenv("MOCKAUDIT_PASSPHRASE", "lee's new passphrase")
    r = run_cli("member", "remove", "dana", "--yes", "--vault", team, "--member", "lee")
    assert r.code == 0, r.err
    assert "master key rotated" in r.out


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["--member", "dnaa"], {"MOCKAUDIT_PASSPHRASE": DANA}, "no member named 'dnaa'"),
        (["--member", "dana"], {"MOCKAUDIT_PASSPHRASE": "wrong"}, "wrong passphrase for member"),
        # dana's passphrase, but lee is the member remembered from adding dana: say so
        (
            [],
            {"MOCKAUDIT_PASSPHRASE": DANA},
            "wrong passphrase for member 'lee' (member 'lee' is whom you last unlocked this "
            "vault as; --member NAME picks another)",
        ),
        (
            [],
            {"MOCKAUDIT_PASSPHRASE": PASSPHRASE, "MOCKAUDIT_MEMBER": "dana"},
            "(member 'dana' from $MOCKAUDIT_MEMBER; --member NAME picks another)",
        ),
    ],
)
def test_wrong_member_or_passphrase_is_one_line_exit_3_no_byte_changed(
    run_cli,
    team: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    env: dict[str, str],
    expected: str,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    before = tree_hashes(team)
    r = run_cli("evidence", "list", "--vault", team, *args)
    assert r.code == 3
    assert r.err.count("\n") == 1 and r.err.startswith("error: ") and expected in r.err
    assert DANA not in r.err and "Traceback" not in r.err
    assert tree_hashes(team) == before


def test_wrong_recovery_code_and_removed_member_change_no_byte(
    run_cli, team: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_cli(
        "vault", "recovery-kit", "--out", tmp_path / "kit.html", "--vault", team, "--member", "lee"
    )
    run_cli("member", "remove", "dana", "--yes", "--vault", team, "--member", "lee")
    before = tree_hashes(team)
    monkeypatch.setenv("MOCKAUDIT_RECOVERY_CODE", "00000-00000-00000-00000-00000-00000")
    monkeypatch.setenv("MOCKAUDIT_NEW_PASSPHRASE", "never used")
    r = run_cli("member", "passwd", "--recovery", "--member", "lee", "--vault", team)
    assert (r.code, r.err) == (3, "error: wrong recovery code\n")
    monkeypatch.setenv("MOCKAUDIT_PASSPHRASE", DANA)
    r = run_cli("evidence", "list", "--vault", team, "--member", "dana")
    assert r.code == 3 and "member 'dana' was removed from this vault on" in r.err
    assert r.err.count("\n") == 1
    assert tree_hashes(team) == before
