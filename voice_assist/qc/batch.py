"""Replay many recordings (a folder, a list file, or files) with a progress bar and N worker
processes, and compute per-branch statistics of the scenario over the calls.

Each worker loads the scenario and its own engines; results come back as picklable reports
(plus the call's events, so the parent alone writes the call store: one SQLite writer).
"""

from __future__ import annotations

import multiprocessing
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import AudioError, VoiceAssistError
from ..scenario import load_checked
from ..scenario.models import Scenario
from . import graph
from .replay import replay
from .report import QcReport, build

AUDIO_SUFFIXES = (".wav", ".wave")


@dataclass(frozen=True)
class Job:
    """One recording to replay, with everything a worker process needs to do it alone."""

    recording: str
    scenario_path: str
    engine: str = "auto"
    model: str | None = None
    customer_channel: int = 1
    operator_channel: int = 0


@dataclass(frozen=True)
class Outcome:
    """A replayed recording: its report, or the error that stopped it."""

    recording: str
    report: QcReport | None
    error: str | None
    elapsed_s: float
    events: tuple[Any, ...] = ()


def expand(inputs: Sequence[str]) -> list[str]:
    """Recordings named by files, folders (their WAVs, recursively, sorted) and list files
    (any other file: one recording per line, `#` comments, paths relative to the list)."""
    out: list[str] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            found = sorted(str(f) for f in p.rglob("*") if f.suffix.lower() in AUDIO_SUFFIXES)
            if not found:
                raise AudioError(f"{p}: no .wav recordings in this folder")
            out += found
        elif p.suffix.lower() in AUDIO_SUFFIXES or not p.exists():
            out.append(str(p))
        else:
            try:
                text = p.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise AudioError(f"{p}: not a WAV recording nor a readable list: {exc}") from None
            for line in text.splitlines():
                line = line.split("#", 1)[0].strip()
                if line:
                    out.append(str(p.parent / line) if not Path(line).is_absolute() else line)
    if not out:
        raise AudioError("no recordings given")
    return out


@lru_cache(maxsize=4)
def _scenario(path: str) -> Scenario:
    return load_checked(path)


def run_job(job: Job) -> Outcome:
    """Replay one recording (in whatever process); user errors become the outcome's error."""
    started = time.perf_counter()
    try:
        result = replay(
            job.recording,
            _scenario(job.scenario_path),
            engine=job.engine,
            model=job.model,
            customer_channel=job.customer_channel,
            operator_channel=job.operator_channel,
        )
        report = build(result)
        return Outcome(job.recording, report, None, time.perf_counter() - started,
                       tuple(result.call.events))
    except VoiceAssistError as exc:
        return Outcome(job.recording, None, str(exc), time.perf_counter() - started)


def run_batch(
    jobs: Sequence[Job],
    workers: int = 1,
    *,
    progress: bool = True,
    on_done: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Run the jobs with `workers` processes (1: in this process); results in input order."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    if workers < 1:
        raise VoiceAssistError(f"--workers must be at least 1, got {workers}")
    results: dict[int, Outcome] = {}
    columns = (TextColumn("replay"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TextColumn("{task.description}"))
    with Progress(*columns, disable=not progress, transient=False) as bar:
        task = bar.add_task("", total=len(jobs))

        def done(i: int, outcome: Outcome) -> None:
            results[i] = outcome
            if on_done:
                on_done(outcome)
            bar.update(task, advance=1, description=Path(outcome.recording).name)

        if workers == 1 or len(jobs) == 1:
            for i, job in enumerate(jobs):
                done(i, run_job(job))
        else:
            ctx = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
                futures: dict[Future[Outcome], int] = {
                    pool.submit(run_job, job): i for i, job in enumerate(jobs)
                }
                for fut in as_completed(futures):
                    done(futures[fut], fut.result())
    return [results[i] for i in range(len(jobs))]


# -- statistics ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BranchStats:
    """How the calls went through the scenario (see docs/qc.md for each figure)."""

    calls: int
    goal: str | None
    answers: tuple[dict[str, Any], ...]  # step, answer, calls, reached_goal, conversion
    ended: tuple[dict[str, Any], ...]  # step, outcome, calls
    lowest_steps: tuple[dict[str, Any], ...]  # step, visits, mean_score, not_said, deviated
    no_match: tuple[dict[str, Any], ...]  # recording, step, at_s, heard
    mean_score: float | None
    findings: dict[str, int] = field(default_factory=dict)


def goal_step(scenario: Scenario) -> str | None:
    """The default "final step": the end step farthest from the start (the full conversation)."""
    depth = graph.layers(scenario)
    ends = [s.id for s in scenario.steps if s.end]
    return max(ends, key=lambda s: (depth[s], -ends.index(s))) if ends else None


def branch_stats(reports: Iterable[QcReport], scenario: Scenario, goal: str | None = None,
                 lowest: int = 5) -> BranchStats:
    reps = list(reports)
    goal = goal or goal_step(scenario)
    took: dict[tuple[str, str], list[QcReport]] = defaultdict(list)
    for r in reps:
        for key in dict.fromkeys((m.step, m.answer) for m in r.advances):
            took[key].append(r)
    order = {s.id: i for i, s in enumerate(scenario.steps)}
    answers = []
    ranked = sorted(took.items(), key=lambda kv: (order.get(kv[0][0], 1e9), kv[0][1]))
    for (step, answer), rs in ranked:
        reached = sum(goal in r.path for r in rs) if goal else 0
        answers.append({"step": step, "answer": answer, "calls": len(rs), "reached_goal": reached,
                        "conversion": round(reached / len(rs), 3)})
    ends = Counter((r.ended_step or "", r.outcome) for r in reps)
    ended = [{"step": s, "outcome": o, "calls": n} for (s, o), n in ends.most_common()]
    per_step: dict[str, list[float]] = defaultdict(list)
    flags: dict[str, Counter[str]] = defaultdict(Counter)
    for r in reps:
        for s in r.steps:
            if s.mode in ("strict", "keywords"):
                per_step[s.step].append(s.score)
                flags[s.step][s.status] += 1
    low = sorted(
        ({"step": k, "visits": len(v), "mean_score": round(sum(v) / len(v), 1),
          "not_said": flags[k]["not_said"], "deviated": flags[k]["deviated"]}
         for k, v in per_step.items()),
        key=lambda d: (d["mean_score"], d["step"]),
    )[:lowest]
    nomatch = [{"recording": r.recording, "step": n.step, "at_s": n.at_s, "heard": n.heard}
               for r in reps for n in r.no_match]
    scores = [r.score for r in reps if r.score is not None]
    kinds = Counter(f.kind for r in reps for f in r.findings)
    return BranchStats(
        calls=len(reps), goal=goal, answers=tuple(answers), ended=tuple(ended),
        lowest_steps=tuple(low), no_match=tuple(nomatch),
        mean_score=round(sum(scores) / len(scores), 1) if scores else None,
        findings=dict(sorted(kinds.items())),
    )


def stats_json(s: BranchStats) -> dict[str, Any]:
    return {
        "calls": s.calls, "goal": s.goal, "mean_score": s.mean_score, "findings": s.findings,
        "answers": list(s.answers), "ended": list(s.ended), "lowest_steps": list(s.lowest_steps),
        "no_match": list(s.no_match),
    }
