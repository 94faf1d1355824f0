"""The JSON the page renders: the static scenario part (sent once) and the `CallView` (per event).

Pure functions of values, so the page shows exactly what the console shows for the same events.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from ..events import to_json
from ..scenario.models import Scenario
from ..view import CallView, stage_names
from .i18n import ui_strings


def scenario_json(scenario: Scenario) -> dict[str, Any]:
    """What the page needs once: steps for "go to", fields' types, knowledge, transfers."""
    return {
        "id": scenario.id,
        "title": scenario.title,
        "language": scenario.language,
        "stages": list(stage_names(scenario)),
        "steps": [
            {
                "id": s.id,
                "title": s.title or "",
                "stage": s.stage or "",
                "end": s.end,
                "answers": [{"id": a.id, "label": a.label or a.phrases[0]} for a in s.answers],
            }
            for s in scenario.steps
        ],
        "global_answers": [
            {"id": g.id, "label": g.label or g.phrases[0]} for g in scenario.global_answers
        ],
        "fields": [
            {
                "id": f.id,
                "label": f.label,
                "type": f.type,
                "choices": list(f.choices),
                "required": f.required,
            }
            for f in scenario.fields
        ],
        "knowledge": [
            {"id": a.id, "title": a.title, "body": a.body, "tags": list(a.tags)}
            for a in scenario.knowledge
        ],
        "transfers": [
            {"id": t.id, "target": t.target, "say": t.say, "when": t.when or ""}
            for t in scenario.transfers
        ],
        "ui": ui_strings(scenario.language),
    }


def view_json(view: CallView, last_speech_s: float = 0.0) -> dict[str, Any]:
    """The operator's screen as JSON; `last_speech_s` feeds the silence indicator."""
    scenario = view.scenario
    step = scenario.step(view.step) if view.step and scenario.has_step(view.step) else None
    return {
        "step": view.step,
        "stage": view.stage,
        "title": view.title,
        "segments": [asdict(s) for s in view.segments],
        "verbatim": view.verbatim,
        "can_continue": bool(step and step.next),
        "next_step": step.next if step else None,
        "end_step": bool(step and step.end),
        "hints": list(view.hints),
        "answers": [asdict(a) for a in view.answers],
        "last_advance": to_json(view.last_advance) if view.last_advance else None,
        "no_match": to_json(view.no_match) if view.no_match else None,
        "transcript": [asdict(t) for t in view.transcript],
        "partial": view.partial,
        "reminders": [asdict(r) for r in view.reminders],
        "fields": [dict(asdict(f), status=f.status) for f in view.fields],
        "transfer": to_json(view.transfer) if view.transfer else None,
        "silence": to_json(view.silence) if view.silence else None,
        "at_s": view.at_s,
        "last_speech_s": last_speech_s,
        "notices": [to_json(n) for n in view.notices],
        "breadcrumb": [asdict(c) for c in view.breadcrumb],
        "ended": view.ended,
        "outcome": view.outcome,
        "end_reason": view.end_reason,
    }
