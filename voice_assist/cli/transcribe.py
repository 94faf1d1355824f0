"""`voice-assist transcribe FILE`: run a speech engine over a WAV file and print the transcript."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from typing import Any

from ..errors import EngineError
from ..events import SAMPLE_RATE_HZ, Final


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "transcribe",
        help="transcribe a WAV file with word times",
        description="Transcribe a WAV file (any rate, channels, 8-32 bit) with a speech engine. "
        "With --engine text, FILE is a transcript (one utterance per line, optional `12.5: text`).",
    )
    p.add_argument("file", metavar="FILE", help="WAV file (or transcript for --engine text)")
    p.add_argument(
        "--engine",
        default="auto",
        choices=["auto", "vosk", "pocketsphinx", "text"],
        help="speech engine (default auto: Vosk if a model is installed, else "
        "PocketSphinx for English)",
    )
    p.add_argument("--channel", type=int, default=0, help="channel to transcribe (default 0)")
    p.add_argument("--model", help="Vosk model folder (default: found by language)")
    p.add_argument("--language", default="en", help="language code (default en)")
    p.add_argument("--vocabulary", help='bias towards these phrases: "phrase, phrase"')
    p.add_argument("--json", action="store_true", help="print JSON with words and utterances")
    p.set_defaults(func=run)


def transcribe(
    file: str,
    *,
    engine: str = "auto",
    channel: int = 0,
    model: str | None = None,
    language: str = "en",
    vocabulary: list[str] | None = None,
) -> dict[str, Any]:
    """The transcript of `file` as the JSON-ready dict `--json` prints."""
    from ..asr import create_recognizer, load_transcript

    source: Any
    if engine == "text":
        from ..asr.scripted import ScriptedRecognizer
        from ..audio.silence import SilenceSource

        recognizer = ScriptedRecognizer(load_transcript(file))
        source = SilenceSource(recognizer.duration_s)
        source_rate: int | None = None
    else:
        from ..audio.wav import WavSource

        source = WavSource(file, channel=channel)
        source_rate = source.info.rate_hz
        recognizer = create_recognizer(engine, language=language, model=model)  # type: ignore[assignment]
    unknown: list[str] = []
    if vocabulary:
        unknown = recognizer.unknown_words(vocabulary)
        recognizer.set_vocabulary(vocabulary)
    finals: list[Final] = []
    for chunk in source.chunks():
        finals += [e for e in recognizer.accept(chunk) if isinstance(e, Final)]
    finals += recognizer.finish()
    words = [asdict(w) for f in finals for w in f.words]
    return {
        "text": " ".join(f.text for f in finals if f.text),
        "engine": recognizer.name,
        "rate_hz": SAMPLE_RATE_HZ,
        "source_rate_hz": source_rate,
        "words": words,
        "utterances": [
            {
                "text": f.text,
                "start_s": f.start_s,
                "end_s": f.words[-1].end_s if f.words else f.at_s,
                "at_s": f.at_s,
                "free_text": f.free_text,
                "words": [asdict(w) for w in f.words],
            }
            for f in finals
        ],
        "unknown_words": unknown,
    }


def run(args: argparse.Namespace) -> int:
    vocabulary = None
    if args.vocabulary is not None:
        vocabulary = [p.strip() for p in args.vocabulary.split(",") if p.strip()]
        if not vocabulary:
            raise EngineError("--vocabulary: no phrases given (separate phrases with commas)")
    result = transcribe(
        args.file,
        engine=args.engine,
        channel=args.channel,
        model=args.model,
        language=args.language,
        vocabulary=vocabulary,
    )
    if result["unknown_words"]:
        print(
            f"warning: not in the {result['engine']} vocabulary, phrases with them are "
            f"ignored: {', '.join(result['unknown_words'])}",
            file=sys.stderr,
        )
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    for u in result["utterances"]:
        extra = f"   [free: {u['free_text']}]" if u["free_text"] is not None else ""
        print(f"{u['start_s']:7.2f} {u['end_s']:7.2f}  {u['text']}{extra}")
    return 0
