"""WavSource on real files of every common format, made with sox from an espeak-ng recording."""

from __future__ import annotations

import shutil
import struct
import subprocess
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from voice_assist.audio.wav import WavSource, read_info, read_wav
from voice_assist.errors import AudioError
from voice_assist.events import AudioChunk

pytestmark = pytest.mark.skipif(
    not (shutil.which("sox") and shutil.which("espeak-ng")), reason="needs sox and espeak-ng"
)


def sox(*args: str | Path) -> None:
    subprocess.run(["sox", *map(str, args)], check=True, capture_output=True)


def frames_of(path: Path) -> int:
    """The sample count sox itself reads from the file (an independent reference)."""
    out = subprocess.run(["soxi", "-s", str(path)], check=True, capture_output=True, text=True)
    return int(out.stdout)


def corr(a: np.ndarray, b: np.ndarray) -> float:
    n = min(len(a), len(b))
    return float(np.corrcoef(a[:n].astype(np.float64), b[:n].astype(np.float64))[0, 1])


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 3 s of English speech at espeak-ng's native 22,050 Hz, 16-bit mono."""
    path = tmp_path_factory.mktemp("wav") / "speech.wav"
    subprocess.run(
        ["espeak-ng", "-w", str(path), "Delivery please, my number is five five five."],
        check=True,
    )
    return path


@pytest.fixture(scope="module")
def reference(speech: Path) -> np.ndarray:
    """The speech resampled to 16 kHz by sox (independent of our resampler)."""
    ref = speech.with_name("ref16k.wav")
    sox(speech, "-r", "16000", "-b", "16", ref)
    data = ref.read_bytes()
    at = data.index(b"data") + 8
    return np.frombuffer(data[at:], dtype="<i2")


VARIANTS = {
    # name: sox output options
    "8k_16bit": ["-r", "8000", "-b", "16"],
    "11k_16bit": ["-r", "11025", "-b", "16"],
    "16k_16bit": ["-r", "16000", "-b", "16"],
    "22k_16bit": ["-b", "16"],
    "32k_16bit": ["-r", "32000", "-b", "16"],
    "44k_16bit": ["-r", "44100", "-b", "16"],
    "48k_16bit": ["-r", "48000", "-b", "16"],
    "96k_16bit": ["-r", "96000", "-b", "16"],
    "8bit_unsigned": ["-r", "16000", "-b", "8", "-e", "unsigned-integer"],
    "24bit_extensible": ["-r", "48000", "-b", "24"],
    "32bit_int": ["-r", "44100", "-b", "32", "-e", "signed-integer"],
    "32bit_float": ["-r", "48000", "-b", "32", "-e", "floating-point"],
    "64bit_float": ["-r", "22050", "-b", "64", "-e", "floating-point"],
    "mulaw_8k": ["-r", "8000", "-e", "mu-law"],
    "alaw_8k": ["-r", "8000", "-e", "a-law"],
    "stereo_44k": ["-r", "44100", "-b", "16", "-c", "2"],
    "6ch_48k_extensible": ["-r", "48000", "-b", "16", "-c", "6"],
    "6ch_float": ["-r", "48000", "-b", "32", "-e", "floating-point", "-c", "6"],
}
# Telephone-band and 8-bit variants lose detail; everything else must be near-identical.
MIN_CORR = {"8k_16bit": 0.98, "mulaw_8k": 0.98, "alaw_8k": 0.98, "8bit_unsigned": 0.99}


@pytest.mark.parametrize("name", list(VARIANTS))
def test_format_variant_matches_reference(
    name: str, speech: Path, reference: np.ndarray, tmp_path: Path
) -> None:
    path = tmp_path / f"{name}.wav"
    sox(speech, *VARIANTS[name], path)
    if "extensible" in name:
        assert struct.unpack("<H", path.read_bytes()[20:22])[0] == 0xFFFE  # really extensible
    info = read_info(path)
    assert info.frames == frames_of(path)
    out = read_wav(path)
    assert out.dtype == np.int16
    assert len(out) == round(info.frames * 16000 / info.rate_hz)  # exact to a sample
    assert corr(out, reference) >= MIN_CORR.get(name, 0.999)


