"""Input devices as PortAudio (sounddevice) sees them, and choosing one by name or index.

sounddevice is imported lazily: a machine without libportaudio2 can still replay files.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from ..errors import DeviceError

OPEN_STREAMS: list[str] = []
"""Names of the devices this process captures from now (kept by `MicSource`)."""


@dataclass(frozen=True)
class DeviceInfo:
    """One input device: PortAudio index, name, host API, input channels, default rate."""

    index: int
    name: str
    hostapi: str
    channels: int
    default_rate_hz: int
    default: bool = False

    def __str__(self) -> str:
        mark = " (default)" if self.default else ""
        return (
            f"{self.index}: {self.name} [{self.hostapi}], {self.channels} ch, "
            f"{self.default_rate_hz} Hz{mark}"
        )


def sounddevice() -> ModuleType:
    """The sounddevice module, or a DeviceError telling what to install."""
    try:
        sd = importlib.import_module("sounddevice")
    except OSError as exc:  # the Python package is there, the PortAudio library is not
        raise DeviceError(
            f"cannot use audio devices: the PortAudio library is missing ({exc}); "
            "install it, e.g. `apt-get install libportaudio2`"
        ) from None
    except ImportError:
        raise DeviceError(
            "cannot use audio devices: the Python package 'sounddevice' is not installed"
        ) from None
    return sd


def list_input_devices() -> list[DeviceInfo]:
    """Every device with at least one input channel, in PortAudio's order."""
    sd = sounddevice()
    try:
        raw: list[dict[str, Any]] = list(sd.query_devices())
        apis = [str(api["name"]) for api in sd.query_hostapis()]
        default_in = int(sd.default.device[0])
    except sd.PortAudioError as exc:
        raise DeviceError(f"cannot list audio devices: {exc}") from None
    return [
        DeviceInfo(
            index=int(d["index"]),
            name=str(d["name"]),
            hostapi=apis[int(d["hostapi"])],
            channels=int(d["max_input_channels"]),
            default_rate_hz=round(float(d["default_samplerate"])),
            default=int(d["index"]) == default_in,
        )
        for d in raw
        if int(d["max_input_channels"]) > 0
    ]


def refresh() -> None:
    """Re-scan devices: PortAudio lists only what existed when it started (a headset plugged
    in later, or a sound server started later, stays invisible until then).

    Re-initialising PortAudio under an open stream would crash the process, so this refuses
    while a `MicSource` of this process is capturing.
    """
    if OPEN_STREAMS:
        raise DeviceError(
            "cannot re-scan audio devices while capturing from "
            + ", ".join(f"'{name}'" for name in OPEN_STREAMS)
        )
    sd = sounddevice()
    sd._terminate()
    sd._initialize()


def find_input_device(device: str | int | None) -> DeviceInfo:
    """The input device for `device`: None = the default, an index, or a name (substring).

    An exact name wins over substrings; an ambiguous substring or no match raises a
    DeviceError listing the available input devices. When nothing matches, the device list is
    re-scanned once first (the device may have been plugged in after start).
    """
    try:
        return _find(device, list_input_devices())
    except DeviceError:
        if OPEN_STREAMS:
            raise
        refresh()
        return _find(device, list_input_devices())


def _find(device: str | int | None, devices: list[DeviceInfo]) -> DeviceInfo:
    if not devices:
        raise DeviceError(
            "no audio input devices found (is a headset plugged in, is PulseAudio running?)"
        )
    if isinstance(device, str) and not device.strip():
        raise DeviceError("the input device name is empty" + _listing(devices))
    if isinstance(device, str) and device.strip().isdigit():
        device = int(device)
    if device is None:
        found = [d for d in devices if d.default]
        if not found:
            raise DeviceError(
                "there is no default input device; choose one with --device" + _listing(devices)
            )
        return found[0]
    if isinstance(device, int):
        for d in devices:
            if d.index == device:
                return d
        raise DeviceError(f"no input device with index {device}" + _listing(devices))
    exact = [d for d in devices if d.name == device]
    if exact:
        return exact[0]
    found = [d for d in devices if device.lower() in d.name.lower()]
    if len(found) == 1:
        return found[0]
    if not found:
        raise DeviceError(f"no input device matches '{device}'" + _listing(devices))
    raise DeviceError(
        f"input device name '{device}' is ambiguous; use more of the name or the index"
        + _listing(found)
    )


def _listing(devices: list[DeviceInfo]) -> str:
    if not devices:
        return "; there are no input devices"
    return "; input devices:\n" + "\n".join(f"  {d}" for d in devices)
