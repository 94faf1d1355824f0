"""The QC report of one call: adherence checks, timings, findings and the overall score.

Overall score (0..100), documented in docs/qc.md:

    score = (0.6 * steps + 0.2 * reminders + 0.1 * fields + 0.1 * transfers) / (sum of the
            weights of the parts that apply)

    steps      mean score of the visits whose line was checked (verbatim: strict word accuracy,
               others: share of key words said; a line never said scores 0)
    reminders  share of the reminders due that the operator said
    fields     share of the required fields, asked during the call, that got a value
    transfers  share of the suggested transfers the operator carried out

A part applies when it has something to count (no reminder due: the part is left out). A mono
recording has no operator side: no part applies and the score is None.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..events import CallEnded, Matched, NoMatch
from .adherence import (
    FieldCheck,
    ReminderCheck,
    StepCheck,
    TransferCheck,
    check_fields,
    check_reminders,
    check_step,
    check_transfers,
    operator_words,
    phrases,
    unchecked_step,
    visits,
)
from .replay import Replay
from .timings import Timings, timings

WEIGHTS = {"steps": 0.6, "reminders": 0.2, "fields": 0.1, "transfers": 0.1}


@dataclass(frozen=True)
class Finding:
    """One deviation from the script, for the list at the top of a report."""

    kind: str  # step_not_said | step_deviated | reminder_missed | field_empty | transfer_not_done
    at_s: float
    subject: str  # step, reminder, field or transfer id
    message: str


@dataclass(frozen=True)
class Line:
    """One utterance of the transcript."""

    side: str  # "operator" | "customer"
    start_s: float
    end_s: float
    text: str


@dataclass(frozen=True)
class QcReport:
    recording: str
    scenario_id: str
    scenario_title: str
    language: str
    engine: str
    stereo: bool
    notes: tuple[str, ...]
    path: tuple[str, ...]
    ended_reason: str
    outcome: str
    ended_step: str | None
    advances: tuple[Matched, ...]
    steps: tuple[StepCheck, ...]
    reminders: tuple[ReminderCheck, ...]
    fields: tuple[FieldCheck, ...]
    transfers: tuple[TransferCheck, ...]
    no_match: tuple[NoMatch, ...]
    timings: Timings
    transcript: tuple[Line, ...]
    findings: tuple[Finding, ...]
    score: float | None
    score_parts: dict[str, float] = field(default_factory=dict)
    customer_speech: tuple[tuple[float, float], ...] = ()
    operator_speech: tuple[tuple[float, float], ...] = ()


def score(
    steps: list[StepCheck],
    reminders: list[ReminderCheck],
    fields: list[FieldCheck],
    transfers: list[TransferCheck],
) -> tuple[float | None, dict[str, float]]:
    """The overall score and its parts (see the module doc for the formula)."""
    parts: dict[str, float] = {}
    checked = [s for s in steps if s.mode in ("strict", "keywords")]
    if checked:
        parts["steps"] = sum(s.score for s in checked) / len(checked)
    if reminders:
        parts["reminders"] = 100.0 * sum(r.said for r in reminders) / len(reminders)
    asked = [f for f in fields if f.required and f.asked]
    if asked:
        parts["fields"] = 100.0 * sum(not f.empty for f in asked) / len(asked)
    if transfers:
        parts["transfers"] = 100.0 * sum(t.done for t in transfers) / len(transfers)
    if not parts:
        return None, {}
    total = sum(WEIGHTS[k] * v for k, v in parts.items()) / sum(WEIGHTS[k] for k in parts)
    return round(total, 1), {k: round(v, 1) for k, v in parts.items()}


def findings(
    steps: list[StepCheck],
    reminders: list[ReminderCheck],
    fields: list[FieldCheck],
    transfers: list[TransferCheck],
    end_s: float,
) -> list[Finding]:
    out: list[Finding] = []
    for s in steps:
        if s.status == "not_said":
            out.append(Finding("step_not_said", s.entered_at_s, s.step,
                               f"the line of step '{s.step}' was never said"))
        elif s.status == "deviated":
            message = f"verbatim step '{s.step}' read with {s.accuracy:.0%} word accuracy"
            out.append(Finding("step_deviated", s.entered_at_s, s.step, message))
    for r in reminders:
        if not r.said:
            out.append(Finding("reminder_missed", r.due_at_s, r.reminder,
                               f"reminder '{r.reminder}' was due and not said: {r.text}"))
    for f in fields:
        if f.required and f.asked and f.empty:
            out.append(Finding("field_empty", end_s, f.field,
                               f"required field '{f.field}' ({f.label}) was left empty"))
    for t in transfers:
        if not t.done:
            out.append(Finding("transfer_not_done", t.suggested_at_s, t.transfer,
                               f"transfer to {t.target} was suggested and not done"))
    return sorted(out, key=lambda f: f.at_s)


def transcript(replay: Replay) -> list[Line]:
    lines = [
        Line("customer", round(f.words[0].start_s if f.words else f.start_s, 2), round(f.at_s, 2),
             f.free_text or f.text)
        for f in replay.customer if (f.free_text or f.text).strip()
    ]
    lines += [
        Line("operator", round(f.words[0].start_s if f.words else f.start_s, 2),
             round(f.words[-1].end_s if f.words else f.at_s, 2), f.text)
        for f in replay.operator
    ]
    return sorted(lines, key=lambda x: x.start_s)


def build(replay: Replay) -> QcReport:
    """Check one replayed call against its scenario."""
    scenario = replay.scenario
    language = scenario.language
    events = replay.call.events
    duration_s = max(replay.duration_s, replay.call.duration_s)
    words = operator_words(replay.operator)
    spoken = phrases(words)
    visit_list = visits(events, duration_s)
    if replay.stereo:
        steps = [check_step(v, words, language) for v in visit_list]
        reminders = check_reminders(events, spoken, language)
        transfers = check_transfers(scenario, events, spoken)
    else:
        steps, reminders, transfers = [unchecked_step(v) for v in visit_list], [], []
    fields = check_fields(scenario, replay.call.fields, replay.call.path)
    if not replay.stereo:
        total: float | None = None
        parts: dict[str, float] = {}
        found = [
            Finding("field_empty", duration_s, f.field,
                    f"required field '{f.field}' ({f.label}) was left empty")
            for f in fields if f.required and f.asked and f.empty
        ]
    else:
        total, parts = score(steps, reminders, fields, transfers)
        found = findings(steps, reminders, fields, transfers, duration_s)
    ended = replay.call.ended or CallEnded(duration_s, "end_of_audio", "incomplete")
    return QcReport(
        recording=replay.recording,
        scenario_id=scenario.id,
        scenario_title=scenario.title,
        language=language,
        engine=replay.engine,
        stereo=replay.stereo,
        notes=tuple(replay.notes),
        path=tuple(replay.call.path),
        ended_reason=ended.reason,
        outcome=ended.outcome,
        ended_step=ended.step,
        advances=tuple(e for e in events if isinstance(e, Matched)),
        steps=tuple(steps),
        reminders=tuple(reminders),
        fields=tuple(fields),
        transfers=tuple(transfers),
        no_match=tuple(e for e in events if isinstance(e, NoMatch)),
        timings=timings(events, replay.operator_speech if replay.stereo else None,
                        replay.customer_speech, duration_s),
        transcript=tuple(transcript(replay)),
        findings=tuple(found),
        score=total,
        score_parts=parts,
        customer_speech=tuple((s.start_s, s.end_s) for s in replay.customer_speech),
        operator_speech=tuple((s.start_s, s.end_s) for s in replay.operator_speech),
    )
