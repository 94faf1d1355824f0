"""Utterance × expected answers → a scored, explained choice, or none.

Pure: no I/O, no clock. Phrases are normalised and stemmed once at construction; an utterance is
compared word by word (whole words, any order; stems for inflections; near-miss spellings for
recognition slips), negation-aware, and the best answer is chosen only when it clears its
threshold and no other answer is close: a wrong advance is worse than none.

Scoring, per phrase: each phrase word takes its best utterance word (1.0 for the same word or
stem, 0.9 when one stem is a prefix of the other, 0.80-0.99 for a near-miss spelling), weighted
(function words count 0.2). `score = 100 * coverage * (1 - 0.15 * share of utterance words left
unmatched)` so a longer, more specific phrase beats a short one hidden in it.

Modules: `phrase_index` (precomputed phrases and word similarity), `phrase_score` (one phrase
against one utterance, negation), this one (the decision, its explanation, the partial policy).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from difflib import get_close_matches
from itertools import pairwise

from .phrase_index import Owner, PhraseIndex, applies, owner_of
from .phrase_score import Scored, combine, hits_by_word, score_phrase, token_confs
from .scenario.models import Scenario
from .text import CONTINUATIONS, HOLD_WORDS, Token, analyze

_RESULT_CACHE = 1_000  # remembered results (step, text): a recogniser repeats its partials


@dataclass(frozen=True)
class MatchConfig:
    """Decision thresholds; an answer's own `threshold` in the scenario overrides `threshold`.

    Defaults: an exact single-word answer in a long utterance still scores >= 85, a phrase with
    one of three content words missing scores ~67, so 75 separates them; a margin of 8 keeps a
    near-miss spelling of one answer from beating the exact words of another by luck. Partials
    advance only at >= 90 held for 0.1 s of audio (the next 0.1 s chunk of decoding kept the
    choice: on the fixture calls, as safe as three partials in a row and 240 ms sooner);
    otherwise the final decides.
    When an engine decoded with a vocabulary (keyword spotting), its pick must score at least
    `corroborate_min_score`, not negated, on a free transcript of the same audio (the final's
    free text or the last free partial): spotters hear phrases in noise and in off-script speech
    ("once a day" in "someone is at the door").
    """

    threshold: float = 75.0
    margin: float = 8.0
    partial_min_score: float = 90.0
    partial_hold_s: float = 0.1
    corroborate_min_score: float = 50.0


@dataclass(frozen=True)
class Candidate:
    """The best phrase of one answer for this utterance, with what it matched."""

    answer: str
    next: str | None
    score: float
    phrase: str
    matched_words: tuple[str, ...]
    threshold: float
    is_global: bool
    resume: bool
    negated: bool = False  # matched, but the customer negated it (or did not negate a "not ...")


@dataclass(frozen=True)
class MatchResult:
    """The decision and its explanation; `candidates` are sorted by score, best first."""

    chosen: Candidate | None
    runner_up: Candidate | None
    reason: str
    candidates: tuple[Candidate, ...]
    # the customer went on after the chosen words with "or", "but", "not"...: a partial result
    # like "deliver it or" is not finished, whatever its score (the final still decides)
    open_ended: bool = False


class Matcher:
    """Matches utterances against a scenario's steps; phrases are precomputed at construction."""

    def __init__(self, scenario: Scenario, config: MatchConfig = MatchConfig()) -> None:
        self.scenario = scenario
        self.config = config
        self.language = scenario.language
        self._index = PhraseIndex(self.language)
        self._step_owners: dict[str, list[int]] = {}
        self._global_owners: list[int] = []
        for step in scenario.steps:
            owners = self._step_owners.setdefault(step.id, [])
            for answer in step.answers:
                owners.append(len(self._index.owners))
                self._index.add(owner_of(answer, False), answer.phrases)
        for g in scenario.global_answers:
            self._global_owners.append(len(self._index.owners))
            self._index.add(owner_of(g, True), g.phrases)
        self._options: dict[tuple[tuple[str, tuple[str, ...]], ...], PhraseIndex] = {}
        self._at: dict[str, tuple[list[int], list[int], frozenset[int]]] = {}
        self._results: dict[tuple[str, str], MatchResult] = {}

    def _owners_at(self, step_id: str) -> tuple[list[int], list[int], frozenset[int]]:
        """The step's answers, the global answers that apply there, and both as a set."""
        found = self._at.get(step_id)
        if found is not None:
            return found
        if step_id not in self._step_owners:
            close = get_close_matches(step_id, list(self._step_owners), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise KeyError(f"no step '{step_id}' in scenario '{self.scenario.id}'{hint}")
        local = self._step_owners[step_id]
        owners = self._index.owners
        glob = [o for o in self._global_owners if applies(owners[o].steps, step_id)]
        found = (local, glob, frozenset(local) | frozenset(glob))
        self._at[step_id] = found
        return found

    def match(
        self, step_id: str, text: str, *, word_confs: Sequence[float] | None = None
    ) -> MatchResult:
        """The answer of `step_id` (or a global answer) the customer gave in `text`, if any.

        Results are values of (step, text) alone without confidences, so they are remembered:
        a recogniser repeats the same partial many times while the customer speaks.
        """
        key = (step_id, text)
        if word_confs is None:
            found = self._results.get(key)
            if found is not None:
                return found
        result = self._match(self._index, *self._owners_at(step_id), text, word_confs, None)
        if word_confs is None:
            if len(self._results) >= _RESULT_CACHE:
                self._results.clear()
            self._results[key] = result
        return result

    def support(self, step_id: str, text: str, answer: str) -> float:
        """How well `text` says `answer` (of `step_id` or a global one there), 0-100; 0 when it
        is heard negated. Corroboration asks this of a free transcript: unlike `match`, a global
        answer is scored however weakly it was heard (the decision skips those below its
        threshold, but support is compared with a lower bar)."""
        local, glob, _ = self._owners_at(step_id)
        mine = [o for o in local if self._index.owners[o].answer == answer]
        theirs = [o for o in glob if self._index.owners[o].answer == answer]
        allowed = frozenset(mine) | frozenset(theirs)
        result = self._match(self._index, mine, theirs, allowed, text, None, None, False)
        return max((c.score for c in result.candidates if not c.negated), default=0.0)

    def match_phrases(
        self, options: Mapping[str, Sequence[str]], text: str, threshold: float | None = None
    ) -> MatchResult:
        """Generic: which option (id -> phrases) `text` says; for transfers and choice fields."""
        key = tuple((k, tuple(v)) for k, v in options.items())
        index = self._options.get(key)
        if index is None:
            index = PhraseIndex(self.language)
            for option, phrases in options.items():
                index.add(Owner(option, None, None, False, False, None), phrases)
            if len(self._options) > 256:
                self._options.clear()
            self._options[key] = index
        every = list(range(len(index.owners)))
        return self._match(index, every, [], frozenset(every), text, None, threshold)

    def _match(
        self,
        index: PhraseIndex,
        local: Sequence[int],
        glob: Sequence[int],
        allowed: frozenset[int],
        text: str,
        word_confs: Sequence[float] | None,
        threshold: float | None,
        prune: bool = True,
    ) -> MatchResult:
        toks, heard = analyze(text, self.language)
        default_threshold = self.config.threshold if threshold is None else threshold
        if not any(not t.filler for t in toks):
            empty = tuple(self._empty(index, o, default_threshold) for o in local)
            return MatchResult(None, None, "no words", empty)
        confs = token_confs(toks, heard, word_confs)
        weights = [0.0 if t.filler else 0.5 if t.stop else 1.0 for t in toks]
        total = sum(weights)
        sims = [index.similar(t.norm, t.stem) for t in toks]
        pair_sims = [
            index.joined(a.norm, b.norm) if not (a.filler or b.filler) else {}
            for a, b in pairwise(toks)
        ]
        hits = hits_by_word(sims, pair_sims, confs)
        heard_share: defaultdict[int, float] = defaultdict(float)  # phrase -> share heard
        users = index.users
        for vid in hits:
            for p, share in users.get(vid, ()):
                heard_share[p] += share
        scored: dict[int, list[Scored]] = {}
        owners = index.owners
        # a global answer that cannot reach its threshold (less the margin) is not scored at all
        floor = default_threshold - self.config.margin
        for p in sorted(heard_share):
            phrase = index.phrases[p]
            if phrase.owner not in allowed:
                continue
            owner = owners[phrase.owner]
            if (
                prune
                and owner.is_global
                and 100.0 * heard_share[p]
                < (floor if owner.threshold is None else owner.threshold - self.config.margin)
            ):
                continue
            s = score_phrase(phrase, toks, hits, weights, total)
            if s is not None:
                scored.setdefault(phrase.owner, []).append(s)
        best = {o: combine(found, weights, total) for o, found in scored.items()}
        cands: list[tuple[Candidate, frozenset[int]]] = []
        for o in (*local, *sorted(o for o in best if owners[o].is_global)):
            found = best.get(o)
            if found is None:
                cands.append((self._empty(index, o, default_threshold), frozenset()))
            else:
                heard_words = _heard(found.used, toks, heard)
                candidate = _candidate(owners[o], found, heard_words, default_threshold)
                cands.append((candidate, found.used))
        cands.sort(key=lambda c: (c[0].negated, -c[0].score, c[0].is_global))
        opener = next(i for i, t in enumerate(toks) if not t.filler)
        hold = opener if toks[opener].norm in HOLD_WORDS.get(self.language, frozenset()) else None
        result, best_used = self._decide(cands, hold, heard[toks[opener].first_word])
        if result.chosen is not None and _goes_on(toks, best_used, self.language):
            result = replace(result, open_ended=True)
        return result

    def _decide(
        self, cands: list[tuple[Candidate, frozenset[int]]], hold: int | None, opener: str
    ) -> tuple[MatchResult, frozenset[int]]:
        """The decision, and the utterance words the best candidate matched."""
        result = self._decide_result(cands, hold, opener)
        used = next((u for c, u in cands if c is result.chosen), frozenset())
        return result, used

    def _decide_result(
        self, cands: list[tuple[Candidate, frozenset[int]]], hold: int | None, opener: str
    ) -> MatchResult:
        ordered = tuple(c for c, _ in cands)
        live = [(c, u) for c, u in cands if not c.negated and c.score > 0]
        if not live or live[0][0].score < live[0][0].threshold:
            negated = [c for c, _ in cands if c.negated and c.score >= c.threshold]
            if negated:
                n = negated[0]
                return MatchResult(
                    None,
                    live[0][0] if live else None,
                    f"negated: the customer said the opposite of '{n.answer}' ('{n.phrase}')",
                    ordered,
                )
            if not live:
                return MatchResult(None, None, "no phrase heard", ordered)
            b = live[0][0]
            return MatchResult(
                None,
                b,
                f"below threshold: '{b.answer}' scored {b.score:.0f} < {b.threshold:.0f}",
                ordered,
            )
        best, best_used = live[0]
        runner = live[1][0] if len(live) > 1 else None
        for c, used in live[1:]:
            if c.score < best.score and best.score - c.score >= self.config.margin:
                break
            dominated = used < best_used or (
                used == best_used and c.is_global and not best.is_global
            )
            if not dominated:
                return MatchResult(
                    None,
                    c,
                    f"ambiguous: '{best.answer}' {best.score:.0f} vs '{c.answer}' "
                    f"{c.score:.0f} (margin {self.config.margin:.0f})",
                    ordered,
                )
        if hold is not None and hold not in best_used:
            return MatchResult(None, best, f"on hold: the customer said '{opener}' first", ordered)
        return MatchResult(best, runner, "matched", ordered)

    @staticmethod
    def _empty(index: PhraseIndex, o: int, default_threshold: float) -> Candidate:
        """An answer nothing was heard for (built once: values are immutable)."""
        key = (o, default_threshold)
        found = index.empty.get(key)
        if found is None:
            owner = index.owners[o]
            found = Candidate(
                owner.answer,
                owner.next,
                0.0,
                "",
                (),
                owner.threshold if owner.threshold is not None else default_threshold,
                owner.is_global,
                owner.resume,
            )
            index.empty[key] = found
        return found


def _heard(used: frozenset[int], toks: Sequence[Token], heard: Sequence[str]) -> tuple[str, ...]:
    """The words as heard behind these tokens, in order, once each."""
    return tuple(
        dict.fromkeys(
            heard[w] for i in sorted(used) for w in range(toks[i].first_word, toks[i].last_word + 1)
        )
    )


def _candidate(
    owner: Owner, found: Scored, words: tuple[str, ...], default_threshold: float
) -> Candidate:
    return Candidate(
        answer=owner.answer,
        next=owner.next,
        score=found.score,
        phrase=found.phrase.text,
        matched_words=words,
        threshold=owner.threshold if owner.threshold is not None else default_threshold,
        is_global=owner.is_global,
        resume=owner.resume,
        negated=found.negated,
    )


def _goes_on(toks: Sequence[Token], used: frozenset[int], language: str) -> bool:
    """Whether a continuation word ("or", "but", "not", "или", "но") follows the matched words."""
    if not used:
        return False
    goes_on = CONTINUATIONS.get(language, CONTINUATIONS["en"])
    return any(t.norm in goes_on or t.negator for t in toks[max(used) + 1 :])


class PartialPolicy:
    """Decides whether a partial result may advance: stateful per utterance, pure (audio time is
    its only clock).

    A partial's choice advances once it has held for `partial_hold_s` of audio: it scores
    >= `partial_min_score`, nothing like "or"/"but"/"not" follows its words (`open_ended`), and
    every partial since chose the same answer. Time moves on with later partials and with
    `on_time` (the pipeline's tick after each chunk: no new partial means the hypothesis stood).
    Otherwise the final decides. At most one advance per utterance: after one, the rest of the
    utterance (and its final) is ignored. `on_final` ends the utterance; `reset()` starts a new
    one explicitly.
    """

    def __init__(self, config: MatchConfig = MatchConfig()) -> None:
        self.config = config
        self._held: Candidate | None = None
        self._since_s = 0.0
        self._fired = False

    def on_partial(self, result: MatchResult, at_s: float) -> Candidate | None:
        if self._fired:
            return None
        chosen = result.chosen
        if chosen is None or chosen.score < self.config.partial_min_score or result.open_ended:
            self._held = None
            return None
        if self._held is None or self._held.answer != chosen.answer:
            self._since_s = at_s
        self._held = chosen
        return self.on_time(at_s)

    def on_time(self, at_s: float) -> Candidate | None:
        """The held choice, once it has stood for `partial_hold_s` by this audio time."""
        if self._fired or self._held is None:
            return None
        if at_s - self._since_s < self.config.partial_hold_s - 1e-9:
            return None
        self._fired = True
        return self._held

    def on_final(self, result: MatchResult) -> Candidate | None:
        """The final's choice, unless a partial already advanced; it also ends the utterance."""
        fired = self._fired
        self.reset()
        return None if fired else result.chosen

    def reset(self) -> None:
        self._held, self._since_s, self._fired = None, 0.0, False
