"""How `run` and `demo` show a call: the console view or a plain log, and with `--web` the page."""

from __future__ import annotations

import argparse
import sys

from ._call import CallSetup, run_call
from .serve import add_web_option, web_alongside


def add_presenter_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--plain",
        action="store_true",
        help="print one line per event instead of the live console view",
    )
    add_web_option(p)


def run_presented(setup: CallSetup, args: argparse.Namespace) -> int:
    """Run the call with the console presenter, and the web page beside it when asked."""
    from ..console import make_presenter

    with web_alongside(setup, args) as web:
        presenter = make_presenter(setup.scenario, plain=args.plain or not sys.stdout.isatty())
        return run_call(setup, args, [presenter, *web])