def test_extensible_float(speech: Path, reference: np.ndarray, tmp_path: Path) -> None:
    """sox writes float as plain format 3: rewrite its header as WAVE_FORMAT_EXTENSIBLE."""
    plain = tmp_path / "plain.wav"
    sox(speech, "-r", "48000", "-b", "32", "-e", "floating-point", "-c", "2", plain)
    data = plain.read_bytes()
    fmt_at, data_at = data.index(b"fmt "), data.index(b"data")
    _, channels, rate, byte_rate, align, bits = struct.unpack(
        "<HHIIHH", data[fmt_at + 8 : fmt_at + 24]
    )
    float_guid = bytes.fromhex("0300000000001000800000aa00389b71")
    fmt = struct.pack("<HHIIHHHHI", 0xFFFE, channels, rate, byte_rate, align, bits, 22, bits, 3)
    body = b"WAVE" + b"fmt " + struct.pack("<I", 40) + fmt + float_guid + data[data_at:]
    path = tmp_path / "extensible.wav"
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    assert read_info(path).encoding_name == "32-bit IEEE float"
    assert np.array_equal(read_wav(path, channel=1), read_wav(plain, channel=1))
    assert corr(read_wav(path, channel=1), reference) > 0.999


def test_16k_16bit_passes_through_bit_exact(speech: Path, tmp_path: Path) -> None:
    path = tmp_path / "16k.wav"
    sox(speech, "-r", "16000", "-b", "16", path)
    data = path.read_bytes()
    raw = np.frombuffer(data[data.index(b"data") + 8 :], dtype="<i2")
    assert np.array_equal(read_wav(path), raw)


def test_description_names_file_format_and_channel(speech: Path) -> None:
    src = WavSource(speech)
    assert str(speech) in src.description
    assert "16-bit PCM, 22050 Hz, 1 ch, channel 0" in src.description
    assert src.duration_s == pytest.approx(frames_of(speech) / 22050)


@pytest.fixture(scope="module")
def four_channels(speech: Path) -> tuple[Path, list[np.ndarray]]:
    """Four different signals on four channels, and each of them alone at 16 kHz."""
    d = speech.parent
    parts = [d / "c0.wav", d / "c1.wav", d / "c2.wav", d / "c3.wav"]
    shutil.copy(speech, parts[0])
    sox(speech, parts[1], "reverse")
    sox(speech, parts[2], "synth", "sine", "440", "vol", "0.5")
    sox(speech, parts[3], "synth", "square", "1234", "vol", "0.3")
    merged = d / "four.wav"
    sox("-M", *parts, "-r", "48000", merged)
    return merged, [read_wav(p) for p in parts]


@pytest.mark.parametrize("channel", [0, 1, 2, 3])
def test_channel_pick_returns_that_channel(
    channel: int, four_channels: tuple[Path, list[np.ndarray]]
) -> None:
    path, singles = four_channels
    out = read_wav(path, channel=channel)
    scores = [corr(out, s) for s in singles]
    assert scores[channel] > 0.99
    assert max(s for i, s in enumerate(scores) if i != channel) < 0.5


def test_customer_on_right_channel_of_stereo(speech: Path, tmp_path: Path) -> None:
    operator = tmp_path / "op.wav"
    sox(speech, operator, "reverse")
    stereo = tmp_path / "call.wav"
    sox("-M", operator, speech, "-r", "8000", "-e", "mu-law", stereo)
    ref = read_wav(speech)
    assert corr(read_wav(stereo, channel=1), ref) > 0.98
    assert corr(read_wav(stereo, channel=0), ref) < 0.5


