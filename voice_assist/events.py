"""The values that flow through voice-assist, left to right.

Every event carries `at_s`: the audio time (seconds of samples consumed) at which it happened.
Audio time is the only clock, so a file replayed at full speed and in real time give the same
events. `to_json` gives the stable JSON-lines form (`type` is the snake_case class name).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any, Literal

SAMPLE_RATE_HZ = 16_000
"""The rate every audio source delivers and every engine consumes: 16 kHz mono int16."""


@dataclass(frozen=True)
class AudioChunk:
    """A slice of 16 kHz mono int16 PCM; `at_s` is the audio time of its first sample."""

    pcm: bytes
    at_s: float
    rate_hz: int = SAMPLE_RATE_HZ

    @property
    def duration_s(self) -> float:
        return len(self.pcm) / 2 / self.rate_hz

    @property
    def end_s(self) -> float:
        return self.at_s + self.duration_s


@dataclass(frozen=True)
class Word:
    """One recognised word with its audio span and the engine's confidence (0..1)."""

    word: str
    start_s: float
    end_s: float
    conf: float = 1.0


@dataclass(frozen=True)
class Partial:
    """An interim hypothesis of the utterance in progress; it may still change.

    `words` carry times where the engine gives them without delay (PocketSphinx from its live
    first-pass segmentation, the scripted engine); Vosk partials are text only, their times
    would come up to 1.8 s late (see `asr/vosk.py`). `free` marks a hypothesis decoded without
    the step's vocabulary even while the engine is biased (PocketSphinx's live decoder): a second
    opinion a spotted final may be checked with.
    """

    text: str
    at_s: float
    start_s: float = 0.0
    words: tuple[Word, ...] = ()
    free: bool = False


@dataclass(frozen=True)
class Final:
    """The settled text of one utterance, with word times where the engine gives them."""

    text: str
    at_s: float
    words: tuple[Word, ...] = ()
    start_s: float = 0.0
    free_text: str | None = None
    """The unbiased transcript of the same audio when the engine decoded with a vocabulary."""
    alternatives: tuple[str, ...] = ()
    """Other readings of `heard` the engine found plausible (PocketSphinx: a spoken number
    decoded digit by digit); a field may take the one that fits its format."""

    @property
    def heard(self) -> str:
        """Everything the customer said, as fully as the engine heard it (free text if any)."""
        return self.free_text or self.text


@dataclass(frozen=True)
class Matched:
    """An answer was chosen (by speech or by the operator), with its explanation."""

    at_s: float
    step: str
    answer: str
    next: str | None
    score: float
    heard: str
    phrase: str = ""
    matched_words: tuple[str, ...] = ()
    latency_ms: float | None = None
    source: Literal["speech", "operator"] = "speech"
    is_global: bool = False
    runner_up: str | None = None
    runner_up_score: float | None = None


@dataclass(frozen=True)
class StepEntered:
    """The scenario entered a step; `say` is the operator's line with known fields filled."""

    at_s: float
    step: str
    stage: str | None
    say: str
    verbatim: bool = False
    previous: str | None = None
    via: str = "start"  # start | answer | global | resume | goto | undo | next


@dataclass(frozen=True)
class AnswerScores:
    """Live match scores of the current step's answers for the utterance in progress."""

    at_s: float
    step: str
    scores: tuple[tuple[str, float], ...]  # (answer id, score 0..100), best first
    final: bool = False


@dataclass(frozen=True)
class ReminderDue:
    """A reminder must be shown now."""

    at_s: float
    reminder: str
    text: str
    step: str | None = None


@dataclass(frozen=True)
class FieldCaptured:
    """A field got a value; `confirmed` is False while it is only heard from speech."""

    at_s: float
    field: str
    value: str
    heard: str = ""
    confirmed: bool = False
    source: Literal["speech", "operator"] = "speech"


@dataclass(frozen=True)
class TransferSuggested:
    """Phrases of a transfer rule were heard: suggest transferring the call."""

    at_s: float
    transfer: str
    target: str
    say: str
    heard: str = ""


@dataclass(frozen=True)
class SilenceNoticed:
    """The customer has said nothing for `silent_s` after the operator's line."""

    at_s: float
    silent_s: float
    text: str
    step: str | None = None


@dataclass(frozen=True)
class NoMatch:
    """A final utterance matched no answer of the current step (kept for the scriptwriter)."""

    at_s: float
    step: str
    heard: str
    reason: str
    best: str | None = None
    best_score: float | None = None


@dataclass(frozen=True)
class OperatorCommand:
    """Something the operator did: it enters the session at the same door as speech.

    `action` is one of: choose (arg=answer id), goto (arg=step id), undo, fill (arg=field id,
    value), confirm (arg=field id), no_answer (value=what the customer said), transfer
    (arg=transfer id or target), dismiss (arg=reminder id), end (value=outcome).
    """

    at_s: float
    action: str
    arg: str = ""
    value: str = ""


@dataclass(frozen=True)
class Tick:
    """Audio time has reached `at_s` (fed to the session per chunk so timers can fire)."""

    at_s: float


@dataclass(frozen=True)
class CallEnded:
    """The call is over; `reason` says why (operator, end_step, end_of_audio, device_lost...)."""

    at_s: float
    reason: str
    outcome: str = ""
    step: str | None = None


@dataclass(frozen=True)
class Notice:
    """A message for the operator from the machinery (device trouble, engine warnings)."""

    at_s: float
    level: Literal["info", "warning", "error"]
    text: str
    extra: dict[str, Any] = field(default_factory=dict)


SpeechEvent = Partial | Final
EVENT_CLASSES: tuple[type[Any], ...] = (
    Partial,
    Final,
    Matched,
    AnswerScores,
    StepEntered,
    ReminderDue,
    FieldCaptured,
    TransferSuggested,
    SilenceNoticed,
    NoMatch,
    OperatorCommand,
    CallEnded,
    Notice,
)
"""Every event that flows to sinks (and into call records)."""


def type_name(cls: type[Any]) -> str:
    """`StepEntered` -> `step_entered`."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()


EVENT_TYPES: dict[str, type[Any]] = {type_name(cls): cls for cls in EVENT_CLASSES}


def to_json(event: Any) -> dict[str, Any]:
    """The stable JSON form of an event: `{"type": ..., "at_s": ..., **fields}`."""
    data = dataclasses.asdict(event)
    if "words" in data:
        data["words"] = [dict(w) for w in data["words"]]
    for key in ("matched_words", "alternatives"):
        if key in data:
            data[key] = list(data[key])
    return {"type": type_name(type(event)), **data}


def from_json(data: dict[str, Any]) -> Any:
    """Inverse of `to_json` (unknown keys are ignored, so newer logs still load)."""
    cls = EVENT_TYPES[data["type"]]
    names = {f.name for f in dataclasses.fields(cls)}
    kwargs = {k: v for k, v in data.items() if k in names}
    if cls in (Final, Partial) and "words" in kwargs:
        kwargs["words"] = tuple(Word(**w) for w in kwargs["words"])
    for key in ("matched_words", "alternatives"):
        if key in kwargs:
            kwargs[key] = tuple(kwargs[key])
    if cls is AnswerScores and "scores" in kwargs:
        kwargs["scores"] = tuple((a, s) for a, s in kwargs["scores"])
    return cls(**kwargs)
