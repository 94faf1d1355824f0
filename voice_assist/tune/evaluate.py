"""Run the matcher over labeled utterances and score it per step: confusion, precision, recall.

Wrong selections (an answer chosen that the customer did not give) come first: they move the
call to the wrong line. Misses (nothing chosen although an answer was given) come next, each
with the closest phrase of the expected answer, its score and the threshold it missed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from rapidfuzz import fuzz, process

from ..matcher import Candidate, Matcher, MatchResult
from ..scenario import Scenario
from .corpus import Utterance, labels_at


@dataclass(frozen=True)
class Outcome:
    """One labeled utterance and what the matcher made of it."""

    utterance: Utterance
    selected: str | None
    result: MatchResult
    nearest_phrase: str = ""  # when no word of the expected answer matched: the phrase most
    # like the utterance in spelling, so the report still points somewhere

    @property
    def correct(self) -> bool:
        return self.selected == self.utterance.expect

    @property
    def wrong(self) -> bool:
        """An answer was chosen, but not the one given (the costly error)."""
        return self.selected is not None and self.selected != self.utterance.expect

    @property
    def missed(self) -> bool:
        """An answer was given, and nothing was chosen."""
        return self.selected is None and self.utterance.expect is not None

    @property
    def closest(self) -> Candidate | None:
        """The expected answer's best phrase for this utterance (None: a null label)."""
        expect = self.utterance.expect
        return next((c for c in self.result.candidates if c.answer == expect), None)

    @property
    def chosen(self) -> Candidate | None:
        return self.result.chosen


@dataclass(frozen=True)
class AnswerStats:
    """How often an answer was expected, selected, and both; None where undefined (0/0)."""

    answer: str
    expected: int
    selected: int
    correct: int

    @property
    def precision(self) -> float | None:
        return self.correct / self.selected if self.selected else None

    @property
    def recall(self) -> float | None:
        return self.correct / self.expected if self.expected else None


@dataclass(frozen=True)
class StepReport:
    """Everything about one step: labels (None last), confusion counts, errors in cost order."""

    step: str
    labels: tuple[str | None, ...]
    confusion: dict[tuple[str | None, str | None], int]  # (expected, selected) -> count
    answers: tuple[AnswerStats, ...]
    wrong: tuple[Outcome, ...]
    misses: tuple[Outcome, ...]
    total: int
    correct: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


def run(matcher: Matcher, utterances: Iterable[Utterance]) -> list[Outcome]:
    """The matcher's decision for every utterance, in order."""
    out = []
    for u in utterances:
        result = matcher.match(u.step, u.text)
        o = Outcome(u, result.chosen.answer if result.chosen else None, result)
        if o.missed and not (o.closest and o.closest.phrase):
            o = replace(o, nearest_phrase=_nearest(matcher.scenario, u))
        out.append(o)
    return out


def _nearest(scenario: Scenario, u: Utterance) -> str:
    answers = [*scenario.step(u.step).answers, *scenario.global_answers]
    phrases = next((a.phrases for a in answers if a.id == u.expect), [])
    hit = process.extractOne(u.text, phrases, scorer=fuzz.token_set_ratio)
    return str(hit[0]) if hit else ""


def step_reports(scenario: Scenario, outcomes: Sequence[Outcome]) -> list[StepReport]:
    """Per-step reports, in scenario order, for the steps the corpus has utterances for."""
    by_step: dict[str, list[Outcome]] = {}
    for o in outcomes:
        by_step.setdefault(o.utterance.step, []).append(o)
    return [
        step_report(scenario, s.id, by_step[s.id]) for s in scenario.steps if s.id in by_step
    ]


def step_report(scenario: Scenario, step_id: str, outcomes: Sequence[Outcome]) -> StepReport:
    known = labels_at(scenario, step_id)
    seen = {o.utterance.expect for o in outcomes} | {o.selected for o in outcomes}
    # global answers only appear as rows/columns when the corpus or the matcher used them
    own = {a.id for a in scenario.step(step_id).answers}
    labels: list[str | None] = [a for a in known if a in own or a in seen]
    labels.append(None)
    confusion = Counter((o.utterance.expect, o.selected) for o in outcomes)
    stats = tuple(
        AnswerStats(
            a,
            sum(n for (e, _), n in confusion.items() if e == a),
            sum(n for (_, s), n in confusion.items() if s == a),
            confusion.get((a, a), 0),
        )
        for a in labels
        if a is not None
    )
    wrong = sorted(
        (o for o in outcomes if o.wrong), key=lambda o: -(o.chosen.score if o.chosen else 0)
    )
    misses = sorted(
        (o for o in outcomes if o.missed), key=lambda o: -(o.closest.score if o.closest else 0)
    )
    return StepReport(
        step=step_id,
        labels=tuple(labels),
        confusion=dict(confusion),
        answers=stats,
        wrong=tuple(wrong),
        misses=tuple(misses),
        total=len(outcomes),
        correct=sum(o.correct for o in outcomes),
    )
