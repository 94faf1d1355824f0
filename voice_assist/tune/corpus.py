"""Labeled utterances (`Utterance`) and corpus files, the scriptwriter's own source of them.

A label is the answer the customer gave at a step (None: no answer of that step fits). Corpus
files are documented in docs/tune.md; call tests and call records are read in `sources`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import CorpusError, ScenarioError, VoiceAssistError
from ..scenario import Scenario, load_scenario
from ..scenario.loader import ScenarioSource, key_path, parse_text

CORPUS_SUFFIXES = (".corpus.yaml", ".corpus.yml", ".corpus.json")
CALLTEST_SUFFIXES = (".calltest.yaml", ".calltest.yml")
STORE_SUFFIXES = (".db", ".sqlite", ".sqlite3")
_ITEM_KEYS = ("step", "text", "texts", "audio", "channel", "expect")

Transcriber = Callable[[Path, int], list[str]]
"""Audio file and channel -> the final texts heard in it, in order (one per utterance)."""


@dataclass(frozen=True)
class Utterance:
    """What a customer said at a step and the answer it should select (None: none fits)."""

    step: str
    text: str
    expect: str | None
    source: str  # where it came from: "file:line", "calls.db call 12 at 31.2 s"


@dataclass
class Corpus:
    """The labeled utterances of every source, plus what was skipped and why."""

    utterances: list[Utterance] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def labels_at(scenario: Scenario, step_id: str) -> list[str]:
    """The answer ids that can be selected at a step: its own, then the global ones there."""
    step = scenario.step(step_id)
    own = [a.id for a in step.answers]
    glob = [
        g.id
        for g in scenario.global_answers
        if (g.steps is None or step_id in g.steps) and g.id not in own
    ]
    return own + glob


def _hint(name: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def as_text(value: Any) -> Any:
    """A bare yes/5/true in YAML is the word the scriptwriter wrote (as in scenarios)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value


class _Checker:
    """Validates corpus items against the scenario; errors name file:line and key."""

    def __init__(self, scenario: Scenario, src: ScenarioSource) -> None:
        self.scenario = scenario
        self.src = src
        self.errors: list[str] = []

    def fail(self, loc: tuple[Any, ...], message: str) -> None:
        line, col = self.src.where(loc)
        where = self.src.file + (f":{line}:{col}" if line is not None else "")
        key = key_path(loc)
        self.errors.append(f"{where}: {key + ': ' if key else ''}{message}")

    def line(self, loc: tuple[Any, ...]) -> str:
        line, _ = self.src.where(loc)
        return f"{self.src.file}:{line}" if line is not None else self.src.file

    def step(self, loc: tuple[Any, ...], value: Any) -> str | None:
        value = as_text(value)
        if not isinstance(value, str) or not value:
            self.fail(loc, "expected a step id")
            return None
        if not self.scenario.has_step(value):
            self.fail(loc, f"no step '{value}' in scenario '{self.scenario.id}'"
                      + _hint(value, self.scenario.step_ids))
            return None
        return value

    def expect(self, loc: tuple[Any, ...], step: str, value: Any) -> tuple[bool, str | None]:
        value = as_text(value)
        if value is None:
            return True, None
        known = labels_at(self.scenario, step)
        if not isinstance(value, str) or value not in known:
            self.fail(loc, f"'{value}' is not an answer at step '{step}' (answers: "
                      f"{', '.join(known) or 'none'}; null = no answer fits)"
                      + _hint(str(value), known))
            return False, None
        return True, value


