"""Script adherence: did the operator say each step's line, act on reminders, fill required
fields and transfer when a transfer was suggested? Pure functions over a replay's events.

Each visit of a step owns the operator's words from its boundary to the next one. A boundary is
where the customer's answer that moved the call on began (at most `LEAD_S` before the step was
entered): the operator's next line cannot start before the customer started to answer, and the
engine decides a little after the answer ended.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..events import (
    CallEnded,
    Final,
    Matched,
    Partial,
    ReminderDue,
    StepEntered,
    TransferSuggested,
    Word,
)
from ..scenario.markup import segments
from ..scenario.models import Scenario
from ..text import tokens
from .align import Alignment, align, coverage, key_words

LEAD_S = 1.0
"""How long before a step was entered its visit may begin (the engine's decision delay)."""
PHRASE_GAP_S = 0.6
"""A pause this long between the operator's words ends a phrase (for reminders, transfers)."""
NOT_SAID = 0.34
"""Below this share of a line's key words, the line counts as never said."""
VERBATIM_OK = 0.6
"""A verbatim line read with a strict word accuracy below this is a deviation."""
SAID = 0.6
"""A reminder or transfer line counts as said when this share of its key words is heard."""


@dataclass(frozen=True)
class Visit:
    """One stay in a step: when it was entered and which audio time its operator words span."""

    step: str
    index: int
    entered_at_s: float
    start_s: float
    end_s: float
    say: str
    verbatim: bool
    via: str


@dataclass(frozen=True)
class StepCheck:
    """How the operator's words during a visit compare with the step's line."""

    step: str
    visit: int
    entered_at_s: float
    start_s: float
    end_s: float
    verbatim: bool
    mode: str  # "strict" | "keywords" | "no_line" | "not_checked"
    expected: str
    heard: str
    key_words: tuple[str, ...]
    key_words_found: tuple[str, ...]
    coverage: float  # 0..1
    accuracy: float  # 0..1, strict word accuracy
    score: float  # 0..100
    status: str  # "ok" | "deviated" | "not_said" | "no_line" | "not_checked"
    alignment: Alignment | None


@dataclass(frozen=True)
class ReminderCheck:
    reminder: str
    text: str
    step: str | None
    due_at_s: float
    key_words: tuple[str, ...]
    key_words_found: tuple[str, ...]
    coverage: float
    said: bool
    said_at_s: float | None
    heard: str


@dataclass(frozen=True)
class FieldCheck:
    field: str
    label: str
    required: bool
    value: str | None
    asked: bool  # a step capturing it was visited

    @property
    def empty(self) -> bool:
        return not self.value


@dataclass(frozen=True)
class TransferCheck:
    transfer: str
    target: str
    suggested_at_s: float
    heard: str
    done: bool
    how: str  # "step" | "ended" | "said" | ""
    done_at_s: float | None


@dataclass(frozen=True)
class Phrase:
    """A run of the operator's words without a long pause."""

    start_s: float
    end_s: float
    words: tuple[str, ...]


# -- words and visits --------------------------------------------------------------------------


def operator_words(finals: Sequence[Final]) -> list[Word]:
    """Every operator word with its times (spread evenly where the engine gave none)."""
    out: list[Word] = []
    for f in finals:
        if f.words:
            out += list(f.words)
            continue
        said = f.text.split()
        span = max(f.at_s - f.start_s, 0.01)
        out += [
            Word(w, f.start_s + span * i / len(said), f.start_s + span * (i + 1) / len(said))
            for i, w in enumerate(said)
        ]
    return sorted(out, key=lambda w: w.start_s)


def phrases(words: Sequence[Word]) -> list[Phrase]:
    out: list[list[Word]] = []
    for w in words:
        if out and w.start_s - out[-1][-1].end_s < PHRASE_GAP_S:
            out[-1].append(w)
        else:
            out.append([w])
    return [Phrase(p[0].start_s, p[-1].end_s, tuple(x.word for x in p)) for p in out]


def visits(events: Sequence[object], duration_s: float) -> list[Visit]:
    """The visits of steps in order, each with the span of audio its operator words come from."""
    raw: list[tuple[StepEntered, float]] = []
    utterance_start: float | None = None
    for e in events:
        if isinstance(e, (Partial, Final)):
            utterance_start = e.words[0].start_s if e.words else e.start_s
        elif isinstance(e, StepEntered):
            start = e.at_s
            if raw and e.via in ("answer", "global", "resume"):
                start = e.at_s - LEAD_S
                if utterance_start is not None and utterance_start > start:
                    start = utterance_start
                start = max(start, raw[-1][1])
            raw.append((e, min(start, e.at_s)))
            utterance_start = None
    out: list[Visit] = []
    seen: dict[str, int] = {}
    for i, (e, start) in enumerate(raw):
        end = raw[i + 1][1] if i + 1 < len(raw) else max(duration_s, e.at_s)
        seen[e.step] = seen.get(e.step, 0) + 1
        out.append(Visit(e.step, seen[e.step], e.at_s, start, end, e.say, e.verbatim, e.via))
    return out


def spoken_words(say: str, language: str) -> list[str]:
    """The words of a line the operator is to speak; unknown `{field}` values are left out."""
    text = " ".join(
        s.text for s in segments(say) if s.kind in ("text", "stress")
    )
    return tokens(text, language)


# -- checks --------------------------------------------------------------------------------------


def check_step(visit: Visit, words: Sequence[Word], language: str) -> StepCheck:
    """Compare the operator's words in a visit with the line (strict if verbatim)."""
    expected = spoken_words(visit.say, language)
    inside = [w for w in words if visit.start_s <= w.start_s < visit.end_s]
    heard = [t for w in inside for t in tokens(w.word, language)]
    if not expected:
        return StepCheck(
            visit.step, visit.index, visit.entered_at_s, round(visit.start_s, 2),
            round(visit.end_s, 2), visit.verbatim, "no_line", "", " ".join(heard), (), (), 1.0,
            1.0, 100.0, "no_line", None,
        )
    wanted = key_words(" ".join(expected), language)
    cov, found = coverage(wanted, heard, language)
    alignment = align(expected, heard, language)
    accuracy = alignment.accuracy
    score = accuracy if visit.verbatim else cov
    if cov < NOT_SAID:
        status, score = "not_said", 0.0
    elif visit.verbatim and accuracy < VERBATIM_OK:
        status = "deviated"
    else:
        status = "ok"
    return StepCheck(
        visit.step, visit.index, visit.entered_at_s, round(visit.start_s, 2),
        round(visit.end_s, 2), visit.verbatim, "strict" if visit.verbatim else "keywords",
        " ".join(expected), " ".join(heard), tuple(wanted), tuple(found), round(cov, 3),
        round(accuracy, 3), round(score * 100, 1), status, alignment,
    )


def unchecked_step(visit: Visit) -> StepCheck:
    """A visit whose operator side was not recorded (mono recording)."""
    return StepCheck(
        step=visit.step, visit=visit.index, entered_at_s=visit.entered_at_s,
        start_s=round(visit.start_s, 2), end_s=round(visit.end_s, 2), verbatim=visit.verbatim,
        mode="not_checked", expected=visit.say, heard="", key_words=(), key_words_found=(),
        coverage=0.0, accuracy=0.0, score=0.0, status="not_checked", alignment=None,
    )


_QUOTED = re.compile(r"(?<!\w)['\"“‘«„]([^'\"“”‘’«»„]{3,}?)['\"”’»“](?!\w)")


def reminder_words(text: str, language: str) -> list[str]:
    """What saying a reminder means: the quoted words if it quotes any, else its key words."""
    quoted = _QUOTED.findall(text)
    return key_words(" ".join(quoted) if quoted else text, language)


def best_phrase(
    wanted: Sequence[str], spoken: Sequence[Phrase], after_s: float, language: str
) -> tuple[float, list[str], Phrase | None]:
    """The phrase (or two neighbouring phrases) after `after_s` covering most of `wanted`."""
    best: tuple[float, list[str], Phrase | None] = (0.0, [], None)
    later = [p for p in spoken if p.end_s > after_s]
    for i, p in enumerate(later):
        candidates = [p]
        if i + 1 < len(later):
            q = later[i + 1]
            candidates.append(Phrase(p.start_s, q.end_s, p.words + q.words))
        for c in candidates:
            heard = [t for w in c.words for t in tokens(w, language)]
            cov, found = coverage(wanted, heard, language)
            if cov > best[0]:
                best = (cov, found, c)
    return best


def check_reminders(
    events: Sequence[object], spoken: Sequence[Phrase], language: str
) -> list[ReminderCheck]:
    out: list[ReminderCheck] = []
    for e in events:
        if not isinstance(e, ReminderDue):
            continue
        wanted = reminder_words(e.text, language)
        cov, found, phrase = best_phrase(wanted, spoken, e.at_s - LEAD_S, language)
        said = bool(wanted) and cov >= SAID
        out.append(
            ReminderCheck(
                reminder=e.reminder, text=e.text, step=e.step, due_at_s=e.at_s,
                key_words=tuple(wanted), key_words_found=tuple(found), coverage=round(cov, 3),
                said=said, said_at_s=round(phrase.start_s, 2) if said and phrase else None,
                heard=" ".join(phrase.words) if phrase else "",
            )
        )
    return out


def check_fields(
    scenario: Scenario, values: dict[str, str], path: Sequence[str]
) -> list[FieldCheck]:
    visited = set(path)
    return [
        FieldCheck(
            field=f.id, label=f.label, required=f.required, value=values.get(f.id) or None,
            asked=any(f.id in scenario.step(s).capture for s in visited if scenario.has_step(s)),
        )
        for f in scenario.fields
    ]


def check_transfers(
    scenario: Scenario, events: Sequence[object], spoken: Sequence[Phrase]
) -> list[TransferCheck]:
    out: list[TransferCheck] = []
    language = scenario.language
    ended = next((e for e in events if isinstance(e, CallEnded)), None)
    for e in events:
        if not isinstance(e, TransferSuggested):
            continue
        rule = next((t for t in scenario.transfers if t.id == e.transfer), None)
        how, at_s = "", None
        entered = [
            x for x in events
            if isinstance(x, StepEntered) and rule and rule.step == x.step and x.at_s >= e.at_s
        ]
        if entered:
            how, at_s = "step", entered[0].at_s
        elif ended and ended.outcome.startswith("transferred"):
            how, at_s = "ended", ended.at_s
        else:
            cov, _found, phrase = best_phrase(key_words(e.say, language), spoken,
                                              e.at_s - LEAD_S, language)
            if cov >= SAID and phrase is not None:
                how, at_s = "said", round(phrase.start_s, 2)
        out.append(TransferCheck(e.transfer, e.target, e.at_s, e.heard, bool(how), how, at_s))
    return out


def answers_taken(events: Sequence[object]) -> list[Matched]:
    """The answers that moved the call on (speech or operator), in order."""
    return [e for e in events if isinstance(e, Matched)]
