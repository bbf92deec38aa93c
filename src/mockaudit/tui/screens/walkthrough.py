"""Walkthrough rehearsal: the simulated auditor interviews the owner of one control.

The session builds the ``Rehearsal`` (through the gate, in a worker); the rehearsal itself
is pure, so each answer is checked on the event loop and its feedback shows at once. After
the questions the owner picks the evidence of the last instance (or nothing); the summary
follows and the transcript is saved through the gate. The owner may finish early (ctrl+f):
the questions not reached are recorded as skipped and the summary shows at once.

While the interview is on, the screen owns the keyboard (``owns_keyboard``): the app's
one-letter keys are off, and quitting, locking or Escape with answers given first ask
whether to save the rehearsal as finished early (``confirm_leave``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from mockaudit.domain.walkthrough import Feedback, Phase, Verdict, WalkthroughResult
from mockaudit.tui.screens.base import MainScreen

if TYPE_CHECKING:  # built by the session in a worker; its modules load there
    from mockaudit.session import Rehearsal

NOTHING = "-nothing-"
SAVE, DISCARD = "save", "discard"  # the answers of LeaveRehearsalScreen (None: keep going)
VERDICT_STYLE = {
    Verdict.CONSISTENT: "green",
    Verdict.ANSWERED: "",
    Verdict.GAP: "yellow",
    Verdict.EVASIVE: "yellow",
    Verdict.CONTRADICTION: "bold red",
    Verdict.SKIPPED: "dim",
}


def feedback_line(feedback: Feedback) -> Content:
    """The auditor's reaction to one answer; a contradiction quotes the documented text."""
    style = VERDICT_STYLE.get(feedback.verdict, "")
    lines = [
        Content.assemble(("You: ", "bold"), feedback.answer or "(no answer)"),
        Content.assemble((f"{feedback.verdict.value.upper()} ", style), feedback.message),
    ]
    if feedback.verdict is Verdict.CONTRADICTION and feedback.documented:
        lines.append(Content.assemble(("Documented: ", "bold"), feedback.documented))
    return Content("\n").join(lines)


def summary(result: WalkthroughResult, *, asked: int | None = None) -> Content:
    """Score, findings and evasions: what the owner should study before the real one.

    ``asked``: the rehearsal was finished early after that many questions."""
    lines = [Content.assemble(("Walkthrough of ", "bold"), (result.control_id, "bold"))]
    if asked is not None:
        early = (
            f"Finished early after {asked} of {len(result.steps)} question(s)"
            if asked < len(result.steps)
            else "Finished early: no last instance shown"
        )
        lines.append(Content.styled(early, "yellow"))
    skipped = sum(1 for s in result.steps if s.feedback.verdict is Verdict.SKIPPED)
    lines += [
        Content(f"Score {result.score:.1f} / 100"),
        Content(f"{len(result.findings)} finding(s), {len(result.evasions)} evasive answer(s)"),
        Content(f"{skipped} question(s) skipped"),
    ]
    lines.extend(Content(f"• {f.title}") for f in result.findings)
    corroborated = "corroborated" if result.corroboration.corroborated else "not corroborated"
    lines.append(Content(f"Last instance: {corroborated}"))
    return Content("\n").join(lines)


class WalkthroughCommands(Provider):
    """Palette entries on the Program screen: rehearse the walkthrough of any control."""

    def _controls(self) -> list[tuple[str, str]]:
        program = getattr(getattr(self.screen, "data", None), "program", None)
        return [(c.id, c.title) for c in program.controls] if program is not None else []

    def _open(self, control_id: str) -> None:
        self.app.push_screen(WalkthroughScreen(control_id))

    async def discover(self) -> Hits:
        for control_id, title in self._controls():
            yield DiscoveryHit(f"Walkthrough {control_id}", partial(self._open, control_id), title)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for control_id, title in self._controls():
            name = f"Walkthrough {control_id}"
            score = matcher.match(f"{name} {title}")
            if score > 0:
                yield Hit(score, matcher.highlight(name), partial(self._open, control_id), title)


