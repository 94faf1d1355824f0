"""Every command has help text and a description; the CLI's surface stays documented."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from voice_assist.cli import build_parser, command_modules


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("no subcommands")


def test_every_command_module_registers_a_command() -> None:
    assert len(_subcommands()) >= len(command_modules())


@pytest.mark.parametrize("name", sorted(_subcommands()))
def test_every_command_has_help_and_description(name: str) -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {c.dest: c.help for c in sub._choices_actions}
    assert helps.get(name), f"'{name}' has no help line"
    cmd = _subcommands()[name]
    text = cmd.format_help()
    assert cmd.description, f"'{name}' has no description"
    for action in cmd._actions:
        if action.dest != "help" and not isinstance(action, argparse._SubParsersAction):
            assert action.help, (
                f"'{name}' option {action.option_strings or action.dest} has no help"
            )
    assert "usage:" in text


def test_module_entry_point_prints_help() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "voice_assist", "--help"], capture_output=True, text=True, check=True
    )
    assert "validate" in out.stdout


def test_no_command_prints_help_and_exits_2() -> None:
    out = subprocess.run([sys.executable, "-m", "voice_assist"], capture_output=True, text=True)
    assert out.returncode == 2 and "usage:" in out.stdout
