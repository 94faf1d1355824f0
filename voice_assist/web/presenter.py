"""The web presenter: a pipeline sink that folds events into the view and pushes it to pages.

`handle` runs on the pipeline's worker thread and only schedules work on the server's asyncio
loop (`call_soon_threadsafe`), so the audio path never waits for a browser. Every page gets a
snapshot on connect, then one message per event; page commands go to `pipeline.submit`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from typing import Any, Protocol

from ..events import Final, Partial, StepEntered, to_json
from ..scenario.models import Scenario
from ..view import CallView, reduce
from .state import scenario_json, view_json

ACTIONS = frozenset(
    {
        "choose",
        "goto",
        "next",
        "undo",
        "fill",
        "confirm",
        "no_answer",
        "transfer",
        "dismiss",
        "end",
        "note",
    }
)
"""The operator commands a page may send (the session's actions)."""

MAX_TEXT = 2000
MAX_QUEUED = 2000
CLOCK_PERIOD_S = 0.25


class Submitter(Protocol):
    """What the presenter needs of a pipeline: thread-safe commands and the audio time."""

    def submit(self, action: str, arg: str = "", value: str = "") -> None: ...

    @property
    def at_s(self) -> float: ...


class Client:
    """One connected page: an outgoing queue its websocket task drains."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[str] = asyncio.Queue()
        self.overflowed = False

    def push(self, text: str) -> None:
        if self.queue.qsize() >= MAX_QUEUED:
            self.overflowed = True  # a stuck page: its socket is closed, a reload re-syncs it
            return
        self.queue.put_nowait(text)


def now_ms() -> float:
    """Wall-clock milliseconds (the same clock as the page's `performance.timeOrigin + now()`)."""
    return time.time() * 1000.0


class WebPresenter:
    """Sink + command door for any number of pages (a reload or a second monitor re-syncs)."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.view = CallView.initial(scenario)
        self.seq = 0
        self.last_speech_s = 0.0
        self.static = scenario_json(scenario)
        self.connected = threading.Event()
        self.call_over = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending: list[tuple[Any, float]] = []
        self._lock = threading.Lock()
        self._clients: set[Client] = set()
        self._pipeline: Submitter | None = None
        self._last_clock_s = -1.0
        self._batch: list[dict[str, Any]] = []
        self._flush_scheduled = False
        self._stopped = False

    # -- sink (pipeline worker thread) ----------------------------------------------------------

    def attach(self, pipeline: Submitter) -> None:
        """Called by the runner before the call starts: commands go to this pipeline."""
        self._pipeline = pipeline

    def handle(self, event: Any) -> None:
        """Stamp the event and hand it to the loop; never blocks."""
        sent_ms = now_ms()
        with self._lock:
            if self._loop is None:
                if not self._stopped:  # before the server's loop runs: replayed when it does
                    self._pending.append((event, sent_ms))
                return
            with contextlib.suppress(RuntimeError):  # the loop has stopped: nobody watches now
                self._loop.call_soon_threadsafe(self._apply, event, sent_ms)

    def close(self) -> None:
        self.call_over.set()

    # -- the loop -------------------------------------------------------------------------------

    def bind_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        """The server's loop is running: replay what came before it, in order."""
        with self._lock:
            self._loop = loop
            for event, sent_ms in self._pending:
                loop.call_soon_threadsafe(self._apply, event, sent_ms)
            self._pending.clear()

    def unbind_loop(self) -> None:
        """The server has stopped: later events have nobody to go to."""
        with self._lock:
            self._loop = None
            self._stopped = True

    def _apply(self, event: Any, sent_ms: float) -> None:
        """Fold one event in; events handed over together go out as one message."""
        self.view = reduce(self.view, event)
        if isinstance(event, (Partial, Final, StepEntered)):
            self.last_speech_s = max(self.last_speech_s, event.at_s)
        self.seq += 1
        self._batch.append({"seq": self.seq, "event": to_json(event), "sent_ms": sent_ms})
        if not self._flush_scheduled and self._loop is not None:
            self._flush_scheduled = True
            self._loop.call_soon(self._flush)  # after the events already queued behind this one

    def _flush(self) -> None:
        self._flush_scheduled = False
        batch, self._batch = self._batch, []
        if not batch:
            return
        message = {
            "kind": "events",
            "seq": self.seq,
            "events": batch,
            "view": view_json(self.view, self.last_speech_s),
            "apply_ms": now_ms(),
        }
        self._broadcast(json.dumps(message, ensure_ascii=False, default=str))
        if self.view.ended:
            self._broadcast(json.dumps({"kind": "clock", "at_s": self.view.at_s}))

    def _broadcast(self, text: str) -> None:
        for client in list(self._clients):
            client.push(text)

    def snapshot(self) -> dict[str, Any]:
        """Everything a page needs to show the call as it is now (called on the loop)."""
        return {
            "kind": "hello",
            "seq": self.seq,
            "scenario": self.static,
            "view": view_json(self.view, self.last_speech_s),
            "at_s": self._pipeline.at_s if self._pipeline is not None else self.view.at_s,
            "live": self._pipeline is not None and not self.view.ended,
            "sent_ms": now_ms(),
        }

    def register(self) -> tuple[Client, str]:
        """A page connected: its queue and its snapshot, taken at the same instant."""
        client = Client()
        self._clients.add(client)
        self.connected.set()
        return client, json.dumps(self.snapshot(), ensure_ascii=False, default=str)

    def unregister(self, client: Client) -> None:
        self._clients.discard(client)

    def tick(self) -> None:
        """Push the audio clock to the pages (timer, silence indicator) when it moved."""
        if self._pipeline is None or self.view.ended:
            return
        at_s = round(self._pipeline.at_s, 2)
        if at_s != self._last_clock_s:
            self._last_clock_s = at_s
            self._broadcast(json.dumps({"kind": "clock", "at_s": at_s}))

    async def clock(self) -> None:
        while True:
            self.tick()
            await asyncio.sleep(CLOCK_PERIOD_S)

    async def drain(self, timeout_s: float = 2.0) -> None:
        """Wait (bounded) until every page's queue is empty: the final state has gone out."""
        deadline = time.monotonic() + timeout_s
        while any(c.queue.qsize() for c in self._clients) and time.monotonic() < deadline:
            await asyncio.sleep(0.01)

    # -- commands from pages (on the loop) -------------------------------------------------------

    def command(self, data: Any) -> str | None:
        """Validate one page command and submit it; the error text for the page, or None."""
        if not isinstance(data, dict):
            return "a command is a JSON object"
        action, arg, value = data.get("action"), data.get("arg", ""), data.get("value", "")
        if action not in ACTIONS:
            return f"unknown command {str(action)[:40]!r}"
        if not isinstance(arg, str) or not isinstance(value, str):
            return f"{action}: arg and value must be text"
        if len(arg) > MAX_TEXT or len(value) > MAX_TEXT:
            return f"{action}: text longer than {MAX_TEXT} characters"
        if self._pipeline is None:
            return "the call has not started yet"
        if self.view.ended or self.call_over.is_set():
            return "the call has ended"
        self._pipeline.submit(action, arg, value)
        return None
