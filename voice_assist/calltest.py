"""Call tests: a scenario plus audio (or text turns) must follow the expected path.

`load_calltest` reads and checks a `*.calltest.yaml` file (every mistake is a `CallTestError`
naming file:line:col and key); `run_calltest` plays it at full speed through the real
`Pipeline` and compares the steps entered, the fields and the quiet windows with `expect`.
The result's `to_json` is the `voice-assist test --json` contract of DESIGN.md.
"""

from __future__ import annotations

import difflib
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .asr.base import Recognizer
from .audio.base import AudioSource
from .errors import CallTestError, EngineError, Problem, ScenarioError, VoiceAssistError
from .events import AudioChunk, FieldCaptured, Matched, StepEntered
from .scenario import Scenario, load_checked

SUFFIX = ".calltest.yaml"
ENGINES = ("auto", "vosk", "pocketsphinx", "text")
ACTIONS = ("choose", "goto", "next", "undo", "fill", "confirm", "transfer", "end", "dismiss")


# -- the file format ----------------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class TurnSpec(_Model):
    """A text-engine turn written as a mapping: what is said, and optionally when."""

    text: str = Field(min_length=1)
    at_s: float | None = Field(default=None, ge=0)


class OperatorSpec(_Model):
    """An operator command the test performs once, at an audio time or on an event."""

    action: Literal[
        "choose", "goto", "next", "undo", "fill", "confirm", "transfer", "end", "dismiss"
    ]
    arg: str = ""
    value: str = ""
    at_s: float | None = Field(default=None, ge=0)
    on_step: str | None = None  # right after the session enters this step (first time)
    on_field: str | None = None  # right after this field gets a value (first time)

    @model_validator(mode="after")
    def _one_trigger(self) -> OperatorSpec:
        given = [self.at_s is not None, self.on_step is not None, self.on_field is not None]
        if sum(given) != 1:
            raise ValueError("give exactly one of at_s, on_step, on_field")
        return self


class QuietSpec(_Model):
    """An audio window in which no answer may be matched (a distractor turn)."""

    from_s: float = Field(ge=0)
    to_s: float = Field(ge=0)
    note: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> QuietSpec:
        if self.to_s < self.from_s:
            raise ValueError(f"to_s ({self.to_s}) is before from_s ({self.from_s})")
        return self


class ExpectSpec(_Model):
    path: list[str] = Field(min_length=1)
    fields: dict[str, str] = Field(default_factory=dict)
    no_advance: list[QuietSpec] = Field(default_factory=list)


class CallTestSpec(_Model):
    scenario: str = Field(min_length=1)
    audio: str | None = None
    turns: list[str | TurnSpec] | None = None
    channel: int = Field(default=0, ge=0)
    engine: Literal["auto", "vosk", "pocketsphinx", "text"] | None = None
    operator: list[OperatorSpec] = Field(default_factory=list)
    expect: ExpectSpec

    @field_validator("turns")
    @classmethod
    def _some_turns(cls, v: list[str | TurnSpec] | None) -> list[str | TurnSpec] | None:
        if v is not None and not v:
            raise ValueError("'turns' is empty: give what the customer says, one item per turn")
        return v


@dataclass(frozen=True)
class CallTest:
    """A checked call-test file, with absolute paths."""

    file: Path
    scenario_path: Path
    scenario: Scenario
    expected_path: tuple[str, ...]
    expected_fields: dict[str, str]
    audio: Path | None = None
    turns: tuple[str | TurnSpec, ...] = ()
    channel: int = 0
    engine: str | None = None
    operator: tuple[OperatorSpec, ...] = ()
    no_advance: tuple[QuietSpec, ...] = ()

    @property
    def name(self) -> str:
        return self.file.name.removesuffix(SUFFIX)


def _fail(source: Any, loc: Sequence[Any], message: str) -> CallTestError:
    problem: Problem = source.problem(tuple(loc), message)
    return CallTestError(str(problem))


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "text"


