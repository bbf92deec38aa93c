"""What each module really imports, checked in a fresh interpreter (DESIGN.md's rules).

Every leaf module of the core is imported one after another in one new interpreter; the
probe notes the first module after whose import textual (or rich) is loaded, so the failure
names the culprit. The probe is itself tested on a module that does load textual.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import mockaudit

PACKAGE = Path(mockaudit.__file__).parent

PROBE = """
import importlib, json, sys
modules, banned = json.loads(sys.argv[1]), tuple(json.loads(sys.argv[2]))
culprit = None
for name in modules:
    importlib.import_module(name)
    if any(m.split(".")[0] in banned for m in sys.modules):
        culprit = name
        break
loaded = sorted(m for m in sys.modules if m == "mockaudit" or m.startswith("mockaudit."))
print(json.dumps({"culprit": culprit, "loaded": loaded}))
"""


def leaf_modules(*, under: str = "") -> list[str]:
    """Every module file (not package ``__init__``) of mockaudit, optionally below ``under``."""
    root = PACKAGE / under if under else PACKAGE
    names = []
    for path in sorted(root.rglob("*.py")):
        if path.name in ("__init__.py", "__main__.py"):
            continue
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        names.append(".".join(("mockaudit", *parts)))
    return names


def probe(modules: list[str], banned: tuple[str, ...] = ("textual", "rich")) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(modules), json.dumps(list(banned))],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(out.stdout)
    return result


def test_the_core_modules_exist_where_the_probe_looks() -> None:
    core = [m for m in leaf_modules() if not m.startswith("mockaudit.tui.")]
    for expected in (
        "mockaudit.session",
        "mockaudit.session_walkthrough",
        "mockaudit.vault.store",
        "mockaudit.fieldwork.walkthrough.rehearsal",
        "mockaudit.scenarios.synthetic.generator",
        "mockaudit.services.package",
        "mockaudit.cli.walkthrough_cmd",
    ):
        assert expected in core
    assert len(core) > 120


def test_no_core_module_loads_textual_or_rich() -> None:
    core = [m for m in leaf_modules() if not m.startswith("mockaudit.tui.")]
    result = probe(core)
    assert result["culprit"] is None, f"importing {result['culprit']} loaded textual or rich"


def test_the_probe_names_a_module_that_loads_textual() -> None:
    """Without this the test above could pass by probing nothing."""
    result = probe(["mockaudit.domain.enums", "mockaudit.tui.screens.owners"])
    assert result["culprit"] == "mockaudit.tui.screens.owners"


def test_domain_modules_load_no_other_mockaudit_package() -> None:
    result = probe(leaf_modules(under="domain"), banned=())
    loaded = result["loaded"]
    assert isinstance(loaded, list)
    outside = [m for m in loaded if m.split(".")[1:2] not in ([], ["domain"], ["errors"])]
    assert "mockaudit.domain.walkthrough" in loaded
    assert outside == [], f"the domain pulled in {outside}"


def test_cli_help_does_not_load_textual() -> None:
    code = (
        "import sys\nfrom mockaudit.cli import main\n"
        "try:\n    main(['vault', '--help'])\nexcept SystemExit:\n    pass\n"
        "print('TEXTUAL' if 'textual' in sys.modules else 'CLEAN', file=sys.stderr)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stderr.strip().endswith("CLEAN")
