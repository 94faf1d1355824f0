"""Scenario variants for what-if runs: a phrase added, thresholds changed, steps kept.

Copies share everything they do not change (pydantic `model_copy`, no re-validation), so a
what-if run costs only the matcher's index of the steps it keeps.
"""

from __future__ import annotations

from collections.abc import Collection

from ..scenario import Answer, GlobalAnswer, Scenario, Step


def with_phrase(scenario: Scenario, answer: str, phrase: str, step: str | None) -> Scenario:
    """`phrase` added to `answer` of `step` (None: the global answer)."""
    if step is None:
        globals_ = [_add(g, phrase) if g.id == answer else g for g in scenario.global_answers]
        return scenario.model_copy(update={"global_answers": globals_})
    steps = [
        s.model_copy(update={"answers": [_add(a, phrase) if a.id == answer else a
                                         for a in s.answers]})
        if s.id == step
        else s
        for s in scenario.steps
    ]
    return scenario.model_copy(update={"steps": steps})


def _add(a: Answer | GlobalAnswer, phrase: str) -> Answer | GlobalAnswer:
    return a.model_copy(update={"phrases": [*a.phrases, phrase]})


def with_step_threshold(scenario: Scenario, threshold: float, steps: Collection[str]) -> Scenario:
    """Every own answer of these steps gets `threshold` (global answers keep theirs)."""
    new_steps = [
        s.model_copy(
            update={"answers": [a.model_copy(update={"threshold": threshold}) for a in s.answers]}
        )
        if s.id in steps
        else s
        for s in scenario.steps
    ]
    return scenario.model_copy(update={"steps": new_steps})


def only_steps(scenario: Scenario, steps: Collection[str]) -> Scenario:
    """The scenario cut down to these steps (plus every global answer), for fast what-ifs."""
    kept: list[Step] = [s for s in scenario.steps if s.id in steps]
    return scenario.model_copy(update={"steps": kept})


def step_threshold(scenario: Scenario, step: str, default: float) -> float | None:
    """The threshold all own answers of a step use (None: they differ, or it has none)."""
    values = {a.threshold if a.threshold is not None else default
              for a in scenario.step(step).answers}
    return values.pop() if len(values) == 1 else None
