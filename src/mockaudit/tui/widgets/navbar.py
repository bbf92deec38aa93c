"""The row of screen names at the top: shows where you are; click or press 1-5 to move."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

SECTIONS: tuple[tuple[str, str], ...] = (
    ("dashboard", "Dashboard"),
    ("program", "Program"),
    ("vault", "Vault"),
    ("fieldwork", "Fieldwork"),
    ("findings", "Findings"),
)


def _link(number: int, mode: str, title: str, current: bool) -> Content:
    style = "reverse bold" if current else "underline"
    return Content.from_markup(
        f"[{style} @click=app.switch_mode('{mode}')]$label[/]", label=f" {number} {title} "
    )


class NavBar(Static):
    """Clickable section names; the current one is shown reversed."""

    def __init__(self, current: str) -> None:
        links = [
            _link(number, mode, title, mode == current)
            for number, (mode, title) in enumerate(SECTIONS, start=1)
        ]
        super().__init__(Content("  ").join(links), id="navbar")
