"""Raw PCM from a binary stream (standard input) as an audio source.

So a softphone, `sox` or `ffmpeg` can pipe audio in:
`sox call.wav -t raw -r 8000 -e signed -b 16 - | voice-assist run S.yaml --stdin --rate 8000`.
The producer paces the stream; the source reads until end of file (or `close()`).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import IO

from ..errors import AudioError
from ..events import SAMPLE_RATE_HZ, AudioChunk
from .base import CHUNK_S
from .convert import ChunkAssembler, SampleKind, StreamResampler, channel_range, decode_channel

FORMATS: dict[str, tuple[SampleKind, int]] = {
    "s16le": ("pcm", 2),
    "s24le": ("pcm", 3),
    "s32le": ("pcm", 4),
    "u8": ("pcm", 1),
    "f32le": ("float", 4),
    "f64le": ("float", 8),
    "mulaw": ("mulaw", 1),
    "alaw": ("alaw", 1),
}
"""Raw sample formats (ffmpeg's names), all little-endian and interleaved: kind, bytes."""
_READ_BYTES = 65_536
"""At most this much per read; `read1` returns what is there, so a live pipe adds no delay."""


class StdinSource:
    """Raw interleaved PCM from `stream` (default: standard input), one channel to 16 kHz."""

    def __init__(
        self,
        stream: IO[bytes] | None = None,
        rate_hz: int = SAMPLE_RATE_HZ,
        channels: int = 1,
        channel: int = 0,
        sample_format: str = "s16le",
        chunk_s: float = CHUNK_S,
    ) -> None:
        if sample_format not in FORMATS:
            raise AudioError(
                f"stdin: unknown sample format '{sample_format}' (known: {', '.join(FORMATS)})"
            )
        if rate_hz <= 0:
            raise AudioError(f"stdin: sample rate must be positive, got {rate_hz} Hz")
        if channels <= 0:
            raise AudioError(f"stdin: channel count must be positive, got {channels}")
        if not 0 <= channel < channels:
            raise AudioError(
                f"stdin: channel {channel} requested, the stream has {channel_range(channels)}"
            )
        if chunk_s <= 0:
            raise AudioError(f"stdin: chunk length must be positive, got {chunk_s} s")
        self.stream = stream if stream is not None else sys.stdin.buffer
        self.rate_hz = rate_hz
        self.channels = channels
        self.channel = channel
        self.kind, self.width = FORMATS[sample_format]
        self.chunk_s = chunk_s
        self.description = (
            f"stdin ({sample_format}, {rate_hz} Hz, {channels} ch, channel {channel})"
        )
        self._closed = False

    def close(self) -> None:
        """Stop delivering chunks (the stream itself belongs to the caller)."""
        self._closed = True

    def chunks(self) -> Iterator[AudioChunk]:
        """Chunks until end of stream; a trailing partial frame is dropped."""
        frame_bytes = self.width * self.channels
        block_bytes = max(1, _READ_BYTES // frame_bytes) * frame_bytes
        resampler = StreamResampler(self.rate_hz, SAMPLE_RATE_HZ)
        assembler = ChunkAssembler(round(self.chunk_s * SAMPLE_RATE_HZ))
        read = getattr(self.stream, "read1", self.stream.read)  # what is there, no waiting
        rest = b""
        while not self._closed:
            data = read(block_bytes)
            if not data:
                break
            data = rest + data
            whole = len(data) // frame_bytes * frame_bytes
            rest = data[whole:]
            if whole:
                samples = decode_channel(
                    data[:whole], self.kind, self.width, self.channels, self.channel
                )
                for chunk in assembler.push(resampler.process(samples)):
                    if self._closed:
                        return
                    yield chunk
        if not self._closed:
            yield from assembler.push(resampler.finish())
            yield from assembler.flush()
