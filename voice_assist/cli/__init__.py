"""The `voice-assist` command: parse, build objects, call the library, map errors to exit codes.

Each command lives in its own module here and registers itself with `register(subparsers)`.
Exit codes: 0 ok, 1 a check failed, 2 bad input. User mistakes never show a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from .. import __version__
from ..errors import VoiceAssistError


def command_modules() -> list[str]:
    """Every module of this package is one command group (found, never listed by hand)."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="voice-assist",
        description="Offline, real-time prompter for call-centre operators.",
    )
    parser.add_argument("--version", action="version", version=f"voice-assist {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in command_modules():
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        code: int = args.func(args)
        return code
    except VoiceAssistError as exc:
        print(f"voice-assist: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("voice-assist: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
