"""WAV files as an audio source: any common encoding, rate and channel count, streamed in chunks.

The file is read block by block (never loaded whole), the chosen channel decoded to float,
resampled to 16 kHz with soxr and delivered as 16 kHz mono int16 `AudioChunk`s. Audio time is
samples delivered / 16000, so real-time pacing and full speed give byte-identical chunks.

Truncated files (the data chunk is shorter than its header says, e.g. a recording cut off by a
crash) are accepted: the audio that is there is used and a warning is kept in `warnings` and
logged. A file without any audio data is an error.
"""

from __future__ import annotations

import logging
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import numpy.typing as npt

from ..errors import AudioError
from ..events import SAMPLE_RATE_HZ, AudioChunk
from .base import CHUNK_S, paced
from .convert import (
    ChunkAssembler,
    SampleKind,
    StreamResampler,
    channel_range,
    decode_channel,
)

log = logging.getLogger(__name__)

PCM, FLOAT, ALAW, MULAW, EXTENSIBLE = 0x0001, 0x0003, 0x0006, 0x0007, 0xFFFE
_KNOWN_TAGS = {
    0x0002: "Microsoft ADPCM",
    0x0011: "IMA ADPCM",
    0x0031: "GSM 6.10",
    0x0040: "G.721 ADPCM",
    0x0050: "MPEG",
    0x0055: "MPEG layer 3 (MP3)",
    0x0161: "WMA",
}
_ENCODING_NAMES = {PCM: "PCM", FLOAT: "IEEE float", ALAW: "A-law", MULAW: "mu-law"}
_KINDS: dict[int, SampleKind] = {PCM: "pcm", FLOAT: "float", ALAW: "alaw", MULAW: "mulaw"}
_UNKNOWN_SIZES = frozenset({0, 0xFFFFFFFF, 0x7FFFFFFF, 0x7FFFF000, 0xFFFFFFFF - 36})
"""Data sizes that writers put in the header when they cannot seek back (pipes): read to EOF."""
_READ_FRAMES = 16_384
"""Frames read per block: small enough for hour-long files, big enough to be cheap."""


@dataclass(frozen=True)
class WavInfo:
    """What the header of a WAV file says (after checking it), and where the samples are."""

    path: str
    encoding: int  # PCM, FLOAT, ALAW or MULAW (EXTENSIBLE resolved to its sub-format)
    rate_hz: int
    channels: int
    bits: int  # container bits per sample
    block_align: int  # bytes per frame
    data_offset: int
    frames: int  # frames actually present in the file
    declared_frames: int  # frames the header declares (more than `frames` if truncated)

    @property
    def duration_s(self) -> float:
        return self.frames / self.rate_hz

    @property
    def encoding_name(self) -> str:
        return f"{self.bits}-bit {_ENCODING_NAMES[self.encoding]}"


def read_info(path: str | os.PathLike[str]) -> WavInfo:
    """Parse and check the header of a WAV (or RF64) file; raise AudioError naming the file."""
    name = str(path)
    try:
        size = os.path.getsize(name)
        with open(name, "rb") as f:
            return _parse(f, name, size)
    except FileNotFoundError:
        raise AudioError(f"{name}: audio file not found") from None
    except IsADirectoryError:
        raise AudioError(f"{name}: is a directory, not a WAV file") from None
    except PermissionError:
        raise AudioError(f"{name}: permission denied") from None