def load_corpus_file(
    path: Path,
    scenario: Scenario,
    transcribe: Transcriber | None = None,
    scenario_path: Path | None = None,
) -> tuple[list[Utterance], list[str]]:
    """Items of one corpus file (YAML or JSON); every mistake is reported at its file:line.

    A file whose `scenario:` names another scenario is skipped (with a note), so one folder can
    hold the corpora of several scenarios.
    """
    src = parse_file(path)
    data = src.data
    prefix: tuple[Any, ...] = ()
    if isinstance(data, dict):
        other = data.get("scenario")
        if isinstance(other, str) and not same_scenario(path.parent / other, scenario,
                                                         scenario_path):
            return [], [f"{path}: skipped, it is a corpus of another scenario ({other})"]
        unknown = [k for k in data if k not in ("items", "scenario", "language", "description")]
        if unknown:
            raise CorpusError(f"{path}: unknown top-level key '{unknown[0]}' (expected items, "
                              "scenario, language, description)")
        data, prefix = data.get("items"), ("items",)
    if not isinstance(data, list):
        raise CorpusError(f"{path}: a corpus is a list of items (or a mapping with 'items:'), "
                          "each {step, text | texts | audio, expect}")
    check = _Checker(scenario, src)
    out: list[Utterance] = []
    for i, item in enumerate(data):
        loc = (*prefix, i)
        if not isinstance(item, dict):
            check.fail(loc, "an item is a mapping: {step, text | texts | audio, expect}")
            continue
        for key in item:
            if key not in _ITEM_KEYS:
                check.fail((*loc, key), "unknown key" + _hint(str(key), _ITEM_KEYS))
        if "step" not in item:
            check.fail(loc, "missing 'step'")
            continue
        if "expect" not in item:
            check.fail(loc, "missing 'expect' (an answer id, or null when no answer fits)")
            continue
        step = check.step((*loc, "step"), item["step"])
        if step is None:
            continue
        ok, expect = check.expect((*loc, "expect"), step, item["expect"])
        kinds = [k for k in ("text", "texts", "audio") if k in item]
        if len(kinds) != 1:
            check.fail(loc, "give exactly one of 'text', 'texts' or 'audio'")
            continue
        if "channel" in item and kinds[0] != "audio":
            check.fail((*loc, "channel"), "'channel' goes with 'audio'")
        if not ok:
            continue
        for text, where in _item_texts(item, kinds[0], loc, path, check, transcribe):
            out.append(Utterance(step, text, expect, where))
    if check.errors:
        raise CorpusError("\n".join(check.errors))
    return out, []


def _item_texts(
    item: dict[str, Any],
    kind: str,
    loc: tuple[Any, ...],
    path: Path,
    check: _Checker,
    transcribe: Transcriber | None,
) -> list[tuple[str, str]]:
    """(text, file:line) of each utterance of an item."""
    if kind == "text":
        value = as_text(item["text"])
        if not isinstance(value, str) or not value.strip():
            check.fail((*loc, "text"), "expected the text the customer said")
            return []
        return [(value, check.line(loc))]
    if kind == "texts":
        values = item["texts"]
        if not isinstance(values, list) or not values:
            check.fail((*loc, "texts"), "expected a list of texts")
            return []
        texts = [as_text(v) for v in values]
        for k, v in enumerate(texts):
            if not isinstance(v, str) or not v.strip():
                check.fail((*loc, "texts", k), "expected the text the customer said")
        return [
            (v, check.line((*loc, "texts", k)))
            for k, v in enumerate(texts)
            if isinstance(v, str) and v.strip()
        ]
    audio = item["audio"]
    channel = item.get("channel", 0)
    if not isinstance(audio, str) or not audio:
        check.fail((*loc, "audio"), "expected a WAV file path (relative to the corpus file)")
        return []
    if isinstance(channel, bool) or not isinstance(channel, int) or channel < 0:
        check.fail((*loc, "channel"), "expected a channel number (0 = first)")
        return []
    wav = (path.parent / audio).resolve()
    if not wav.is_file():
        check.fail((*loc, "audio"), f"no such file: {wav}")
        return []
    if transcribe is None:
        check.fail((*loc, "audio"), "audio items need a speech engine (see --engine)")
        return []
    texts = transcribe(wav, channel)
    return [(" ".join(texts), check.line(loc))]


def parse_file(path: Path) -> ScenarioSource:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise CorpusError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path}: not UTF-8 text (bad byte at offset {exc.start})") from None
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        return parse_text(text, str(path))
    except ScenarioError as exc:  # the loader's YAML/JSON syntax errors, with line and column
        raise CorpusError(str(exc)) from None


def same_scenario(other: Path, scenario: Scenario, scenario_path: Path | None) -> bool:
    """Whether `other` is this scenario: the same file or the same id. A file that cannot be
    read is given the benefit of the doubt (moved files): the step checks still apply."""
    if scenario_path is not None and other.resolve() == scenario_path.resolve():
        return True
    try:
        return load_scenario(other).id == scenario.id
    except VoiceAssistError:
        return True
