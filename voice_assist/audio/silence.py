"""Silence as an audio source: drives the text engine and timers through audio time."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import AudioError
from ..events import SAMPLE_RATE_HZ, AudioChunk
from .base import CHUNK_S


class SilenceSource:
    """`duration_s` seconds of digital silence as 16 kHz mono int16 chunks of `chunk_s`."""

    def __init__(self, duration_s: float, chunk_s: float = CHUNK_S) -> None:
        if duration_s < 0:
            raise AudioError(f"silence: duration must not be negative, got {duration_s} s")
        if chunk_s <= 0:
            raise AudioError(f"silence: chunk length must be positive, got {chunk_s} s")
        self.duration_s = duration_s
        self.chunk_s = chunk_s
        self.description = f"silence ({duration_s:.2f} s)"
        self._closed = False

    def chunks(self) -> Iterator[AudioChunk]:
        """Chunks of zeros until `duration_s` is covered (the last one may be shorter)."""
        total = round(self.duration_s * SAMPLE_RATE_HZ)
        step = max(1, round(self.chunk_s * SAMPLE_RATE_HZ))
        done = 0
        while done < total and not self._closed:
            n = min(step, total - done)
            yield AudioChunk(bytes(2 * n), done / SAMPLE_RATE_HZ)
            done += n

    def close(self) -> None:
        self._closed = True