def test_pipe_written_wav_with_placeholder_size_is_read_to_the_end(
    speech: Path, tmp_path: Path
) -> None:
    raw = subprocess.run(["sox", str(speech), "-t", "raw", "-"], capture_output=True, check=True)
    piped = subprocess.run(
        ["sox", "-t", "raw", "-r", "22050", "-e", "signed", "-b", "16", "-c", "1", "-",
         "-t", "wav", "-"],
        input=raw.stdout, capture_output=True, check=True,
    )  # fmt: skip
    path = tmp_path / "piped.wav"
    path.write_bytes(piped.stdout)
    src = WavSource(path)
    assert src.warnings == []
    assert src.info.frames == len(raw.stdout) // 2
    assert np.array_equal(read_wav(path), read_wav(speech))


def test_rf64_with_ds64_sizes(speech: Path, tmp_path: Path) -> None:
    """RF64 (WAV beyond 4 GB, e.g. long multichannel recordings): sizes live in a ds64 chunk."""
    data = speech.read_bytes()
    fmt_at, data_at = data.index(b"fmt "), data.index(b"data")
    samples = data[data_at + 8 :]
    ds64 = b"ds64" + struct.pack("<IQQQI", 28, 0, len(samples), len(samples) // 2, 0)
    body = b"WAVE" + ds64 + data[fmt_at:data_at] + b"data" + struct.pack("<I", 0xFFFFFFFF)
    rf64 = b"RF64" + struct.pack("<I", 0xFFFFFFFF) + body + samples + b"LIST\x04\x00\x00\x00abcd"
    path = tmp_path / "long.rf64.wav"
    path.write_bytes(rf64)
    src = WavSource(path)
    assert src.warnings == []
    assert src.info.frames == len(samples) // 2  # the trailing LIST chunk is not audio
    assert np.array_equal(read_wav(path), read_wav(speech))


# ---- errors: each names the file and the problem -------------------------------------------


def error_of(path: Path, channel: int = 0) -> str:
    with pytest.raises(AudioError) as exc:
        WavSource(path, channel=channel)
    return str(exc.value)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.wav"
    assert error_of(path) == f"{path}: audio file not found"


def test_mp3_is_not_a_wav(speech: Path, tmp_path: Path) -> None:
    path = tmp_path / "call.mp3"
    try:
        sox(speech, path)
    except subprocess.CalledProcessError:
        pytest.skip("this sox cannot write MP3")
    assert error_of(path) == f"{path}: not a WAV file (looks like MP3)"


def test_text_file_is_not_a_wav(tmp_path: Path) -> None:
    path = tmp_path / "notes.wav"
    path.write_text("these are not the samples you are looking for\n")
    assert error_of(path) == f"{path}: not a WAV file (looks like text)"


def test_directory(tmp_path: Path) -> None:
    assert error_of(tmp_path) == f"{tmp_path}: is a directory, not a WAV file"


def test_zero_length_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    assert error_of(path) == f"{path}: empty file (zero length), not a WAV file"


def test_header_only_file_is_an_error(speech: Path, tmp_path: Path) -> None:
    path = tmp_path / "header.wav"
    path.write_bytes(speech.read_bytes()[:44])  # declares data, holds none
    assert error_of(path) == (
        f"{path}: no audio data (zero length: the file ends right after its header, "
        f"which declares {frames_of(speech) / 22050:.2f} s; truncated)"
    )


def test_empty_data_chunk_is_an_error(speech: Path, tmp_path: Path) -> None:
    path = tmp_path / "silent.wav"
    sox("-n", "-r", "8000", "-b", "16", "-c", "1", path, "trim", "0", "0")
    assert error_of(path).startswith(f"{path}: no audio data (zero length")


def test_cut_header_is_truncated(speech: Path, tmp_path: Path) -> None:
    path = tmp_path / "cut.wav"
    path.write_bytes(speech.read_bytes()[:28])
    assert error_of(path).startswith(f"{path}: truncated WAV header")


def test_truncated_data_uses_what_is_there_and_warns(speech: Path, tmp_path: Path) -> None:
    data = speech.read_bytes()
    path = tmp_path / "crashed.wav"
    path.write_bytes(data[: len(data) // 2 + 1])  # odd length: a half frame at the end too
    src = WavSource(path)
    assert len(src.warnings) == 1
    assert src.warnings[0].startswith(f"{path}: truncated WAV file: the header declares")
    assert "using what is there" in src.warnings[0]
    kept = (len(data) // 2 + 1 - 44) // 2
    assert src.info.frames == kept
    full = read_wav(speech)
    out = read_wav(path)
    assert len(out) == round(kept * 16000 / 22050)
    assert corr(out[: len(out) - 200], full[: len(out) - 200]) > 0.999


@pytest.mark.parametrize(
    ("opts", "what"),
    [
        (["-e", "ms-adpcm"], "Microsoft ADPCM"),
        (["-e", "ima-adpcm"], "IMA ADPCM"),
        (["-r", "8000", "-e", "gsm-full-rate"], "GSM 6.10"),
    ],
)
def test_unsupported_encoding(opts: list[str], what: str, speech: Path, tmp_path: Path) -> None:
    path = tmp_path / "coded.wav"
    sox(speech, *opts, path)
    msg = error_of(path)
    assert msg.startswith(f"{path}: unsupported WAV encoding {what}; convert it to PCM first")


@pytest.mark.parametrize(
    ("channels", "channel", "expected"),
    [
        (2, 2, "channel 2 requested, file has 2 channels (0-1)"),
        (1, 1, "channel 1 requested, file has 1 channel (0)"),
        (6, -1, "channel -1 requested, file has 6 channels (0-5)"),
    ],
)
def test_channel_out_of_range(
    channels: int, channel: int, expected: str, speech: Path, tmp_path: Path
) -> None:
    path = tmp_path / "multi.wav"
    sox(speech, "-c", str(channels), path)
    assert error_of(path, channel) == f"{path}: {expected}"


# ---- streaming and pacing --------------------------------------------------------------------


def test_chunks_are_contiguous_and_stamped_with_audio_time(speech: Path) -> None:
    chunks = list(WavSource(speech, chunk_s=0.1).chunks())
    assert all(len(c.pcm) == 3200 for c in chunks[:-1])
    assert 0 < len(chunks[-1].pcm) <= 3200
    for i, c in enumerate(chunks):
        assert c.at_s == pytest.approx(i * 0.1)
        assert c.rate_hz == 16000
    assert b"".join(c.pcm for c in chunks) == read_wav(speech).tobytes()


def test_realtime_gives_the_same_chunks_and_never_runs_ahead(tmp_path: Path) -> None:
    path = tmp_path / "short.wav"
    sox("-n", "-r", "44100", "-b", "16", path, "synth", "1.05", "sine", "300")
    fast = list(WavSource(path).chunks())
    started = time.monotonic()
    paced: list[tuple[AudioChunk, float]] = []
    for chunk in WavSource(path, realtime=True).chunks():
        paced.append((chunk, time.monotonic() - started))
    assert [c for c, _ in paced] == fast
    for chunk, wall_s in paced:
        assert wall_s >= chunk.end_s  # a chunk exists only once its audio has "happened"


def test_close_stops_delivery(speech: Path) -> None:
    src = WavSource(speech, chunk_s=0.1)
    got = []
    for chunk in src.chunks():
        got.append(chunk)
        if len(got) == 3:
            src.close()
    assert len(got) == 3


def test_long_file_is_streamed_not_loaded(tmp_path: Path) -> None:
    path = tmp_path / "long.wav"  # 120 s of 48 kHz stereo float: 46 MB on disk
    sox("-n", "-r", "48000", "-c", "2", "-e", "floating-point", "-b", "32", path,
        "synth", "120", "pinknoise", "vol", "0.3")  # fmt: skip
    assert path.stat().st_size > 40_000_000
    tracemalloc.start()
    try:
        n = 0
        for chunk in WavSource(path, channel=1).chunks():
            n += len(chunk.pcm) // 2
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert n == 120 * 16000
    assert peak < 4_000_000  # a few read blocks, never the file
