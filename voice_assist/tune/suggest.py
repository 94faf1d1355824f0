"""Suggestions: words and short phrases frequent in an answer's misses and rare elsewhere.

Each candidate is tried for real: the matcher is re-run on a scenario with the phrase added, over
every labeled utterance where the answer can be chosen, counting the misses it fixes and the
wrong selections it causes. The kept ones cover the misses greedily, best value first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ..matcher import Matcher
from ..scenario import Scenario
from ..text import FILLERS, STOP_WORDS, is_negation, stems, tokens
from .evaluate import Outcome, run
from .sweep import WRONG_COST
from .variants import only_steps, with_phrase

MAX_WORDS = 3
MAX_CANDIDATES = 25  # tried per answer, most frequent first
MAX_PER_ANSWER = 5


@dataclass(frozen=True)
class Suggestion:
    """A phrase to add to an answer, and what adding it does on the corpus."""

    id: str
    step: str | None  # None: a global answer
    answer: str
    phrase: str
    in_misses: int  # missed utterances of the answer that contain it
    elsewhere: int  # utterances labeled otherwise (where the answer can be chosen) containing it
    fixes: int  # misses it turns into correct selections
    wrong: int  # wrong selections it causes (utterances meant otherwise now select the answer)
    lost: int  # other correct decisions it spoils (e.g. a new tie makes one undecided)
    examples: tuple[str, ...]


def _grams(text: str, language: str) -> dict[tuple[str, ...], str]:
    """Word n-grams of an utterance worth proposing: stems -> the words as said.

    Keyed by stems so inflections count together ("совещании", "совещание"), as the matcher
    compares them.
    """
    words = tokens(text, language)
    keys = stems(words, language)
    stops = STOP_WORDS.get(language, frozenset())
    fillers = FILLERS.get(language, frozenset())
    out: dict[tuple[str, ...], str] = {}
    for n in range(1, MAX_WORDS + 1):
        for i in range(len(words) - n + 1):
            g = words[i : i + n]
            if any(w in fillers or is_negation(w, language) for w in g):
                continue
            if all(w in stops or w.isdigit() for w in g):
                continue
            if g[0] in stops and n > 1 and g[-1] in stops:
                continue
            out.setdefault(tuple(keys[i : i + n]), " ".join(g))
    return out


def suggest(
    scenario: Scenario, matcher: Matcher, outcomes: Sequence[Outcome], min_count: int = 2
) -> list[Suggestion]:
    """Suggestions for every answer with misses, numbered S1, S2... in scenario order."""
    lang = scenario.language
    owners: list[tuple[str | None, str, set[str]]] = []
    for step in scenario.steps:
        owners += [(step.id, a.id, {step.id}) for a in step.answers]
    for g in scenario.global_answers:
        scope = set(g.steps) if g.steps is not None else set(scenario.step_ids)
        owners.append((None, g.id, scope))
    found: list[Suggestion] = []
    for owner_step, answer, scope in owners:
        here = [o for o in outcomes if o.utterance.step in scope]
        misses = [o for o in here if o.utterance.expect == answer and o.selected != answer]
        if not misses:
            continue
        found += _for_answer(
            scenario, matcher, owner_step, answer, scope, here, misses, lang, min_count
        )
    return [replace(s, id=f"S{i}") for i, s in enumerate(found, start=1)]


def _for_answer(
    scenario: Scenario,
    matcher: Matcher,
    step: str | None,
    answer: str,
    scope: set[str],
    here: Sequence[Outcome],
    misses: Sequence[Outcome],
    lang: str,
    min_count: int,
) -> list[Suggestion]:
    grams = {id(o): _grams(o.utterance.text, lang) for o in here}
    in_misses = Counter(g for o in misses for g in grams[id(o)])
    said = {g: Counter(grams[id(o)][g] for o in misses if g in grams[id(o)]) for g in in_misses}
    others = [o for o in here if o.utterance.expect != answer]
    elsewhere = Counter(g for o in others for g in grams[id(o)])
    existing = {tuple(stems(tokens(p, lang), lang)) for p in _phrases(scenario, step, answer)}
    ranked = sorted(
        (g for g, n in in_misses.items() if n >= min_count and g not in existing),
        key=lambda g: (-in_misses[g], elsewhere[g], len(g), g),
    )[:MAX_CANDIDATES]
    small = only_steps(scenario, scope)
    tried = []
    for g in ranked:
        phrase = said[g].most_common(1)[0][0]
        after = run(Matcher(with_phrase(small, answer, phrase, step), matcher.config),
                    [o.utterance for o in here])
        fixed = {id(b) for b, a in zip(here, after, strict=True) if not b.correct and a.correct
                 and b.utterance.expect == answer}
        wrong = sum(a.wrong and a.selected == answer and b.selected != answer
                    for b, a in zip(here, after, strict=True))
        lost = sum(b.correct and not a.correct and a.selected != answer
                   for b, a in zip(here, after, strict=True))
        examples = tuple(o.utterance.text for o in misses if id(o) in fixed)[:3]
        tried.append((g, phrase, fixed, wrong, lost, examples))
    kept: list[Suggestion] = []
    open_ = {id(o) for o in misses}
    while len(kept) < MAX_PER_ANSWER:
        best = max(
            tried,
            key=lambda t: (len(t[2] & open_) - WRONG_COST * t[3] - t[4], -t[3], -len(t[0])),
            default=None,
        )
        if best is None:
            break
        g, phrase, fixed, wrong, lost, examples = best
        if not fixed & open_ or len(fixed & open_) - WRONG_COST * wrong - lost <= 0:
            break
        open_ -= fixed
        tried.remove(best)
        kept.append(Suggestion("", step, answer, phrase, in_misses[g], elsewhere[g],
                               len(fixed), wrong, lost, examples))
    return kept


def _phrases(scenario: Scenario, step: str | None, answer: str) -> list[str]:
    if step is None:
        return next(g.phrases for g in scenario.global_answers if g.id == answer)
    return next(a.phrases for a in scenario.step(step).answers if a.id == answer)
