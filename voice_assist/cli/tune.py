"""`voice-assist tune SCENARIO --corpus PATH...`: tune keyword lists against labeled utterances."""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import VoiceAssistError

if TYPE_CHECKING:
    from ..tune.vocab import Vocabulary


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "tune",
        help="tune answer phrases against real utterances: errors, thresholds, suggestions",
        description="Evaluate a scenario's phrases on labeled utterances (corpus files, call "
        "tests, call records): confusion per step, wrong selections and misses, a threshold "
        "sweep, colliding phrases, suggested phrases and a vocabulary check; --apply writes "
        "accepted changes back into the scenario file. See docs/tune.md.",
    )
    p.add_argument("scenario", metavar="SCENARIO", help="scenario file (YAML or JSON)")
    p.add_argument("--corpus", nargs="+", required=True, metavar="PATH",
                   help="corpus files (*.corpus.yaml|json), call tests (*.calltest.yaml), "
                   "call-record databases (*.db) or folders of them")
    p.add_argument("--json", metavar="OUT", help="write the report as JSON to OUT ('-': stdout)")
    p.add_argument("--html", metavar="OUT", help="write the report as a self-contained HTML page")
    p.add_argument("--engine", choices=["auto", "pocketsphinx", "vosk", "none"], default="auto",
                   help="engine for the vocabulary check and audio items (auto: as 'run' "
                   "picks it: Vosk when a model for the language is installed, else "
                   "PocketSphinx for English; none: skip the check)")
    p.add_argument("--model", metavar="DIR", help="Vosk model directory")
    p.add_argument("--dict", metavar="FILE", dest="dict_path",
                   help="PocketSphinx dictionary (or a word list) for the vocabulary check")
    p.add_argument("--min-count", type=int, default=2, metavar="N",
                   help="a suggested wording must occur in at least N misses (default 2)")
    p.add_argument("--apply", action="store_true",
                   help="write accepted suggestions and thresholds into the scenario file")
    p.add_argument("--yes", action="store_true", help="with --apply: accept every suggestion")
    p.add_argument("--accept", nargs="+", metavar="ID", default=None,
                   help="with --apply: accept these suggestions (S1, T2, ...)")
    p.add_argument("--quiet", action="store_true", help="no terminal report (files only)")
    p.set_defaults(func=run)


def _vocabulary(args: argparse.Namespace, language: str) -> tuple[Vocabulary | None, str]:
    """The vocabulary of the engine the pipeline would use (same resolution as `run`)."""
    from ..asr import resolve_engine
    from ..errors import EngineError
    from ..tune.vocab import pocketsphinx_vocabulary, vosk_vocabulary, words_file_vocabulary

    if args.engine == "none":
        return None, ""
    try:
        kind, path = resolve_engine(args.engine, language, args.model)
    except EngineError as exc:
        if args.dict_path:
            return words_file_vocabulary(args.dict_path), ""
        return None, f"vocabulary check skipped: {exc}"
    if kind == "vosk" and path is not None:
        return vosk_vocabulary(path), ""
    if args.dict_path is None and path is not None:
        found = sorted(path.glob("*.dict"))
        if found:
            return pocketsphinx_vocabulary(found[0]), ""
    return pocketsphinx_vocabulary(args.dict_path), ""


def _choose(ids: list[str], args: argparse.Namespace) -> list[str]:
    if args.yes:
        return ids
    if args.accept is not None:
        unknown = [i for i in args.accept if i not in ids]
        if unknown:
            raise VoiceAssistError(
                f"--accept: no suggestion {', '.join(unknown)} (this run has: "
                f"{', '.join(ids) or 'none'})"
            )
        return [i for i in ids if i in args.accept]
    if not sys.stdin.isatty():
        raise VoiceAssistError("--apply needs --yes or --accept ID... when not run interactively")
    chosen = []
    for i in ids:
        answer = input(f"accept {i}? [y/N] ").strip().lower()
        if answer in ("y", "yes"):
            chosen.append(i)
    return chosen


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from ..matcher import MatchConfig
    from ..scenario import load_checked
    from ..tune import apply_changes, load_corpus, to_json, tune
    from ..tune.audio import engine_transcriber
    from ..tune.html import render_html
    from ..tune.render import render

    if args.min_count < 1:
        raise VoiceAssistError("--min-count must be at least 1")
    if (args.yes or args.accept) and not args.apply:
        raise VoiceAssistError("--yes and --accept go with --apply")
    scenario_path = Path(args.scenario)
    scenario = load_checked(scenario_path)
    engine = "auto" if args.engine == "none" else args.engine
    transcribe = engine_transcriber(engine, scenario.language, args.model)
    corpus = load_corpus(args.corpus, scenario, scenario_path, transcribe)
    vocabulary, why_not = _vocabulary(args, scenario.language)
    report = tune(scenario, corpus, MatchConfig(), vocabulary, args.min_count)
    if why_not:
        report.notes.append(why_not)
    console = Console(stderr=args.json == "-", highlight=False)
    if not args.quiet:
        render(report, console)
    if args.json:
        text = json.dumps(to_json(report), ensure_ascii=False, indent=2) + "\n"
        if args.json == "-":
            sys.stdout.write(text)
        else:
            Path(args.json).write_text(text, encoding="utf-8")
    if args.html:
        Path(args.html).write_text(render_html(report), encoding="utf-8")
    if args.apply:
        ids = report.ids()
        if not ids:
            console.print("nothing to apply")
            return 0
        accepted = _choose(ids, args)
        if not accepted:
            console.print("nothing accepted; the scenario is unchanged")
            return 0
        applied = apply_changes(scenario_path, report.changes(accepted))
        diff = difflib.unified_diff(applied.old.splitlines(), applied.new.splitlines(),
                                    str(scenario_path), str(scenario_path), lineterm="", n=1)
        for line in diff:
            style = "green" if line.startswith("+") else "red" if line.startswith("-") else ""
            console.print(line, style=style, markup=False)
        console.print(f"applied {', '.join(accepted)} to {scenario_path}; it validates")
    return 0
