"""The operator's view folded from events: table-driven over event sequences (pure)."""

from __future__ import annotations

from functools import reduce as fold_left
from typing import Any

import pytest

from voice_assist.events import (
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
    Tick,
    TransferSuggested,
)
from voice_assist.scenario import Scenario, loads_scenario
from voice_assist.view import TRANSCRIPT_LINES, CallView, reduce

SCENARIO = loads_scenario(
    """
id: view_test
title: View test
start: hello
stages: [contact, needs, presentation, closing]
fields:
  - {id: name, label: Customer name, type: text}
  - {id: phone, label: Phone, type: phone, required: true}
steps:
  - id: hello
    stage: contact
    say: "Hello {name}, *welcome*! [pause] Can we talk?"
    verbatim: true
    hints: [Smile while you speak]
    answers:
      - {id: can_talk, label: "Yes, can talk", phrases: [yes, sure], next: ask}
      - {id: busy, phrases: [i am busy, later], next: bye}
  - id: ask
    stage: needs
    say: What number can we call you on?
    capture: [phone]
    answers:
      - {id: gave, phrases: [my number is], next: bye}
  - id: bye
    stage: closing
    say: "Goodbye {name}, we will call {phone}."
    end: true
global_answers:
  - {id: price, label: Asks the price, phrases: [how much], next: bye, resume: true}
  - {id: who, phrases: [who are you], next: bye, steps: [hello]}
"""
)

NO_STAGES = loads_scenario(
    """
id: no_stages
title: Stages from steps
start: a
steps:
  - {id: a, stage: greet, say: Hi, next: b}
  - {id: b, say: No stage here, next: c}
  - {id: c, stage: record, say: Noted, next: d}
  - {id: d, stage: greet, say: Hi again, end: true}
"""
)


def enter(step: str, at_s: float = 0.0, via: str = "start") -> StepEntered:
    stage = SCENARIO.step(step).stage
    return StepEntered(at_s=at_s, step=step, stage=stage, say="(session text)",
                       verbatim=SCENARIO.step(step).verbatim, via=via)


def fold(events: list[Any], scenario: Scenario = SCENARIO) -> CallView:
    return fold_left(reduce, events, CallView.initial(scenario))


def observe(v: CallView) -> dict[str, Any]:
    """Everything a presenter shows, as plain values."""
    return {
        "step": v.step,
        "stage": v.stage,
        "say": v.say,
        "segments": [(s.kind, s.text, s.filled) for s in v.segments],
        "verbatim": v.verbatim,
        "hints": v.hints,
        "answers": [(a.id, a.label, a.score, a.is_global) for a in v.answers],
        "scores": {a.id: a.score for a in v.answers},
        "advance": (v.last_advance.answer, v.last_advance.score) if v.last_advance else None,
        "no_match": v.no_match.heard if v.no_match else None,
        "transcript": [t.text for t in v.transcript],
        "partial": v.partial,
        "reminders": [r.id for r in v.reminders],
        "fields": {f.id: (f.value, f.status) for f in v.fields},
        "heard": {f.id: f.heard for f in v.fields},
        "transfer": v.transfer.target if v.transfer else None,
        "silence": v.silence.text if v.silence else None,
        "at_s": v.at_s,
        "notices": [n.text for n in v.notices],
        "ended": (v.ended, v.outcome, v.end_reason),
        "breadcrumb": [(c.stage, c.current, c.visited) for c in v.breadcrumb],
    }


SCORES = AnswerScores(at_s=1.0, step="hello", scores=(("can_talk", 71.0), ("busy", 12.5)))
ADVANCE = Matched(at_s=2.0, step="hello", answer="can_talk", next="ask", score=93.0,
                  heard="yes sure", phrase="sure", latency_ms=180.0)

