"""StdinSource on raw PCM piped from sox: every format, channel pick, odd-sized reads, errors."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from voice_assist.audio import open_source
from voice_assist.audio.stdin import FORMATS, StdinSource
from voice_assist.audio.wav import WavSource, read_wav
from voice_assist.errors import AudioError

pytestmark = pytest.mark.skipif(
    not (shutil.which("sox") and shutil.which("espeak-ng")), reason="needs sox and espeak-ng"
)

SOX_RAW = {
    "s16le": ["-e", "signed-integer", "-b", "16"],
    "s24le": ["-e", "signed-integer", "-b", "24"],
    "s32le": ["-e", "signed-integer", "-b", "32"],
    "u8": ["-e", "unsigned-integer", "-b", "8"],
    "f32le": ["-e", "floating-point", "-b", "32"],
    "f64le": ["-e", "floating-point", "-b", "64"],
    "mulaw": ["-e", "mu-law", "-b", "8"],
    "alaw": ["-e", "a-law", "-b", "8"],
}


@pytest.fixture(scope="module")
def stereo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Speech on channel 1, the same speech reversed on channel 0, at 22,050 Hz."""
    d = tmp_path_factory.mktemp("stdin")
    subprocess.run(["espeak-ng", "-w", str(d / "s.wav"), "Pickup at seven, please."], check=True)
    subprocess.run(["sox", d / "s.wav", d / "r.wav", "reverse"], check=True)
    subprocess.run(["sox", "-M", d / "r.wav", d / "s.wav", d / "stereo.wav"], check=True)
    return d / "stereo.wav"


def sox_pipe(src: Path, *opts: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        ["sox", "-D", str(src), "-t", "raw", *opts, "-"], stdout=subprocess.PIPE
    )


def test_every_raw_format_is_covered() -> None:
    assert set(SOX_RAW) == set(FORMATS)


@pytest.mark.parametrize("fmt", list(SOX_RAW))
def test_raw_pipe_equals_the_same_samples_as_wav(fmt: str, stereo: Path, tmp_path: Path) -> None:
    """`sox ... -t raw - | voice-assist --stdin` gives exactly what the same WAV gives."""
    opts = ["-r", "8000", "-c", "2", *SOX_RAW[fmt]]
    wav = tmp_path / "same.wav"
    subprocess.run(["sox", "-D", stereo, *opts, wav], check=True)  # -D: no random dither
    proc = sox_pipe(stereo, *opts)
    assert proc.stdout is not None
    source = StdinSource(proc.stdout, rate_hz=8000, channels=2, channel=1, sample_format=fmt)
    chunks = list(source.chunks())
    assert proc.wait() == 0
    assert chunks == list(WavSource(wav, channel=1).chunks())
    assert source.description == f"stdin ({fmt}, 8000 Hz, 2 ch, channel 1)"


def test_channel_pick_on_stdin(stereo: Path) -> None:
    proc = sox_pipe(stereo, "-r", "16000", "-c", "2", "-e", "signed-integer", "-b", "16")
    assert proc.stdout is not None
    got = np.frombuffer(
        b"".join(c.pcm for c in StdinSource(proc.stdout, channels=2, channel=0).chunks()), "<i2"
    )
    proc.wait()
    reference = read_wav(stereo, channel=0)
    n = min(len(got), len(reference))
    assert np.corrcoef(got[:n], reference[:n])[0, 1] > 0.999


class Dribble(io.RawIOBase):
    """A pipe that hands out a few bytes at a time, splitting samples and frames."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0
        self.step = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buf: memoryview) -> int:  # type: ignore[override]
        self.step = self.step % 7 + 1
        n = min(len(buf), self.step, len(self.data) - self.pos)
        buf[:n] = self.data[self.pos : self.pos + n]
        self.pos += n
        return n


def test_split_frames_and_a_trailing_half_frame(stereo: Path) -> None:
    raw = subprocess.run(
        ["sox", str(stereo), "-t", "raw", "-r", "11025", "-e", "signed-integer", "-b", "24", "-"],
        capture_output=True,
        check=True,
    ).stdout
    whole = StdinSource(
        io.BytesIO(raw), rate_hz=11025, channels=2, channel=1, sample_format="s24le"
    )
    dribbled = StdinSource(
        io.BufferedReader(Dribble(raw + b"\x01\x02")),  # 2 stray bytes: half a frame
        rate_hz=11025,
        channels=2,
        channel=1,
        sample_format="s24le",
    )
    assert list(dribbled.chunks()) == list(whole.chunks())


def test_empty_stream_gives_no_chunks() -> None:
    assert list(StdinSource(io.BytesIO(b"")).chunks()) == []


def test_close_stops_reading() -> None:
    source = StdinSource(io.BytesIO(bytes(16000 * 2 * 5)))  # 5 s of silence
    got = []
    for chunk in source.chunks():
        got.append(chunk)
        source.close()
    assert len(got) == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sample_format": "mp3"}, "stdin: unknown sample format 'mp3' (known: s16le, s24le, "),
        ({"rate_hz": 0}, "stdin: sample rate must be positive, got 0 Hz"),
        ({"channels": 0}, "stdin: channel count must be positive, got 0"),
        (
            {"channels": 2, "channel": 2},
            "stdin: channel 2 requested, the stream has 2 channels (0-1)",
        ),
        ({"channel": 1}, "stdin: channel 1 requested, the stream has 1 channel (0)"),
    ],
)
def test_bad_options(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(AudioError) as exc:
        StdinSource(io.BytesIO(b""), **kwargs)  # type: ignore[arg-type]
    assert str(exc.value).startswith(message)


def test_open_source_picks_the_kind(stereo: Path) -> None:
    assert isinstance(open_source(stereo, channel=1), WavSource)
    assert isinstance(open_source(stdin=True, rate_hz=8000), StdinSource)
    with pytest.raises(AudioError, match="choose exactly one audio source"):
        open_source()
    with pytest.raises(AudioError, match=r"\(got a file and stdin\)"):
        open_source(stereo, stdin=True)
