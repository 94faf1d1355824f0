"""The whole tuning report for a scenario and a corpus, and its stable JSON form.

`tune()` runs every analysis; `to_json()` is what `voice-assist tune --json` writes
(docs/tune.md documents it); the terminal and HTML views render the same object.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..matcher import Candidate, MatchConfig, Matcher
from ..scenario import Scenario
from .apply import AddPhrase, Change, SetThreshold
from .collisions import Collision, corpus_collisions, phrase_collisions
from .corpus import Corpus
from .evaluate import Outcome, StepReport, run, step_reports
from .suggest import Suggestion, suggest
from .sweep import StepSweep, sweep
from .vocab import UnknownWord, Vocabulary, check


@dataclass(frozen=True)
class ThresholdChange:
    """A recommended threshold for a step, as an acceptable change (ids T1, T2...)."""

    id: str
    step: str
    current: float
    recommended: float
    wrong_before: int
    wrong_after: int
    correct_before: int
    correct_after: int


@dataclass
class TuneReport:
    scenario: Scenario
    corpus: Corpus
    outcomes: list[Outcome]
    steps: list[StepReport]
    sweeps: list[StepSweep]
    collisions: list[Collision]
    suggestions: list[Suggestion]
    thresholds: list[ThresholdChange]
    unknown_words: list[UnknownWord] | None  # None: no vocabulary check was run
    vocabulary: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.outcomes)

    @property
    def correct(self) -> int:
        return sum(o.correct for o in self.outcomes)

    @property
    def wrong(self) -> int:
        return sum(o.wrong for o in self.outcomes)

    @property
    def missed(self) -> int:
        return sum(o.missed for o in self.outcomes)

    def changes(self, accepted: Sequence[str] | None = None) -> list[Change]:
        """The changes with these ids (None: all), suggestions first, in report order."""
        out: list[Change] = []
        want = None if accepted is None else set(accepted)
        for s in self.suggestions:
            if want is None or s.id in want:
                out.append(AddPhrase(s.step, s.answer, s.phrase))
        for t in self.thresholds:
            if want is None or t.id in want:
                out.append(SetThreshold(t.step, t.recommended))
        return out

    def ids(self) -> list[str]:
        return [s.id for s in self.suggestions] + [t.id for t in self.thresholds]


def tune(
    scenario: Scenario,
    corpus: Corpus,
    config: MatchConfig = MatchConfig(),  # noqa: B008
    vocabulary: Vocabulary | None = None,
    min_count: int = 2,
) -> TuneReport:
    """Evaluate the scenario's phrases on the corpus and work out what to change."""
    matcher = Matcher(scenario, config)
    outcomes = run(matcher, corpus.utterances)
    sweeps = sweep(scenario, corpus.utterances, matcher)
    thresholds: list[ThresholdChange] = []
    for sw in sweeps:
        if sw.recommended is None or sw.current is None:
            continue
        now, rec = sw.point(sw.current), sw.point(sw.recommended)
        assert now is not None and rec is not None
        thresholds.append(
            ThresholdChange(f"T{len(thresholds) + 1}", sw.step, sw.current, sw.recommended,
                            now.wrong, rec.wrong, now.correct, rec.correct)
        )
    return TuneReport(
        scenario=scenario,
        corpus=corpus,
        outcomes=outcomes,
        steps=step_reports(scenario, outcomes),
        sweeps=sweeps,
        collisions=corpus_collisions(outcomes) + phrase_collisions(scenario, matcher),
        suggestions=suggest(scenario, matcher, outcomes, min_count),
        thresholds=thresholds,
        unknown_words=check(scenario, vocabulary) if vocabulary is not None else None,
        vocabulary=f"{vocabulary.engine}: {vocabulary.source}" if vocabulary else None,
        notes=list(corpus.notes),
    )


# ---- JSON -------------------------------------------------------------------------------------


def _ratio(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def _cand(c: Candidate | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {"answer": c.answer, "phrase": c.phrase, "score": c.score, "threshold": c.threshold}


def _outcome(o: Outcome) -> dict[str, Any]:
    u = o.utterance
    return {
        "text": u.text,
        "source": u.source,
        "expected": u.expect,
        "selected": o.selected,
        "score": o.chosen.score if o.chosen else None,
        "reason": o.result.reason,
        "closest": _cand(o.closest),
        "nearest_phrase": o.nearest_phrase or None,
        "chosen": _cand(o.chosen),
    }


def to_json(r: TuneReport) -> dict[str, Any]:
    """The stable JSON form (docs/tune.md)."""
    sweeps = {s.step: s for s in r.sweeps}
    return {
        "scenario": {"id": r.scenario.id, "language": r.scenario.language},
        "sources": r.corpus.sources,
        "notes": r.notes,
        "totals": {"items": r.total, "correct": r.correct, "wrong": r.wrong,
                   "missed": r.missed},
        "steps": [
            {
                "step": s.step,
                "items": s.total,
                "correct": s.correct,
                "accuracy": _ratio(s.accuracy),
                "labels": list(s.labels),
                "confusion": [
                    {"expected": e, "selected": sel, "count": n}
                    for (e, sel), n in sorted(s.confusion.items(), key=lambda kv: str(kv[0]))
                ],
                "answers": [
                    {"answer": a.answer, "expected": a.expected, "selected": a.selected,
                     "correct": a.correct, "precision": _ratio(a.precision),
                     "recall": _ratio(a.recall)}
                    for a in s.answers
                ],
                "wrong": [_outcome(o) for o in s.wrong],
                "misses": [_outcome(o) for o in s.misses],
                "sweep": {
                    "current": sweeps[s.step].current,
                    "recommended": sweeps[s.step].recommended,
                    "points": [
                        {"threshold": p.threshold, "accuracy": _ratio(p.accuracy),
                         "correct": p.correct, "wrong": p.wrong, "missed": p.missed}
                        for p in sweeps[s.step].points
                    ],
                },
            }
            for s in r.steps
        ],
        "collisions": [
            {"step": c.step, "answer": c.answer, "phrase": c.phrase, "kind": c.kind,
             "count": c.count, "wrong": c.wrong, "max_score": c.max_score,
             "threshold": c.threshold, "meant": list(c.meant), "examples": list(c.examples)}
            for c in r.collisions
        ],
        "suggestions": [
            {"id": s.id, "step": s.step, "answer": s.answer, "phrase": s.phrase,
             "in_misses": s.in_misses, "elsewhere": s.elsewhere, "fixes": s.fixes,
             "wrong": s.wrong, "lost": s.lost, "examples": list(s.examples)}
            for s in r.suggestions
        ],
        "thresholds": [
            {"id": t.id, "step": t.step, "current": t.current, "recommended": t.recommended,
             "wrong_before": t.wrong_before, "wrong_after": t.wrong_after,
             "correct_before": t.correct_before, "correct_after": t.correct_after}
            for t in r.thresholds
        ],
        "vocabulary": None if r.unknown_words is None else {
            "source": r.vocabulary,
            "unknown": [
                {"word": u.word, "step": u.step, "answer": u.answer, "phrase": u.phrase,
                 "nearest": list(u.nearest)}
                for u in r.unknown_words
            ],
        },
    }