class LeaveRehearsalScreen(ModalScreen[str | None]):
    """Leaving a rehearsal with answers given: save it as finished early, discard it, or
    keep rehearsing (Escape). Its keys are its own: the app's letters are off here."""

    owns_keyboard = True
    BINDINGS = [
        Binding("escape", "choose(None)", "Keep rehearsing"),
        Binding("s", "choose('save')", "Save as finished early"),
        Binding("d", "choose('discard')", "Discard"),
    ]

    def __init__(self, answered: int, leaving: str) -> None:
        super().__init__()
        self.answered = answered
        self.leaving = leaving

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="leave-rehearsal"):
            yield Label(f"{self.leaving}: the rehearsal is not finished", classes="dialog-title")
            yield Static(
                f"{self.answered} answer(s) given. Save them as a rehearsal finished early "
                "(the questions not reached count as skipped), or discard them?"
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (s)", variant="primary", id="leave-save", compact=True)
                yield Button("Discard (d)", variant="error", id="leave-discard", compact=True)
                yield Button("Keep going (esc)", id="leave-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#leave-save", Button).focus()

    def action_choose(self, choice: str | None) -> None:
        self.dismiss(choice)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        choices = {"leave-save": SAVE, "leave-discard": DISCARD}
        self.dismiss(choices.get(event.button.id or ""))


class WalkthroughScreen(MainScreen):
    """A conversation: question, the owner's answer, immediate feedback, summary at the end."""

    SECTION = "program"
    CSS_PATH = "walkthrough.tcss"
    AUTO_FOCUS = "#wt-answer"
    BINDINGS = [
        Binding("escape", "leave", "Back"),
        Binding("ctrl+s", "skip", "Skip"),
        Binding("ctrl+f", "finish", "Finish early"),
    ]

    def __init__(self, control_id: str) -> None:
        super().__init__()
        self.control_id = control_id
        self.rehearsal: Rehearsal | None = None
        self.result: WalkthroughResult | None = None

    def compose_body(self) -> Iterable[Widget]:
        question = Static("Preparing the walkthrough…", id="wt-question")
        question.border_title = f"Walkthrough of {self.control_id}"
        yield question
        yield VerticalScroll(id="wt-log")
        yield OptionList(id="wt-candidates")
        yield Input(
            placeholder="your answer (enter sends, ctrl+s skips, ctrl+f finishes early)",
            id="wt-answer",
        )

    def reload(self) -> None:
        """Start once: a change elsewhere in the vault must not restart the interview."""
        if self.rehearsal is None:
            control_id = self.control_id
            self.fetch("rehearsal", lambda s: s.walkthrough_start(control_id), self._started)

    @property
    def owns_keyboard(self) -> bool:
        """While the interview is on, the app's one-letter keys are off (app.check_action)."""
        return self.rehearsal is None or self.rehearsal.phase is not Phase.DONE

    @property
    def unsaved_answers(self) -> int:
        """Answers given (or typed, not yet sent) in a rehearsal not yet saved."""
        rehearsal = self.rehearsal
        if rehearsal is None or rehearsal.phase is Phase.DONE:
            return 0
        given = sum(1 for step in rehearsal.steps if step.feedback.answer)
        return given + (1 if self._typed() else 0)

    def _typed(self) -> str:
        """The answer typed in the box and not yet sent (while a question waits)."""
        if self.rehearsal is None or self.rehearsal.phase is not Phase.INQUIRY:
            return ""
        return self.query_one("#wt-answer", Input).value.strip()

    def confirm_leave(self, leaving: str, then: Callable[[], object]) -> None:
        """Run ``then`` (quit, lock, go back) once the owner chose what becomes of the
        answers: saved as finished early (after the save), discarded, or kept (no ``then``)."""
        answered = self.unsaved_answers
        if not answered:
            then()
            return
        if isinstance(self.app.screen, LeaveRehearsalScreen):
            return  # already asking

        def chosen(choice: str | None) -> None:
            if choice == DISCARD:
                then()
            elif choice == SAVE:
                self.save_early(then)

        self.app.push_screen(LeaveRehearsalScreen(answered, leaving), chosen)

    def save_early(self, then: Callable[[], object]) -> None:
        """Save the answers given as finished early without asking (auto-lock), then ``then``."""
        rehearsal = self.rehearsal
        if not self.unsaved_answers or rehearsal is None:
            then()
            return
        typed = self._typed()
        if typed:  # the answer in the box counts: it was typed for this question
            self._reply(typed)
        self._finish(rehearsal, asked=len(rehearsal.steps), then=then)

    def _started(self, rehearsal: Rehearsal) -> None:
        self.rehearsal = rehearsal
        self.refresh_bindings()  # skip and finish early become available
        self._ask()

    def _ask(self) -> None:
        """Show the question waiting for an answer, or the last-instance request."""
        rehearsal = self.rehearsal
        if rehearsal is None:
            return
        done, total = rehearsal.progress
        self.set_class(rehearsal.phase is Phase.CORROBORATION, "-corroboration")
        self.query_one("#wt-question", Static).update(
            Content.assemble((f"Question {done + 1}/{total}  ", "bold"), rehearsal.prompt or "")
        )
        if rehearsal.phase is Phase.CORROBORATION:
            self._offer_candidates(rehearsal)
            self.refresh_bindings()  # no question left to skip

    def _offer_candidates(self, rehearsal: Rehearsal) -> None:
        options = self.query_one("#wt-candidates", OptionList)
        options.clear_options()
        options.add_option(Option("(I cannot show anything)", id=NOTHING))
        for fact in rehearsal.candidates():
            label = f"{fact.evidence_id}  {fact.name}  (collected {fact.collected_on})"
            options.add_option(Option(label, id=fact.evidence_id))
        options.highlighted = 1 if options.option_count > 1 else 0
        options.focus()

    def _log(self, content: Content, classes: str = "wt-entry") -> None:
        log = self.query_one("#wt-log", VerticalScroll)
        log.mount(Static(content, classes=classes))
        log.scroll_end(animate=False)

    def _heard(self, prompt: str, feedback: Feedback) -> None:
        self._log(Content.assemble(("Auditor: ", "bold"), prompt, "\n", feedback_line(feedback)))

    @on(Input.Submitted, "#wt-answer")
    def _answered(self, event: Input.Submitted) -> None:
        self._reply(event.value)

    def action_skip(self) -> None:
        self._reply("")

    def action_finish(self) -> None:
        """Stop the interview now: what was not asked is recorded as skipped."""
        rehearsal = self.rehearsal
        if rehearsal is None or rehearsal.phase is Phase.DONE:
            return
        self._finish(rehearsal, asked=len(rehearsal.steps))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Skip while a question waits, finish while the interview is on (else hidden)."""
        rehearsal = self.rehearsal
        if action == "skip":
            return rehearsal is not None and rehearsal.phase is Phase.INQUIRY
        if action == "finish":
            return rehearsal is not None and rehearsal.phase is not Phase.DONE
        return True

    def _reply(self, text: str) -> None:
        rehearsal = self.rehearsal
        if rehearsal is None or rehearsal.phase is not Phase.INQUIRY:
            return
        prompt = rehearsal.prompt or ""
        self._heard(prompt, rehearsal.answer(text))
        self.query_one("#wt-answer", Input).value = ""
        self._ask()

    @on(OptionList.OptionSelected, "#wt-candidates")
    def _shown(self, event: OptionList.OptionSelected) -> None:
        rehearsal = self.rehearsal
        if rehearsal is None or rehearsal.phase is not Phase.CORROBORATION:
            return
        chosen = event.option.id
        prompt = rehearsal.prompt or ""
        self._heard(prompt, rehearsal.show(None if chosen in (None, NOTHING) else chosen))
        self._finish(rehearsal)

    def _finish(
        self,
        rehearsal: Rehearsal,
        *,
        asked: int | None = None,
        then: Callable[[], object] | None = None,
    ) -> None:
        """Show the summary and save the transcript (encrypted, with its custody event);
        ``asked``: finished early after that many questions; ``then`` runs once saved."""
        result = rehearsal.finish() if asked is None else rehearsal.finish_early()
        self.refresh_bindings()
        self.set_class(False, "-corroboration")
        self.set_class(True, "-done")
        self.query_one("#wt-question", Static).update(
            Content("Walkthrough finished: saving the transcript…")
        )
        self._log(summary(result, asked=asked), "wt-entry wt-summary")
        self.fetch("save", lambda s: s.save_walkthrough(result), partial(self._saved, then=then))

    def _saved(
        self, result: WalkthroughResult, *, then: Callable[[], object] | None = None
    ) -> None:
        self.result = result
        self.query_one("#wt-question", Static).update(
            Content(
                f"Saved as {result.walkthrough_id}: score {result.score:.1f} / 100. "
                "Escape goes back."
            )
        )
        if then is not None:
            then()

    def action_leave(self) -> None:
        self.confirm_leave("Going back", lambda: self.dismiss(None))
