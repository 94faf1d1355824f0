"""Time `voice-assist tune` stages on a shipped scenario with a synthetic labeled corpus.

The corpus is built deterministically from the scenario itself: each phrase said with some
extra words, with a word dropped, with a slip in spelling, and other steps' phrases as "no
answer" utterances. Prints one table: stage, utterances, seconds. Run:
    .venv/bin/python bench/bench_tune.py [scenarios/en/sales.yaml] [--repeat N]
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from voice_assist.matcher import Matcher
from voice_assist.scenario import Scenario, load_checked
from voice_assist.tune.collisions import corpus_collisions, phrase_collisions
from voice_assist.tune.corpus import Utterance
from voice_assist.tune.evaluate import run, step_reports
from voice_assist.tune.suggest import suggest
from voice_assist.tune.sweep import sweep
from voice_assist.tune.vocab import check, pocketsphinx_vocabulary

T = TypeVar("T")
EXTRA = ["well", "i think", "please", "yeah", "you know", "right now", "honestly"]


def corpus(scenario: Scenario, seed: int = 7) -> list[Utterance]:
    rnd = random.Random(seed)
    out: list[Utterance] = []
    others = [p for s in scenario.steps for a in s.answers for p in a.phrases]
    for step in scenario.steps:
        for answer in step.answers:
            for phrase in answer.phrases:
                words = phrase.split()
                out.append(Utterance(step.id, f"{rnd.choice(EXTRA)} {phrase}", answer.id, "gen"))
                if len(words) > 1:
                    drop = rnd.randrange(len(words))
                    out.append(Utterance(step.id, " ".join(words[:drop] + words[drop + 1 :]),
                                         answer.id, "gen"))
                w = rnd.randrange(len(words))
                if len(words[w]) > 4:
                    slip = words[w][:-2] + words[w][-1] + words[w][-2]
                    out.append(Utterance(step.id, " ".join([*words[:w], slip, *words[w + 1 :]]),
                                         answer.id, "gen"))
        if step.answers:
            for _ in range(3):
                out.append(Utterance(step.id, rnd.choice(others), None, "gen"))
    return out


def timed(fn: Callable[[], T], repeat: int) -> tuple[T, float]:
    best = float("inf")
    result: T
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return result, best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("scenario", nargs="?", default="scenarios/en/sales.yaml")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    scenario = load_checked(Path(args.scenario))
    items = corpus(scenario)
    matcher = Matcher(scenario)
    # a fresh matcher per repeat: its word cache would make later repeats unrealistically fast
    outcomes, t_eval = timed(lambda: run(Matcher(scenario), items), args.repeat)
    rows = [("evaluate (build matcher, match all)", len(items), t_eval)]
    rows.append(("per-step reports", len(items),
                 timed(lambda: step_reports(scenario, outcomes), args.repeat)[1]))
    rows.append(("threshold sweep", len(items),
                 timed(lambda: sweep(scenario, items, matcher), args.repeat)[1]))
    rows.append(("collisions (corpus + phrases)", len(items),
                 timed(lambda: corpus_collisions(outcomes)
                       + phrase_collisions(scenario, Matcher(scenario)), args.repeat)[1]))
    found, t_sug = timed(lambda: suggest(scenario, matcher, outcomes), args.repeat)
    rows.append((f"suggestions ({len(found)} kept)", len(items), t_sug))
    if scenario.language == "en":  # the PocketSphinx dictionary is English
        vocab, t_load = timed(pocketsphinx_vocabulary, 1)
        rows.append(("load PocketSphinx dictionary (once)", 0, t_load))
        unknown, t_voc = timed(lambda: check(scenario, vocab), args.repeat)
        rows.append((f"vocabulary check ({len(unknown)} unknown)", 0, t_voc))
    correct = sum(o.correct for o in outcomes)
    print(f"{scenario.id}: {len(items)} utterances, {correct} correct, "
          f"{sum(o.wrong for o in outcomes)} wrong, {sum(o.missed for o in outcomes)} missed")
    print(f"{'stage':<40} {'items':>6} {'seconds':>8}")
    for name, n, secs in rows:
        print(f"{name:<40} {n:>6} {secs:>8.3f}")


if __name__ == "__main__":
    main()
