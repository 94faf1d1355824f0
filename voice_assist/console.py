"""The console presenters: a plain event log and the live operator view (rich).

Presenters only render events and send operator commands; they hold no call logic.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .events import (
    CallEnded,
    FieldCaptured,
    Final,
    Matched,
    NoMatch,
    Notice,
    OperatorCommand,
    ReminderDue,
    SilenceNoticed,
    StepEntered,
    TransferSuggested,
)
from .pipeline import CallResult
from .scenario import Scenario
from .scenario.markup import segments


def render_line(say: str) -> str:
    """Rich markup for an operator's line: stressed words bold, pauses as a bar, fields marked."""
    out = []
    for seg in segments(say):
        if seg.kind == "stress":
            out.append(f"[bold underline]{escape(seg.text)}[/]")
        elif seg.kind == "pause":
            out.append(" [dim]‖[/] ")
        elif seg.kind == "field":
            out.append(f"[reverse] {escape(seg.text)} [/]" if not seg.filled else escape(seg.text))
        else:
            out.append(escape(seg.text))
    return "".join(out).strip()


class LogPresenter:
    """One line per meaningful event: for pipes, CI logs and `--plain`."""

    def __init__(self, scenario: Scenario, file: IO[str] | None = None) -> None:
        self.scenario = scenario
        self.console = Console(file=file or sys.stdout, highlight=False, soft_wrap=True)

    def handle(self, event: Any) -> None:
        line = self.format(event)
        if line:
            self.console.print(f"[dim]{event.at_s:7.2f}s[/] {line}")

    def format(self, e: Any) -> str:
        if isinstance(e, StepEntered):
            badge = " [black on yellow] VERBATIM [/]" if e.verbatim else ""
            stage = f"[cyan]{escape(e.stage)}[/] › " if e.stage else ""
            return f"{stage}[bold]{escape(e.step)}[/]{badge}\n          {render_line(e.say)}"
        if isinstance(e, Matched):
            lat = f", {e.latency_ms:.0f} ms" if e.latency_ms is not None else ""
            who = "operator chose" if e.source == "operator" else "heard"
            heard = escape(e.heard)
            return f"[green]✔ {escape(e.answer)}[/] ({who} “{heard}”, score {e.score:.0f}{lat})"
        if isinstance(e, Final):
            return f"[white]customer:[/] {escape(e.heard)}" if e.heard.strip() else ""
        if isinstance(e, NoMatch):
            return f"[yellow]? no answer matched[/] ({escape(e.reason)})"
        if isinstance(e, ReminderDue):
            return f"[magenta]⚑ reminder:[/] {escape(e.text)}"
        if isinstance(e, FieldCaptured):
            state = "confirmed" if e.confirmed else "heard"
            return f"[blue]✎ {escape(e.field)}[/] = {escape(e.value)} ({state})"
        if isinstance(e, TransferSuggested):
            return f"[red]⇄ transfer to {escape(e.target)}:[/] {escape(e.say)}"
        if isinstance(e, SilenceNoticed):
            return f"[yellow]… silence {e.silent_s:.0f}s:[/] {escape(e.text)}"
        if isinstance(e, Notice):
            colour = {"info": "cyan", "warning": "yellow", "error": "red"}[e.level]
            return f"[{colour}]{e.level}:[/] {escape(e.text)}"
        if isinstance(e, OperatorCommand):
            return f"[dim]operator: {escape(e.action)} {escape(e.arg)} {escape(e.value)}[/]"
        if isinstance(e, CallEnded):
            return f"[bold]call ended[/] ({escape(e.reason)}; outcome {escape(e.outcome)})"
        return ""

    def close(self) -> None:
        pass


def make_presenter(scenario: Scenario, plain: bool = False) -> Any:
    """The live console view on a terminal, the plain log elsewhere."""
    if plain:
        return LogPresenter(scenario)
    from .console_live import LiveConsole

    return LiveConsole(scenario)


def print_summary(
    result: CallResult,
    scenario: Scenario,
    *,
    store_path: Path | None = None,
    call_id: int | None = None,
    file: IO[str] | None = None,
) -> None:
    """The call in a few lines: outcome, path with the answers taken, fields, the record."""
    console = Console(file=file or sys.stdout, highlight=False, soft_wrap=True)
    ended = result.ended
    console.print()
    console.print(
        f"[bold]Call summary[/] — {escape(scenario.title)}: "
        f"{result.duration_s:.1f} s, outcome [bold]{escape(ended.outcome if ended else '?')}[/]"
        f" ({escape(ended.reason if ended else '?')})"
    )
    table = Table(show_header=True, header_style="bold", box=None, padding=(0, 1))
    for col in ("at", "from", "answer", "to", "score", "latency", "heard"):
        table.add_column(col)
    for m in result.advances:
        table.add_row(
            f"{m.at_s:.1f}s",
            m.step,
            m.answer + (" (operator)" if m.source == "operator" else ""),
            m.next or "·",
            f"{m.score:.0f}",
            f"{m.latency_ms:.0f} ms" if m.latency_ms is not None else "",
            escape(m.heard),
        )
    console.print(table)
    console.print("path: " + " → ".join(result.path))
    if result.fields:
        console.print("fields: " + ", ".join(f"{k}={v}" for k, v in result.fields.items()))
    if result.error:
        console.print(f"[red]{escape(result.error)}[/]")
    if store_path is not None and call_id is not None:
        console.print(f"record: call {call_id} in {store_path} (voice-assist calls show {call_id})")
