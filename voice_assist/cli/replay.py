"""`voice-assist replay RECORDING... --scenario S`: quality control of recorded calls.

One recording: a report (JSON and/or HTML) and a short summary on stdout. Several (files,
folders, list files): a progress bar, `--workers` processes, a summary table (CSV and HTML) per
call with per-branch statistics, and one HTML report per call.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..errors import CheckFailed, VoiceAssistError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "replay",
        help="quality control: replay recorded calls, check script adherence, write reports",
        description="Replay recorded calls through a scenario: the customer's channel drives the "
        "scenario as live, the operator's channel is transcribed and checked against each "
        "step's line (verbatim steps strictly), reminders, required fields and transfers. "
        "Mono recordings: the customer's side only. Several recordings (or folders, or list "
        "files with one path a line) give a summary with per-branch statistics.",
    )
    p.add_argument("recordings", nargs="+", metavar="RECORDING",
                   help="WAV recordings, folders of them, or list files")
    p.add_argument("--scenario", required=True, metavar="S", help="scenario file (YAML or JSON)")
    p.add_argument("--operator-channel", type=int, default=0, metavar="N",
                   help="the operator's channel of a stereo recording (default 0)")
    p.add_argument("--customer-channel", type=int, default=1, metavar="N",
                   help="the customer's channel of a stereo recording (default 1)")
    p.add_argument("--engine", default="auto", choices=["auto", "vosk", "pocketsphinx"],
                   help="speech engine (default auto)")
    p.add_argument("--model", metavar="PATH", help="Vosk model directory")
    p.add_argument("--json", metavar="OUT", help="write the report (batch: all reports and the "
                   "statistics) as JSON")
    p.add_argument("--html", metavar="OUT", help="write the HTML report (batch: a folder with "
                   "index.html, summary.csv and one page per call)")
    p.add_argument("--csv", metavar="OUT", help="write the summary table per call as CSV")
    p.add_argument("--workers", type=int, default=1, metavar="N",
                   help="replay N recordings at once in separate processes (default 1)")
    p.add_argument("--goal", metavar="STEP", help="the final step for conversion figures "
                   "(default: the end step farthest from the start)")
    p.add_argument("--min-score", type=float, metavar="X",
                   help="exit 1 when a call scores below X (or could not be replayed)")
    p.add_argument("--db", metavar="PATH", help="also save each replayed call in this call store")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..qc.batch import Job, branch_stats, expand, run_batch
    from ..scenario import load_checked

    scenario = load_checked(args.scenario)
    if args.goal and not scenario.has_step(args.goal):
        raise VoiceAssistError(f"--goal: no step '{args.goal}' in {args.scenario}")
    if args.workers < 1:
        raise VoiceAssistError(f"--workers must be at least 1, got {args.workers}")
    recordings = expand(args.recordings)
    jobs = [
        Job(r, str(Path(args.scenario).resolve()), args.engine, args.model,
            args.customer_channel, args.operator_channel)
        for r in recordings
    ]
    single = len(jobs) == 1 and Path(args.recordings[0]).suffix.lower() in (".wav", ".wave")
    progress = not args.quiet and sys.stderr.isatty() and not single
    outcomes = run_batch(jobs, args.workers, progress=progress)
    if args.db:
        _save(outcomes, args, scenario)
    if single:
        outcome = outcomes[0]
        if outcome.report is None:
            raise VoiceAssistError(outcome.error or "replay failed")
        _single(outcome.report, scenario, args)
    else:
        stats = branch_stats([o.report for o in outcomes if o.report], scenario, args.goal)
        _batch(outcomes, stats, scenario, args)
    if args.min_score is not None:
        low = [o for o in outcomes if o.report is None or (o.report.score or 0) < args.min_score]
        if low:
            raise CheckFailed(
                f"{len(low)} of {len(outcomes)} calls below {args.min_score:g}: "
                + ", ".join(Path(o.recording).name for o in low)
            )
    return 0


def _single(report: Any, scenario: Any, args: argparse.Namespace) -> None:
    from ..qc.report_html import write_html
    from ..qc.report_json import to_json, write_json

    if args.json:
        write_json(to_json(report), args.json)
    if args.html:
        write_html(report, scenario, args.html)
    score = "n/a (mono: customer side only)" if report.score is None else f"{report.score:.1f}"
    print(f"{report.recording}: adherence {score}; path {' > '.join(report.path)}; "
          f"ended {report.outcome} ({report.ended_reason})")
    for f in report.findings:
        print(f"  {f.at_s:7.1f}s  {f.kind}: {f.message}")
    for note in report.notes:
        print(f"  note: {note}")


def _batch(outcomes: list[Any], stats: Any, scenario: Any, args: argparse.Namespace) -> None:
    from ..qc.batch import stats_json
    from ..qc.report_html import render
    from ..qc.report_json import to_json, write_json
    from ..qc.summary import to_csv, to_html, write_text

    pages: dict[str, str] = {}
    if args.html:
        out = Path(args.html)
        used: set[str] = set()
        for o in outcomes:
            if o.report is None:
                continue
            name = Path(o.recording).stem
            while name in used:
                name += "_"
            used.add(name)
            pages[o.recording] = f"calls/{name}.html"
            write_text(out / pages[o.recording], render(o.report, scenario))
        write_text(out / "summary.csv", to_csv(outcomes, pages))
        write_text(out / "index.html", to_html(outcomes, stats, scenario.title, pages))
    if args.csv:
        write_text(Path(args.csv), to_csv(outcomes, pages))
    if args.json:
        write_json({
            "format": "voice-assist-qc-batch/1",
            "calls": [to_json(o.report) for o in outcomes if o.report],
            "errors": [{"recording": o.recording, "error": o.error} for o in outcomes if o.error],
            "stats": stats_json(stats),
        }, args.json)
    width = max(len(Path(o.recording).name) for o in outcomes)
    for o in outcomes:
        name = Path(o.recording).name.ljust(width)
        if o.report is None:
            print(f"{name}  error: {o.error}")
        else:
            s = "  n/a" if o.report.score is None else f"{o.report.score:5.1f}"
            kinds = ", ".join(f"{f.kind}:{f.subject}" for f in o.report.findings) or "-"
            print(f"{name}  {s}  {o.report.outcome:<12} {kinds}")
    mean = "n/a" if stats.mean_score is None else f"{stats.mean_score:.1f}"
    print(f"{stats.calls} calls replayed, {sum(1 for o in outcomes if o.error)} failed, "
          f"mean adherence {mean}")


def _save(outcomes: list[Any], args: argparse.Namespace, scenario: Any) -> None:
    """Save each replayed call (its customer-side events) in the call store."""
    from .. import events as ev
    from ..store import CallStore
    from ._call import scenario_version

    with CallStore(args.db) as store:
        for o in outcomes:
            if o.report is None:
                continue
            call_id = store.start_call(
                scenario_id=scenario.id, scenario_version=scenario_version(args.scenario),
                scenario_path=str(Path(args.scenario).resolve()), operator="",
                source=f"replay {o.recording}", engine=o.report.engine,
            )
            ended = None
            for e in o.events:
                store.append(call_id, e)
                if isinstance(e, ev.CallEnded):
                    ended = e
            store.end_call(call_id, outcome=ended.outcome if ended else "",
                           reason=ended.reason if ended else "end_of_audio",
                           duration_s=o.report.timings.duration_s)
