"""The audio source protocol: something that yields 16 kHz mono int16 chunks with audio times."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import Protocol, runtime_checkable

from ..events import AudioChunk

CHUNK_S = 0.1
"""Default chunk length: 0.1 s (1,600 samples at 16 kHz)."""


@runtime_checkable
class AudioSource(Protocol):
    """Yields `AudioChunk`s of the customer's channel, resampled to 16 kHz mono int16.

    `at_s` of each chunk is the audio time of its first sample, counted from the start of the
    stream (samples delivered so far), never from the wall clock.
    """

    description: str

    def chunks(self) -> Iterator[AudioChunk]:
        """The chunks, in order, until the audio ends (or the source is closed)."""
        ...

    def close(self) -> None:
        """Stop producing chunks and release the device or file."""
        ...


def paced(chunks: Iterable[AudioChunk]) -> Iterator[AudioChunk]:
    """The same chunks, each yielded only once its end is reached on the wall clock."""
    started = time.monotonic()
    for chunk in chunks:
        wait_s = started + chunk.end_s - time.monotonic()
        if wait_s > 0:
            time.sleep(wait_s)
        yield chunk


class Paced:
    """Wraps a source so chunks come no faster than real time (wall time >= audio time)."""

    def __init__(self, inner: AudioSource) -> None:
        self.inner = inner
        self.description = inner.description

    def chunks(self) -> Iterator[AudioChunk]:
        return paced(self.inner.chunks())

    def close(self) -> None:
        self.inner.close()
