"""How fast audio sources decode, pick a channel and resample to 16 kHz, in how much memory.

Makes `--seconds` of pink noise per format with sox, streams it through WavSource (and the 16-bit
stereo one also through StdinSource) in 0.1 s chunks, as fast as possible, and prints a table:
audio seconds, wall seconds, times faster than real time, peak traced memory.

    .venv/bin/python bench/bench_audio.py [--seconds 300]
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

from voice_assist.audio.base import AudioSource
from voice_assist.audio.stdin import StdinSource
from voice_assist.audio.wav import WavSource
from voice_assist.events import AudioChunk

FORMATS = {
    "8 kHz mu-law mono (telephone)": ["-r", "8000", "-e", "mu-law", "-c", "1"],
    "16 kHz 16-bit mono (pass-through)": ["-r", "16000", "-b", "16", "-c", "1"],
    "44.1 kHz 16-bit stereo": ["-r", "44100", "-b", "16", "-c", "2"],
    "48 kHz 24-bit stereo (extensible)": ["-r", "48000", "-b", "24", "-c", "2"],
    "48 kHz float 6 ch": ["-r", "48000", "-e", "floating-point", "-b", "32", "-c", "6"],
}


def measure(source: AudioSource) -> tuple[float, float, float]:
    """(audio s, wall s, peak MB) of draining the source."""
    tracemalloc.start()
    started = time.perf_counter()
    chunks: Iterator[AudioChunk] = source.chunks()
    audio_s = sum(c.duration_s for c in chunks)
    wall_s = time.perf_counter() - started
    peak_mb = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return audio_s, wall_s, peak_mb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300.0, help="audio length per format")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, opts in FORMATS.items():
            path = Path(tmp) / "bench.wav"
            subprocess.run(
                ["sox", "-R", "-n", *opts, str(path), "synth", str(args.seconds), "pinknoise",
                 "vol", "0.3"],
                check=True,
            )  # fmt: skip
            size_mb = path.stat().st_size / 1e6
            rows.append((f"wav  {name}", size_mb, *measure(WavSource(path, channel=0))))
            if "44.1 kHz 16-bit stereo" in name:
                raw = Path(tmp) / "bench.raw"
                subprocess.run(["sox", str(path), "-t", "raw", str(raw)], check=True)
                with open(raw, "rb") as stream:
                    source = StdinSource(stream, rate_hz=44100, channels=2, channel=1)
                    rows.append((f"raw  {name}", size_mb, *measure(source)))
            path.unlink()
    print(f"{'source':<44} {'file MB':>8} {'audio s':>8} {'wall s':>7} {'x RT':>7} {'peak MB':>8}")
    for label, size_mb, audio_s, wall_s, peak_mb in rows:
        print(
            f"{label:<44} {size_mb:>8.1f} {audio_s:>8.1f} {wall_s:>7.2f} "
            f"{audio_s / wall_s:>7.0f} {peak_mb:>8.2f}"
        )


if __name__ == "__main__":
    main()