_WANTED = {
    "string_type": "text",
    "float_type": "a number",
    "float_parsing": "a number",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}


def _friendly(err: dict[str, Any]) -> str:
    """Pydantic's error in the words of a call-test author."""
    kind = err["type"]
    got = err.get("input")
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "literal_error":
        expected = str(err.get("ctx", {}).get("expected", "")).replace("'", "")
        return f"must be one of {expected}; got {got!r}"
    if kind in _WANTED:
        hint = " (quote it)" if kind == "string_type" and isinstance(got, (int, float)) else ""
        return f"must be {_WANTED[kind]}, got {_kind(got)} {got!r}{hint}"
    return str(err["msg"]).removeprefix("Value error, ")


def _loc(err: dict[str, Any]) -> tuple[Any, ...]:
    """Pydantic's location without its union-branch labels (`str`, `TurnSpec`)."""
    return tuple(p for p in err["loc"] if not (isinstance(p, str) and p in ("str", "TurnSpec")))


_scenarios: dict[tuple[Path, float], Scenario] = {}


def _scenario(path: Path) -> Scenario:
    key = (path, path.stat().st_mtime)
    if key not in _scenarios:
        _scenarios[key] = load_checked(path)
    return _scenarios[key]


def load_calltest(path: str | Path) -> CallTest:
    """Read and check one call-test file; every mistake is a `CallTestError` at file:line:col."""
    from .scenario.loader import read_source

    file = Path(path)
    try:
        source = read_source(file)
    except ScenarioError as exc:
        raise CallTestError(str(exc).replace("a scenario", "a call test")) from None
    if not isinstance(source.data, dict):
        raise CallTestError(
            f"{file}:1:1: a call test is a mapping with scenario, audio or turns, and expect"
        )
    try:
        spec = CallTestSpec.model_validate(source.data)
    except ValidationError as exc:
        errors = [dict(e) for e in exc.errors(include_url=False)]
        # A union (turn: text or mapping) reports every branch: keep the mapping's errors.
        deeper = {_loc(e)[:-1] for e in errors if len(_loc(e)) > 1}
        errors = [e for e in errors if not (e["type"] == "string_type" and _loc(e) in deeper)]
        lines = []
        seen: set[tuple[Any, ...]] = set()
        for err in errors:
            loc = _loc(err)
            if loc not in seen:  # a union's second branch at the same place adds nothing
                seen.add(loc)
                at_key = err["type"] == "extra_forbidden"
                lines.append(str(source.problem(loc, _friendly(err), at_key=at_key)))
        raise CallTestError("\n".join(lines)) from None
    base = file.parent
    if (spec.audio is None) == (spec.turns is None):
        which = "both" if spec.audio is not None else "neither"
        raise _fail(source, (), f"give exactly one of 'audio' or 'turns' ({which} given)")
    scenario_path = (base / spec.scenario).resolve()
    if not scenario_path.is_file():
        raise _fail(source, ("scenario",), f"scenario file not found: {scenario_path}")
    scenario = _scenario(scenario_path)
    audio = None
    if spec.audio is not None:
        audio = (base / spec.audio).resolve()
        if not audio.is_file():
            hint = ""
            if "audio_fixtures" in audio.parts:
                hint = " (regenerate fixture calls: python audio_fixtures/make_calls.py)"
            raise _fail(source, ("audio",), f"audio file not found: {audio}{hint}")
        if spec.engine == "text":
            raise _fail(source, ("engine",), "engine 'text' plays 'turns', not audio")
        from .audio.wav import read_info

        try:
            channels = read_info(audio).channels
        except VoiceAssistError as exc:
            raise _fail(source, ("audio",), str(exc)) from None
        if spec.channel >= channels:
            raise _fail(
                source,
                ("channel",),
                f"channel {spec.channel} requested, {audio.name} has {channels} "
                f"channel{'s' if channels > 1 else ''} (0-{channels - 1})",
            )
    elif spec.engine not in (None, "auto", "text"):
        raise _fail(source, ("engine",), f"'turns' play on the text engine, not '{spec.engine}'")
    for i, step in enumerate(spec.expect.path):
        if not scenario.has_step(step):
            raise _fail(source, ("expect", "path", i), f"no step '{step}' in {scenario_path.name}")
    if spec.expect.path[0] != scenario.start:
        raise _fail(
            source,
            ("expect", "path", 0),
            f"the path starts with the start step '{scenario.start}', not '{spec.expect.path[0]}'",
        )
    known_fields = {f.id for f in scenario.fields}
    for name in spec.expect.fields:
        if name not in known_fields:
            raise _fail(source, ("expect", "fields", name), f"no field '{name}' in the scenario")
    for i, op in enumerate(spec.operator):
        if op.on_step is not None and not scenario.has_step(op.on_step):
            raise _fail(source, ("operator", i, "on_step"), f"no step '{op.on_step}'")
        if op.on_field is not None and op.on_field not in known_fields:
            raise _fail(source, ("operator", i, "on_field"), f"no field '{op.on_field}'")
    return CallTest(
        file=file,
        scenario_path=scenario_path,
        scenario=scenario,
        expected_path=tuple(spec.expect.path),
        expected_fields=dict(spec.expect.fields),
        audio=audio,
        turns=tuple(spec.turns or ()),
        channel=spec.channel,
        engine=spec.engine,
        operator=tuple(spec.operator),
        no_advance=tuple(spec.expect.no_advance),
    )


