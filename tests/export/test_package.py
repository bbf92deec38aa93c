"""Evidence packages: complete, verifiable, tamper-evident, and never escaping their folder."""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from mockaudit.domain.evidence import Link
from mockaudit.domain.run import Run
from mockaudit.errors import InputError, IntegrityError
from mockaudit.export.package_format import CHECKPOINT, MANIFEST, META_FILES, PROOF, VERIFIER_KEY
from mockaudit.services.package import PackageReport, verify_package, write_package
from mockaudit.session import Session
from tests.conftest import FAST_KDF, PASSPHRASE, CliResult

PACK = Path(__file__).parents[2] / "scenarios" / "northwind-first-type2"
HOSTILE_NAMES = ["../../x", "/etc/passwd", "a\x00b.txt", "..", "C:\\win\\evil.bat", "CON.txt"]


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Session, Run]]:
    folder = tmp_path_factory.mktemp("package") / "vault"
    s = Session.create(folder, PASSPHRASE, kdf=FAST_KDF)
    try:
        s.import_scenario(PACK)
        for name in HOSTILE_NAMES:
            s.vault.add_stream(
                io.BytesIO(f"hostile {name!r}".encode()), name, link=Link(control_id="../../ctl")
            )
        yield s, s.run_audit(seed=7, as_of=date(2026, 7, 15))
    finally:
        s.close()


@pytest.fixture(scope="module")
def package(
    audited: tuple[Session, Run], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, PackageReport]:
    s, run = audited
    out = tmp_path_factory.mktemp("out") / "evidence.zip"
    return out, write_package(s.vault, run, out)


