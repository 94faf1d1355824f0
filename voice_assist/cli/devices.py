"""`voice-assist devices [--json]`: the audio input devices, to pick one for `--device`."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from ..audio.devices import list_input_devices


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "devices",
        help="list audio input devices (index, name, channels, default rate)",
        description="List the audio input devices PortAudio sees. Use the index or a part of "
        "the name with --device; the default input is marked with *.",
    )
    p.add_argument("--json", action="store_true", help="print the devices as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    devices = list_input_devices()
    if args.json:
        json.dump({"devices": [asdict(d) for d in devices]}, sys.stdout, indent=2)
        print()
        return 0
    if not devices:
        print("no audio input devices found (is a headset plugged in, is PulseAudio running?)")
        return 0
    width = max(len(d.name) for d in devices)
    print(f"  {'index':>5}  {'name':<{width}}  {'host API':<10}  {'channels':>8}  default rate")
    for d in devices:
        mark = "*" if d.default else " "
        print(
            f"{mark} {d.index:>5}  {d.name:<{width}}  {d.hostapi:<10}  {d.channels:>8}  "
            f"{d.default_rate_hz} Hz"
        )
    return 0