def calltest_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand files and folders (recursively) into call-test files, sorted per folder."""
    out: list[Path] = []
    for path in paths:
        p = Path(path)
        if p.is_dir():
            out += sorted(f for f in p.rglob(f"*{SUFFIX}") if f.is_file())
        elif not p.exists():
            raise CallTestError(f"{p}: no such file or folder")
        else:
            out.append(p)
    return out


# -- results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Advance:
    """One automatic or operator advance: from which step to which, why, and how fast."""

    from_step: str
    to: str | None
    answer: str
    score: float
    heard: str
    at_s: float
    latency_ms: float | None
    source: str = "speech"

    def to_json(self) -> dict[str, Any]:
        return {
            "from": self.from_step,
            "to": self.to,
            "answer": self.answer,
            "score": self.score,
            "heard": self.heard,
            "at_s": round(self.at_s, 3),
            "latency_ms": self.latency_ms,
        }


@dataclass(frozen=True)
class CallTestResult:
    """The outcome of one call test; `problems` say why it failed, in plain words."""

    file: str
    passed: bool
    path: tuple[str, ...]
    expected_path: tuple[str, ...]
    advances: tuple[Advance, ...] = ()
    fields: dict[str, str] = field(default_factory=dict)
    expected_fields: dict[str, str] = field(default_factory=dict)
    problems: tuple[str, ...] = ()
    engine: str = ""
    duration_s: float = 0.0
    elapsed_s: float = 0.0
    skipped: str | None = None

    def to_json(self) -> dict[str, Any]:
        """DESIGN.md's keys first (file, passed, path, expected_path, advances), then extras."""
        return {
            "file": self.file,
            "passed": self.passed,
            "path": list(self.path),
            "expected_path": list(self.expected_path),
            "advances": [a.to_json() for a in self.advances],
            "fields": self.fields,
            "expected_fields": self.expected_fields,
            "problems": list(self.problems),
            "engine": self.engine,
            "duration_s": round(self.duration_s, 3),
            "skipped": self.skipped,
        }


def report_json(results: Sequence[CallTestResult]) -> dict[str, Any]:
    """The `--json` document: results, and how many passed and failed (skips counted apart)."""
    return {
        "results": [r.to_json() for r in results],
        "passed": sum(1 for r in results if r.passed),
        "failed": sum(1 for r in results if not r.passed and r.skipped is None),
        "skipped": sum(1 for r in results if r.skipped is not None),
    }


