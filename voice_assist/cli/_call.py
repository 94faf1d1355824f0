"""Options shared by every command that runs a call (`run`, `serve`, `demo`), and the wiring.

`add_call_options` declares them once; `CallSetup.from_args` turns them into concrete objects:
scenario, audio source, recognizer, session, call store. The commands stay thin.
"""

from __future__ import annotations

import argparse
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..asr.base import Recognizer
from ..audio.base import AudioSource, Paced
from ..errors import VoiceAssistError
from ..events import Notice
from ..scenario import Scenario, load_checked
from ..session import Session


def add_call_options(p: argparse.ArgumentParser, *, scenario: bool = True) -> None:
    """The options of a call: where the audio comes from, which engine, where records go."""
    if scenario:
        p.add_argument("scenario", metavar="SCENARIO", help="scenario file (YAML or JSON)")
    src = p.add_argument_group("audio source (exactly one of --audio, --mic, --stdin, --turn)")
    src.add_argument(
        "--audio", metavar="FILE", help="a WAV file of the call (any rate, any channels)"
    )
    pace = src.add_mutually_exclusive_group()
    pace.add_argument(
        "--realtime",
        dest="realtime",
        action="store_true",
        default=None,
        help="play the file at the speed of a live call (default for run)",
    )
    pace.add_argument(
        "--fast", dest="realtime", action="store_false", help="process the file as fast as possible"
    )
    src.add_argument("--mic", action="store_true", help="listen to a live input device")
    src.add_argument(
        "--device", metavar="D", help="input device name (substring) or index (with --mic)"
    )
    src.add_argument("--stdin", action="store_true", help="raw PCM on standard input (s16le)")
    src.add_argument(
        "--rate",
        type=int,
        default=16000,
        metavar="HZ",
        help="sample rate of --stdin audio (default 16000)",
    )
    src.add_argument(
        "--channels",
        type=int,
        default=1,
        metavar="N",
        help="interleaved channels of --stdin audio (default 1)",
    )
    src.add_argument(
        "--format",
        default="s16le",
        metavar="FMT",
        help="sample format of --stdin audio: s16le (default), s24le, s32le, u8, f32le, f64le, "
        "mulaw, alaw",
    )
    src.add_argument(
        "--channel",
        type=int,
        default=None,
        metavar="N",
        help="the customer's channel (default 0; the demo call uses 1)",
    )
    src.add_argument(
        "--turn",
        action="append",
        default=[],
        metavar="TEXT",
        help="what the customer says, for the text engine (repeatable)",
    )
    src.add_argument(
        "--transcript",
        metavar="FILE",
        help="a transcript to replay with the text engine (one utterance a line)",
    )
    eng = p.add_argument_group("recognition")
    eng.add_argument(
        "--engine",
        default="auto",
        choices=["auto", "vosk", "pocketsphinx", "text"],
        help="speech engine (default auto: Vosk if a model for the language is "
        "installed, else PocketSphinx for English)",
    )
    eng.add_argument("--model", metavar="PATH", help="Vosk model directory")
    eng.add_argument(
        "--no-bias",
        dest="bias",
        action="store_false",
        help="do not bias recognition towards the current step's phrases",
    )
    rec = p.add_argument_group("records")
    rec.add_argument("--operator", default="", metavar="NAME", help="operator name for the record")
    rec.add_argument("--events", metavar="OUT.jsonl", help="write every event as JSON lines")
    rec.add_argument("--db", metavar="PATH", help="call-record database (default: user data dir)")
    rec.add_argument("--no-record", action="store_true", help="do not save a call record")


