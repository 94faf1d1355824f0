"""The live console operator view: a rich screen redrawn from `CallView`, keys for commands.

Keys: 1-9 choose an answer, u undo, g go to step, f fill a field, n no suitable answer,
t transfer (the suggested one), d dismiss reminders, q end the call.
"""

from __future__ import annotations

import contextlib
import os
import select
import sys
import threading
from collections.abc import Iterator
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .console import render_line
from .scenario import Scenario
from .view import CallView, reduce

KEYS_HELP = "1-9 answer · u undo · g go to · f fill · n no answer · t transfer · d dismiss · q end"


def _bar(score: float | None, width: int = 12) -> str:
    if score is None:
        return "[dim]" + "·" * width + "[/]"
    filled = round(width * max(0.0, min(score, 100.0)) / 100)
    return f"[green]{'█' * filled}[/][dim]{'·' * (width - filled)}[/] {score:3.0f}"


def render(view: CallView) -> RenderableType:
    """The whole operator screen for one view snapshot."""
    crumbs = " › ".join(
        f"[bold reverse] {escape(c.stage)} [/]"
        if c.current
        else (f"[green]{escape(c.stage)}[/]" if c.visited else f"[dim]{escape(c.stage)}[/]")
        for c in view.breadcrumb
    )
    minutes, seconds = divmod(int(view.at_s), 60)
    header = f"{crumbs}    [dim]{escape(view.scenario.title)}[/]    ⏱ {minutes:02d}:{seconds:02d}"
    badge = "[black on yellow] READ VERBATIM [/] " if view.verbatim else ""
    line = Panel(
        Text.from_markup(badge + render_line(view.say)),
        title=f"[bold]{escape(view.step or '')}[/]",
        border_style="yellow" if view.verbatim else "blue",
    )
    answers = Table(box=None, show_header=False, padding=(0, 1))
    for i, a in enumerate(view.answers[:9], 1):
        fired = view.last_advance is not None and view.last_advance.answer == a.id
        label = ("[bold green]" if fired else "") + escape(a.label) + ("[/]" if fired else "")
        glob = " [dim](any step)[/]" if a.is_global else ""
        answers.add_row(
            f"[bold]{i}[/]", label + glob, _bar(a.score), f"[dim]→ {escape(a.next or '·')}[/]"
        )
    parts: list[RenderableType] = [Text.from_markup(header), line]
    if view.hints:
        parts.append(Text.from_markup("[cyan]hint:[/] " + escape(" · ".join(view.hints))))
    parts.append(Panel(answers, title="expected answers", border_style="dim"))
    if view.last_advance is not None:
        m = view.last_advance
        lat = f", {m.latency_ms:.0f} ms" if m.latency_ms is not None else ""
        parts.append(
            Text.from_markup(
                f"[green]✔ {escape(m.answer)}[/] — heard “{escape(m.heard)}” "
                f"~ “{escape(m.phrase)}” (score {m.score:.0f}{lat})"
            )
        )
    for r in view.reminders:
        parts.append(Text.from_markup(f"[bold magenta]⚑ {escape(r.text)}[/]"))
    if view.transfer is not None:
        t = view.transfer
        parts.append(
            Text.from_markup(f"[bold red]⇄ transfer to {escape(t.target)}[/] (t): {escape(t.say)}")
        )
    if view.silence is not None:
        parts.append(Text.from_markup(f"[yellow]… {escape(view.silence.text)}[/]"))
    transcript = [f"[white]{escape(t.text)}[/]" for t in view.transcript[-4:]]
    if view.partial:
        transcript.append(f"[dim]{escape(view.partial)}…[/]")
    parts.append(
        Panel(
            Text.from_markup("\n".join(transcript) or "[dim]waiting for the customer…[/]"),
            title="customer",
            border_style="dim",
        )
    )
    fields = [
        f"{escape(f.label)}: "
        + (
            f"[bold]{escape(f.value)}[/]" + ("" if f.confirmed else " [yellow](heard)[/]")
            if f.value
            else ("[red]required[/]" if f.required else "[dim]—[/]")
        )
        for f in view.fields
    ]
    if fields:
        parts.append(Text.from_markup("  ·  ".join(fields)))
    for n in view.notices[-2:]:
        parts.append(
            Text.from_markup(f"[{'red' if n.level == 'error' else 'yellow'}]{escape(n.text)}[/]")
        )
    if view.ended:
        parts.append(
            Text.from_markup(
                f"[bold]call ended[/]: {escape(view.outcome)} ({escape(view.end_reason)})"
            )
        )
    parts.append(Text.from_markup(f"[dim]{KEYS_HELP}[/]"))
    return Group(*parts)


class LiveConsole:
    """Sink + keyboard: redraws on every event, turns keys into operator commands."""

    def __init__(self, scenario: Scenario, console: Console | None = None) -> None:
        self.view = CallView.initial(scenario)
        self.console = console or Console()
        self._lock = threading.Lock()
        self._live = Live(
            render(self.view),
            console=self.console,
            auto_refresh=False,
            transient=False,
            redirect_stdout=False,
        )
        self._pipeline: Any = None
        self._stop = threading.Event()
        self._keys: threading.Thread | None = None
        self._live.start()

    def attach(self, pipeline: Any) -> None:
        """Start reading keys (only on an interactive terminal)."""
        self._pipeline = pipeline
        if sys.stdin.isatty():
            self._keys = threading.Thread(target=self._read_keys, name="keys", daemon=True)
            self._keys.start()

    def handle(self, event: Any) -> None:
        with self._lock:
            self.view = reduce(self.view, event)
            self._live.update(render(self.view), refresh=True)

    def close(self) -> None:
        self._stop.set()
        with self._lock:
            self._live.stop()
        if self._keys is not None:
            self._keys.join(timeout=1)

    # -- keyboard -------------------------------------------------------------------------------

    def _read_keys(self) -> None:
        fd = sys.stdin.fileno()
        while not self._stop.is_set():
            with _cbreak(fd):
                ready, _, _ = select.select([fd], [], [], 0.2)
                key = os.read(fd, 1).decode(errors="ignore") if ready else ""
            if key:
                self._on_key(key)

    def _on_key(self, key: str) -> None:
        p = self._pipeline
        view = self.view
        if key.isdigit() and key != "0":
            i = int(key) - 1
            if i < len(view.answers):
                p.submit("choose", view.answers[i].id)
        elif key == "u":
            p.submit("undo")
        elif key == "q":
            p.submit("end")
        elif key == "t" and view.transfer is not None:
            p.submit("transfer", view.transfer.transfer)
        elif key == "d":
            for r in view.reminders:
                p.submit("dismiss", r.id)
        elif key in "gfn":
            self._prompt(key)

    def _prompt(self, key: str) -> None:
        p = self._pipeline
        with self._lock:
            self._live.stop()
        try:
            if key == "g":
                step = self.console.input("go to step: ").strip()
                if step:
                    p.submit("goto", step)
            elif key == "f":
                fid = self.console.input("field: ").strip()
                value = self.console.input(f"{fid} = ").strip() if fid else ""
                if fid:
                    p.submit("fill", fid, value)
            else:
                text = self.console.input("what did the customer say? ").strip()
                p.submit("no_answer", "", text)
        finally:
            with self._lock:
                self._live.start()


@contextlib.contextmanager
def _cbreak(fd: int) -> Iterator[None]:
    import termios
    import tty

    old = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd)
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, old)
