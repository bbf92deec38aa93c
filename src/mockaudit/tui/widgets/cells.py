"""Table cells built from user data without letting that data be read as markup.

DataTable parses a plain ``str`` cell as Rich markup, so a title holding
``[bold]`` or ``[/]`` would be mangled or raise. Every cell that shows data from a
scenario, a file name or a finding goes through ``cell``.
"""

from __future__ import annotations

from rich.text import Text

SEVERITY_STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan"}
CONCLUSION_STYLE = {
    "no_exceptions": "green",
    "exceptions": "bold yellow",
    "not_testable": "bold red",
    "uncovered": "bold red",
}
NONE_OWNER = "⚠ nobody"


def cell(value: object, style: str = "") -> Text:
    """``value`` as literal text (never markup), optionally styled."""
    return Text("" if value is None else str(value), style=style, no_wrap=True)


def severity(value: str) -> Text:
    return cell(value, SEVERITY_STYLE.get(value, ""))


def owner(value: str | None, *, known: bool = True) -> Text:
    """An owner cell; a missing or unknown owner stands out (an ownerless control is a gap)."""
    if not value:
        return cell(NONE_OWNER, "bold red")
    if not known:
        return cell(f"⚠ {value}", "bold red")
    return cell(value)


def conclusion(value: str | None) -> Text:
    if not value:
        return cell("not run", "dim")
    return cell(value.replace("_", " "), CONCLUSION_STYLE.get(value, ""))


def shorten(text: str, width: int) -> str:
    """One line of at most ``width`` characters (the detail pane shows the rest)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: max(1, width - 1)] + "…"
