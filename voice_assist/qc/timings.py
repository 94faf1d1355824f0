"""Call timings from the two sides' speech spans: talk time, silences, interruptions, stages.

Pure functions over `Span`s (from the energy voice-activity track, not from the recognizer, so
the figures do not depend on what the engine understood).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..events import StepEntered
from .replay import Span

MIN_OVERLAP_S = 0.3
"""Both sides speaking for less than this is a back-channel or an echo, not an interruption."""


@dataclass(frozen=True)
class Interruption:
    """Both sides spoke at once: `by` started while the other was talking."""

    at_s: float
    by: str  # "operator" | "customer"
    overlap_s: float


@dataclass(frozen=True)
class Timings:
    duration_s: float
    operator_talk_s: float | None  # None: no operator channel (mono)
    customer_talk_s: float
    longest_customer_silence_s: float
    longest_customer_silence_at_s: float | None
    interruptions: tuple[Interruption, ...]
    stage_at_s: tuple[tuple[str, float], ...]  # first time each stage was reached, in order
    step_at_s: tuple[tuple[str, float], ...]  # first time each step was entered, in order


def talk_s(spans: Sequence[Span]) -> float:
    return round(sum(s.duration_s for s in spans), 2)


def interruptions(operator: Sequence[Span], customer: Sequence[Span]) -> list[Interruption]:
    """Every overlap of an operator span with a customer span of at least `MIN_OVERLAP_S`."""
    out: list[Interruption] = []
    for o in operator:
        for c in customer:
            overlap = min(o.end_s, c.end_s) - max(o.start_s, c.start_s)
            if overlap >= MIN_OVERLAP_S:
                by = "customer" if c.start_s > o.start_s else "operator"
                out.append(Interruption(round(max(o.start_s, c.start_s), 2), by, round(overlap, 2)))
    return sorted(out, key=lambda i: i.at_s)


def longest_customer_silence(
    operator: Sequence[Span], customer: Sequence[Span], duration_s: float
) -> tuple[float, float | None]:
    """The longest wait for the customer: from the end of an operator's turn until anyone spoke
    again (without an operator channel: the longest gap between the customer's turns)."""
    best: tuple[float, float | None] = (0.0, None)
    if operator:
        for o in operator:
            if any(c.start_s <= o.end_s < c.end_s for c in customer):
                continue  # the customer was talking when the operator stopped
            nexts = [s.start_s for s in (*operator, *customer) if s.start_s >= o.end_s]
            gap = (min(nexts) if nexts else duration_s) - o.end_s
            if gap > best[0]:
                best = (round(gap, 2), o.end_s)
        return best
    edges = [0.0, *[x for c in customer for x in (c.start_s, c.end_s)], duration_s]
    for i in range(0, len(edges) - 1, 2):
        gap = edges[i + 1] - edges[i]
        if gap > best[0]:
            best = (round(gap, 2), edges[i])
    return best


Times = list[tuple[str, float]]


def first_times(events: Sequence[object]) -> tuple[Times, Times]:
    """When each stage and each step was first reached."""
    stages: dict[str, float] = {}
    steps: dict[str, float] = {}
    for e in events:
        if isinstance(e, StepEntered):
            steps.setdefault(e.step, round(e.at_s, 2))
            if e.stage:
                stages.setdefault(e.stage, round(e.at_s, 2))
    return list(stages.items()), list(steps.items())


def timings(
    events: Sequence[object],
    operator: Sequence[Span] | None,
    customer: Sequence[Span],
    duration_s: float,
) -> Timings:
    silence_s, silence_at_s = longest_customer_silence(operator or [], customer, duration_s)
    stages, steps = first_times(events)
    return Timings(
        duration_s=round(duration_s, 2),
        operator_talk_s=talk_s(operator) if operator is not None else None,
        customer_talk_s=talk_s(customer),
        longest_customer_silence_s=silence_s,
        longest_customer_silence_at_s=silence_at_s,
        interruptions=tuple(interruptions(operator or [], customer)),
        stage_at_s=tuple(stages),
        step_at_s=tuple(steps),
    )
