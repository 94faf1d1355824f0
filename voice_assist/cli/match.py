"""`voice-assist match SCENARIO --step STEP "text"`: what the matcher decides, and why.

For scriptwriters tuning phrases: the chosen answer, its phrase and score, the runner-up, and
the score of every answer of the step.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from difflib import get_close_matches
from typing import Any

from ..errors import Problem, ScenarioError
from ..matcher import Candidate, Matcher, MatchResult
from ..scenario import load_scenario


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "match",
        help="show which answer of a step an utterance selects, and why",
        description="Match what the customer said against the answers of one step (and the "
        "scenario's global answers); print the decision and its explanation.",
    )
    p.add_argument("scenario", metavar="SCENARIO", help="scenario file (YAML or JSON)")
    p.add_argument("--step", required=True, help="the step the call is at")
    p.add_argument("text", metavar="TEXT", help="what the customer said")
    p.add_argument("--json", action="store_true", help="print the decision as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario)
    if not scenario.has_step(args.step):
        close = get_close_matches(args.step, scenario.step_ids, n=1)
        steps = ", ".join(scenario.step_ids)
        hint = f"; did you mean '{close[0]}'?" if close else f"; steps: {steps}"
        raise ScenarioError(
            [Problem(str(args.scenario), None, None, "--step", f"no step '{args.step}'{hint}")]
        )
    result = Matcher(scenario).match(args.step, args.text)
    if args.json:
        json.dump(to_json(result), sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print(explain(result))
    return 0


def _candidate_json(c: Candidate | None) -> dict[str, Any] | None:
    return None if c is None else asdict(c) | {"matched_words": list(c.matched_words)}


def to_json(result: MatchResult) -> dict[str, Any]:
    """The CLI's JSON: the decision first, then every answer's score."""
    c = result.chosen
    return {
        "answer": c.answer if c else None,
        "next": c.next if c else None,
        "score": c.score if c else None,
        "phrase": c.phrase if c else None,
        "matched_words": list(c.matched_words) if c else [],
        "threshold": c.threshold if c else None,
        "is_global": c.is_global if c else None,
        "runner_up": _candidate_json(result.runner_up),
        "reason": result.reason,
        "open_ended": result.open_ended,
        "candidates": [_candidate_json(x) for x in result.candidates],
    }


def explain(result: MatchResult) -> str:
    """Human-readable decision, then a bar per answer that scored anything."""
    lines = []
    c = result.chosen
    if c:
        where = " (global)" if c.is_global else ""
        lines.append(f"answer: {c.answer}{where} -> {c.next or '(no next step)'}")
        lines.append(
            f"  score {c.score:.1f} >= threshold {c.threshold:.0f}; phrase '{c.phrase}' "
            f"matched: {' '.join(c.matched_words)}"
        )
    else:
        lines.append(f"no match: {result.reason}")
    if result.runner_up:
        r = result.runner_up
        lines.append(f"runner-up: {r.answer} {r.score:.1f} ('{r.phrase}')")
    lines.append(f"reason: {result.reason}")
    for x in result.candidates:
        if x.score <= 0:
            continue
        bar = "#" * round(x.score / 5)
        flag = " negated" if x.negated else ""
        lines.append(f"  {x.answer:<24} {x.score:5.1f} {bar:<20} '{x.phrase}'{flag}")
    return "\n".join(lines)
