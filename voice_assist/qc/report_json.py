"""The JSON form of a QC report: stable keys, documented in docs/qc.md (`format` names the
version; keys are only ever added)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import VoiceAssistError
from .adherence import StepCheck
from .report import QcReport

FORMAT = "voice-assist-qc/1"


def _step(s: StepCheck) -> dict[str, Any]:
    a = s.alignment
    return {
        "step": s.step,
        "visit": s.visit,
        "entered_at_s": s.entered_at_s,
        "start_s": s.start_s,
        "end_s": s.end_s,
        "verbatim": s.verbatim,
        "mode": s.mode,
        "status": s.status,
        "score": s.score,
        "accuracy": s.accuracy,
        "coverage": s.coverage,
        "expected": s.expected,
        "heard": s.heard,
        "key_words": list(s.key_words),
        "key_words_found": list(s.key_words_found),
        "missing": list(a.missing) if a else [],
        "extra": list(a.extra) if a else [],
        "substituted": [list(p) for p in a.substituted] if a else [],
        "diff": [
            {"op": d.op, "expected": d.expected, "heard": d.heard} for d in (a.diff if a else ())
        ],
    }


def to_json(r: QcReport) -> dict[str, Any]:
    """The report as plain JSON values, keys in a fixed order."""
    t = r.timings
    return {
        "format": FORMAT,
        "recording": r.recording,
        "scenario": {"id": r.scenario_id, "title": r.scenario_title, "language": r.language},
        "engine": r.engine,
        "stereo": r.stereo,
        "sides": ["operator", "customer"] if r.stereo else ["customer"],
        "notes": list(r.notes),
        "score": r.score,
        "score_parts": dict(r.score_parts),
        "findings": [
            {"kind": f.kind, "at_s": f.at_s, "subject": f.subject, "message": f.message}
            for f in r.findings
        ],
        "path": list(r.path),
        "ended": {"reason": r.ended_reason, "outcome": r.outcome, "step": r.ended_step},
        "advances": [
            {"from": m.step, "to": m.next, "answer": m.answer, "score": m.score, "heard": m.heard,
             "at_s": m.at_s, "source": m.source}
            for m in r.advances
        ],
        "steps": [_step(s) for s in r.steps],
        "reminders": [
            {"reminder": x.reminder, "text": x.text, "step": x.step, "due_at_s": x.due_at_s,
             "said": x.said, "said_at_s": x.said_at_s, "coverage": x.coverage,
             "key_words": list(x.key_words), "key_words_found": list(x.key_words_found),
             "heard": x.heard}
            for x in r.reminders
        ],
        "fields": [
            {"field": f.field, "label": f.label, "required": f.required, "value": f.value,
             "asked": f.asked, "empty": f.empty}
            for f in r.fields
        ],
        "transfers": [
            {"transfer": x.transfer, "target": x.target, "suggested_at_s": x.suggested_at_s,
             "heard": x.heard, "done": x.done, "how": x.how, "done_at_s": x.done_at_s}
            for x in r.transfers
        ],
        "no_match": [{"at_s": n.at_s, "step": n.step, "heard": n.heard} for n in r.no_match],
        "timings": {
            "duration_s": t.duration_s,
            "talk_s": {"operator": t.operator_talk_s, "customer": t.customer_talk_s},
            "longest_customer_silence_s": t.longest_customer_silence_s,
            "longest_customer_silence_at_s": t.longest_customer_silence_at_s,
            "interruptions": [
                {"at_s": i.at_s, "by": i.by, "overlap_s": i.overlap_s} for i in t.interruptions
            ],
            "stage_at_s": dict(t.stage_at_s),
            "step_at_s": dict(t.step_at_s),
        },
        "transcript": [
            {"side": x.side, "start_s": x.start_s, "end_s": x.end_s, "text": x.text}
            for x in r.transcript
        ],
    }


def write_json(data: Any, path: str | Path) -> None:
    """Write JSON to a file, naming the file when it cannot be written."""
    try:
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise VoiceAssistError(f"cannot write {path}: {exc.strerror}") from None
