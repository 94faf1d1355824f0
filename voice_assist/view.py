"""What the operator sees, folded from events: `reduce(view, event) -> view`. Pure: no I/O.

The console view and the web page both render a `CallView`; neither keeps its own state, so
they cannot disagree, and a call's screen at any moment can be rebuilt from its events.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from .events import (
    AnswerScores,
    CallEnded,
    FieldCaptured,
    Final,
    Matched,
    NoMatch,
    Notice,
    OperatorCommand,
    Partial,
    ReminderDue,
    SilenceNoticed,
    StepEntered,
    TransferSuggested,
)
from .scenario.markup import Segment, fill, segments
from .scenario.models import Scenario

TRANSCRIPT_LINES = 50
NOTICES_KEPT = 10


@dataclass(frozen=True)
class AnswerView:
    """An answer expected now: what to click, and how well the current utterance matches it."""

    id: str
    label: str
    next: str | None
    score: float | None = None  # 0..100 from the latest AnswerScores of this step
    is_global: bool = False


@dataclass(frozen=True)
class FieldView:
    """A field of the form; `heard` is True while its value comes from speech, unconfirmed."""

    id: str
    label: str
    type: str
    required: bool
    value: str | None = None
    heard: str = ""
    confirmed: bool = False
    at_s: float | None = None

    @property
    def status(self) -> Literal["empty", "heard", "confirmed"]:
        if self.value is None:
            return "empty"
        return "confirmed" if self.confirmed else "heard"


@dataclass(frozen=True)
class ReminderView:
    id: str
    text: str
    at_s: float
    step: str | None = None


@dataclass(frozen=True)
class TranscriptLine:
    at_s: float
    text: str


@dataclass(frozen=True)
class Crumb:
    """One stage of the breadcrumb."""

    stage: str
    current: bool
    visited: bool


@dataclass(frozen=True)
class CallView:
    """An immutable snapshot of the operator's screen."""

    scenario: Scenario = field(compare=False, repr=False)
    step: str | None = None
    stage: str | None = None
    title: str = ""
    line: str = ""  # the step's line as written (markup and placeholders kept)
    verbatim: bool = False
    hints: tuple[str, ...] = ()
    answers: tuple[AnswerView, ...] = ()
    last_advance: Matched | None = None
    no_match: NoMatch | None = None
    transcript: tuple[TranscriptLine, ...] = ()
    partial: str = ""
    reminders: tuple[ReminderView, ...] = ()
    fields: tuple[FieldView, ...] = ()
    transfer: TransferSuggested | None = None
    silence: SilenceNoticed | None = None
    at_s: float = 0.0
    notices: tuple[Notice, ...] = ()
    visited_stages: frozenset[str] = frozenset()
    ended: bool = False
    outcome: str = ""
    end_reason: str = ""

    @classmethod
    def initial(cls, scenario: Scenario) -> CallView:
        """Before the first event: the form's fields empty, no step yet."""
        fields = tuple(
            FieldView(f.id, f.label, f.type, f.required) for f in scenario.fields
        )
        return cls(scenario=scenario, fields=fields)

    @property
    def values(self) -> dict[str, str]:
        """Known field values, for placeholders."""
        return {f.id: f.value for f in self.fields if f.value}

    @property
    def say(self) -> str:
        """The line to say with known `{field}` placeholders filled (markup kept)."""
        return fill(self.line, self.values)

    @property
    def segments(self) -> list[Segment]:
        """The line split for rendering: text, stress, pauses, fields (filled or not)."""
        return segments(self.line, self.values)

    @property
    def breadcrumb(self) -> tuple[Crumb, ...]:
        """The scenario's stages (declared, or as they first appear in step order)."""
        return tuple(
            Crumb(s, s == self.stage, s in self.visited_stages or s == self.stage)
            for s in stage_names(self.scenario)
        )

    def field(self, field_id: str) -> FieldView | None:
        return next((f for f in self.fields if f.id == field_id), None)


def stage_names(scenario: Scenario) -> tuple[str, ...]:
    if scenario.stages:
        return tuple(scenario.stages)
    seen: dict[str, None] = {}
    for step in scenario.steps:
        if step.stage:
            seen.setdefault(step.stage, None)
    return tuple(seen)


