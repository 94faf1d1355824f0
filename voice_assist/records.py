"""What a stored call looks like to its readers: summaries for listings, full records for `show`.

Everything in a `CallRecord` beyond the header is derived from the call's events by the pure
`derive` function, so the events stay the one source of truth.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .events import (
    FieldCaptured,
    Final,
    Matched,
    NoMatch,
    OperatorCommand,
    ReminderDue,
    StepEntered,
    TransferSuggested,
)

INTERRUPTED = "interrupted"
"""The outcome shown for a call that never got `end_call` (the process died mid-call)."""

IN_PROGRESS = "in progress"
"""The outcome shown for a call still open in the store object that lists it."""


@dataclass(frozen=True)
class CallHeader:
    """The facts about a call known outside its events: who, what, when, how it ended.

    `duration_s` is audio seconds: as given at the end of the call, or for a call that never
    ended, the audio time of its last stored event (`ended_at` is then None).
    """

    id: int
    scenario_id: str
    scenario_version: str
    scenario_path: str
    operator: str
    source: str
    engine: str
    started_at: datetime
    ended_at: datetime | None
    duration_s: float
    outcome: str
    reason: str

    @property
    def header(self) -> CallHeader:
        """Just the header (a summary or a record reduced to it)."""
        return CallHeader(**vars_of(self))


@dataclass(frozen=True)
class CallSummary(CallHeader):
    """One line of `calls list`: the header plus the steps entered (for the path summary)."""

    path: tuple[str, ...] = ()


@dataclass(frozen=True)
class FieldRecord:
    """The latest value of a field in a call and whether the operator confirmed it."""

    field: str
    value: str
    confirmed: bool
    heard: str
    source: str
    at_s: float


@dataclass(frozen=True)
class TranscriptLine:
    """One final utterance of the customer."""

    at_s: float
    text: str
    start_s: float = 0.0


@dataclass(frozen=True)
class StepVisit:
    """A step entered, how it was entered, and the advance that led there (if any)."""

    at_s: float
    step: str
    stage: str | None
    via: str
    previous: str | None
    advance: Matched | None


@dataclass(frozen=True)
class NoAnswerText:
    """What the customer said when the operator found no suitable answer (for the scriptwriter)."""

    at_s: float
    step: str | None
    text: str


@dataclass(frozen=True)
class ReminderShown:
    """A reminder that was shown, and when the operator dismissed it (None if never)."""

    at_s: float
    reminder: str
    text: str
    step: str | None
    dismissed_at_s: float | None = None


@dataclass(frozen=True)
class CallRecord(CallHeader):
    """A whole call: its header and what its events say happened."""

    visits: tuple[StepVisit, ...] = ()
    advances: tuple[Matched, ...] = ()
    fields: tuple[FieldRecord, ...] = ()
    transcript: tuple[TranscriptLine, ...] = ()
    no_answer: tuple[NoAnswerText, ...] = ()
    reminders: tuple[ReminderShown, ...] = ()
    transfers: tuple[TransferSuggested, ...] = ()
    no_match: tuple[NoMatch, ...] = ()
    event_count: int = 0
    last_at_s: float = 0.0

    @property
    def path(self) -> tuple[str, ...]:
        """Steps entered, in order, the start step first."""
        return tuple(v.step for v in self.visits)

    def field_values(self) -> dict[str, str]:
        return {f.field: f.value for f in self.fields}


def derive(header: CallHeader, events: Iterable[Any]) -> CallRecord:
    """Fold a call's events (in order) into its record. Pure: no I/O."""
    visits: list[StepVisit] = []
    advances: list[Matched] = []
    fields: dict[str, FieldRecord] = {}
    transcript: list[TranscriptLine] = []
    no_answer: list[NoAnswerText] = []
    reminders: list[ReminderShown] = []
    transfers: list[TransferSuggested] = []
    no_match: list[NoMatch] = []
    pending: Matched | None = None  # an advance leads to the step entered right after it
    previous: Any = None
    step: str | None = None
    count = 0
    last_at_s = 0.0
    for ev in events:
        pending = previous if isinstance(previous, Matched) else None
        previous = ev
        count += 1
        last_at_s = max(last_at_s, float(getattr(ev, "at_s", 0.0)))
        if isinstance(ev, StepEntered):
            visits.append(StepVisit(ev.at_s, ev.step, ev.stage, ev.via, ev.previous, pending))
            step = ev.step
        elif isinstance(ev, Matched):
            advances.append(ev)
        elif isinstance(ev, FieldCaptured):
            fields.pop(ev.field, None)  # re-insert: latest change last
            fields[ev.field] = FieldRecord(
                ev.field, ev.value, ev.confirmed, ev.heard, ev.source, ev.at_s
            )
        elif isinstance(ev, Final):
            if ev.heard.strip():
                transcript.append(TranscriptLine(ev.at_s, ev.heard, ev.start_s))
        elif isinstance(ev, ReminderDue):
            reminders.append(ReminderShown(ev.at_s, ev.reminder, ev.text, ev.step))
        elif isinstance(ev, TransferSuggested):
            transfers.append(ev)
        elif isinstance(ev, NoMatch):
            no_match.append(ev)
        elif isinstance(ev, OperatorCommand):
            if ev.action == "no_answer":
                no_answer.append(NoAnswerText(ev.at_s, step, ev.value))
            elif ev.action == "dismiss":
                reminders = _dismiss(reminders, ev.arg, ev.at_s)
    return CallRecord(
        **vars_of(header),
        visits=tuple(visits),
        advances=tuple(advances),
        fields=tuple(fields.values()),
        transcript=tuple(transcript),
        no_answer=tuple(no_answer),
        reminders=tuple(reminders),
        transfers=tuple(transfers),
        no_match=tuple(no_match),
        event_count=count,
        last_at_s=last_at_s,
    )


