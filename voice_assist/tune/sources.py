"""Labeled utterances from call tests and call records, and `load_corpus` over every source.

Call tests give their turns along the expected path; call records give the steps the operator
corrected by hand and the "no suitable answer" texts (docs/tune.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..errors import CorpusError
from ..events import Final, Matched, OperatorCommand, StepEntered
from ..scenario import Scenario
from .corpus import (
    CALLTEST_SUFFIXES,
    CORPUS_SUFFIXES,
    STORE_SUFFIXES,
    Corpus,
    Transcriber,
    Utterance,
    as_text,
    labels_at,
    load_corpus_file,
    parse_file,
    same_scenario,
)

# ---- call tests ------------------------------------------------------------------------------


def answer_leading_to(scenario: Scenario, step_id: str, target: str) -> str | None:
    """The one answer at `step_id` whose `next` is `target` (None if none or several)."""
    step = scenario.step(step_id)
    ids = {a.id for a in step.answers if a.next == target}
    ids |= {
        g.id
        for g in scenario.global_answers
        if g.next == target and (g.steps is None or step_id in g.steps)
    }
    return next(iter(ids)) if len(ids) == 1 else None


def load_calltest(
    path: Path, scenario: Scenario, scenario_path: Path | None, transcribe: Transcriber | None
) -> tuple[list[Utterance], list[str]]:
    """Turns of a call test labeled along its expected path: turn i at path[i] expects the answer
    leading to path[i + 1]; turns after the end of the path expect no answer."""
    src = parse_file(path)
    data = src.data
    if not isinstance(data, dict):
        raise CorpusError(f"{path}: a call test is a mapping (scenario, turns | audio, expect)")
    notes: list[str] = []
    other = data.get("scenario")
    if isinstance(other, str) and not same_scenario(path.parent / other, scenario, scenario_path):
        return [], [f"{path}: skipped, it tests another scenario ({other})"]
    expect = data.get("expect")
    steps = expect.get("path") if isinstance(expect, dict) else None
    if not isinstance(steps, list) or not steps or not all(isinstance(s, str) for s in steps):
        raise CorpusError(f"{path}: 'expect.path' must be a list of step ids")
    turns = data.get("turns")
    if isinstance(turns, list):
        texts = [str(as_text(t)) for t in turns]
    elif isinstance(data.get("audio"), str):
        if transcribe is None:
            return [], [f"{path}: skipped, audio call tests need a speech engine (see --engine)"]
        channel = data.get("channel", 0)
        texts = transcribe((path.parent / data["audio"]).resolve(), int(channel))
    else:
        raise CorpusError(f"{path}: a call test needs 'turns' or 'audio'")
    out: list[Utterance] = []
    for i, text in enumerate(texts):
        at = steps[min(i, len(steps) - 1)]
        line, _ = src.where(("turns", i)) if isinstance(turns, list) else (None, None)
        where = f"{path}:{line}" if line is not None else f"{path} turn {i + 1}"
        if not scenario.has_step(at):
            notes.append(f"{where}: skipped, no step '{at}' in the scenario")
            continue
        if i + 1 < len(steps):
            label = answer_leading_to(scenario, at, steps[i + 1])
            if label is None:
                notes.append(f"{where}: skipped, no single answer of '{at}' leads to "
                             f"'{steps[i + 1]}'")
                continue
        else:
            label = None
        out.append(Utterance(at, text, label, where))
    return out, notes


# ---- call records ----------------------------------------------------------------------------


def labeled_from_events(events: Iterable[Any], where: str) -> Iterator[Utterance]:
    """Labels a call's events hold: an operator's choice labels the latest final heard at that
    step before it; a "no suitable answer" text is labeled null at the step it was given."""
    step: str | None = None
    latest: dict[str, tuple[str, float]] = {}
    for ev in events:
        if isinstance(ev, StepEntered):
            step = ev.step
        elif isinstance(ev, Final) and step is not None and ev.text.strip():
            latest[step] = (ev.text, ev.at_s)
        elif isinstance(ev, Matched) and ev.source == "operator":
            heard = latest.pop(ev.step, None)
            if heard is not None:
                yield Utterance(ev.step, heard[0], ev.answer, f"{where} at {heard[1]:.1f} s")
        elif (isinstance(ev, OperatorCommand) and ev.action == "no_answer"
              and step is not None and ev.value.strip()):
            latest.pop(step, None)
            yield Utterance(step, ev.value, None, f"{where} at {ev.at_s:.1f} s")


def load_calls(path: Path, scenario: Scenario) -> tuple[list[Utterance], list[str]]:
    """Labeled utterances of every call of this scenario in a call-record database."""
    from ..store import CallStore

    out: list[Utterance] = []
    notes: list[str] = []
    other = 0
    with CallStore(path, create=False) as store:
        for call_id in store.call_ids():
            if store.header(call_id).scenario_id != scenario.id:
                other += 1
                continue
            for u in labeled_from_events(store.events(call_id), f"{path} call {call_id}"):
                if not scenario.has_step(u.step):
                    notes.append(f"{u.source}: skipped, no step '{u.step}' in the scenario now")
                elif u.expect is not None and u.expect not in labels_at(scenario, u.step):
                    notes.append(f"{u.source}: skipped, answer '{u.expect}' is no longer at "
                                 f"step '{u.step}'")
                else:
                    out.append(u)
    if other:
        notes.append(f"{path}: {other} calls of other scenarios skipped")
    return out, notes


# ---- everything ------------------------------------------------------------------------------


def corpus_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Expand folders into corpus files, call tests and call-record databases (sorted)."""
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            yield from sorted(
                f for f in p.rglob("*")
                if f.is_file() and f.name.endswith(CORPUS_SUFFIXES + CALLTEST_SUFFIXES
                                                   + STORE_SUFFIXES)
            )
        elif p.exists():
            yield p
        else:
            raise CorpusError(f"{p}: no such file or folder")


def load_corpus(
    paths: Iterable[str | Path],
    scenario: Scenario,
    scenario_path: Path | None = None,
    transcribe: Transcriber | None = None,
) -> Corpus:
    """Every labeled utterance of these files and folders."""
    corpus = Corpus()
    for path in corpus_files(paths):
        corpus.sources.append(str(path))
        name = path.name
        if name.endswith(CALLTEST_SUFFIXES):
            items, notes = load_calltest(path, scenario, scenario_path, transcribe)
        elif name.endswith(STORE_SUFFIXES):
            items, notes = load_calls(path, scenario)
        else:
            items, notes = load_corpus_file(path, scenario, transcribe, scenario_path)
        corpus.utterances += items
        corpus.notes += notes
    if not corpus.sources:
        raise CorpusError("no corpus files (*.corpus.yaml|json, *.calltest.yaml, *.db) in "
                          + ", ".join(str(p) for p in paths))
    return corpus
