"""`voice-assist run SCENARIO --audio FILE | --mic | --stdin | --turn TEXT`: one call, live."""

from __future__ import annotations

import argparse

from ._call import CallSetup, add_call_options
from ._present import add_presenter_options, run_presented


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "run",
        help="run a call: listen, follow the scenario, show the operator the next line",
        description="Run one call through a scenario. The console view shows the line to say, "
        "expected answers with live scores, the transcript, reminders and fields; keys: 1-9 "
        "choose an answer, u undo, g go to step, f fill a field, n no suitable answer, "
        "t transfer, q end the call. The call record is saved as it happens.",
    )
    add_call_options(p)
    add_presenter_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    return run_presented(CallSetup.from_args(args, default_realtime=True), args)