def _parse(f: BinaryIO, name: str, size: int) -> WavInfo:
    head = f.read(12)
    if size == 0:
        raise AudioError(f"{name}: empty file (zero length), not a WAV file")
    if len(head) < 12 or head[:4] not in (b"RIFF", b"RF64") or head[8:12] != b"WAVE":
        raise AudioError(f"{name}: not a WAV file ({_sniff(head)})")
    fmt: bytes | None = None
    ds64_data: int | None = None
    pos = 12
    while True:
        f.seek(pos)
        header = f.read(8)
        if len(header) < 8:
            break
        cid, csize = header[:4], struct.unpack("<I", header[4:])[0]
        body_at = pos + 8
        if cid == b"ds64":
            ds64 = f.read(min(csize, 28))
            if len(ds64) >= 16:
                ds64_data = struct.unpack("<Q", ds64[8:16])[0]
        elif cid == b"fmt ":
            fmt = f.read(csize)
            if len(fmt) < 16:
                raise AudioError(f"{name}: truncated WAV header (format chunk cut off)")
        elif cid == b"data":
            if fmt is None:
                raise AudioError(f"{name}: malformed WAV file (data chunk before format chunk)")
            if csize == 0xFFFFFFFF and ds64_data is not None:
                csize = ds64_data
            return _info(name, fmt, body_at, csize, size)
        pos = body_at + csize + (csize & 1)
    if fmt is None:
        raise AudioError(f"{name}: truncated WAV header (no format chunk)")
    raise AudioError(f"{name}: no audio data (zero length: the WAV file has no data chunk)")


def _info(name: str, fmt: bytes, data_at: int, declared_bytes: int, size: int) -> WavInfo:
    tag, channels, rate_hz, _, block_align, bits = struct.unpack("<HHIIHH", fmt[:16])
    if tag == EXTENSIBLE:
        if len(fmt) < 40:
            raise AudioError(f"{name}: truncated WAV header (extensible format chunk cut off)")
        tag = struct.unpack("<H", fmt[24:26])[0]
    if tag not in _ENCODING_NAMES:
        what = _KNOWN_TAGS.get(tag, f"format tag 0x{tag:04X}")
        raise AudioError(
            f"{name}: unsupported WAV encoding {what}; convert it to PCM first, "
            f"e.g. `sox {name} -e signed-integer -b 16 out.wav`"
        )
    supported = {PCM: (8, 16, 24, 32), FLOAT: (32, 64), ALAW: (8,), MULAW: (8,)}[tag]
    if bits not in supported:
        raise AudioError(
            f"{name}: unsupported WAV encoding: {bits}-bit {_ENCODING_NAMES[tag]} "
            f"(supported: {', '.join(str(b) for b in supported)}-bit)"
        )
    if channels == 0 or rate_hz == 0:
        raise AudioError(f"{name}: malformed WAV header ({channels} channels at {rate_hz} Hz)")
    block_align = channels * bits // 8
    available = max(0, size - data_at)
    if declared_bytes in _UNKNOWN_SIZES and declared_bytes != available:
        declared_bytes = available  # written to a pipe: the header never got the real size
    frames = min(declared_bytes, available) // block_align
    if frames == 0 and declared_bytes >= block_align:
        declared_s = declared_bytes // block_align / rate_hz
        raise AudioError(
            f"{name}: no audio data (zero length: the file ends right after its header, "
            f"which declares {declared_s:.2f} s; truncated)"
        )
    if frames == 0:
        raise AudioError(f"{name}: no audio data (zero length: the data chunk is empty)")
    return WavInfo(
        path=name,
        encoding=tag,
        rate_hz=rate_hz,
        channels=channels,
        bits=bits,
        block_align=block_align,
        data_offset=data_at,
        frames=frames,
        declared_frames=declared_bytes // block_align,
    )


def _sniff(head: bytes) -> str:
    """A hint of what a non-WAV file is, for the error message."""
    if not head:
        return "empty file"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "looks like MP3"
    for magic, kind in (
        (b"OggS", "Ogg"),
        (b"fLaC", "FLAC"),
        (b"FORM", "AIFF"),
        (b"RIFX", "big-endian RIFX"),
    ):
        if head.startswith(magic):
            return f"looks like {kind}"
    if head[4:8] == b"ftyp":
        return "looks like MP4/M4A"
    if head[:4] in (b"RIFF", b"RF64"):
        return f"a RIFF {head[8:12]!r} file, not WAVE"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "no RIFF/WAVE header"
    return "looks like text"


