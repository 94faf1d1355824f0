"""`voice-assist demo`: a whole English sales call on the embedded engine, no downloads."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import VoiceAssistError
from ._call import CallSetup, add_call_options
from ._present import add_presenter_options, run_presented

ROOT = Path(__file__).resolve().parents[2]
DEMO_SCENARIO = ROOT / "scenarios" / "en" / "sales.yaml"
DEMO_AUDIO = ROOT / "audio_fixtures" / "calls" / "en" / "demo_sales.wav"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "demo",
        help="play a recorded English sales call through the prompter (no downloads needed)",
        description="Runs the English sales scenario against a bundled stereo call (customer on "
        "channel 1) with the embedded PocketSphinx engine, in real time, showing the operator's "
        "view advancing by itself, then prints the call summary and where its record is.",
    )
    add_call_options(p, scenario=False)
    add_presenter_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not DEMO_SCENARIO.is_file() or not DEMO_AUDIO.is_file():
        raise VoiceAssistError(
            f"the demo needs {DEMO_SCENARIO.relative_to(ROOT)} and "
            f"{DEMO_AUDIO.relative_to(ROOT)} from the voice-assist checkout ({ROOT})"
        )
    args.scenario = str(DEMO_SCENARIO)
    if not (args.audio or args.mic or args.stdin or args.turn or args.transcript):
        args.audio = str(DEMO_AUDIO)
        if args.channel is None:
            args.channel = 1
        if args.engine == "auto":
            args.engine = "pocketsphinx"
    return run_presented(CallSetup.from_args(args, default_realtime=True), args)
