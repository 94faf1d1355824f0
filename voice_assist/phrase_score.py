"""Scoring one phrase against one utterance: word alignment, coverage, and negation.

Each phrase word takes its best utterance word (greedy, any order, each word used once); the
score is `100 * coverage * (1 - EXTRA_PENALTY * share of utterance words left unmatched)`.
Negation is read token by token: a negator before (or, in Russian word order, just after) a
matched word within its clause negates it; a positive phrase heard negated is ruled out, and a
negative phrase ("не интересно") must be heard negated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from .phrase_index import PREFIX_SIM, Phrase
from .text import Token

EXTRA_PENALTY = 0.15  # at most this share of the score is lost to unmatched utterance words
UNION_MIN_COVERAGE = 0.75  # an answer's other phrases heard this well explain their words too
STRONG_REACH = 3  # "not" negates up to this many words after it (within its clause)
FORWARD_REACH = 2  # ... and, in "спорт не смотрю", the words just before it


class Scored(NamedTuple):
    """One phrase's result for one utterance (a named tuple: built for every candidate phrase)."""

    score: float
    phrase: Phrase
    used: frozenset[int]  # utterance token indices matched (negators a negative phrase used)
    negated: bool
    coverage: float  # weighted share of the phrase's words heard


def negators_near(toks: Sequence[Token], i: int, used: frozenset[int]) -> list[int]:
    """Indices of the negators that reach token i within its clause, fillers skipped: a strong
    one up to STRONG_REACH words before it or FORWARD_REACH after it ("спорт не смотрю"), a weak
    one only right before it ("no delivery")."""
    found: list[int] = []
    steps, k = 0, i
    while steps < STRONG_REACH:
        if toks[k].clause_break:
            break
        k -= 1
        if k < 0:
            break
        if toks[k].filler:
            continue
        steps += 1
        if k in used:
            continue
        if toks[k].negator == 2 or (toks[k].negator == 1 and steps == 1 and not toks[i].stop):
            found.append(k)
    steps, k = 0, i
    while steps < FORWARD_REACH:
        k += 1
        if k >= len(toks) or toks[k].clause_break:
            break
        if toks[k].filler:
            continue
        steps += 1
        if k not in used and toks[k].negator == 2:
            found.append(k)
    return found


def chained_negators(toks: Sequence[Token], k: int) -> list[int]:
    """Negators right before negator k ("no, not interested", "нет, не интересно")."""
    out: list[int] = []
    k -= 1
    while k >= 0 and (toks[k].filler or toks[k].negator):
        if toks[k].negator:
            out.append(k)
        k -= 1
    return out


Hit = tuple[float, int, int, bool]  # similarity (confidence applied), -span, token index, fused


def hits_by_word(
    sims: Sequence[dict[int, tuple[float, bool]]],
    pair_sims: Sequence[dict[int, tuple[float, bool]]],
    confs: Sequence[float],
) -> dict[int, list[Hit]]:
    """Vocabulary id -> where the utterance has it: computed once per utterance."""
    hits: dict[int, list[Hit]] = {}
    for i, table in enumerate(sims):
        for vid, (sim, fused) in table.items():
            hits.setdefault(vid, []).append((sim * confs[i], -1, i, fused))
    for i, table in enumerate(pair_sims):  # "pick up" for "pickup", "не удобно" for "неудобно"
        for vid, (sim, fused) in table.items():
            if sim >= PREFIX_SIM:
                hits.setdefault(vid, []).append((sim * min(confs[i], confs[i + 1]), -2, i, fused))
    return hits


def score_phrase(
    phrase: Phrase,
    toks: Sequence[Token],
    hits: Mapping[int, list[Hit]],
    weights: Sequence[float],
    total: float,
) -> Scored | None:
    pairs = [
        (sim, span, i, j, fused)
        for j, vid in enumerate(phrase.words)
        for sim, span, i, fused in hits.get(vid, ())
    ]
    if not pairs:
        return None
    pairs.sort(reverse=True)
    taken_j: set[int] = set()
    used: set[int] = set()
    fused: set[int] = set()
    got = 0.0
    for sim, span, i, j, is_fused in pairs:
        cells = (i,) if span == -1 else (i, i + 1)
        if j in taken_j or any(c in used for c in cells):
            continue
        taken_j.add(j)
        used.update(cells)
        if is_fused:
            fused.add(i)
        got += sim * phrase.weights[j]
    if taken_j.isdisjoint(phrase.content):
        return None  # only function words heard ("это" of "кто это"): not this phrase
    frozen_used = frozenset(used)
    heard_negated = set()
    for i in sorted(frozen_used):
        if toks[i].negator:
            continue  # "нет, не ...": a negator is not itself negated
        if i in fused:
            heard_negated.add(i)
            continue
        negs = negators_near(toks, i, frozen_used)
        if negs:
            heard_negated.add(i)
            if not phrase.negative:
                break  # one negated word is enough to rule a positive phrase out
            used.update(negs)
            used.update(chained_negators(toks, min(negs)))
    if phrase.negative and not heard_negated and frozen_used:
        first = min(frozen_used)
        said = [k for k in range(first) if toks[k].norm in phrase.weak and k not in used]
        if said:
            heard_negated.add(first)
            used.update(said)
    negated = bool(heard_negated) != phrase.negative
    coverage = got / phrase.total
    extra = total - sum(weights[i] for i in used)
    score = 100.0 * coverage * (1.0 - EXTRA_PENALTY * extra / total) if total else 0.0
    return Scored(round(score, 1), phrase, frozenset(used), negated, coverage)


def combine(found: list[Scored], weights: Sequence[float], total: float) -> Scored:
    """One answer's result: its best phrase, where words heard for its other phrases (well
    covered ones) do not count as unexplained: "интересно, расскажите подробнее" is all one answer.
    """
    top = found[0]
    for s in found[1:]:
        if better(s, top):
            top = s
    live = [s for s in found if not s.negated and s.coverage >= UNION_MIN_COVERAGE]
    if top.negated or len(live) < 2:
        return top
    used = frozenset().union(*(s.used for s in live))
    extra = total - sum(weights[i] for i in used)
    factor = 1.0 - EXTRA_PENALTY * extra / total
    lead = max(live, key=lambda s: (s.coverage, len(s.used)))
    score = round(100.0 * lead.coverage * factor, 1)
    return Scored(score, lead.phrase, used, False, lead.coverage)


def better(new: Scored, old: Scored) -> bool:
    """A live match beats a negated one; then the higher score; then more words matched."""
    if new.negated != old.negated:
        return old.negated
    return (new.score, len(new.used)) > (old.score, len(old.used))


def token_confs(
    toks: Sequence[Token], heard: Sequence[str], word_confs: Sequence[float] | None
) -> list[float]:
    """A word heard with confidence c counts 0.7 + 0.3 c: unsure words cannot carry a match."""
    if word_confs is None or len(word_confs) != len(heard):
        return [1.0] * len(toks)
    return [
        0.7 + 0.3 * min(max(word_confs[w], 0.0), 1.0)
        for t in toks
        for w in [min(range(t.first_word, t.last_word + 1), key=lambda k: word_confs[k])]
    ]
