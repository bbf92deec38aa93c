"""The TUI's pure pieces: redaction, the strength hint, path completion, dashboard panels."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockaudit.domain import Finding, FindingCode, Severity
from mockaudit.domain.enums import Category
from mockaudit.domain.run import (
    ControlCounts,
    FieldworkDays,
    FindingWeight,
    Opinion,
    Readiness,
)
from mockaudit.errors import WrongPassphraseError
from mockaudit.tui.redact import crash_line, one_line
from mockaudit.tui.widgets import cells, panels
from mockaudit.tui.widgets.path_input import complete_path
from mockaudit.tui.widgets.strength import strength_hint

SECRET = "hunter2-secret-value"


def test_failures_show_our_message_or_only_the_kind_of_error() -> None:
    assert one_line(WrongPassphraseError("wrong passphrase for this vault"), "unlocking") == (
        "wrong passphrase for this vault"
    )
    foreign = one_line(ValueError(f"bad value {SECRET}"), "importing")
    assert SECRET not in foreign and "ValueError" in foreign and "importing" in foreign
    wrapped = RuntimeError("worker failed")
    wrapped.error = WrongPassphraseError("wrong passphrase for this vault")  # type: ignore[attr-defined]
    assert one_line(wrapped, "x") == "wrong passphrase for this vault"
    line = crash_line(KeyError(SECRET), "FindingsScreen")
    assert SECRET not in line and len(line) <= 80 and "\n" not in line


@pytest.mark.parametrize(
    ("passphrase", "level"),
    [("", "weak"), ("password1", "weak"), ("lamp-otter", "fair"), ("Q7!zx-Lp9#k", "strong")],
)
def test_the_strength_hint_grades_passphrases(passphrase: str, level: str) -> None:
    assert strength_hint(passphrase)[0] == level


def test_path_completion_extends_names_and_marks_folders(tmp_path: Path) -> None:
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scores.csv").write_text("x")
    (tmp_path / ".hidden").mkdir()
    base = f"{tmp_path}/"
    assert complete_path(base + "scen") == base + "scenarios/"
    assert complete_path(base + "sco") == base + "scores.csv"
    assert complete_path(base + "sco", dirs_only=True) is None
    assert complete_path(base + "scenarios") == base + "scenarios/"
    assert complete_path(base) is None  # nothing typed after the slash yet
    assert complete_path(base + ".hid") == base + ".hidden/"
    assert complete_path(base + "nothing-here") is None


def _finding(fid: str, severity: Severity, title: str = "t") -> Finding:
    return Finding(id=fid, code=FindingCode.CONTROL_OWNERLESS, severity=severity, title=title)


def _readiness(**criteria: str) -> Readiness:
    return Readiness(
        score=50.0,
        likely_opinion=Opinion.QUALIFIED,
        opinion_rule="r",
        fieldwork_days=FieldworkDays(low=1, expected=2, high=3),
        follow_up_rounds=1,
        controls=ControlCounts(),
        criteria=criteria,
        weights=(
            FindingWeight(finding="F-2", weight=1.0),
            FindingWeight(finding="F-3", weight=5.0),
        ),
    )


def test_worst_first_orders_by_severity_then_score_weight() -> None:
    findings = [
        _finding("F-1", Severity.LOW),
        _finding("F-2", Severity.HIGH),
        _finding("F-3", Severity.HIGH),
        _finding("F-4", Severity.MEDIUM),
    ]
    ordered = [f.id for f in panels.worst_first(findings, _readiness())]
    assert ordered == ["F-3", "F-2", "F-4", "F-1"]


def test_the_heat_map_wraps_to_its_width_and_keeps_every_criterion() -> None:
    readiness = _readiness(**{"CC1.1": "exceptions", "A1.2": "uncovered"})
    narrow = panels.heatmap_panel(readiness, [Category.SECURITY, Category.AVAILABILITY], 60)
    lines = narrow.plain.splitlines()
    assert all(len(line) <= 60 for line in lines)
    assert "CC9.2" in narrow.plain and "A1.3" in narrow.plain
    assert "Confidentiality" not in narrow.plain  # not in scope here


def test_cells_never_read_data_as_markup() -> None:
    text = cells.cell("[bold]not markup[/] and [link=x]")
    assert text.plain == "[bold]not markup[/] and [link=x]"
    assert cells.owner(None).plain == cells.NONE_OWNER
    assert cells.shorten("a  b\nc " * 20, 10).endswith("…")


def test_columns_fit_by_priority_shrinking_the_least_important_first() -> None:
    """Issue 23: at 80 columns the important columns stay whole, headers are never cut."""
    from mockaudit.tui.widgets.fit import PADDING, Column, choose

    columns = [Column("id"), Column("title", 0, 10), Column("email", 2, 8), Column("left", 1)]
    natural = [6, 40, 30, 10]
    assert choose(columns, natural, 200) == {0: 6, 1: 40, 2: 30, 3: 10}
    shown = choose(columns, natural, 80)
    assert sum(shown.values()) + PADDING * len(shown) <= 80
    assert shown[0] == 6 and shown[3] == 10  # whole
    assert shown[2] < 30 and shown[1] == 40  # the email shrinks before the title
    narrow = choose(columns, natural, 40)
    assert 2 not in narrow and narrow[1] >= len("title")  # dropped; a header is never cut


async def test_escape_leaves_the_findings_filter_and_keeps_it(demo_vault) -> None:  # type: ignore[no-untyped-def]
    """Issue 23: / filters, typing narrows, Escape goes back to the table, filter kept."""
    from textual.widgets import Input

    from tests.tui.conftest import DEMO_PASSPHRASE
    from tests.tui.helpers import settle, tui_app

    app = tui_app(demo_vault, passphrase=DEMO_PASSPHRASE, start_section="findings")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"scope")
        await pilot.pause()
        assert app.focused is not None and app.focused.id == "findings-filter"
        await pilot.press("escape")
        await pilot.pause()
        assert app.focused is not None and app.focused.id == "findings-table"
        assert app.screen.query_one("#findings-filter", Input).value == "scope"


async def test_a_on_samples_attaches_to_the_highlighted_controls_request(demo_vault) -> None:  # type: ignore[no-untyped-def]
    """Issue 23: `a` acts on the visible tab, never on a request of a hidden one."""
    from textual.widgets import DataTable

    from mockaudit.tui.widgets.attach import AttachScreen
    from tests.tui.conftest import DEMO_PASSPHRASE
    from tests.tui.helpers import settle, tui_app

    app = tui_app(demo_vault, passphrase=DEMO_PASSPHRASE, start_section="fieldwork")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("right_square_bracket")  # Samples
        await settle(pilot)
        tests = app.screen.query_one("#tests", DataTable)
        control = "GOV-02"  # a sampled control (hires)
        await pilot.press(*["down"] * tests.get_row_index(control), "a")
        await pilot.pause()
        assert isinstance(app.screen, AttachScreen)
        run = app.screen_stack[-2].data.run  # type: ignore[attr-defined]
        request = next(r for r in run.requests if r.code == app.screen.code)
        assert request.control == control
        await pilot.press("escape")
        await pilot.press("right_square_bracket")  # Correspondence: nothing to attach to
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        assert not isinstance(app.screen, AttachScreen)


async def test_exports_default_beside_the_vault_not_in_the_current_folder(  # type: ignore[no-untyped-def]
    demo_vault, tmp_path, monkeypatch
) -> None:
    """Issue 23: in the demo the current folder is the git checkout; a decrypted export
    must not land there by default."""
    import shutil

    from mockaudit.tui.widgets.path_input import PathInput
    from tests.tui.conftest import DEMO_PASSPHRASE
    from tests.tui.helpers import settle, tui_app

    vault = tmp_path / "demo-vault"
    shutil.copytree(demo_vault, vault)
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    monkeypatch.chdir(checkout)
    app = tui_app(vault, passphrase=DEMO_PASSPHRASE, start_section="findings")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        path = app.screen.query_one("#export-path", PathInput).value
        assert path.startswith(str(tmp_path / "demo-vault-exports"))
        await pilot.press("enter")
        await settle(pilot)
    assert list(checkout.iterdir()) == []
    assert [p.name for p in (tmp_path / "demo-vault-exports").iterdir()]
