"""ASR benchmark: per engine and mode, real-time factor (0.1 s chunks), model load time, peak RSS,
and word-to-partial latency (audio time from a word's end to its first appearance in a partial).

Each configuration runs in a fresh process so load time and peak RSS are its own.

    .venv/bin/python bench/bench_asr.py                 # the table
    .venv/bin/python bench/bench_asr.py --repeat 5      # longer audio per run
    .venv/bin/python bench/bench_asr.py --long-minutes 60 --only vosk:biased   # memory over time
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
FIXTURES = ROOT / "audio_fixtures" / "asr"
CONFIGS = {
    "pocketsphinx:free": ("pocketsphinx", "en_joe_dialog.wav", None, True),
    "pocketsphinx:biased": (
        "pocketsphinx",
        "en_joe_dialog.wav",
        ["delivery", "phone number", "correct"],
        True,
    ),
    "pocketsphinx:biased-only": (
        "pocketsphinx",
        "en_joe_dialog.wav",
        ["delivery", "phone number", "correct"],
        False,
    ),
    # a whole call's customer side (speech about a third of the time), as an operator runs it
    "pocketsphinx:biased-call": (
        "pocketsphinx",
        "../calls/en/demo_sales.wav",
        ["yes", "go ahead", "not interested", "call me later", "just me", "smart tv"],
        True,
    ),
    "pocketsphinx:biased-only-call": (
        "pocketsphinx",
        "../calls/en/demo_sales.wav",
        ["yes", "go ahead", "not interested", "call me later", "just me", "smart tv"],
        False,
    ),
    "vosk:free": ("vosk", "ko_espeak_dialog.wav", None, True),
    "vosk:biased": ("vosk", "ko_espeak_dialog.wav", ["예약 취소", "카드 결제", "감사합니다"], True),
    "vosk:biased-only": (
        "vosk",
        "ko_espeak_dialog.wav",
        ["예약 취소", "카드 결제", "감사합니다"],
        False,
    ),
}


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def latencies(events: list) -> list[float]:  # type: ignore[type-arg]
    """Per final word: the first partial (or the final) showing it, minus the word's end.

    The k-th "five" of a final counts as shown by the first partial holding k "five"s: live and
    final hypotheses may differ elsewhere ("number" / "numbers") without hiding this word.
    """
    from voice_assist.events import Final

    out: list[float] = []
    pending: list = []  # type: ignore[type-arg]
    for e in events:
        pending.append(e)
        if not isinstance(e, Final):
            continue
        seen_count: dict[str, int] = {}
        for w in e.words:
            k = seen_count[w.word] = seen_count.get(w.word, 0) + 1
            seen = next((p.at_s for p in pending if p.text.split().count(w.word) >= k), e.at_s)
            out.append((seen - w.end_s) * 1000)
        pending = []
    return out


def one(name: str, repeat: int, long_minutes: float) -> dict[str, object]:
    from voice_assist.asr import create_recognizer
    from voice_assist.audio.wav import WavSource

    engine, fixture, vocabulary, free = CONFIGS[name]
    channel = 1 if "/calls/" in fixture else 0  # stereo calls: the customer's channel
    chunks = list(WavSource(FIXTURES / fixture, channel=channel).chunks())
    language = "ko" if engine == "vosk" else "en"
    t0 = time.perf_counter()
    rec = create_recognizer(engine, language=language, free_transcript=free)
    load_s = time.perf_counter() - t0
    rec.set_vocabulary(vocabulary)
    from voice_assist.events import AudioChunk

    span = chunks[-1].end_s
    rounds = repeat if not long_minutes else max(1, int(long_minutes * 60 / span))
    events: list = []  # type: ignore[type-arg]
    samples: list[tuple[float, float]] = []
    decode_s = 0.0
    for r in range(rounds):
        t = time.process_time()  # CPU time: what one core spends, whatever else runs
        for c in chunks:
            events += rec.accept(AudioChunk(c.pcm, c.at_s + r * span))
        decode_s += time.process_time() - t
        if long_minutes and r % max(1, rounds // 12) == 0:
            samples.append(((r + 1) * span / 60, current_rss_mb()))
        if long_minutes:
            events = []
    events += rec.finish()
    audio_s = rounds * span
    lat = latencies(events) if not long_minutes else []
    finals = [e for e in events if type(e).__name__ == "Final"]
    return {
        "config": name,
        "audio_s": round(audio_s, 1),
        "load_s": round(load_s, 2),
        "rtf": round(decode_s / audio_s, 3),
        "peak_rss_mb": round(rss_mb()),
        "lat_p50_ms": round(statistics.median(lat)) if lat else None,
        "lat_p95_ms": round(statistics.quantiles(lat, n=20)[18]) if len(lat) >= 2 else None,
        "words": len(lat),
        "first_finals": [f.text for f in finals[:4]],
        "rss_over_time": samples,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3, help="fixture repetitions per run")
    ap.add_argument("--only", action="append", choices=sorted(CONFIGS), help="run these configs")
    ap.add_argument(
        "--long-minutes",
        type=float,
        default=0.0,
        help="feed this many minutes of audio and sample RSS (memory growth)",
    )
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.repeat, args.long_minutes), ensure_ascii=False))
        return 0
    rows = []
    for name in args.only or list(CONFIGS):
        cmd = [
            sys.executable,
            __file__,
            "--one",
            name,
            "--repeat",
            str(args.repeat),
            "--long-minutes",
            str(args.long_minutes),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode:
            print(f"{name}: failed: {proc.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
            continue
        rows.append(json.loads(proc.stdout))
    head = (
        f"{'config':30} {'audio s':>8} {'load s':>7} {'RTF':>6} {'peak RSS MB':>12} "
        f"{'lat p50 ms':>11} {'lat p95 ms':>11} {'words':>6}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        print(
            f"{r['config']:30} {r['audio_s']:>8} {r['load_s']:>7} {r['rtf']:>6} "
            f"{r['peak_rss_mb']:>12} {r['lat_p50_ms']!s:>11} {r['lat_p95_ms']!s:>11} "
            f"{r['words']:>6}"
        )
    for r in rows:
        if r["rss_over_time"]:
            trail = ", ".join(f"{m:.0f} min: {mb:.0f} MB" for m, mb in r["rss_over_time"])
            print(f"{r['config']} RSS over audio time: {trail}")
    print(
        "RTF = CPU seconds per audio second (one core). "
        "targets: biased RTF <= 0.05 on one core; latency p50 <= 300 ms "
        "(latency includes the 0.1 s chunk granularity)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