CASES: list[tuple[str, list[Any], dict[str, Any]]] = [
    (
        "initial view: no step, every field empty, breadcrumb unmarked",
        [],
        {
            "step": None,
            "answers": [],
            "fields": {"name": (None, "empty"), "phone": (None, "empty")},
            "breadcrumb": [("contact", False, False), ("needs", False, False),
                           ("presentation", False, False), ("closing", False, False)],
            "ended": (False, "", ""),
        },
    ),
    (
        "start step: line, verbatim, hints, answers (labels, first phrase, globals that apply)",
        [enter("hello")],
        {
            "step": "hello",
            "stage": "contact",
            "say": "Hello {name}, *welcome*! [pause] Can we talk?",
            "verbatim": True,
            "hints": ("Smile while you speak",),
            "answers": [
                ("can_talk", "Yes, can talk", None, False),
                ("busy", "i am busy", None, False),
                ("price", "Asks the price", None, True),
                ("who", "who are you", None, True),
            ],
            "breadcrumb": [("contact", True, True), ("needs", False, False),
                           ("presentation", False, False), ("closing", False, False)],
        },
    ),
    (
        "segments: stress, pause and an unfilled field placeholder",
        [enter("hello")],
        {
            "segments": [("text", "Hello ", True), ("field", "name", False), ("text", ", ", True),
                         ("stress", "welcome", True), ("text", "! ", True), ("pause", "", True),
                         ("text", " Can we talk?", True)],
        },
    ),
    (
        "a captured field fills the placeholder of the line already shown",
        [enter("hello"), FieldCaptured(at_s=0.5, field="name", value="Maria", heard="maria")],
        {"say": "Hello Maria, *welcome*! [pause] Can we talk?",
         "fields": {"name": ("Maria", "heard"), "phone": (None, "empty")}},
    ),
    (
        "live scores of the current step go on its answers",
        [enter("hello"), SCORES],
        {"scores": {"can_talk": 71.0, "busy": 12.5, "price": None, "who": None}},
    ),
    (
        "scores of another step are ignored (late)",
        [enter("hello"), AnswerScores(at_s=1.0, step="ask", scores=(("can_talk", 99.0),))],
        {"scores": {"can_talk": None, "busy": None, "price": None, "who": None}},
    ),
    (
        "the next scores replace the previous ones; an answer absent is unscored",
        [enter("hello"), SCORES, AnswerScores(at_s=1.2, step="hello", scores=(("busy", 40.0),))],
        {"scores": {"can_talk": None, "busy": 40.0, "price": None, "who": None}},
    ),
    (
        "an advance: explanation kept, new step's answers unscored, stage moves on",
        [enter("hello"), SCORES, ADVANCE, enter("ask", 2.0, "answer")],
        {
            "step": "ask",
            "stage": "needs",
            "verbatim": False,
            "hints": (),
            "advance": ("can_talk", 93.0),
            "answers": [("gave", "my number is", None, False),
                        ("price", "Asks the price", None, True)],
            "breadcrumb": [("contact", False, True), ("needs", True, True),
                           ("presentation", False, False), ("closing", False, False)],
        },
    ),
    (
        "partials show live, a final replaces the partial and stays",
        [enter("hello"), Partial("yes", 1.0), Partial("yes sure", 1.3)],
        {"partial": "yes sure", "transcript": []},
    ),
    (
        "final settles the utterance",
        [enter("hello"), Partial("yes", 1.0), Final("yes sure", 1.6)],
        {"partial": "", "transcript": ["yes sure"], "at_s": 1.6},
    ),
    (
        "an empty final clears the partial without a transcript line",
        [Partial("uh", 1.0), Final("", 1.2)],
        {"partial": "", "transcript": []},
    ),
    (
        "reminders: due adds (once per id), dismiss removes only that one",
        [
            enter("hello"),
            ReminderDue(1.0, "recorded", "Say the call is recorded", "hello"),
            ReminderDue(2.0, "offer", "Mention the discount", "hello"),
            ReminderDue(3.0, "recorded", "Say the call is recorded", "hello"),
            OperatorCommand(4.0, "dismiss", "offer"),
        ],
        {"reminders": ["recorded"], "at_s": 4.0},
    ),
    (
        "dismissing an unknown reminder changes nothing",
        [ReminderDue(1.0, "recorded", "Say it"), OperatorCommand(2.0, "dismiss", "nope")],
        {"reminders": ["recorded"]},
    ),
    (
        "a heard field, then confirmed by the operator (heard text kept)",
        [
            FieldCaptured(1.0, "phone", "5551234", heard="five five five one two three four"),
            FieldCaptured(2.0, "phone", "5551234", confirmed=True, source="operator"),
        ],
        {"fields": {"name": (None, "empty"), "phone": ("5551234", "confirmed")},
         "heard": {"name": "", "phone": "five five five one two three four"}},
    ),
    (
        "the operator corrects a heard value: the latest wins",
        [
            FieldCaptured(1.0, "phone", "5551234", heard="five five five one two three four"),
            FieldCaptured(2.0, "phone", "5551299", confirmed=True, source="operator"),
        ],
        {"fields": {"name": (None, "empty"), "phone": ("5551299", "confirmed")},
         "heard": {"name": "", "phone": ""}},
    ),
    (
        "a field the scenario does not declare is still shown",
        [FieldCaptured(1.0, "extra", "x")],
        {"fields": {"name": (None, "empty"), "phone": (None, "empty"), "extra": ("x", "heard")}},
    ),
    (
        "placeholders of a later line use every known field",
        [
            FieldCaptured(1.0, "name", "Maria"),
            FieldCaptured(1.5, "phone", "5551234"),
            enter("bye", 2.0, "answer"),
        ],
        {"say": "Goodbye Maria, we will call 5551234.", "stage": "closing"},
    ),
    (
        "transfer suggested, then accepted by the operator",
        [TransferSuggested(1.0, "billing", "Billing desk", "Let me transfer you", "my bill"),
         OperatorCommand(2.0, "transfer", "billing")],
        {"transfer": None},
    ),
    (
        "transfer suggestion shown until acted on",
        [TransferSuggested(1.0, "billing", "Billing desk", "Let me transfer you", "my bill"),
         Final("and another thing", 2.0)],
        {"transfer": "Billing desk"},
    ),
    (
        "transfer suggestion dismissed",
        [TransferSuggested(1.0, "billing", "Billing desk", "Let me transfer you"),
         OperatorCommand(2.0, "dismiss", "billing")],
        {"transfer": None},
    ),
    (
        "silence notice shown",
        [enter("hello"), SilenceNoticed(6.0, 5.0, "Ask again, more slowly", "hello")],
        {"silence": "Ask again, more slowly"},
    ),
    (
        "silence notice cleared when the customer speaks",
        [enter("hello"), SilenceNoticed(6.0, 5.0, "Ask again"), Partial("well", 6.5)],
        {"silence": None},
    ),
    (
        "silence notice cleared on entering a step",
        [enter("hello"), SilenceNoticed(6.0, 5.0, "Ask again"), enter("ask", 7.0, "goto")],
        {"silence": None, "step": "ask"},
    ),
    (
        "an empty partial does not clear the silence notice",
        [SilenceNoticed(6.0, 5.0, "Ask again"), Partial("", 6.5)],
        {"silence": "Ask again"},
    ),
    (
        "no match is shown until the step changes",
        [enter("hello"), NoMatch(2.0, "hello", "what", "below threshold", "busy", 30.0)],
        {"no_match": "what"},
    ),
    (
        "no match cleared by an advance",
        [enter("hello"), NoMatch(2.0, "hello", "what", "below threshold"), ADVANCE],
        {"no_match": None},
    ),
    (
        "undo re-enters the previous step with fresh answers; explanation stays",
        [enter("hello"), ADVANCE, enter("ask", 2.0, "answer"),
         AnswerScores(2.5, "ask", (("gave", 50.0),)), enter("hello", 3.0, "undo")],
        {"step": "hello", "scores": {"can_talk": None, "busy": None, "price": None, "who": None},
         "advance": ("can_talk", 93.0)},
    ),
    (
        "call time is the latest audio time, never going back; ticks move it",
        [Final("a", 5.0), Notice(3.0, "info", "late notice"), Tick(7.5)],
        {"at_s": 7.5, "notices": ["late notice"]},
    ),
    (
        "call ended: flag, outcome and reason; partial dropped",
        [enter("hello"), Partial("bye", 8.0), CallEnded(9.0, "operator", "sale", "hello")],
        {"ended": (True, "sale", "operator"), "partial": "", "at_s": 9.0},
    ),
    (
        "a step the scenario lacks shows the session's line",
        [StepEntered(1.0, "ghost", None, "Line from the session")],
        {"step": "ghost", "say": "Line from the session", "answers": [
            ("price", "Asks the price", None, True)]},
    ),
]


