"""The phrases of a scenario's answers, precomputed once: vocabulary, stems, and which phrases
use which word, so an utterance is compared only with the phrases that share its words.

`PhraseIndex.similar` says which vocabulary words an utterance word is (the same word or stem,
a stem that starts the other, a near-miss spelling, or a Russian "не"-fused negation of one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from .scenario.models import Answer, GlobalAnswer
from .text import Token, analyze, stems

if TYPE_CHECKING:
    from .matcher import Candidate

FUZZY_MIN_RATIO = 80.0  # rapidfuzz ratio for two spellings to count as the same word
FUZZY_MIN_LEN = 4  # shorter words match only exactly ("no" is not "know")
PREFIX_SIM = 0.9  # "интерес" ~ "интересн": one stem is the start of the other
PREFIX_MIN_LEN = 5  # ... and at least this long ("with" is not "without")
PHRASE_STOP_WEIGHT = 0.2  # "it" of "it freezes": customers say "the video freezes"
_CACHE_LIMIT = 20_000


@dataclass(frozen=True)
class Phrase:
    """One phrase of an answer, as the matcher compares it."""

    owner: int  # index of the answer
    text: str
    words: tuple[int, ...]  # vocabulary ids of the scored words
    weights: tuple[float, ...]
    total: float
    negative: bool  # "not interested": its words must be heard negated
    weak: frozenset[str]  # its "no"/"нет": "нет, спасибо" says "нет спасибо" though not adjacent
    content: frozenset[int]  # positions of its content words: one must be heard


@dataclass(frozen=True)
class Owner:
    """The answer a phrase belongs to: what choosing it means."""

    answer: str
    next: str | None
    threshold: float | None
    is_global: bool
    resume: bool
    steps: frozenset[str] | None  # global answers: only at these steps


@dataclass
class PhraseIndex:
    """Phrases of a set of answers, their vocabulary, and which phrases use which word."""

    language: str
    owners: list[Owner] = field(default_factory=list)
    phrases: list[Phrase] = field(default_factory=list)
    norms: list[str] = field(default_factory=list)
    stems: list[str] = field(default_factory=list)
    by_norm: dict[str, int] = field(default_factory=dict)
    by_stem: dict[str, list[int]] = field(default_factory=dict)
    # vocab id -> (phrase index, share of the phrase's weight that word carries)
    users: dict[int, list[tuple[int, float]]] = field(default_factory=dict)
    buckets: dict[str, tuple[list[str], list[str], list[int]]] = field(default_factory=dict)
    cache: dict[str, dict[int, tuple[float, bool]]] = field(default_factory=dict)
    pair_cache: dict[str, dict[int, tuple[float, bool]]] = field(default_factory=dict)
    empty: dict[tuple[int, float], Candidate] = field(default_factory=dict)

    def add(self, owner: Owner, phrases: Sequence[str]) -> None:
        o = len(self.owners)
        self.owners.append(owner)
        for text in phrases:
            toks, _ = analyze(text, self.language)
            toks = tuple(t for t in toks if t.norm)
            if not toks:
                continue
            negators = [t for t in toks if t.negator]
            negative = bool(negators) and len(negators) < len(toks) and is_negative(toks)
            scored = [t for t in toks if not (negative and t.negator)]
            only_stop = all(t.stop or t.filler for t in scored)
            weights = tuple(
                1.0 if only_stop or not (t.stop or t.filler) else PHRASE_STOP_WEIGHT
                for t in scored
            )
            ids = tuple(self._word(t) for t in scored)
            p = len(self.phrases)
            weak = frozenset(t.norm for t in toks if negative and t.negator == 1)
            content = frozenset(j for j, w in enumerate(weights) if w == 1.0)
            self.phrases.append(
                Phrase(o, text, ids, weights, sum(weights), negative, weak, content)
            )
            total = sum(weights)
            for vid in set(ids):
                share = sum(w for v, w in zip(ids, weights, strict=True) if v == vid) / total
                self.users.setdefault(vid, []).append((p, share))

    def _word(self, t: Token) -> int:
        vid = self.by_norm.get(t.norm)
        if vid is None:
            vid = len(self.norms)
            self.norms.append(t.norm)
            self.stems.append(t.stem)
            self.by_norm[t.norm] = vid
            self.by_stem.setdefault(t.stem, []).append(vid)
            if len(t.norm) >= FUZZY_MIN_LEN and not t.norm.isdigit():
                bucket = self.buckets.setdefault(t.norm[0], ([], [], []))
                bucket[0].append(t.norm)
                bucket[1].append(t.stem)
                bucket[2].append(vid)
            self.cache.clear()
            self.pair_cache.clear()
        return vid

    def similar(self, norm: str, stem: str) -> dict[int, tuple[float, bool]]:
        """Vocabulary words like this utterance word: id -> (similarity 0..1, fused negation)."""
        hit = self.cache.get(norm)
        if hit is not None:
            return hit
        out = self._similar(norm, stem)
        if self.language == "ru" and norm.startswith("не") and len(norm) >= 5:
            rest = norm[2:]
            for vid, (sim, _) in self._similar(rest, stems([rest], "ru")[0]).items():
                if vid not in out and not self.norms[vid].startswith("не"):
                    out[vid] = (sim, True)  # "неудобно" = не + удобно
        if len(self.cache) > _CACHE_LIMIT:
            self.cache.clear()
        self.cache[norm] = out
        return out

    def joined(self, first: str, second: str) -> dict[int, tuple[float, bool]]:
        """Vocabulary words two adjacent utterance words spell together ("pick up" -> "pickup",
        "не удобно" -> "неудобно"): exact word or stem only."""
        norm = first + second
        hit = self.pair_cache.get(norm)
        if hit is not None:
            return hit
        out: dict[int, tuple[float, bool]] = {}
        exact = self.by_norm.get(norm)
        if exact is not None:
            out[exact] = (1.0, False)
        for vid in self.by_stem.get(stems([norm], self.language)[0], ()):
            out[vid] = (1.0, False)
        if len(self.pair_cache) > _CACHE_LIMIT:
            self.pair_cache.clear()
        self.pair_cache[norm] = out
        return out

    def _similar(self, norm: str, stem: str) -> dict[int, tuple[float, bool]]:
        out: dict[int, tuple[float, bool]] = {}
        exact = self.by_norm.get(norm)
        if exact is not None:
            out[exact] = (1.0, False)
        if len(stem) >= 3:  # "дай" and "да" share a stem: too short to trust
            for vid in self.by_stem.get(stem, ()):
                out[vid] = (1.0, False)
        if len(norm) < FUZZY_MIN_LEN or norm.isdigit():
            return out
        bucket = self.buckets.get(norm[0])
        if bucket is None:
            return out
        norms, stems, ids = bucket
        for _, ratio, k in process.extract(
            norm, norms, scorer=fuzz.ratio, score_cutoff=FUZZY_MIN_RATIO, limit=None
        ):
            vid = ids[k]
            if vid not in out or out[vid][0] < ratio / 100:
                out[vid] = (ratio / 100, False)
        if len(stem) >= FUZZY_MIN_LEN:
            for other, ratio, k in process.extract(
                stem, stems, scorer=fuzz.ratio, score_cutoff=65.0, limit=None
            ):
                short, long_ = sorted((stem, other), key=len)
                if ratio >= FUZZY_MIN_RATIO:
                    sim = ratio / 100
                elif len(short) >= PREFIX_MIN_LEN and long_.startswith(short):
                    sim = PREFIX_SIM
                else:
                    continue
                vid = ids[k]
                if vid not in out or out[vid][0] < sim:
                    out[vid] = (sim, False)
        return out


def is_negative(toks: tuple[Token, ...]) -> bool:
    """A phrase is negative when a strong negator is in it, or a weak one before a content word
    ("no television"); "no it is fine" is an answer word "no", not a negation."""
    for k, t in enumerate(toks):
        if t.negator == 2:
            return True
        if t.negator == 1 and k + 1 < len(toks) and not toks[k + 1].stop:
            return True
    return False


def applies(steps: frozenset[str] | None, step_id: str) -> bool:
    """Whether a global answer limited to `steps` (None: everywhere) applies at `step_id`."""
    return steps is None or step_id in steps


def owner_of(answer: Answer, is_global: bool) -> Owner:
    """What the index keeps of a scenario answer (global answers carry `resume` and `steps`)."""
    steps = None
    resume = False
    if isinstance(answer, GlobalAnswer):
        resume = answer.resume
        steps = frozenset(answer.steps) if answer.steps is not None else None
    return Owner(answer.id, answer.next, answer.threshold, is_global, resume, steps)
