"""Audio sources: WAV files, live devices and raw PCM on stdin, all as 16 kHz mono int16 chunks."""

from __future__ import annotations

from pathlib import Path

from ..errors import AudioError
from .base import CHUNK_S, AudioSource
from .mic import MicSource
from .stdin import StdinSource
from .wav import WavSource, read_wav

__all__ = [
    "CHUNK_S",
    "AudioSource",
    "MicSource",
    "StdinSource",
    "WavSource",
    "open_source",
    "read_wav",
]


def open_source(
    path: str | Path | None = None,
    *,
    device: str | int | None = None,
    mic: bool = False,
    stdin: bool = False,
    channel: int = 0,
    rate_hz: int | None = None,
    channels: int = 1,
    sample_format: str = "s16le",
    realtime: bool = False,
    chunk_s: float = CHUNK_S,
) -> AudioSource:
    """The source the options ask for: a WAV `path`, a device (`mic` or `device`), or `stdin`.

    `rate_hz` is the rate of stdin audio (default 16000) or the device rate to open (default:
    the device's own); `channels` and `sample_format` describe stdin audio only.
    """
    chosen = [name for name, on in (("a file", path), ("a device", mic or device is not None),
                                    ("stdin", stdin)) if on]  # fmt: skip
    if len(chosen) != 1:
        raise AudioError(
            "choose exactly one audio source: a WAV file, a device (--mic/--device) or --stdin"
            + (f" (got {' and '.join(chosen)})" if chosen else "")
        )
    if path is not None:
        return WavSource(path, channel=channel, realtime=realtime, chunk_s=chunk_s)
    if stdin:
        return StdinSource(
            rate_hz=rate_hz or 16_000,
            channels=channels,
            channel=channel,
            sample_format=sample_format,
            chunk_s=chunk_s,
        )
    return MicSource(device=device, channel=channel, rate_hz=rate_hz, chunk_s=chunk_s)
