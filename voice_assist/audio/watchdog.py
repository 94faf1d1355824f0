"""The silence watchdog of a live input: a removed device does not raise, it just goes quiet.

Two different silences: *no data at all* (no callback for `timeout_s` of wall time, or the stream
went inactive) means the device is gone and the source must end with a `DeviceError`; *digital
silence* (exact zeros for `digital_silence_s`) is only a warning, because a muted headset looks
the same. Pure logic: the caller passes the clock, so the rules are testable without a device.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..errors import DeviceError


@dataclass(frozen=True)
class WatchdogConfig:
    """Thresholds of the watchdog, in seconds (wall time for `*timeout*`, audio time otherwise)."""

    timeout_s: float = 2.0
    """No callback for this long (after the first one) means the device stopped."""
    start_timeout_s: float = 5.0
    """The first callback may take longer (PulseAudio's ALSA plugin can wait ~2 s)."""
    digital_silence_s: float = 10.0
    """Exact zeros for this long is reported as a warning (muted, or a dead line)."""
    stall_s: float = 1.0
    """If the reader itself did not run for this long (GIL held, machine swapping), the gap is
    ours, not the device's: it is not counted."""


class Watchdog:
    """Tracks when data last arrived and how long the samples have been exact zeros."""

    def __init__(self, device: str, config: WatchdogConfig, now_s: float) -> None:
        self.device = device
        self.config = config
        self.started_s = now_s
        self.last_alive_s = now_s
        self.last_data_s: float | None = None
        self.zero_run_s = 0.0
        self.silent = False
        """True while digital silence lasts (after the warning, until a non-zero sample)."""

    def fed(self, now_s: float, samples: npt.NDArray[np.float32], rate_hz: float) -> str | None:
        """Data arrived; return a warning or an all-clear text when digital silence flips."""
        self.last_data_s = self.last_alive_s = now_s
        if len(samples) == 0:
            return None
        nonzero = np.flatnonzero(samples)
        if len(nonzero) == 0:
            self.zero_run_s += len(samples) / rate_hz
        else:
            self.zero_run_s = (len(samples) - 1 - int(nonzero[-1])) / rate_hz
        if not self.silent and self.zero_run_s >= self.config.digital_silence_s:
            self.silent = True
            return (
                f"input device '{self.device}' delivers only digital silence "
                f"({self.zero_run_s:.0f} s of exact zeros): muted headset or dead line?"
            )
        if self.silent and len(nonzero):
            self.silent = False
            return f"input device '{self.device}' delivers sound again"
        return None

    def check(self, now_s: float, stream_active: bool, delivered_s: float) -> DeviceError | None:
        """The error that ends the source if the device is gone, else None."""
        stalled_s = now_s - self.last_alive_s
        self.last_alive_s = now_s
        if stalled_s >= self.config.stall_s:  # we were not running: do not blame the device
            self.started_s += stalled_s
            if self.last_data_s is not None:
                self.last_data_s += stalled_s
        if not stream_active:
            return DeviceError(
                f"input device '{self.device}' stopped delivering audio: the stream ended "
                f"after {delivered_s:.1f} s of audio (device unplugged or removed?)"
            )
        if self.last_data_s is None:
            waited_s = now_s - self.started_s
            if waited_s >= self.config.start_timeout_s:
                return DeviceError(
                    f"input device '{self.device}' delivered no audio at all in "
                    f"{waited_s:.1f} s after opening (wrong device, or it is not capturing)"
                )
            return None
        gap_s = now_s - self.last_data_s
        if gap_s >= self.config.timeout_s:
            return DeviceError(
                f"input device '{self.device}' stopped delivering audio: no data for "
                f"{gap_s:.1f} s after {delivered_s:.1f} s of audio (device unplugged or removed?)"
            )
        return None
