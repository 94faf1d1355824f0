"""Matcher speed: one utterance against a step of 50 phrases and against 5,000 phrases.

Cold: nothing cached (text analysis, word similarities, results); new: a text not matched before
whose words were (the next partial of an utterance); rep: the same text again (a repeated
partial). Prints median and p99 per call in milliseconds (thread CPU time by default: the machine
may be shared; --wall for wall-clock), and the construction time.
Run: .venv/bin/python bench/bench_matcher.py [--calls N] [--wall]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable

from voice_assist.matcher import Matcher
from voice_assist.scenario import loads_scenario
from voice_assist.text import analyze

WORDS_EN = """
delivery pickup address order pizza price cheap expensive internet router light green red bill
invoice payment card transfer contract cancel moving family work home films games news phone email
tomorrow evening morning monday week plan faster channels sports cartoons box manager supervisor
person technician engineer broken slow fine problem trouble refund
""".split()  # noqa: SIM905 - a word list reads better as text
UTTERANCES = [
    "um I don't want delivery, I will pick it up myself",
    "the router light is red and the internet is very slow",
    "can I pay the bill by card tomorrow morning",
    "I'm not interested, thanks, we are fine with our plan",
    "my family watches films and the kids play games every evening",
]
Row = tuple[str, int, float, list[float], list[float], list[float]]


def pseudo_word(rng: random.Random) -> str:
    return "".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(3))


def phrase(rng: random.Random) -> str:
    n = rng.randint(1, 4)
    words = [rng.choice(WORDS_EN) if rng.random() < 0.5 else pseudo_word(rng) for _ in range(n)]
    return " ".join(words)


def scenario_yaml(step_answers: int, global_answers: int, per_answer: int, seed: int = 7) -> str:
    """One step `s` with `step_answers` answers, plus `global_answers` global answers."""
    rng = random.Random(seed)
    lines = ["id: bench", "title: bench", "language: en", "start: s", "steps:", "  - id: s"]
    lines.append("    answers:")
    for a in range(step_answers):
        phrases = ", ".join(f'"{phrase(rng)}"' for _ in range(per_answer))
        lines.append(f"      - {{id: a{a}, phrases: [{phrases}], next: s}}")
    if global_answers:
        lines.append("global_answers:")
    for g in range(global_answers):
        phrases = ", ".join(f'"{phrase(rng)}"' for _ in range(per_answer))
        lines.append(f"  - {{id: g{g}, phrases: [{phrases}], next: s}}")
    return "\n".join(lines) + "\n"


def timed_ms(fn: Callable[[], object], calls: int, wall: bool) -> list[float]:
    clock = time.perf_counter_ns if wall else time.thread_time_ns
    out = []
    for _ in range(calls):
        t0 = clock()
        fn()
        out.append((clock() - t0) / 1e6)
    return out


def p99(xs: list[float]) -> float:
    return sorted(xs)[min(len(xs) - 1, int(len(xs) * 0.99))]


def bench(name: str, yaml_text: str, calls: int, wall: bool) -> Row:
    scenario = loads_scenario(yaml_text)
    t0 = time.perf_counter()
    matcher = Matcher(scenario)
    build_ms = (time.perf_counter() - t0) * 1000
    n_phrases = sum(len(a.phrases) for s in scenario.steps for a in s.answers)
    n_phrases += sum(len(g.phrases) for g in scenario.global_answers)
    index = matcher._index  # the matcher's caches, cleared to measure cold calls
    k = 0

    def call(clear_words: bool, clear_text: bool) -> Callable[[], None]:
        def run() -> None:
            nonlocal k
            if clear_words:
                index.cache.clear()
                index.pair_cache.clear()
            if clear_text:
                matcher._results.clear()
                analyze.cache_clear()
            matcher.match("s", UTTERANCES[k % len(UTTERANCES)])
            k += 1

        return run

    for _ in range(len(UTTERANCES)):
        call(False, False)()  # import and first-use costs out of the way
    return (
        name,
        n_phrases,
        build_ms,
        timed_ms(call(True, True), calls, wall),
        timed_ms(call(False, True), calls, wall),
        timed_ms(call(False, False), calls, wall),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=500, help="calls per measurement")
    parser.add_argument("--wall", action="store_true", help="wall-clock instead of CPU time")
    args = parser.parse_args()
    rows = [
        bench("step of 50 phrases", scenario_yaml(10, 0, 5), args.calls, args.wall),
        bench("5,000 phrases (globals)", scenario_yaml(10, 990, 5), args.calls, args.wall),
    ]
    cols = ("cold med", "cold p99", "new med", "new p99", "rep med", "rep p99")
    head = f"{'case':<24}{'phrases':>8}{'build ms':>9}" + "".join(f"{c:>10}" for c in cols)
    print(head)
    print("-" * len(head))
    for name, n, build_ms, cold, new, rep in rows:
        stats = []
        for xs in (cold, new, rep):
            stats += [statistics.median(xs), p99(xs)]
        print(f"{name:<24}{n:>8}{build_ms:>9.1f}" + "".join(f"{x:>10.3f}" for x in stats))
    clock = "wall-clock" if args.wall else "thread CPU"
    print(f"ms per call ({clock}); targets: median <= 0.2 ms at 50 phrases, <= 5 ms at 5,000")


if __name__ == "__main__":
    main()
