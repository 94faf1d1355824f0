"""Threshold sweep per step: accuracy, wrong selections and misses at each threshold, and the
recommended one.

Scores and the margin rule do not depend on the threshold, so one run with the step's answers at
threshold 0 tells every threshold's decision: the answer chosen at 0 is chosen at t exactly when
its score reaches t (a global answer keeps its own threshold). A test checks this against full
re-runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..matcher import Matcher, MatchResult
from ..scenario import Scenario
from .corpus import Utterance
from .variants import step_threshold, with_step_threshold

GRID = tuple(float(t) for t in range(40, 100, 5))
"""Thresholds tried (plus each step's current one)."""
WRONG_COST = 3.0
"""A wrong selection costs this many misses: it sends the operator to the wrong line."""
MIN_ITEMS = 5
"""No recommendation for a step with fewer labeled utterances than this."""
MIN_RECOMMENDED = 50.0
"""Never recommend a lower threshold: below it one word of a three-word phrase selects the
answer, and a small corpus is right about that only by luck (the sweep still shows it)."""


@dataclass(frozen=True)
class SweepPoint:
    threshold: float
    correct: int
    wrong: int
    missed: int
    total: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    @property
    def cost(self) -> float:
        return WRONG_COST * self.wrong + (self.total - self.correct - self.wrong)


@dataclass(frozen=True)
class StepSweep:
    """The sweep of one step; `recommended` is None when the current threshold is best (or
    mixed thresholds / too few utterances leave nothing to recommend)."""

    step: str
    current: float | None
    points: tuple[SweepPoint, ...]
    recommended: float | None

    def point(self, threshold: float) -> SweepPoint | None:
        return next((p for p in self.points if p.threshold == threshold), None)


def decide_at(result0: MatchResult, threshold: float) -> str | None:
    """The answer chosen at `threshold`, from the result with the step's thresholds at 0."""
    c = result0.chosen
    if c is None:
        return None
    need = c.threshold if c.is_global else threshold
    return c.answer if c.score >= need else None


def sweep(
    scenario: Scenario,
    utterances: Sequence[Utterance],
    matcher: Matcher,
    grid: Sequence[float] = GRID,
) -> list[StepSweep]:
    """One sweep per step with utterances, in scenario order."""
    steps = [s.id for s in scenario.steps if any(u.step == s.id for u in utterances)]
    zero = Matcher(with_step_threshold(scenario, 0.0, steps), matcher.config)
    results = [(u, zero.match(u.step, u.text)) for u in utterances]
    out = []
    for step in steps:
        here = [(u, r) for u, r in results if u.step == step]
        current = step_threshold(scenario, step, matcher.config.threshold)
        values = sorted(set(grid) | ({current} if current is not None else set()))
        points = []
        for t in values:
            picks = [(u.expect, decide_at(r, t)) for u, r in here]
            points.append(
                SweepPoint(
                    threshold=t,
                    correct=sum(e == s for e, s in picks),
                    wrong=sum(s is not None and s != e for e, s in picks),
                    missed=sum(s is None and e is not None for e, s in picks),
                    total=len(picks),
                )
            )
        out.append(StepSweep(step, current, tuple(points), _recommend(points, current)))
    return out


def _recommend(points: Sequence[SweepPoint], current: float | None) -> float | None:
    """The middle of the cheapest run of thresholds (wrong selections weigh WRONG_COST misses)
    nearest the current one: the widest margin on both sides. None unless it is strictly better
    than the current threshold."""
    if current is None or not points or points[0].total < MIN_ITEMS:
        return None
    now = next(p for p in points if p.threshold == current)
    points = [p for p in points if p.threshold >= MIN_RECOMMENDED]
    if not points:
        return None
    best = min(p.cost for p in points)
    if now.cost <= best:
        return None
    runs: list[list[float]] = []
    for i, p in enumerate(points):
        if p.cost != best:
            continue
        if runs and points[i - 1].cost == best:
            runs[-1].append(p.threshold)
        else:
            runs.append([p.threshold])
    nearest = min(runs, key=lambda r: min(abs(t - current) for t in r))
    return nearest[(len(nearest) - 1) // 2]