def path_diff(expected: Sequence[str], actual: Sequence[str]) -> str:
    """A one-line diff of two paths: `a b [-c] [+d] e` (- expected but missing, + unexpected)."""
    parts: list[str] = []
    matcher = difflib.SequenceMatcher(a=list(expected), b=list(actual), autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts += expected[i1:i2]
        else:
            parts += [f"[-{s}]" for s in expected[i1:i2]]
            parts += [f"[+{s}]" for s in actual[j1:j2]]
    return " ".join(parts)


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def check(
    test: CallTest, path: Sequence[str], fields: dict[str, str], advances: Sequence[Advance]
) -> list[str]:
    """Every way the call differs from `expect`, as readable lines (empty: passed)."""
    problems = []
    if tuple(path) != test.expected_path:
        problems.append(f"path differs: {path_diff(test.expected_path, path)}")
    for name, want in test.expected_fields.items():
        got = fields.get(name)
        if got is None:
            problems.append(f"field '{name}': expected {want!r}, got nothing")
        elif not _same(got, want):
            problems.append(f"field '{name}': expected {want!r}, got {got!r}")
    for window in test.no_advance:
        for a in advances:
            if a.source == "speech" and window.from_s <= a.at_s <= window.to_s:
                what = f" ({window.note})" if window.note else ""
                problems.append(
                    f"advanced {a.from_step} -> {a.to} on {a.answer!r} at {a.at_s:.2f} s, inside "
                    f"the no-advance window {window.from_s:.2f}-{window.to_s:.2f} s{what}; "
                    f"heard {a.heard!r}"
                )
    return problems


# -- running ------------------------------------------------------------------------------------

RecognizerFactory = Callable[[str, str], Recognizer]
"""(engine, language) -> a fresh recognizer; lets a caller reuse or swap engines."""


def _default_factory(engine: str, language: str) -> Recognizer:
    from .asr import create_recognizer

    return create_recognizer(engine, language=language)


class OperatorScript:
    """Plays scripted operator commands: at audio times (`before_chunk`) or on events.

    A sink: give it to a `Pipeline` and `attach` the pipeline (the demo uses it too, so the
    bundled call presses "next" after the name and phone are heard, as an operator would).
    """

    def __init__(self, commands: Sequence[OperatorSpec]) -> None:
        self.pending = list(commands)
        self.pipeline: Any = None

    @classmethod
    def from_calltest(cls, path: str | Path) -> OperatorScript:
        return cls(load_calltest(path).operator)

    def attach(self, pipeline: Any) -> None:
        self.pipeline = pipeline

    def _fire(self, cmd: OperatorSpec) -> None:
        self.pending.remove(cmd)
        self.pipeline.submit(cmd.action, cmd.arg, cmd.value)

    def before_chunk(self, at_s: float) -> None:
        for cmd in [c for c in self.pending if c.at_s is not None and c.at_s <= at_s + 1e-9]:
            self._fire(cmd)

    def handle(self, event: Any) -> None:
        for cmd in list(self.pending):
            if (isinstance(event, StepEntered) and cmd.on_step == event.step) or (
                isinstance(event, FieldCaptured) and cmd.on_field == event.field
            ):
                self._fire(cmd)

    def close(self) -> None:
        """The call is over: let go of the pipeline (and with it the recognizer's decoders, some
        hundred MB, at once rather than at the next garbage collection)."""
        self.pipeline = None


class _TimedSource:
    """Wraps a source so timed operator commands are queued just before their chunk."""

    def __init__(self, inner: AudioSource, operator: OperatorScript) -> None:
        self.inner = inner
        self.operator = operator
        self.description = inner.description

    def chunks(self) -> Iterator[AudioChunk]:
        for chunk in self.inner.chunks():
            self.operator.before_chunk(chunk.at_s)
            yield chunk

    def close(self) -> None:
        self.inner.close()


def _advances(events: Sequence[Any]) -> list[Advance]:
    out = []
    for i, event in enumerate(events):
        if not isinstance(event, Matched):
            continue
        to = None
        for later in events[i + 1 :]:
            if isinstance(later, StepEntered):
                to = later.step
                break
            if isinstance(later, Matched):
                break
        out.append(
            Advance(
                event.step, to, event.answer, event.score, event.heard, event.at_s,
                event.latency_ms, event.source,
            )
        )
    return out


def run_calltest(
    test: CallTest,
    *,
    engine: str | None = None,
    bias: bool = True,
    factory: RecognizerFactory | None = None,
    sinks: Sequence[Any] = (),
) -> CallTestResult:
    """Run one call test at full speed; `engine` overrides the file's engine for audio tests.

    A missing engine or model (e.g. no Russian Vosk model) gives a skipped result, not a failure.
    """
    from .pipeline import Pipeline
    from .session import Session

    started = time.perf_counter()
    base = CallTestResult(
        file=str(test.file), passed=False, path=(), expected_path=test.expected_path,
        expected_fields=test.expected_fields,
    )
    source: AudioSource
    try:
        if test.audio is None:
            from .asr.scripted import ScriptedRecognizer
            from .asr.scripted import Turn as ScriptTurn
            from .audio.silence import SilenceSource

            turns = [t if isinstance(t, str) else ScriptTurn(t.text, t.at_s) for t in test.turns]
            scripted = ScriptedRecognizer(turns)
            recognizer: Recognizer = scripted
            source = SilenceSource(scripted.duration_s)
        else:
            from .audio.wav import WavSource

            name = engine if engine not in (None, "text") else (test.engine or "auto")
            recognizer = (factory or _default_factory)(name, test.scenario.language)
            source = WavSource(test.audio, channel=test.channel, realtime=False)
    except EngineError as exc:
        return _replace(base, skipped=str(exc), problems=(f"skipped: {exc}",))
    operator = OperatorScript(test.operator)
    pipeline = Pipeline(Session(test.scenario), recognizer, [operator, *sinks], bias=bias)
    operator.attach(pipeline)
    result = pipeline.run(_TimedSource(source, operator))
    close = getattr(recognizer, "close", None)
    if callable(close):
        close()
    advances = _advances(result.events)
    problems = check(test, result.path, result.fields, advances)
    if result.error:
        problems.insert(0, f"the call ended with an error: {result.error}")
    for cmd in operator.pending:
        trigger = (
            f"at {cmd.at_s} s" if cmd.at_s is not None
            else f"on step {cmd.on_step}" if cmd.on_step else f"on field {cmd.on_field}"
        )
        problems.append(f"operator command '{cmd.action}' {trigger} never ran")
    return CallTestResult(
        file=str(test.file),
        passed=not problems,
        path=tuple(result.path),
        expected_path=test.expected_path,
        advances=tuple(advances),
        fields=result.fields,
        expected_fields=test.expected_fields,
        problems=tuple(problems),
        engine=recognizer.name,
        duration_s=result.duration_s,
        elapsed_s=time.perf_counter() - started,
    )


def _replace(result: CallTestResult, **changes: Any) -> CallTestResult:
    from dataclasses import replace

    return replace(result, **changes)


def run_files(
    paths: Iterable[str | Path], *, engine: str | None = None, bias: bool = True
) -> list[CallTestResult]:
    """Load every call test first (bad files raise before anything runs), then run them."""
    tests = load_all(calltest_files(paths))
    return [run_calltest(t, engine=engine, bias=bias) for t in tests]


def load_all(files: Sequence[Path]) -> list[CallTest]:
    """Load every file; all their errors together in one `CallTestError`."""
    tests, errors = [], []
    for f in files:
        try:
            tests.append(load_calltest(f))
        except VoiceAssistError as exc:
            errors.append(str(exc))
    if errors:
        raise CallTestError("\n".join(errors))
    return tests
