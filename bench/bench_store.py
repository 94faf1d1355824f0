"""Call-record store speed: committed events per second, listing and loading calls.

Run: `.venv/bin/python bench/bench_store.py [--calls N] [--events M]` (default 300 x 120, about
half a minute: every event is its own fsynced commit). Prints a table; numbers go to the README,
not into tests.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from voice_assist.events import AnswerScores, Final, Matched, Partial, StepEntered, Word
from voice_assist.store import CallStore


def call_events(n: int) -> list[object]:
    """A plausible mix: partials and scores dominate, a final and an advance now and then."""
    out: list[object] = [StepEntered(0.0, "greeting", "contact", "Hello!")]
    for i in range(n - 1):
        at_s = i * 0.25
        kind = i % 8
        if kind < 5:
            out.append(Partial("so i would like the", at_s))
        elif kind == 5:
            out.append(AnswerScores(at_s, "greeting", (("yes", 71.0), ("no", 12.0))))
        elif kind == 6:
            text = "so i would like the big one"
            words = tuple(Word(w, at_s, at_s + 0.2) for w in text.split(" "))
            out.append(Final(text, at_s, words))
        else:
            out.append(Matched(at_s, "greeting", "yes", "next", 91.0, "yes please", "yes"))
    return out


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000.0)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--calls", type=int, default=300)
    ap.add_argument("--events", type=int, default=120)
    args = ap.parse_args()
    events = call_events(args.events)
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp, CallStore(Path(tmp) / "calls.db") as store:
        # live path: each event committed (fsync) before the next
        call_id = store.start_call(scenario_id="bench", scenario_version="1", scenario_path="b",
                                   operator="op", source="bench", engine="none")
        per_event = timed(lambda: store.append(call_id, events[1]), 500)
        per_event.sort()
        rows.append(("append one event, committed: p50", f"{statistics.median(per_event):.2f} ms"))
        rows.append(("append one event, committed: p95",
                     f"{per_event[int(len(per_event) * 0.95)]:.2f} ms"))
        rows.append(("events per second (one writer)",
                     f"{1000.0 / statistics.mean(per_event):.0f}"))
        t0 = time.perf_counter()
        for i in range(args.calls):
            cid = store.start_call(scenario_id="bench", scenario_version="1", scenario_path="b",
                                   operator=f"op{i % 7}", source="bench", engine="none")
            for ev in events:
                store.append(cid, ev)
            store.end_call(cid, outcome="done", reason="end_step", duration_s=30.0)
        fill_s = time.perf_counter() - t0
        rows.append((f"fill {args.calls} calls x {args.events} events", f"{fill_s:.1f} s"))
        size_mb = (Path(tmp) / "calls.db").stat().st_size / 1e6
        rows.append(("database size", f"{size_mb:.1f} MB"))
        for label, fn in [
            ("list_calls(limit=50)", lambda: store.list_calls(limit=50)),
            ("list_calls(operator=..., limit=50)", lambda: store.list_calls(operator="op3")),
            ("list_calls(limit=None) all", lambda: store.list_calls(limit=None)),
            (f"get_call (one call, {args.events} events)", lambda: store.get_call(cid)),
        ]:
            ms = timed(fn, 10)
            rows.append((label, f"{statistics.median(ms):.1f} ms"))
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  value")
    print(f"{'-' * width}  -----")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