def decode(raw: bytes, info: WavInfo, channel: int) -> npt.NDArray[np.float32]:
    """The samples of one channel in `raw` (whole frames) as float32 in [-1, 1)."""
    kind = _KINDS[info.encoding]
    return decode_channel(raw, kind, info.bits // 8, info.channels, channel)


class WavSource:
    """A WAV file as an `AudioSource`: the chosen channel at 16 kHz mono int16, in chunks.

    `realtime=True` paces delivery like a live line: a chunk is yielded only once its end is
    reached on the wall clock, so wall time >= audio time. The chunks are the same either way.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        channel: int = 0,
        realtime: bool = False,
        chunk_s: float = CHUNK_S,
    ) -> None:
        self.path = Path(path)
        self.info = read_info(path)
        n = self.info.channels
        if not 0 <= channel < n:
            raise AudioError(f"{path}: channel {channel} requested, file has {channel_range(n)}")
        if chunk_s <= 0:
            raise AudioError(f"{path}: chunk length must be positive, got {chunk_s} s")
        self.channel = channel
        self.realtime = realtime
        self.chunk_s = chunk_s
        self.warnings: list[str] = []
        if self.info.frames < self.info.declared_frames:
            missing_s = (self.info.declared_frames - self.info.frames) / self.info.rate_hz
            msg = (
                f"{path}: truncated WAV file: the header declares "
                f"{self.info.declared_frames / self.info.rate_hz:.2f} s, only "
                f"{self.info.duration_s:.2f} s are there ({missing_s:.2f} s missing); "
                "using what is there"
            )
            self.warnings.append(msg)
            log.warning(msg)
        self.description = (
            f"{path} ({self.info.encoding_name}, {self.info.rate_hz} Hz, "
            f"{n} ch, channel {channel}, {self.info.duration_s:.2f} s)"
        )
        self._closed = False

    @property
    def duration_s(self) -> float:
        """Length of the file's audio in seconds (of what is actually in the file)."""
        return self.info.duration_s

    def close(self) -> None:
        """Stop delivering chunks (safe from another thread; the reader closes the file)."""
        self._closed = True

    def chunks(self) -> Iterator[AudioChunk]:
        """The chunks of the file, from the start, each `chunk_s` long (the last may be shorter)."""
        return paced(self._read()) if self.realtime else self._read()

    def _read(self) -> Iterator[AudioChunk]:
        info = self.info
        resampler = StreamResampler(info.rate_hz, SAMPLE_RATE_HZ)
        assembler = ChunkAssembler(round(self.chunk_s * SAMPLE_RATE_HZ))
        try:
            f = open(self.path, "rb")  # noqa: SIM115 (closed in finally, generator-owned)
        except OSError as exc:
            raise AudioError(f"{self.path}: cannot read: {exc.strerror}") from None
        try:
            f.seek(info.data_offset)
            left = info.frames
            while left > 0 and not self._closed:
                want = min(left, _READ_FRAMES)
                raw = f.read(want * info.block_align)
                got = len(raw) // info.block_align
                if got == 0:
                    break  # the file shrank under us
                left -= got
                pcm = resampler.process(decode(raw, info, self.channel), last=left == 0)
                for chunk in assembler.push(pcm):
                    if self._closed:
                        return
                    yield chunk
            if not self._closed:
                yield from [*assembler.push(resampler.finish()), *assembler.flush()]
        finally:
            f.close()


def read_wav(path: str | os.PathLike[str], channel: int = 0) -> npt.NDArray[np.int16]:
    """The whole chosen channel of a WAV file at 16 kHz as an int16 array (for short files)."""
    source = WavSource(path, channel=channel, chunk_s=10.0)
    parts = [np.frombuffer(c.pcm, dtype="<i2") for c in source.chunks()]
    return np.concatenate(parts).astype(np.int16) if parts else np.zeros(0, np.int16)
