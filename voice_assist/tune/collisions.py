"""Collisions: phrases that score high for what the customer said when they meant another answer.

From the corpus: an answer's best phrase scoring within `SLACK` of its threshold on an utterance
labeled with another answer (or none). From the scenario alone: a phrase of one answer that,
said as it is, selects another answer of the same step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..matcher import Matcher
from ..scenario import Scenario
from .evaluate import Outcome

SLACK = 10.0
"""A phrase scoring this close below its threshold already collides (a slip away from a wrong
selection)."""


@dataclass(frozen=True)
class Collision:
    """Phrase `phrase` of answer `answer` at `step` scores high on utterances meant otherwise."""

    step: str
    answer: str
    phrase: str
    kind: str  # "corpus" | "phrase"
    count: int  # utterances (or phrases) it scored high on
    wrong: int  # of them, how many it actually selected (wrong selections)
    max_score: float
    threshold: float
    meant: tuple[str, ...]  # the labels of those utterances ("-" for none)
    examples: tuple[str, ...]


def corpus_collisions(outcomes: Sequence[Outcome], slack: float = SLACK) -> list[Collision]:
    """Phrases scoring high on utterances labeled with another answer, worst first."""
    found: dict[tuple[str, str, str], list[tuple[Outcome, float, float]]] = {}
    for o in outcomes:
        for c in o.result.candidates:
            if c.answer == o.utterance.expect or c.negated or not c.phrase:
                continue
            if c.score >= c.threshold - slack:
                found.setdefault((o.utterance.step, c.answer, c.phrase), []).append(
                    (o, c.score, c.threshold)
                )
    out = []
    for (step, answer, phrase), hits in found.items():
        out.append(
            Collision(
                step=step,
                answer=answer,
                phrase=phrase,
                kind="corpus",
                count=len(hits),
                wrong=sum(o.selected == answer for o, _, _ in hits),
                max_score=max(s for _, s, _ in hits),
                threshold=hits[0][2],
                meant=tuple(dict.fromkeys(o.utterance.expect or "-" for o, _, _ in hits)),
                examples=tuple(dict.fromkeys(o.utterance.text for o, _, _ in hits))[:3],
            )
        )
    return sorted(out, key=lambda c: (-c.wrong, -c.count, -c.max_score, c.step, c.answer))


def phrase_collisions(scenario: Scenario, matcher: Matcher) -> list[Collision]:
    """Phrases of an answer that another answer's phrases, said as written, select or reach."""
    found: dict[tuple[str, str, str], list[tuple[str, str, float, float, bool]]] = {}
    for step in scenario.steps:
        for answer in step.answers:
            for said in answer.phrases:
                result = matcher.match(step.id, said)
                chosen = result.chosen
                for c in result.candidates:
                    if c.answer == answer.id or c.negated or c.is_global or c.score < c.threshold:
                        continue
                    found.setdefault((step.id, c.answer, c.phrase), []).append(
                        (answer.id, said, c.score, c.threshold,
                         chosen is not None and chosen.answer == c.answer)
                    )
    return [
        Collision(
            step=step,
            answer=answer,
            phrase=phrase,
            kind="phrase",
            count=len(hits),
            wrong=sum(h[4] for h in hits),
            max_score=max(h[2] for h in hits),
            threshold=hits[0][3],
            meant=tuple(dict.fromkeys(h[0] for h in hits)),
            examples=tuple(dict.fromkeys(h[1] for h in hits))[:3],
        )
        for (step, answer, phrase), hits in found.items()
    ]