def rewrite(src: Path, dst: Path, change: Callable[[str, bytes], bytes | None]) -> None:
    """Copy a ZIP member by member; ``change`` returns new bytes, or None to drop a member."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info))
            if data is not None:
                zout.writestr(info, data)


def manifest_of(path: Path) -> dict:
    with zipfile.ZipFile(path) as zf:
        return json.loads(zf.read(MANIFEST))


def test_a_fresh_package_verifies(package: tuple[Path, PackageReport]) -> None:
    path, report = package
    check = verify_package(path)
    assert check.ok, [str(p) for p in check.problems]
    assert check.files_checked == report.files == len(manifest_of(path)["files"])
    assert check.checkpoint is not None


def test_package_holds_each_requested_file_decrypted_with_its_custody(
    audited: tuple[Session, Run], package: tuple[Path, PackageReport]
) -> None:
    s, run = audited
    path, report = package
    manifest = manifest_of(path)
    found = {ev for r in run.requests for ev in r.found}
    packaged = {f["evidence_id"] for f in manifest["files"]}
    assert found <= packaged
    with zipfile.ZipFile(path) as zf:
        for entry in manifest["files"]:
            data = zf.read(entry["path"])
            expected = b"".join(s.vault.read_chunks(entry["evidence_id"]))
            assert data == expected
            assert entry["sha256"] == hashlib.sha256(data).hexdigest()
            assert entry["custody"][0]["event"] in {"imported", "collected"}
            if entry["request"] and entry["control"]:
                assert entry["path"].startswith(f"evidence/controls/{entry['control']}/")
    with zipfile.ZipFile(path) as zf:
        note = zf.read(CHECKPOINT).decode("utf-8")
    assert note == report.checkpoint
    stored = s.vault.conn.execute("SELECT count(*) FROM checkpoints WHERE note = ?", (note,))
    assert stored.fetchone()[0] == 1
    kept = path.parent / "kept-checkpoint.txt"
    kept.write_text(note, encoding="utf-8")
    assert s.verify(against=kept).ok  # the vault still extends the packaged checkpoint


def test_each_packaged_file_has_an_exported_custody_event(
    audited: tuple[Session, Run], package: tuple[Path, PackageReport]
) -> None:
    s, _ = audited
    path, report = package
    for entry in manifest_of(path)["files"]:
        events = s.vault.custody_history(entry["evidence_id"])
        exported = [
            e.fields
            for e in events
            if e.event == "exported" and e.fields["destination"] == f"{path.name}:{entry['path']}"
        ]
        assert len(exported) == 1
        assert exported[0]["package_manifest_sha256"] == report.manifest_sha256


def test_tampering_with_one_evidence_file_names_it(
    package: tuple[Path, PackageReport], tmp_path: Path
) -> None:
    path, _ = package
    victim = manifest_of(path)["files"][3]["path"]
    bad = tmp_path / "bad.zip"
    rewrite(path, bad, lambda name, data: data + b"!" if name == victim else data)
    check = verify_package(bad)
    assert [p.file for p in check.problems] == [victim]
    assert check.first_bad_file == victim


@pytest.mark.parametrize("field", ["original_name", "sha256"])
def test_tampering_with_the_manifest_names_it(
    package: tuple[Path, PackageReport], tmp_path: Path, field: str
) -> None:
    path, _ = package

    def edit(name: str, data: bytes) -> bytes:
        if name != MANIFEST:
            return data
        doc = json.loads(data)
        doc["files"][0][field] = "0" * 64
        return json.dumps(doc, indent=2).encode()

    bad = tmp_path / "bad.zip"
    rewrite(path, bad, edit)
    check = verify_package(bad)
    assert check.first_bad_file == MANIFEST


def test_a_file_swapped_together_with_its_manifest_hash_is_still_caught(
    package: tuple[Path, PackageReport], tmp_path: Path
) -> None:
    path, _ = package
    victim = manifest_of(path)["files"][0]["path"]
    forged = b"forged evidence"

    def edit(name: str, data: bytes) -> bytes:
        if name == victim:
            return forged
        if name == MANIFEST:
            doc = json.loads(data)
            doc["files"][0].update(sha256=hashlib.sha256(forged).hexdigest(), size=len(forged))
            return json.dumps(doc, indent=2).encode()
        return data

    bad = tmp_path / "bad.zip"
    rewrite(path, bad, edit)
    check = verify_package(bad)
    # The manifest no longer matches the signed log, and (issue 15) the file no longer
    # matches the custody event that collected it, proven in that log.
    assert [p.file for p in check.problems] == [MANIFEST, victim]
    assert "differs from what custody event #" in check.problems[1].problem


def _bump_tree_size(note: bytes) -> bytes:
    lines = note.split(b"\n")
    lines[1] = str(int(lines[1]) + 1).encode()
    return b"\n".join(lines)


@pytest.mark.parametrize(
    ("member", "change"),
    [
        (CHECKPOINT, _bump_tree_size),
        (CHECKPOINT, lambda d: d[:-10] + b"AAAAAAAAA\n"),
        (VERIFIER_KEY, lambda d: d[:-6] + b"AAAAA\n"),
        (PROOF, lambda d: d.replace(b'"index": ', b'"index": 1')),
    ],
)
def test_tampering_with_the_checkpoint_key_or_proof_names_it(
    package: tuple[Path, PackageReport],
    tmp_path: Path,
    member: str,
    change: Callable[[bytes], bytes],
) -> None:
    path, _ = package
    bad = tmp_path / "bad.zip"
    rewrite(path, bad, lambda name, data: change(data) if name == member else data)
    check = verify_package(bad)
    assert check.first_bad_file == member, [str(p) for p in check.problems]


def test_missing_and_extra_members_are_named(
    package: tuple[Path, PackageReport], tmp_path: Path
) -> None:
    path, _ = package
    gone = manifest_of(path)["files"][1]["path"]
    bad = tmp_path / "bad.zip"
    rewrite(path, bad, lambda name, data: None if name == gone else data)
    with zipfile.ZipFile(bad, "a") as zf:
        zf.writestr("evidence/extra.txt", b"slipped in")
    problems = {p.file: p.problem for p in verify_package(bad).problems}
    assert "missing" in problems[gone]
    assert "not listed" in problems["evidence/extra.txt"]


def test_hostile_original_names_never_escape_the_package_folders(
    package: tuple[Path, PackageReport], tmp_path: Path
) -> None:
    path, _ = package
    manifest = manifest_of(path)
    originals = {f["original_name"] for f in manifest["files"]}
    assert set(HOSTILE_NAMES) <= originals  # packaged, with the original name kept verbatim
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        for name in names:
            parts = name.split("/")
            assert name in META_FILES or parts[0] == "evidence"
            assert not name.startswith("/") and "\\" not in name and "\x00" not in name
            assert all(part not in ("", ".", "..") for part in parts)
            assert ":" not in name
        hostile = [f["path"] for f in manifest["files"] if f["original_name"] in HOSTILE_NAMES]
        assert all(p.startswith("evidence/controls/ctl/linked/EV-") for p in hostile)
        target = tmp_path / "unzipped"
        zf.extractall(target)
    inside = [p.resolve() for p in target.rglob("*")]
    assert all(p.is_relative_to(target.resolve()) for p in inside)
    assert sorted(os.listdir(tmp_path)) == ["unzipped"]


def test_the_writer_refuses_a_symlinked_target_and_keeps_what_it_points_to(
    audited: tuple[Session, Run], tmp_path: Path
) -> None:
    s, run = audited
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    link = tmp_path / "evidence.zip"
    link.symlink_to(victim)
    with pytest.raises(InputError, match="symbolic link"):
        write_package(s.vault, run, link)
    assert victim.read_text() == "keep me" and link.is_symlink()
    with pytest.raises(InputError, match="does not exist"):
        write_package(s.vault, run, tmp_path / "no-such-dir" / "p.zip")


def test_a_failure_mid_write_leaves_no_file_no_temp_and_no_export_event(
    audited: tuple[Session, Run], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s, run = audited
    before = s.vault.tree_size()
    real = s.vault.read_chunks
    calls = {"n": 0}

    def failing(evidence_id: str) -> Iterator[bytes]:
        calls["n"] += 1
        if calls["n"] == 5:
            raise IntegrityError(f"{evidence_id}: its encrypted blob is missing")
        return real(evidence_id)

    monkeypatch.setattr(s.vault, "read_chunks", failing)
    out = tmp_path / "p.zip"
    with pytest.raises(IntegrityError):
        write_package(s.vault, run, out)
    assert os.listdir(tmp_path) == []
    assert s.vault.tree_size() == before


def test_package_cli_writes_and_verifies(
    session: Session,
    vault_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    run_cli: Callable[..., CliResult],
) -> None:
    from mockaudit.cli import cli, package_cmd

    monkeypatch.setitem(cli.commands, "package", package_cmd.package_group)
    session.import_scenario(PACK)
    session.run_audit(seed=7, as_of=date(2026, 7, 15))
    session.close()  # the CLI opens the vault itself (one writer at a time)
    monkeypatch.setenv("MOCKAUDIT_PASSPHRASE", PASSPHRASE)
    out = tmp_path / "p.zip"
    written = run_cli("package", "--vault", vault_dir, "--out", out)
    assert written.code == 0, written.err
    assert "package written" in written.out
    verified = run_cli("package", "verify", out)
    assert verified.code == 0 and "package verified" in verified.out
    victim = manifest_of(out)["files"][0]["path"]
    bad = tmp_path / "bad.zip"
    rewrite(out, bad, lambda name, data: b"x" if name == victim else data)
    failed = run_cli("package", "verify", bad)
    assert failed.code == 4
    assert f"PROBLEM: {victim}: SHA-256 does not match manifest.json" in failed.out
    (line,) = failed.err.strip().splitlines()
    assert line.startswith("error: ") and f"failed verification at {victim}" in line
