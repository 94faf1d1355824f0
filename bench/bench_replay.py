"""QC replay throughput (x real time) with 1 and 2 worker processes on a long stereo call.

The call is built with sox by concatenating the QC fixture `qc_billing.wav` (a call that never
reaches an end step, so the customer side is decoded to the end too) until it is `--minutes`
long. With N workers, N copies are replayed at once: throughput = audio replayed / wall time.
Both channels are decoded (customer: biased + free transcript; operator: free).

    .venv/bin/python bench/bench_replay.py                # 10-minute call, 1 and 2 workers
    .venv/bin/python bench/bench_replay.py --minutes 2 --workers 1
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
QC = ROOT / "audio_fixtures" / "qc"

from voice_assist.audio.wav import read_info  # noqa: E402
from voice_assist.qc.batch import Job, run_batch  # noqa: E402


def build_call(minutes: float, out: Path) -> float:
    """Concatenate the fixture until the call lasts `minutes`; its duration in seconds."""
    part = QC / "qc_billing.wav"
    copies = math.ceil(minutes * 60 / read_info(part).duration_s)
    subprocess.run(["sox", *[str(part)] * copies, str(out)], check=True)
    return read_info(out).duration_s


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--engine", default="pocketsphinx")
    args = parser.parse_args()
    if not shutil.which("sox"):
        sys.exit("bench_replay: sox is not installed")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        call = Path(tmp) / "long_call.wav"
        duration_s = build_call(args.minutes, call)
        scenario = str(QC / "support.yaml")
        for workers in args.workers:
            copies = []
            for i in range(workers):
                copy = Path(tmp) / f"call_{i}.wav"
                if not copy.exists():
                    os.link(call, copy)
                copies.append(Job(str(copy), scenario, args.engine))
            started = time.perf_counter()
            outcomes = run_batch(copies, workers, progress=False)
            wall_s = time.perf_counter() - started
            errors = [o.error for o in outcomes if o.error]
            if errors:
                sys.exit(f"bench_replay: {errors[0]}")
            audio_s = duration_s * workers
            rows.append((workers, audio_s, wall_s, audio_s / wall_s))
    print(f"QC replay throughput, {args.engine}, stereo call of {duration_s / 60:.1f} min, "
          f"{os.cpu_count()} CPUs")
    print(f"{'workers':>7} {'audio min':>10} {'wall s':>8} {'x real time':>12}")
    for workers, audio_s, wall_s, speed in rows:
        print(f"{workers:>7} {audio_s / 60:>10.1f} {wall_s:>8.1f} {speed:>12.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