@pytest.mark.parametrize(("events", "expected"), [(e, x) for _, e, x in CASES],
                         ids=[name for name, _, _ in CASES])
def test_view(events: list[Any], expected: dict[str, Any]) -> None:
    seen = observe(fold(events))
    assert {k: seen[k] for k in expected} == expected


def test_transcript_keeps_the_last_lines_only() -> None:
    events = [Final(f"line {i}", float(i)) for i in range(TRANSCRIPT_LINES + 7)]
    v = fold(events)
    assert len(v.transcript) == TRANSCRIPT_LINES
    assert v.transcript[0].text == "line 7"
    assert v.transcript[-1].text == f"line {TRANSCRIPT_LINES + 6}"


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        ([], [("greet", False, False), ("record", False, False)]),
        ([StepEntered(0.0, "a", "greet", "Hi")], [("greet", True, True), ("record", False, False)]),
        (
            [StepEntered(0.0, "a", "greet", "Hi"), StepEntered(1.0, "b", None, "x"),
             StepEntered(2.0, "c", "record", "Noted")],
            [("greet", False, True), ("record", True, True)],
        ),
        (
            [StepEntered(0.0, "a", "greet", "Hi"), StepEntered(1.0, "b", None, "x")],
            [("greet", False, True), ("record", False, False)],
        ),
    ],
    ids=["none", "first", "visited", "stage-less step"],
)
def test_breadcrumb_from_steps_when_no_stages_declared(
    events: list[Any], expected: list[tuple[str, bool, bool]]
) -> None:
    assert observe(fold(events, NO_STAGES))["breadcrumb"] == expected


def test_reduce_never_mutates_the_view_it_got() -> None:
    before = fold([enter("hello"), SCORES])
    snapshot = observe(before)
    after = reduce(before, ADVANCE)
    after = reduce(after, enter("ask", 2.0, "answer"))
    assert observe(before) == snapshot
    assert after.step == "ask" and before.step == "hello"


def test_same_events_same_view() -> None:
    events = [enter("hello"), SCORES, Partial("yes", 1.1), Final("yes sure", 1.5), ADVANCE,
              enter("ask", 2.0, "answer"), FieldCaptured(3.0, "phone", "5551234")]
    assert fold(events) == fold(events)
    assert fold(events) != fold(events[:-1])
