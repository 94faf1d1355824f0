"""Wires audio source -> recognizer -> session -> sinks, for files and live audio alike.

The loop is the same in every mode: each chunk goes to the recognizer, its partials and finals go
to the session, then a `Tick` at the chunk's end lets timers fire. Operator commands are queued
from any thread and enter the session between chunks, stamped with the audio time reached.
When the session enters a step, the recognizer is given that step's vocabulary (engines apply it
at the next utterance boundary). Sinks see every event, in order.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any, Protocol

from .asr.base import Recognizer
from .audio.base import AudioSource
from .errors import DeviceError, VoiceAssistError
from .events import (
    CallEnded,
    FieldCaptured,
    Final,
    Matched,
    Notice,
    OperatorCommand,
    Partial,
    StepEntered,
    Tick,
    to_json,
)
from .session import Output, Session


class Sink(Protocol):
    """Anything that receives the call's events (console, web page, store, JSONL file...)."""

    def handle(self, event: Any) -> None: ...

    def close(self) -> None: ...


class JsonlSink:
    """Writes every event as one JSON object per line (the `--events` file)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self._file: IO[str] = self.path.open("w", encoding="utf-8")
        except OSError as exc:
            raise VoiceAssistError(f"cannot write events to {self.path}: {exc.strerror}") from None

    def handle(self, event: Any) -> None:
        self._file.write(json.dumps(to_json(event), ensure_ascii=False) + "\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()


class CallbackSink:
    """Calls a function for each event (tests, adapters)."""

    def __init__(self, fn: Callable[[Any], None]) -> None:
        self._fn = fn

    def handle(self, event: Any) -> None:
        self._fn(event)

    def close(self) -> None:
        pass


@dataclass
class CallResult:
    """What a finished call leaves behind, for summaries, call tests and reports."""

    events: list[Any] = field(default_factory=list)
    ended: CallEnded | None = None
    error: str | None = None

    @property
    def path(self) -> list[str]:
        return [e.step for e in self.events if isinstance(e, StepEntered)]

    @property
    def advances(self) -> list[Matched]:
        return [e for e in self.events if isinstance(e, Matched)]

    @property
    def fields(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for e in self.events:
            if isinstance(e, FieldCaptured):
                values[e.field] = e.value
        return values

    @property
    def duration_s(self) -> float:
        return self.ended.at_s if self.ended else (self.events[-1].at_s if self.events else 0.0)


class Pipeline:
    """One call: drives the recognizer and the session from an audio source, feeds the sinks."""

    def __init__(
        self,
        session: Session,
        recognizer: Recognizer,
        sinks: Iterable[Sink] = (),
        *,
        bias: bool = True,
    ) -> None:
        self.session = session
        self.recognizer = recognizer
        self.sinks = list(sinks)
        self.bias = bias
        self.result = CallResult()
        self._commands: queue.Queue[OperatorCommand] = queue.Queue()
        self._at_s = 0.0
        self._stop = threading.Event()
        self._notices_seen = 0

    # -- thread-safe controls -----------------------------------------------------------------

    def submit(self, action: str, arg: str = "", value: str = "") -> None:
        """Queue an operator command; it enters the session at the audio time then reached."""
        self._commands.put(OperatorCommand(at_s=self._at_s, action=action, arg=arg, value=value))

    def stop(self) -> None:
        """Ask the loop to end the call at the next chunk (Ctrl-C, window closed)."""
        self._stop.set()

    @property
    def at_s(self) -> float:
        return self._at_s

    # -- the loop -----------------------------------------------------------------------------

    def run(self, source: AudioSource, notices: Iterable[Notice] = ()) -> CallResult:
        """Run the call to its end; always ends the session and closes the sinks."""
        reason = "end_of_audio"
        try:
            self._emit(notices)
            self._feed(self.session.start(0.0))
            for chunk in source.chunks():
                self._drain_commands(chunk.at_s)
                for speech in self.recognizer.accept(chunk):
                    self._speech(speech)
                self._at_s = chunk.end_s
                self._source_notices(source)
                self._feed(self.session.handle(Tick(self._at_s)))
                if self.session.state.ended:
                    reason = ""
                    break
                if self._stop.is_set():
                    reason = "stopped"
                    break
            if not self.session.state.ended:
                for speech in self.recognizer.finish():
                    self._speech(speech)
                self._drain_commands(self._at_s)
        except DeviceError as exc:
            reason = "device_lost"
            self.result.error = str(exc)
            self._emit([Notice(at_s=self._at_s, level="error", text=str(exc))])
        except KeyboardInterrupt:
            reason = "interrupted"
        finally:
            source.close()
            if reason:
                self._emit(self.session.end(self._at_s, reason))
            for sink in self.sinks:
                sink.close()
        return self.result

    def _source_notices(self, source: AudioSource) -> None:
        """Warnings a source collected (digital silence, overflows) go to the operator."""
        notices = getattr(source, "notices", None)
        if notices:
            fresh = notices[self._notices_seen :]
            self._notices_seen = len(notices)
            self._emit(replace(n, at_s=self._at_s) for n in fresh)

    def _drain_commands(self, at_s: float) -> None:
        while True:
            try:
                cmd = self._commands.get_nowait()
            except queue.Empty:
                return
            self._feed(self.session.handle(OperatorCommand(at_s, cmd.action, cmd.arg, cmd.value)))

    def _speech(self, event: Partial | Final) -> None:
        self._emit([event])
        self._feed(self.session.handle(event))

    def _feed(self, outputs: list[Output]) -> None:
        self._emit(outputs)
        if self.bias and any(isinstance(e, StepEntered) for e in outputs):
            self.recognizer.set_vocabulary(self.session.vocabulary())

    def _emit(self, events: Iterable[Any]) -> None:
        for event in events:
            self.result.events.append(event)
            if isinstance(event, CallEnded):
                self.result.ended = event
            for sink in self.sinks:
                sink.handle(event)


class StoreSink:
    """Saves every event into the call-record database as it happens."""

    def __init__(self, store: Any, call_id: int) -> None:
        self.store = store
        self.call_id = call_id

    def handle(self, event: Any) -> None:
        self.store.append(self.call_id, event)
        if isinstance(event, CallEnded):
            self.store.end_call(
                self.call_id, outcome=event.outcome, reason=event.reason, duration_s=event.at_s
            )

    def close(self) -> None:
        pass


class ThreadedSink:
    """Hands events to a slow sink on its own thread, so the audio loop never waits on it."""

    def __init__(self, inner: Sink) -> None:
        self.inner = inner
        self._queue: queue.Queue[Any] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="sink", daemon=True)
        self._thread.start()

    def handle(self, event: Any) -> None:
        self._queue.put(event)

    def _run(self) -> None:
        while True:
            event = self._queue.get()
            if event is _CLOSE:
                break
            self.inner.handle(event)
        self.inner.close()

    def close(self) -> None:
        self._queue.put(_CLOSE)
        self._thread.join(timeout=10)


_CLOSE = object()
