"""Issue 15 points 5 and 8: program export leaves custody events; vault files are
private whatever the umask or a pre-existing folder; the CLI disables core dumps."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from mockaudit.session import Session
from tests.conftest import FAST_KDF_ARGS, PASSPHRASE
from tests.integrity.conftest import Built

ROOT = Path(__file__).parents[2]


def test_program_export_records_an_exported_event_per_decrypted_file(
    built: Built, tmp_path: Path
) -> None:
    out = tmp_path / "exported"
    result = built.cli("program", "export", "--out", out)
    assert result.code == 0, result.err
    written = sorted(
        str(p.relative_to(out)) for p in out.rglob("*") if p.is_file() and p.name != "scenario.toml"
    )
    with Session.open(built.vault, PASSPHRASE, write=False) as s:
        rows = s.vault.conn.execute(
            "SELECT payload FROM custody WHERE event_type = 'exported'"
        ).fetchall()
    from mockaudit.vault import custody

    events = [custody.decode(bytes(r[0])).fields for r in rows]
    destinations = sorted(
        str(Path(e["destination"]).relative_to(out))
        for e in events
        if e["purpose"] == "program export"
    )
    assert destinations == written


def test_vault_files_are_private_in_a_pre_existing_folder(
    run_cli, tmp_path: Path, passfile: Path
) -> None:
    folder = tmp_path / "vault"
    folder.mkdir(mode=0o755)
    old = os.umask(0o022)
    try:
        assert (
            run_cli("init", "--vault", folder, "--passphrase-file", passfile, *FAST_KDF_ARGS).code
            == 0
        )
        f = tmp_path / "e.txt"
        f.write_text("evidence")
        assert (
            run_cli("evidence", "add", f, "--vault", folder, "--passphrase-file", passfile).code
            == 0
        )
    finally:
        os.umask(old)
    loose = []
    for path in [folder, *folder.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            loose.append(f"{path.relative_to(tmp_path)} {oct(mode)}")
    assert loose == []


def test_the_cli_disables_core_dumps_before_anything_else() -> None:
    code = (
        "import resource, sys\n"
        "from mockaudit.cli import main\n"
        "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
        "print(resource.getrlimit(resource.RLIMIT_CORE))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    ).stdout
    assert out.strip().splitlines()[-1] == "(0, 0)"