def expected_answers(scenario: Scenario, step_id: str) -> tuple[AnswerView, ...]:
    """The step's answers, then the global answers that apply at this step."""
    out: list[AnswerView] = []
    if scenario.has_step(step_id):
        answers = scenario.step(step_id).answers
        out += [AnswerView(a.id, a.label or a.phrases[0], a.next) for a in answers]
    out += [
        AnswerView(g.id, g.label or g.phrases[0], g.next, is_global=True)
        for g in scenario.global_answers
        if g.steps is None or step_id in g.steps
    ]
    return tuple(out)


def reduce(view: CallView, event: Any) -> CallView:
    """The view after one more event. Unknown events only move the call time."""
    at_s = max(view.at_s, float(getattr(event, "at_s", view.at_s)))
    view = replace(view, at_s=at_s) if at_s != view.at_s else view
    handler = _HANDLERS.get(type(event))
    return handler(view, event) if handler else view


def _step_entered(v: CallView, e: StepEntered) -> CallView:
    sc = v.scenario
    step = sc.step(e.step) if sc.has_step(e.step) else None
    stage = e.stage if e.stage is not None else (step.stage if step else None)
    visited = v.visited_stages | {stage} if stage else v.visited_stages
    return replace(
        v,
        step=e.step,
        stage=stage,
        title=(step.title or "") if step else "",
        line=step.say if step else e.say,
        verbatim=e.verbatim,
        hints=tuple(step.hints) if step else (),
        answers=expected_answers(sc, e.step),
        silence=None,
        no_match=None,
        visited_stages=visited,
    )


def _scores(v: CallView, e: AnswerScores) -> CallView:
    if e.step != v.step:
        return v  # late scores of a step already left
    scores: Mapping[str, float] = dict(e.scores)
    return replace(v, answers=tuple(replace(a, score=scores.get(a.id)) for a in v.answers))


def _matched(v: CallView, e: Matched) -> CallView:
    return replace(v, last_advance=e, no_match=None)


def _partial(v: CallView, e: Partial) -> CallView:
    return replace(v, partial=e.text, silence=None if e.text.strip() else v.silence)


def _final(v: CallView, e: Final) -> CallView:
    if not e.heard.strip():
        return replace(v, partial="")
    lines = (*v.transcript, TranscriptLine(e.at_s, e.heard))[-TRANSCRIPT_LINES:]
    return replace(v, transcript=lines, partial="", silence=None)


def _reminder(v: CallView, e: ReminderDue) -> CallView:
    others = tuple(r for r in v.reminders if r.id != e.reminder)
    return replace(v, reminders=(*others, ReminderView(e.reminder, e.text, e.at_s, e.step)))


def _field(v: CallView, e: FieldCaptured) -> CallView:
    new = FieldView(e.field, e.field, "text", False)
    known = v.field(e.field)
    base = known or new
    heard = e.heard or (base.heard if e.value == base.value else "")  # confirming keeps it
    updated = replace(base, value=e.value, heard=heard, confirmed=e.confirmed, at_s=e.at_s)
    if known is None:
        return replace(v, fields=(*v.fields, updated))
    return replace(v, fields=tuple(updated if f.id == e.field else f for f in v.fields))


def _command(v: CallView, e: OperatorCommand) -> CallView:
    if e.action == "dismiss":
        transfer = v.transfer if v.transfer is None or v.transfer.transfer != e.arg else None
        reminders = tuple(r for r in v.reminders if r.id != e.arg)
        silence = None if e.arg == "silence" else v.silence
        return replace(v, reminders=reminders, transfer=transfer, silence=silence)
    if e.action == "transfer":
        return replace(v, transfer=None)
    return v


def _ended(v: CallView, e: CallEnded) -> CallView:
    return replace(v, ended=True, outcome=e.outcome, end_reason=e.reason, partial="")


_HANDLERS: dict[type[Any], Any] = {
    StepEntered: _step_entered,
    AnswerScores: _scores,
    Matched: _matched,
    NoMatch: lambda v, e: replace(v, no_match=e),
    Partial: _partial,
    Final: _final,
    ReminderDue: _reminder,
    FieldCaptured: _field,
    TransferSuggested: lambda v, e: replace(v, transfer=e),
    SilenceNoticed: lambda v, e: replace(v, silence=e),
    Notice: lambda v, e: replace(v, notices=(*v.notices, e)[-NOTICES_KEPT:]),
    OperatorCommand: _command,
    CallEnded: _ended,
}
