"""Issue 15 acceptance 5 (point 6): hostile sizes are refused in one line, in bounded memory.

Each case runs the real CLI in a subprocess (``rss_child.py``) and reads its peak RSS
from ``getrusage``. The inputs are generated streaming, never held in memory.

* a 2 MB ZIP whose manifest.json inflates to 2 GiB, to ``package verify``;
* a CSV line past the 16 MiB limit, to ``import``: 20 MiB in CI, 1 GiB under the soak
  marker (writing 1 GiB takes ~5 s of disk and is kept out of the default run).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from mockaudit.export.package_format import MANIFEST
from tests.conftest import FAST_KDF_ARGS, PASSPHRASE
from tests.integrity.conftest import FIXTURE

ROOT = Path(__file__).parents[2]
RSS_LIMIT_KIB = 100 * 1024
MIB = 1 << 20


def _run(*args: object) -> tuple[int, int, str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MOCKAUDIT_PASSPHRASE": PASSPHRASE}
    proc = subprocess.run(
        [sys.executable, "-m", "tests.integrity.rss_child", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=600,
    )
    last = proc.stdout.strip().splitlines()[-1]
    _, code, peak = last.split()
    return int(code), int(peak), proc.stdout, proc.stderr


def _zip_bomb(path: Path, inflated: int) -> None:
    """manifest.json of ``inflated`` zero bytes, deflated in 1 MiB writes."""
    block = b"\0" * MIB
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        info = zipfile.ZipInfo(MANIFEST)
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w", force_zip64=True) as fh:
            for _ in range(inflated // MIB):
                fh.write(block)
        zf.writestr("verifier-key.txt", "x\n")


def test_zip_bomb_to_package_verify_is_refused_in_one_line(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.zip"
    _zip_bomb(bomb, 2048 * MIB)
    assert bomb.stat().st_size < 3 * MIB
    code, peak, out, err = _run("package", "verify", bomb)
    assert code == 4
    (line,) = err.strip().splitlines()
    assert "manifest.json: declares 2147483648 bytes uncompressed, over the 64 MiB limit" in line
    assert peak < RSS_LIMIT_KIB, f"peak RSS {peak} KiB"
    print(f"\nzip bomb {bomb.stat().st_size} bytes: refused, peak RSS {peak // 1024} MiB")


def _scenario_with_long_line(folder: Path, line_bytes: int) -> Path:
    shutil.copytree(FIXTURE, folder)
    csv = folder / "populations" / "terminations.csv"
    header = csv.read_text(encoding="utf-8").splitlines()[0]
    block = b"a" * MIB
    with csv.open("wb") as fh:
        fh.write(header.encode() + b"\n")
        for _ in range(line_bytes // MIB):
            fh.write(block)
        fh.write(b"\n")
    return folder


def _long_line_case(tmp_path: Path, line_bytes: int) -> None:
    vault = tmp_path / "vault"
    code, _, _, err = _run("init", "--vault", vault, *FAST_KDF_ARGS)
    assert code == 0, err
    scenario = _scenario_with_long_line(tmp_path / "scenario", line_bytes)
    code, peak, out, err = _run("import", scenario, "--vault", vault)
    assert code != 0
    (line,) = err.strip().splitlines()
    assert "terminations.csv line 2: line longer than 16777216 bytes" in line, line
    assert "Traceback" not in err
    assert peak < RSS_LIMIT_KIB, f"peak RSS {peak} KiB"
    print(f"\n{line_bytes // MIB} MiB CSV line: refused, peak RSS {peak // 1024} MiB")


def test_csv_line_over_the_limit_is_refused_in_one_line(tmp_path: Path) -> None:
    _long_line_case(tmp_path, 20 * MIB)


@pytest.mark.soak
def test_one_gib_csv_line_is_refused_in_one_line(tmp_path: Path) -> None:
    _long_line_case(tmp_path, 1024 * MIB)


def test_oversized_scenario_toml_is_refused_in_one_line(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    assert _run("init", "--vault", vault, *FAST_KDF_ARGS)[0] == 0
    scenario = tmp_path / "scenario"
    shutil.copytree(FIXTURE, scenario)
    with (scenario / "scenario.toml").open("ab") as fh:
        for _ in range(17):
            fh.write(b"#" * (MIB - 1) + b"\n")
    code, peak, _, err = _run("import", scenario, "--vault", vault)
    assert code != 0
    (line,) = err.strip().splitlines()
    assert "scenario.toml: larger than the 16 MiB limit" in line
    assert peak < RSS_LIMIT_KIB


def test_oversized_answers_file_and_vault_key_are_refused_before_parsing(tmp_path: Path) -> None:
    from mockaudit.cli.walkthrough_cmd import load_answers
    from mockaudit.errors import HeaderDamagedError, InputError
    from mockaudit.vault import keyfile

    answers = tmp_path / "answers.toml"
    with answers.open("wb") as fh:
        for _ in range(17):
            fh.write(b"#" * (MIB - 1) + b"\n")
    with pytest.raises(InputError, match="larger than the 16 MiB limit"):
        load_answers(answers)
    (tmp_path / "vault.key").write_bytes(b"{" * (100 * 1024))
    with pytest.raises(HeaderDamagedError, match="vault.key is damaged"):
        keyfile.read_header(tmp_path)
