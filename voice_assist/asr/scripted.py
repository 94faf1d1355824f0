"""The text engine: turns a script of utterances into the Partials and Finals a real engine gives.

It is a normal `Recognizer` driven by audio chunks (usually `SilenceSource` chunks): as audio time
passes, each turn's words appear one by one as Partials at each word's end, then a Final with
synthetic word times. Tests and transcript replay use it instead of speech.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import EngineError
from ..events import AudioChunk, Final, Partial, Word


@dataclass(frozen=True)
class Turn:
    """One utterance of the script; `at_s` is when it starts (None: after the previous one)."""

    text: str
    at_s: float | None = None


@dataclass(frozen=True)
class _Timed:
    at_s: float
    event: Partial | Final


class ScriptedRecognizer:
    """A `Recognizer` that "hears" the given turns at their audio times."""

    name = "text"

    def __init__(
        self,
        turns: Sequence[str | Turn],
        *,
        first_at_s: float = 1.0,
        gap_s: float = 2.0,
        word_s: float = 0.35,
    ) -> None:
        if word_s <= 0 or gap_s < 0 or first_at_s < 0:
            raise EngineError("text engine: word_s must be positive, gap_s and first_at_s >= 0")
        self.gap_s = gap_s
        self.word_s = word_s
        self.vocabulary: tuple[str, ...] | None = None
        self._timeline: list[_Timed] = []
        self._open: dict[int, Partial] = {}
        cursor = first_at_s
        self._end_s = first_at_s
        for index, raw in enumerate(turns):
            turn = Turn(raw) if isinstance(raw, str) else raw
            start = cursor if turn.at_s is None else turn.at_s
            if start < self._end_s - 1e-9 and index > 0:
                raise EngineError(
                    f"text engine: turn {index + 1} ({turn.text!r}) starts at {start:.2f} s, "
                    f"before the previous turn ends at {self._end_s:.2f} s"
                )
            words = turn.text.split()
            timed = [
                Word(w, round(start + i * word_s, 3), round(start + (i + 1) * word_s, 3))
                for i, w in enumerate(words)
            ]
            for i, w in enumerate(timed):
                text = " ".join(x.word for x in timed[: i + 1])
                self._timeline.append(
                    _Timed(w.end_s, Partial(text, w.end_s, start, tuple(timed[: i + 1])))
                )
            end = timed[-1].end_s if timed else start
            self._timeline.append(_Timed(end, Final(" ".join(words), end, tuple(timed), start)))
            self._end_s = end
            cursor = end + gap_s
        self._next = 0
        self._now_s = 0.0

    @property
    def duration_s(self) -> float:
        """Audio time needed to hear every turn: end of the last turn plus one gap."""
        return self._end_s + self.gap_s if self._timeline else self.gap_s

    def accept(self, chunk: AudioChunk) -> list[Partial | Final]:
        self._now_s = max(self._now_s, chunk.end_s)
        out: list[Partial | Final] = []
        while (
            self._next < len(self._timeline)
            and self._timeline[self._next].at_s <= self._now_s + 1e-9
        ):
            out.append(self._timeline[self._next].event)
            self._next += 1
        return out

    def set_vocabulary(self, phrases: Sequence[str] | None) -> None:
        """Remembered (for tests of the layer above); the script is what it is."""
        self.vocabulary = None if phrases is None else tuple(phrases)

    def finish(self) -> list[Final]:
        """The turn in progress ends where the audio ended, with the words heard so far."""
        if self._next >= len(self._timeline):
            return []
        pending = self._timeline[self._next].event
        self._next = len(self._timeline)
        if isinstance(pending, Final):
            return [pending]
        if pending.start_s > self._now_s:
            return []
        heard = tuple(w for w in pending.words if w.end_s <= self._now_s + 1e-9)
        if not heard:
            return []
        text = " ".join(w.word for w in heard)
        return [Final(text, self._now_s, heard, pending.start_s)]

    def unknown_words(self, phrases: Sequence[str]) -> list[str]:
        """The text engine knows every word."""
        return []


_TIMED_LINE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*:\s*(.*)$")


def load_transcript(path: str | Path) -> list[Turn]:
    """A transcript: one utterance per line, optionally `12.5: text`; `#` starts a comment line."""
    p = Path(path)
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise EngineError(f"{p}: transcript file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise EngineError(f"{p}: cannot read transcript: {exc}") from None
    turns: list[Turn] = []
    last_at: float | None = None
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _TIMED_LINE.match(line)
        if m:
            at_s = float(m.group(1))
            text = m.group(2).strip()
            if last_at is not None and at_s < last_at:
                raise EngineError(
                    f"{p}:{number}: time {at_s} s is earlier than the previous line's {last_at} s"
                )
            last_at = at_s
            if not text:
                raise EngineError(f"{p}:{number}: no words after the time {at_s} s")
            turns.append(Turn(text, at_s))
        else:
            turns.append(Turn(line.strip()))
    return turns
