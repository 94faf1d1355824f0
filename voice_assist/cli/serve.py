"""`voice-assist serve SCENARIO ...`: run a call with the operator's web workspace as its screen.

Also the `--web` helpers `run` and `demo` use to show the page next to the console view.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import threading
from collections.abc import Iterator
from typing import Any

from ..errors import VoiceAssistError
from ._call import CallSetup, add_call_options, run_call

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "serve",
        help="run a call with the operator's workspace in the browser (local web page)",
        description="Run one call through a scenario and show it on a local web page: the line "
        "to say, expected answers with live match bars, the transcript, reminders, fields, the "
        "knowledge base, transfer, undo, go to step and end call, with keyboard shortcuts. "
        "Binds to 127.0.0.1; any other --host needs the token printed at start. After the call "
        "the page keeps its final state until Ctrl-C (or --exit-when-done).",
    )
    add_call_options(p)
    add_server_options(p)
    p.add_argument("--open", action="store_true", help="open the page in the default browser")
    p.add_argument(
        "--wait", action="store_true", help="start the call only when the first page has connected"
    )
    p.add_argument(
        "--exit-when-done",
        action="store_true",
        help="stop the server as soon as the call has ended (scripts, tests)",
    )
    p.set_defaults(func=run)


def add_server_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--host",
        default=DEFAULT_HOST,
        metavar="H",
        help="address to listen on (default 127.0.0.1; others need the printed token)",
    )
    p.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        metavar="P",
        help=f"port to listen on (default {DEFAULT_PORT}; 0 picks a free one)",
    )


def add_web_option(p: argparse.ArgumentParser) -> None:
    """`--web` (with --host/--port) for commands whose main screen is the console."""
    p.add_argument(
        "--web",
        action="store_true",
        help="also show the call in the web workspace (see `voice-assist serve`)",
    )
    add_server_options(p)


def run(args: argparse.Namespace) -> int:
    if not 0 <= args.port <= 65535:
        raise VoiceAssistError(f"--port {args.port}: give a port between 0 and 65535")
    setup = CallSetup.from_args(args, default_realtime=True)
    presenter, server = _start(setup, args)
    code = 0
    try:
        if args.open:
            import webbrowser

            webbrowser.open(server.url)
        if args.wait:
            _say("waiting for the page to connect before starting the call...")
            presenter.connected.wait()
        code = run_call(setup, args, [presenter])
        server.flush()
        if not args.exit_when_done and presenter.view.end_reason != "interrupted":
            _say("the call is over; the page keeps showing it. Press Ctrl-C to stop the server.")
            threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return code


@contextlib.contextmanager
def web_alongside(setup: CallSetup, args: argparse.Namespace) -> Iterator[list[Any]]:
    """The web presenter as an extra screen when `--web` was given (nothing otherwise)."""
    if not getattr(args, "web", False):
        yield []
        return
    presenter, server = _start(setup, args)
    try:
        yield [presenter]
        server.flush()
    finally:
        server.stop()


def _start(setup: CallSetup, args: argparse.Namespace) -> tuple[Any, Any]:
    try:
        from ..web import WebPresenter, WebServer
    except ImportError as exc:
        raise VoiceAssistError(
            f"the web workspace needs FastAPI and uvicorn ({exc.name} is missing): "
            "pip install 'voice-assist[web]'"
        ) from None
    presenter = WebPresenter(setup.scenario)
    server = WebServer(presenter, args.host, args.port)
    server.start()
    _say(f"workspace: {server.url}")
    if server.guard.token is not None:
        _say(f"token: {server.guard.token} (needed on every request when not on 127.0.0.1)")
    return presenter, server


def _say(text: str) -> None:
    print(text, file=sys.stdout, flush=True)
