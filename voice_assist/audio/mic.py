"""A live input device (microphone, headset, softphone loopback) as an audio source.

The PortAudio callback only enqueues the chosen channel; `chunks()` (the consumer's thread)
resamples device rate -> 16 kHz with a streaming soxr resampler, cuts chunks and runs the
silence watchdog: a device that stops delivering ends the source with a `DeviceError`, digital
silence and input overflows become `Notice`s (hook `on_notice`, also kept in `notices`).
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable, Iterator
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from ..errors import DeviceError
from ..events import SAMPLE_RATE_HZ, AudioChunk, Notice
from .base import CHUNK_S
from .convert import ChunkAssembler, StreamResampler, channel_range
from .devices import OPEN_STREAMS, DeviceInfo, find_input_device, sounddevice
from .watchdog import Watchdog, WatchdogConfig

_Block = tuple[float, npt.NDArray[np.float32], bool]  # (arrival wall time, samples, overflow)
_POLL_S = 0.1
"""How often the consumer wakes up to run the watchdog when no data arrives."""


class MicSource:
    """Capture one channel of an input device as 16 kHz mono int16 chunks, until closed.

    `device`: None (the default input), an index, or a name substring ("pulse", "USB").
    `rate_hz`: the device rate to open (default: the device's default rate).
    `silence_timeout_s`: no data for this long ends the source with a DeviceError.
    """

    def __init__(
        self,
        device: str | int | None = None,
        channel: int = 0,
        rate_hz: int | None = None,
        chunk_s: float = CHUNK_S,
        silence_timeout_s: float = 2.0,
        start_timeout_s: float = 5.0,
        digital_silence_s: float = 10.0,
        on_notice: Callable[[Notice], None] | None = None,
        channels: int | None = None,
        block_s: float = 0.02,
    ) -> None:
        self.device: DeviceInfo = find_input_device(device)
        name, have = self.device.name, self.device.channels
        if not 0 <= channel < have:
            raise DeviceError(
                f"input device '{name}': channel {channel} requested, device has "
                f"{channel_range(have)} for input"
            )
        # Open at least two channels where there are two: asking PulseAudio for one channel of a
        # stereo source would give the L+R mix, not the left (operator/customer) channel.
        self.open_channels = channels or max(channel + 1, min(2, have))
        if not channel < self.open_channels <= have:
            raise DeviceError(
                f"input device '{name}': cannot open {self.open_channels} channels to read "
                f"channel {channel} (the device has {have})"
            )
        self.channel = channel
        self.rate_hz = rate_hz or self.device.default_rate_hz
        self.chunk_s = chunk_s
        self.block_frames = max(1, round(self.rate_hz * block_s))
        self.watchdog_config = WatchdogConfig(
            timeout_s=silence_timeout_s,
            start_timeout_s=max(start_timeout_s, silence_timeout_s),
            digital_silence_s=digital_silence_s,
        )
        self.on_notice = on_notice
        self.notices: list[Notice] = []
        self.overflows = 0
        self.digital_silence = False
        """True while the device delivers exact zeros for longer than `digital_silence_s`."""
        self.description = (
            f"input device '{name}' (index {self.device.index}, {self.device.hostapi}, "
            f"{self.rate_hz} Hz, channel {channel} of {self.open_channels})"
        )
        sd = sounddevice()
        try:
            sd.check_input_settings(
                device=self.device.index,
                channels=self.open_channels,
                samplerate=self.rate_hz,
                dtype="float32",
            )
        except (sd.PortAudioError, ValueError) as exc:
            raise DeviceError(
                f"input device '{name}' cannot capture {self.open_channels} channels at "
                f"{self.rate_hz} Hz: {exc}"
            ) from None
        self._queue: queue.SimpleQueue[_Block | None] = queue.SimpleQueue()
        self._stop: type[Exception] = Exception
        self._closed = False

    def close(self) -> None:
        """Stop capturing and release the device (safe from another thread)."""
        self._closed = True  # the callback stops the stream; the reader closes it
        self._queue.put(None)

    def chunks(self) -> Iterator[AudioChunk]:
        """Chunks as they are captured; ends on `close()`, raises DeviceError if the device dies."""
        sd = sounddevice()
        resampler = StreamResampler(self.rate_hz, SAMPLE_RATE_HZ)
        assembler = ChunkAssembler(round(self.chunk_s * SAMPLE_RATE_HZ))
        self._stop = sd.CallbackStop
        try:
            stream = sd.InputStream(
                device=self.device.index,
                channels=self.open_channels,
                samplerate=self.rate_hz,
                dtype="float32",
                blocksize=self.block_frames,
                latency="low",
                callback=self._callback,
            )
            stream.start()
        except sd.PortAudioError as exc:
            raise DeviceError(f"cannot open input device '{self.device.name}': {exc}") from None
        OPEN_STREAMS.append(self.device.name)
        dog = Watchdog(self.device.name, self.watchdog_config, time.monotonic())
        try:
            while not self._closed:
                try:
                    block = self._queue.get(timeout=_POLL_S)
                except queue.Empty:
                    block = None
                if self._closed:
                    break
                if block is None:
                    delivered_s = assembler.delivered / SAMPLE_RATE_HZ
                    error = dog.check(time.monotonic(), bool(stream.active), delivered_s)
                    if error is not None:
                        yield from assembler.push(resampler.finish())
                        yield from assembler.flush()
                        raise error
                    continue
                at_wall_s, samples, overflow = block
                if overflow:
                    self._overflowed(assembler.delivered / SAMPLE_RATE_HZ)
                text = dog.fed(at_wall_s, samples, self.rate_hz)
                if text is not None:
                    self.digital_silence = dog.silent
                    level: Literal["warning", "info"] = "warning" if dog.silent else "info"
                    self._notify(level, text, assembler.delivered / SAMPLE_RATE_HZ)
                yield from assembler.push(resampler.process(samples))
        finally:
            stream.close(ignore_errors=True)
            OPEN_STREAMS.remove(self.device.name)

    def _callback(self, indata: Any, frames: int, time_info: Any, status: Any) -> None:
        """PortAudio's thread: copy the customer's channel and enqueue it, nothing else.

        Stopping from here (not `abort()` from another thread, which can deadlock PortAudio's
        ALSA backend) releases the device even if the reader is parked at a `yield`.
        """
        if self._closed:
            raise self._stop
        self._queue.put(
            (time.monotonic(), indata[:, self.channel].copy(), bool(status.input_overflow))
        )

    def _overflowed(self, at_s: float) -> None:
        self.overflows += 1
        n = self.overflows
        if n in (1, 10, 100) or n % 1000 == 0:
            self._notify(
                "warning",
                f"input device '{self.device.name}': input overflow, some audio was lost "
                f"({n} time{'s' if n > 1 else ''} so far; the machine may be too busy)",
                at_s,
            )

    def _notify(self, level: Literal["info", "warning", "error"], text: str, at_s: float) -> None:
        notice = Notice(
            at_s=at_s,
            level=level,
            text=text,
            extra={"device": self.device.name, "overflows": self.overflows},
        )
        self.notices.append(notice)
        if self.on_notice is not None:
            self.on_notice(notice)