def scenario_version(path: str | Path) -> str:
    """The version of a scenario file: a short hash of its bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


@dataclass
class CallSetup:
    """Everything a call needs, built from command-line options."""

    scenario_path: Path
    scenario: Scenario
    source: AudioSource
    recognizer: Recognizer
    session: Session
    source_label: str
    notices: list[Notice] = field(default_factory=list)

    @classmethod
    def from_args(cls, args: argparse.Namespace, *, default_realtime: bool = True) -> CallSetup:
        scenario_path = Path(args.scenario)
        scenario = load_checked(scenario_path)
        turns = _turns(args)
        modes = [bool(args.audio), bool(args.mic), bool(args.stdin), bool(turns)]
        if sum(modes) != 1:
            raise VoiceAssistError(
                "give exactly one audio source: --audio FILE, --mic, --stdin, "
                "or --turn TEXT / --transcript FILE (text engine)"
            )
        channel = 0 if args.channel is None else args.channel
        realtime = default_realtime if args.realtime is None else args.realtime
        recognizer: Recognizer
        source: AudioSource
        if turns:
            from ..asr.scripted import ScriptedRecognizer
            from ..audio.silence import SilenceSource

            scripted = ScriptedRecognizer(turns)
            recognizer = scripted
            silence = SilenceSource(scripted.duration_s)
            source = Paced(silence) if realtime else silence
            label = f"text engine, {len(turns)} turns"
        else:
            from ..asr import create_recognizer

            engine = "auto" if args.engine == "text" else args.engine
            if args.engine == "text":
                raise VoiceAssistError("--engine text needs --turn TEXT or --transcript FILE")
            recognizer = create_recognizer(engine, language=scenario.language, model=args.model)
            source = _audio_source(args, channel, realtime)
            label = source.description
        session = Session(scenario)
        notices = _vocabulary_notices(scenario, recognizer)
        return cls(scenario_path, scenario, source, recognizer, session, label, notices)


def _turns(args: argparse.Namespace) -> list[Any]:
    turns: list[Any] = list(args.turn)
    if args.transcript:
        from ..asr.scripted import load_transcript

        turns += load_transcript(args.transcript)
    return turns


def _audio_source(args: argparse.Namespace, channel: int, realtime: bool) -> AudioSource:
    from ..audio import open_source

    device: str | int | None = args.device
    if isinstance(device, str) and device.isdigit():
        device = int(device)
    return open_source(
        args.audio,
        mic=args.mic,
        device=device,
        stdin=args.stdin,
        channel=channel,
        rate_hz=args.rate if args.stdin else None,
        channels=args.channels,
        sample_format=args.format,
        realtime=realtime,
    )


def _vocabulary_notices(scenario: Scenario, recognizer: Recognizer) -> list[Notice]:
    """Phrase words the engine cannot hear: the scriptwriter must know at load time."""
    phrases = [p for s in scenario.steps for a in s.answers for p in a.phrases]
    phrases += [p for g in scenario.global_answers for p in g.phrases]
    phrases += [p for t in scenario.transfers for p in t.phrases]
    unknown = recognizer.unknown_words(phrases)
    if not unknown:
        return []
    shown = ", ".join(sorted(unknown)[:20]) + (" ..." if len(unknown) > 20 else "")
    return [
        Notice(
            at_s=0.0,
            level="warning",
            text=f"{recognizer.name} cannot recognise {len(unknown)} phrase words: {shown}",
            extra={"unknown_words": sorted(unknown)},
        )
    ]


def run_call(setup: CallSetup, args: argparse.Namespace, presenters: list[Any]) -> int:
    """Run a built call with its records and presenters; print where the record went."""
    from ..pipeline import JsonlSink, Pipeline, StoreSink

    sinks: list[Any] = list(presenters)
    store = None
    call_id = None
    if not args.no_record:
        from ..store import CallStore

        store = CallStore(args.db)
        call_id = store.start_call(
            scenario_id=setup.scenario.id,
            scenario_version=scenario_version(setup.scenario_path),
            scenario_path=str(setup.scenario_path),
            operator=args.operator,
            source=setup.source_label,
            engine=setup.recognizer.name,
        )
        sinks.insert(0, StoreSink(store, call_id))
    if args.events:
        sinks.append(JsonlSink(args.events))
    pipeline = Pipeline(setup.session, setup.recognizer, sinks, bias=args.bias)
    for presenter in presenters:
        attach = getattr(presenter, "attach", None)
        if attach is not None:
            attach(pipeline)
    result = pipeline.run(setup.source, setup.notices)
    from ..console import print_summary

    print_summary(result, setup.scenario, store_path=store.path if store else None, call_id=call_id)
    if store is not None:
        store.close()
    return 1 if result.error else 0
