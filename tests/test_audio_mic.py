"""The rules under MicSource, without a device: watchdog, device choice, resampling, chunking.

The real device path (PulseAudio + sounddevice) is tested in test_live_capture.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from voice_assist.audio.convert import ChunkAssembler, StreamResampler, g711_table, to_int16
from voice_assist.audio.devices import DeviceInfo, _find
from voice_assist.audio.watchdog import Watchdog, WatchdogConfig
from voice_assist.errors import DeviceError

CONFIG = WatchdogConfig(timeout_s=2.0, start_timeout_s=5.0, digital_silence_s=1.0)
RATE_HZ = 8000


def block(seconds: float, value: float = 0.0) -> np.ndarray:
    return np.full(round(seconds * RATE_HZ), value, dtype=np.float32)


# ---- watchdog: a device that stops delivering ------------------------------------------------


def poll(dog: Watchdog, from_s: float, to_s: float, active: bool = True) -> DeviceError | None:
    """Check every 0.1 s like the reader does while no data arrives; the first error."""
    for i in range(1, round((to_s - from_s) / 0.1) + 1):
        error = dog.check(round(from_s + i * 0.1, 6), stream_active=active, delivered_s=12.34)
        if error is not None:
            return error
    return None


@pytest.mark.parametrize(
    ("fed_at_s", "now_s", "active", "expected"),
    [
        ([], 4.9, True, None),
        ([], 5.0, True, "input device 'hs' delivered no audio at all in 5.0 s after opening"),
        ([1.0], 2.9, True, None),
        ([1.0, 2.0], 3.9, True, None),
        ([1.0], 3.0, True, "input device 'hs' stopped delivering audio: no data for 2.0 s after"),
        ([1.0], 1.1, False, "input device 'hs' stopped delivering audio: the stream ended after"),
        ([], 0.1, False, "input device 'hs' stopped delivering audio: the stream ended after"),
    ],
)
def test_watchdog_ends_a_silent_device(
    fed_at_s: list[float], now_s: float, active: bool, expected: str | None
) -> None:
    dog = Watchdog("hs", CONFIG, now_s=0.0)
    for at_s in fed_at_s:
        dog.fed(at_s, block(0.1, 0.5), RATE_HZ)
    error = poll(dog, fed_at_s[-1] if fed_at_s else 0.0, now_s, active)
    if expected is None:
        assert error is None
    else:
        assert isinstance(error, DeviceError)
        assert str(error).startswith(expected)
        if fed_at_s or not active:
            assert "12.3 s of audio (device unplugged or removed?)" in str(error)


def test_a_stall_of_the_reader_is_not_blamed_on_the_device() -> None:
    """The GIL held for 6 s: callbacks and reader both wait; the device did nothing wrong."""
    dog = Watchdog("hs", CONFIG, now_s=0.0)
    dog.fed(1.0, block(0.1, 0.5), RATE_HZ)
    assert poll(dog, 1.0, 1.1) is None
    assert dog.check(7.1, stream_active=True, delivered_s=1.0) is None  # reader stalled 6 s
    assert poll(dog, 7.1, 8.9) is None  # 0.1 s before and 1.8 s after the stall
    error = poll(dog, 8.9, 9.0)
    assert error is not None
    assert "no data for 2.0 s" in str(error)


def test_a_busy_reader_is_not_a_stall() -> None:
    """Data kept the reader busy for 10 s without a check: then the device dies."""
    dog = Watchdog("hs", CONFIG, now_s=0.0)
    for i in range(100):
        dog.fed(i * 0.1, block(0.1, 0.5), RATE_HZ)
    assert dog.check(10.0, stream_active=True, delivered_s=10.0) is None
    assert poll(dog, 10.0, 11.8) is None
    assert poll(dog, 11.8, 11.9) is not None  # 2.0 s after the last data at 9.9 s


# ---- watchdog: digital silence is a warning, not an end ------------------------------------


def test_digital_silence_warns_once_and_clears() -> None:
    dog = Watchdog("hs", CONFIG, now_s=0.0)
    assert dog.fed(0.1, block(0.6, 0.2), RATE_HZ) is None
    assert dog.fed(0.2, block(0.6), RATE_HZ) is None
    warning = dog.fed(0.3, block(0.4), RATE_HZ)
    assert warning == (
        "input device 'hs' delivers only digital silence (1 s of exact zeros): "
        "muted headset or dead line?"
    )
    assert dog.silent
    assert dog.fed(0.4, block(5.0), RATE_HZ) is None  # still silent: no repeat
    assert dog.check(0.5, stream_active=True, delivered_s=7.0) is None  # not an error
    assert dog.fed(0.6, block(0.1, -0.001), RATE_HZ) == "input device 'hs' delivers sound again"
    assert not dog.silent


def test_only_trailing_zeros_count_towards_silence() -> None:
    dog = Watchdog("hs", CONFIG, now_s=0.0)
    sound_then_zeros = np.concatenate([block(0.9), block(0.001, 0.3), block(0.5)])
    assert dog.fed(0.1, sound_then_zeros, RATE_HZ) is None
    assert dog.zero_run_s == pytest.approx(0.5)
    assert dog.fed(0.2, block(0.49), RATE_HZ) is None
    assert dog.fed(0.3, block(0.01), RATE_HZ) is not None


# ---- choosing a device ------------------------------------------------------------------------

DEVICES = [
    DeviceInfo(0, "pulse", "ALSA", 32, 44100),
    DeviceInfo(1, "default", "ALSA", 32, 44100, default=True),
    DeviceInfo(2, "USB Headset: Audio (hw:1,0)", "ALSA", 1, 48000),
    DeviceInfo(3, "USB Headset: Audio (hw:2,0)", "ALSA", 2, 16000),
]


@pytest.mark.parametrize(
    ("query", "index"),
    [(None, 1), (0, 0), (3, 3), ("2", 2), (" 2 ", 2), ("pulse", 0), ("PULSE", 0), ("hw:2", 3)],
)
def test_device_by_default_index_or_name(query: str | int | None, index: int) -> None:
    assert _find(query, DEVICES).index == index


@pytest.mark.parametrize(
    ("query", "devices", "message", "listed"),
    [
        ("usb", DEVICES, "input device name 'usb' is ambiguous; use more of the name or the index",
         [2, 3]),
        ("nope", DEVICES, "no input device matches 'nope'", [0, 1, 2, 3]),
        (7, DEVICES, "no input device with index 7", [0, 1, 2, 3]),
        ("", DEVICES, "the input device name is empty", [0, 1, 2, 3]),
        (None, DEVICES[2:], "there is no default input device; choose one with --device", [2, 3]),
        (None, [], "no audio input devices found", []),
    ],
)  # fmt: skip
def test_device_errors_list_the_choices(
    query: str | int | None, devices: list[DeviceInfo], message: str, listed: list[int]
) -> None:
    with pytest.raises(DeviceError) as exc:
        _find(query, devices)
    text = str(exc.value)
    assert text.startswith(message)
    shown = [d.index for d in DEVICES if f"  {d}" in text.splitlines()]
    assert shown == listed


def test_device_line_shows_everything_needed_to_choose() -> None:
    assert str(DEVICES[1]) == "1: default [ALSA], 32 ch, 44100 Hz (default)"
    assert str(DEVICES[3]) == "3: USB Headset: Audio (hw:2,0) [ALSA], 2 ch, 16000 Hz"


# ---- resampling and chunking (shared by every source) ---------------------------------------


@given(st.lists(st.integers(0, 5000), max_size=12), st.integers(1, 3000))
def test_chunks_cover_the_stream_exactly(sizes: list[int], chunk: int) -> None:
    rng = np.random.default_rng(len(sizes))
    pieces = [rng.integers(-32768, 32767, n, dtype=np.int16) for n in sizes]
    asm = ChunkAssembler(chunk)
    out = [c for p in pieces for c in asm.push(p)] + asm.flush()
    expected = np.concatenate(pieces).tobytes() if pieces else b""
    assert b"".join(c.pcm for c in out) == expected
    assert all(len(c.pcm) == 2 * chunk for c in out[:-1])
    starts = np.cumsum([0] + [len(c.pcm) // 2 for c in out])[:-1]
    assert [c.at_s for c in out] == [s / 16000 for s in starts]


@given(st.lists(st.integers(1, 4000), min_size=1, max_size=8), st.sampled_from([8000, 44100]))
def test_streaming_resampler_does_not_depend_on_block_sizes(sizes: list[int], rate: int) -> None:
    signal = np.sin(np.arange(sum(sizes)) * 0.05).astype(np.float32) * 0.5
    whole = StreamResampler(rate)
    one = np.concatenate([whole.process(signal), whole.finish()])
    pieces = StreamResampler(rate)
    at = 0
    parts = []
    for n in sizes:
        parts.append(pieces.process(signal[at : at + n]))
        at += n
    parts.append(pieces.finish())
    many = np.concatenate(parts)
    assert len(one) == len(many) == round(len(signal) * 16000 / rate)
    assert np.max(np.abs(one.astype(np.int32) - many.astype(np.int32))) <= 1


def test_to_int16_rounds_and_clips() -> None:
    x = np.array([0.0, 0.5, -0.5, 1.0, -1.0, 1.7, -3.0, 1 / 65536], dtype=np.float32)
    assert to_int16(x).tolist() == [0, 16384, -16384, 32767, -32768, 32767, -32768, 0]


@pytest.mark.parametrize(
    ("law", "code", "value"),
    # G.711 reference points: silence codes, the largest magnitudes, sign symmetry.
    [("mulaw", 0xFF, 0), ("mulaw", 0x7F, 0), ("mulaw", 0x00, -32124), ("mulaw", 0x80, 32124),
     ("alaw", 0xD5, 8), ("alaw", 0x55, -8), ("alaw", 0xAA, 32256), ("alaw", 0x2A, -32256)],
)  # fmt: skip
def test_g711_tables(law: str, code: int, value: int) -> None:
    assert round(float(g711_table(law)[code]) * 32768) == value
