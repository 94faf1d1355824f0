"""Session benchmark over the fixture calls: advance latency, speed, memory; prints tables.

Per engine and mode (biased towards the step's phrases, or free), and per set of calls (clean
natural and real voices; 8 kHz telephone band and noise; espeak voices): calls passed and advance
latency p50/p95 (audio time from the end of the decisive word to the advance); whole-call speed
(x real time) and peak RSS, each configuration in its own process. Then memory over a long
synthetic call: the demo call looped for `--minutes` of audio, RSS sampled every 5 audio
minutes (flat = no leak).

    .venv/bin/python bench/bench_session.py                 # every fixture call, 60-minute call
    .venv/bin/python bench/bench_session.py --quick --minutes 10
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from voice_assist.events import AudioChunk  # noqa: E402

CALLS = REPO / "audio_fixtures" / "calls" / "en"
DEMO = CALLS / "demo_sales.calltest.yaml"
QUICK = ["demo_sales", "sales_happy", "hotline_fault_fixed", "hotline_how_long"]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def fixture_set(path: str) -> str:
    """Which set a fixture call belongs to: clean (natural and real voices), degraded (8 kHz
    telephone band, noise) or espeak (robotic voices, reported apart)."""
    name = Path(path).name
    if "espeak" in name:
        return "espeak"
    return "8k/noise" if "_8k" in name or "_snr" in name else "clean"


SETS = ("clean", "8k/noise", "espeak")


def one(engine: str, bias: bool, files: list[str]) -> dict[str, Any]:
    """Run the call tests in this process; per set of calls, latency and passes; overall speed
    and peak RSS, as a dict."""
    from voice_assist.calltest import load_calltest, run_calltest

    latencies: dict[str, list[float]] = {s: [] for s in SETS}
    calls = dict.fromkeys(SETS, 0)
    passed = dict.fromkeys(SETS, 0)
    audio_s = wall_s = 0.0
    for f in files:
        test = load_calltest(f)
        started = time.perf_counter()
        result = run_calltest(test, engine=engine, bias=bias)
        wall_s += time.perf_counter() - started
        if result.skipped:
            return {"skipped": result.skipped}
        audio_s += result.duration_s
        kind = fixture_set(f)
        calls[kind] += 1
        passed[kind] += result.passed
        latencies[kind] += [a.latency_ms for a in result.advances if a.latency_ms is not None]
    return {
        "sets": {
            s: {
                "calls": calls[s],
                "passed": passed[s],
                "advances": len(latencies[s]),
                "p50_ms": percentile(latencies[s], 50),
                "p95_ms": percentile(latencies[s], 95),
            }
            for s in SETS
            if calls[s]
        },
        "x_realtime": audio_s / wall_s if wall_s else 0.0,
        "peak_rss_mb": peak_rss_mb(),
    }


class LoopedSource:
    """The customer channel of a WAV, repeated until `minutes` of audio (continuous audio time)."""

    def __init__(self, path: Path, channel: int, minutes: float) -> None:
        from voice_assist.audio.wav import read_wav

        self.pcm = read_wav(path, channel=channel).tobytes()
        self.total_s = minutes * 60
        self.description = f"{path.name} looped for {minutes:g} min"
        self.samples: list[tuple[float, float]] = []

    def chunks(self) -> Iterator[AudioChunk]:
        step = 3200  # 0.1 s of 16 kHz int16
        at_s = 0.0
        next_sample = 0.0
        while at_s < self.total_s:
            for i in range(0, len(self.pcm) - step + 1, step):
                if at_s >= next_sample:
                    self.samples.append((at_s / 60, rss_mb()))
                    next_sample += 300
                yield AudioChunk(self.pcm[i : i + step], at_s)
                at_s += 0.1
                if at_s >= self.total_s:
                    break
        self.samples.append((at_s / 60, rss_mb()))

    def close(self) -> None:
        pass


def long_call(engine: str, minutes: float) -> dict[str, Any]:
    from voice_assist.asr import create_recognizer
    from voice_assist.calltest import load_calltest
    from voice_assist.pipeline import Pipeline
    from voice_assist.session import Session

    test = load_calltest(DEMO)
    assert test.audio is not None
    source = LoopedSource(test.audio, test.channel, minutes)
    recognizer = create_recognizer(engine, language="en")
    started = time.perf_counter()
    result = Pipeline(Session(test.scenario), recognizer).run(source)
    wall = time.perf_counter() - started
    return {
        "samples": source.samples,
        "x_realtime": minutes * 60 / wall,
        "events": len(result.events),
        "peak_rss_mb": peak_rss_mb(),
    }


def child(args: list[str]) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        return {"error": (out.stderr.strip().splitlines() or ["failed"])[-1]}
    data: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return data


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--engines", default="pocketsphinx", help="comma-separated (pocketsphinx,vosk)")
    p.add_argument("--quick", action="store_true", help=f"only {', '.join(QUICK)}")
    p.add_argument("--minutes", type=float, default=60.0, help="length of the long call (0: skip)")
    p.add_argument("--one", nargs=2, metavar=("ENGINE", "MODE"), help=argparse.SUPPRESS)
    p.add_argument("--long", metavar="ENGINE", help=argparse.SUPPRESS)
    args = p.parse_args()
    files = sorted(str(f) for f in CALLS.glob("*.calltest.yaml"))
    if args.quick:
        files = [f for f in files if Path(f).name.split(".")[0] in QUICK]
    if args.one:
        print(json.dumps(one(args.one[0], args.one[1] == "biased", files)))
        return 0
    if args.long:
        print(json.dumps(long_call(args.long, args.minutes)))
        return 0

    print(f"advance latency over {len(files)} fixture calls "
          "(audio time from the decisive word's end to the advance)")
    print(f"{'engine':14} {'mode':7} {'set':9} {'calls':>5} {'pass':>5} {'adv':>5} "
          f"{'p50 ms':>7} {'p95 ms':>7} {'x RT':>6} {'peak MB':>8}")
    for engine in args.engines.split(","):
        for mode in ("biased", "free"):
            extra = ["--quick"] if args.quick else []
            r = child(["--one", engine, mode, *extra])
            if "error" in r or "skipped" in r:
                print(f"{engine:14} {mode:7} {r.get('error') or r.get('skipped')}")
                continue
            for i, (name, s) in enumerate(r["sets"].items()):
                speed = f"{r['x_realtime']:6.1f} {r['peak_rss_mb']:8.0f}" if i == 0 else ""
                print(f"{engine:14} {mode:7} {name:9} {s['calls']:5d} {s['passed']:5d} "
                      f"{s['advances']:5d} {s['p50_ms']:7.0f} {s['p95_ms']:7.0f} {speed}")
    if args.minutes > 0:
        for engine in args.engines.split(","):
            r = child(["--long", engine, "--minutes", str(args.minutes)])
            if "error" in r:
                print(f"\nlong call ({engine}): {r['error']}")
                continue
            print(f"\nmemory over a {args.minutes:g}-minute call (demo looped, {engine}, biased): "
                  f"{r['x_realtime']:.1f}x real time, {r['events']} events")
            print(f"{'audio min':>9} {'RSS MB':>8}")
            for minute, mb in r["samples"]:
                print(f"{minute:9.1f} {mb:8.0f}")
            rss = [mb for _, mb in r["samples"]]
            if len(rss) > 2:
                growth = rss[-1] - rss[1]
                print(f"growth after the first 5 minutes: {growth:+.0f} MB "
                      f"(median {statistics.median(rss):.0f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