def _dismiss(shown: list[ReminderShown], reminder: str, at_s: float) -> list[ReminderShown]:
    """Mark the latest undismissed showing of `reminder` as dismissed at `at_s`."""
    for i in range(len(shown) - 1, -1, -1):
        r = shown[i]
        if r.reminder == reminder and r.dismissed_at_s is None:
            return [*shown[:i], dataclasses.replace(r, dismissed_at_s=at_s), *shown[i + 1 :]]
    return shown


def header_json(h: CallHeader) -> dict[str, Any]:
    """The header as JSON-ready values (times as ISO 8601 UTC)."""
    return {
        "id": h.id,
        "scenario": {"id": h.scenario_id, "version": h.scenario_version, "path": h.scenario_path},
        "operator": h.operator,
        "source": h.source,
        "engine": h.engine,
        "started_at": h.started_at.isoformat(),
        "ended_at": h.ended_at.isoformat() if h.ended_at else None,
        "duration_s": h.duration_s,
        "outcome": h.outcome,
        "reason": h.reason,
    }


def summary_json(s: CallSummary) -> dict[str, Any]:
    return {**header_json(s), "path": list(s.path)}


def record_json(r: CallRecord) -> dict[str, Any]:
    """The stable JSON form of `calls show --json` (documented in docs/call-records.md)."""
    from .events import to_json

    def advance(m: Matched | None) -> dict[str, Any] | None:
        return to_json(m) if m is not None else None

    return {
        **header_json(r),
        "path": list(r.path),
        "steps": [
            {
                "at_s": v.at_s,
                "step": v.step,
                "stage": v.stage,
                "via": v.via,
                "previous": v.previous,
                "advance": advance(v.advance),
            }
            for v in r.visits
        ],
        "advances": [to_json(m) for m in r.advances],
        "fields": {f.field: dataclasses.asdict(f) for f in r.fields},
        "transcript": [dataclasses.asdict(t) for t in r.transcript],
        "no_answer": [dataclasses.asdict(n) for n in r.no_answer],
        "reminders": [dataclasses.asdict(x) for x in r.reminders],
        "transfers": [to_json(t) for t in r.transfers],
        "no_match": [to_json(n) for n in r.no_match],
        "event_count": r.event_count,
    }


def vars_of(header: CallHeader) -> dict[str, Any]:
    """The header's fields by name (to build a summary or a record from it)."""
    return {f.name: getattr(header, f.name) for f in dataclasses.fields(CallHeader)}
