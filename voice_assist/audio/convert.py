"""Sample plumbing shared by every source: streaming resampling, G.711 tables, fixed-size chunks.

Each source decodes its input to float32 mono, passes it through `StreamResampler` (soxr, a
real band-limited resampler) and cuts the 16 kHz int16 result into chunks with `ChunkAssembler`,
which also keeps the audio clock: `at_s` = samples delivered / 16000.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

import numpy as np
import numpy.typing as npt
import soxr

from ..events import SAMPLE_RATE_HZ, AudioChunk

SampleKind = Literal["pcm", "float", "alaw", "mulaw"]
"""How samples are coded: integer PCM (8-bit unsigned, wider signed), IEEE float, G.711."""
FloatArray = npt.NDArray[np.float32]
Int16Array = npt.NDArray[np.int16]


def channel_range(channels: int) -> str:
    """`2 channels (0-1)`, `1 channel (0)`: for "channel N requested" messages."""
    return "1 channel (0)" if channels == 1 else f"{channels} channels (0-{channels - 1})"


def to_int16(samples: FloatArray) -> Int16Array:
    """Float samples in [-1, 1) to int16, rounded and clipped (no wrap-around on overloud input)."""
    scaled = np.rint(samples * 32768.0)
    out: Int16Array = np.clip(scaled, -32768, 32767).astype(np.int16)
    return out


class StreamResampler:
    """Float32 mono at `in_rate_hz` to int16 at `out_rate_hz`, block by block, with state.

    Equal rates pass through untouched (bit-exact for 16 kHz 16-bit input).
    """

    def __init__(self, in_rate_hz: float, out_rate_hz: int = SAMPLE_RATE_HZ) -> None:
        self.in_rate_hz = in_rate_hz
        self.out_rate_hz = out_rate_hz
        self._stream = (
            None
            if in_rate_hz == out_rate_hz
            else soxr.ResampleStream(in_rate_hz, out_rate_hz, 1, dtype="float32", quality="HQ")
        )
        self._finished = False

    def process(self, samples: FloatArray, last: bool = False) -> Int16Array:
        """Resample the next block; `last=True` flushes the filter's tail (once)."""
        if self._finished:
            return np.zeros(0, np.int16)
        self._finished = last
        if self._stream is None:
            return to_int16(samples)
        out = self._stream.resample_chunk(np.ascontiguousarray(samples, np.float32), last=last)
        return to_int16(np.asarray(out, np.float32))

    def finish(self) -> Int16Array:
        """Flush the tail if `process(..., last=True)` has not been called yet."""
        return self.process(np.zeros(0, np.float32), last=True)


class ChunkAssembler:
    """Cuts a stream of int16 samples into `AudioChunk`s of `chunk_samples`, stamping audio time."""

    def __init__(self, chunk_samples: int, rate_hz: int = SAMPLE_RATE_HZ) -> None:
        self.chunk_samples = max(1, chunk_samples)
        self.rate_hz = rate_hz
        self.delivered = 0
        self._pending: list[Int16Array] = []
        self._pending_n = 0

    def push(self, samples: Int16Array) -> list[AudioChunk]:
        """Add samples; return every complete chunk now available."""
        if len(samples):
            self._pending.append(samples)
            self._pending_n += len(samples)
        out: list[AudioChunk] = []
        if self._pending_n < self.chunk_samples:
            return out
        buf = np.concatenate(self._pending) if len(self._pending) > 1 else self._pending[0]
        whole = len(buf) // self.chunk_samples * self.chunk_samples
        for start in range(0, whole, self.chunk_samples):
            out.append(self._chunk(buf[start : start + self.chunk_samples]))
        rest = buf[whole:]
        self._pending = [rest] if len(rest) else []
        self._pending_n = len(rest)
        return out

    def flush(self) -> list[AudioChunk]:
        """The last, shorter chunk (if any samples are left)."""
        if not self._pending_n:
            return []
        buf = np.concatenate(self._pending)
        self._pending, self._pending_n = [], 0
        return [self._chunk(buf)]

    def _chunk(self, samples: Int16Array) -> AudioChunk:
        chunk = AudioChunk(
            pcm=samples.astype("<i2").tobytes(),
            at_s=self.delivered / self.rate_hz,
            rate_hz=self.rate_hz,
        )
        self.delivered += len(samples)
        return chunk


@cache
def g711_table(law: Literal["mulaw", "alaw"]) -> FloatArray:
    """Decoding table byte -> float32 sample for G.711 mu-law or A-law (telephone audio)."""
    codes = np.arange(256, dtype=np.int32)
    if law == "mulaw":
        u = ~codes & 0xFF
        exponent = (u >> 4) & 0x07
        mantissa = u & 0x0F
        magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84
        values = np.where(u & 0x80, -magnitude, magnitude)
    else:
        a = codes ^ 0x55
        exponent = (a >> 4) & 0x07
        mantissa = a & 0x0F
        magnitude = np.where(
            exponent == 0,
            (mantissa << 4) + 8,
            ((mantissa << 4) + 0x108) << np.maximum(exponent - 1, 0),
        )
        values = np.where(a & 0x80, magnitude, -magnitude)
    table: FloatArray = (values / 32768.0).astype(np.float32)
    return table


def decode_channel(
    raw: bytes, kind: SampleKind, width: int, channels: int, channel: int
) -> FloatArray:
    """One channel of interleaved little-endian frames in `raw` as float32 in [-1, 1).

    `width` is bytes per sample (1, 2, 3, 4 or 8); a trailing partial frame is ignored.
    """
    n = len(raw) // (width * channels)
    frames = np.frombuffer(raw, dtype=np.uint8, count=n * width * channels)
    col = frames.reshape(n, channels, width)[:, channel, :]
    out: FloatArray
    if kind in ("alaw", "mulaw"):
        out = g711_table(kind)[col[:, 0]]
    elif kind == "float":
        dtype = "<f4" if width == 4 else "<f8"
        out = np.ascontiguousarray(col).view(dtype)[:, 0].astype(np.float32)
    elif width == 1:
        out = (col[:, 0].astype(np.float32) - 128.0) / 128.0
    elif width == 3:
        wide = np.zeros((n, 4), dtype=np.uint8)
        wide[:, 1:] = col  # left-justified in an int32, the sign comes for free
        out = wide.view("<i4")[:, 0].astype(np.float32) / np.float32(2.0**31)
    else:
        dtype = "<i2" if width == 2 else "<i4"
        scale = np.float32(2.0 ** (8 * width - 1))
        out = np.ascontiguousarray(col).view(dtype)[:, 0].astype(np.float32) / scale
    return out
