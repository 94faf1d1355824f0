"""Replay a recorded call: the customer's channel drives the scenario exactly as live, the
operator's channel is transcribed with word times (free decoding, no bias, so what the operator
really said is heard, not what the script expects).

Both channels also get a plain energy voice-activity track (10 ms frames) for the talk-time,
silence and interruption figures: those must not depend on what the engine understood.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..asr import create_recognizer
from ..asr.base import Recognizer
from ..audio.wav import WavSource, read_info
from ..errors import AudioError, VoiceAssistError
from ..events import SAMPLE_RATE_HZ, AudioChunk, Final
from ..pipeline import CallResult, Pipeline, Sink
from ..scenario.models import Scenario
from ..session import Session

FRAME_S = 0.01
"""Length of one voice-activity frame."""
MIN_SPEECH_S = 0.15
"""Shorter bursts of energy (clicks, breaths) are not speech."""
MERGE_GAP_S = 0.35
"""Pauses shorter than this inside a turn do not split it."""


@dataclass(frozen=True)
class Span:
    """An interval of audio time when one side was speaking."""

    start_s: float
    end_s: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass
class Replay:
    """What replaying one recording produced: the customer-side call and the operator's words."""

    recording: str
    scenario: Scenario
    engine: str
    duration_s: float
    stereo: bool
    customer_channel: int
    operator_channel: int | None
    call: CallResult
    operator: list[Final] = field(default_factory=list)
    customer_speech: list[Span] = field(default_factory=list)
    operator_speech: list[Span] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def customer(self) -> list[Final]:
        return [e for e in self.call.events if isinstance(e, Final)]


class _Tap:
    """An audio source wrapper that measures the energy of every 10 ms frame it passes on."""

    def __init__(self, inner: WavSource) -> None:
        self.inner = inner
        self.description = inner.description
        self.rms: list[float] = []
        self._rest = np.zeros(0, np.float32)

    def chunks(self) -> Iterator[AudioChunk]:
        for chunk in self.inner.chunks():
            self.measure(chunk)
            yield chunk

    def measure(self, chunk: AudioChunk) -> None:
        n = round(FRAME_S * SAMPLE_RATE_HZ)
        pcm = np.concatenate([self._rest, np.frombuffer(chunk.pcm, "<i2").astype(np.float32)])
        whole = len(pcm) // n * n
        frames = pcm[:whole].reshape(-1, n)
        self.rms.extend(np.sqrt(np.mean(frames**2, axis=1)).tolist())
        self._rest = pcm[whole:]

    def close(self) -> None:
        self.inner.close()


def speech_spans(rms: list[float]) -> list[Span]:
    """Speech intervals from frame energies: an adaptive threshold over the noise floor."""
    if not rms:
        return []
    energy = np.asarray(rms)
    floor = float(np.percentile(energy, 10))
    threshold = max(150.0, floor * 4.0, float(np.percentile(energy, 99)) * 0.03)
    voiced = energy > threshold
    spans: list[Span] = []
    start: int | None = None
    for i, v in enumerate([*voiced.tolist(), False]):
        if v and start is None:
            start = i
        elif not v and start is not None:
            spans.append(Span(start * FRAME_S, i * FRAME_S))
            start = None
    merged: list[Span] = []
    for s in spans:
        if merged and s.start_s - merged[-1].end_s < MERGE_GAP_S:
            merged[-1] = Span(merged[-1].start_s, s.end_s)
        else:
            merged.append(s)
    return [
        Span(round(s.start_s, 2), round(s.end_s, 2)) for s in merged if s.duration_s >= MIN_SPEECH_S
    ]


def check_recording(path: str | Path) -> int:
    """The channel count of a recording, or an `AudioError` naming the file and the problem."""
    p = Path(path)
    if not p.exists():
        raise AudioError(f"{p}: no such recording")
    if p.is_dir():
        raise AudioError(f"{p}: is a folder, not a recording")
    return read_info(p).channels


def replay(
    recording: str | Path,
    scenario: Scenario,
    *,
    engine: str = "auto",
    model: str | None = None,
    customer_channel: int = 1,
    operator_channel: int = 0,
    sinks: list[Sink] | None = None,
) -> Replay:
    """Replay one recording through `scenario` (mono: the customer's side only)."""
    if engine == "text":
        raise VoiceAssistError(
            "replay needs a speech engine (auto, vosk or pocketsphinx), not text"
        )
    channels = check_recording(recording)
    notes: list[str] = []
    stereo = channels > 1
    if not stereo:
        customer_channel, op_channel = 0, None
        notes.append("mono recording: only the customer's side was analysed, no adherence check")
    else:
        if customer_channel == operator_channel:
            raise AudioError(
                f"{recording}: the operator and the customer cannot both be channel "
                f"{customer_channel}"
            )
        for name, ch in (("customer", customer_channel), ("operator", operator_channel)):
            if not 0 <= ch < channels:
                raise AudioError(
                    f"{recording}: {name} channel {ch} requested, the file has channels "
                    f"0..{channels - 1}"
                )
        op_channel = operator_channel
    customer_source = _Tap(WavSource(recording, channel=customer_channel))
    notes += customer_source.inner.warnings
    recognizer = create_recognizer(engine, language=scenario.language, model=model)
    pipeline = Pipeline(Session(scenario), recognizer, sinks or [], bias=True)
    call = pipeline.run(customer_source)
    _close(recognizer)
    result = Replay(
        recording=str(recording),
        scenario=scenario,
        engine=recognizer.name,
        duration_s=customer_source.inner.duration_s,
        stereo=stereo,
        customer_channel=customer_channel,
        operator_channel=op_channel,
        call=call,
        customer_speech=speech_spans(customer_source.rms),
        notes=notes,
    )
    if op_channel is not None:
        result.operator, result.operator_speech = _transcribe(
            recording, op_channel, engine, scenario.language, model
        )
    return result


def _transcribe(
    recording: str | Path, channel: int, engine: str, language: str, model: str | None
) -> tuple[list[Final], list[Span]]:
    """The operator's channel as finals with word times, and its speech spans."""
    recognizer = create_recognizer(engine, language=language, model=model, free_transcript=False)
    recognizer.set_vocabulary(None)
    tap = _Tap(WavSource(recording, channel=channel))
    finals: list[Final] = []
    for chunk in tap.chunks():
        finals += [e for e in recognizer.accept(chunk) if isinstance(e, Final)]
    finals += recognizer.finish()
    _close(recognizer)
    return [f for f in finals if f.text.strip()], speech_spans(tap.rms)


def _close(recognizer: Recognizer | Any) -> None:
    close = getattr(recognizer, "close", None)
    if callable(close):
        close()
