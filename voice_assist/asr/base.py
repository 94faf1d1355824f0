"""The recognizer protocol every speech engine implements.

Streaming: `accept(chunk)` returns the partials and finals that chunk produced; `finish()`
flushes the last utterance. `set_vocabulary` asks the engine to bias towards the current step's
phrases; engines apply it only at an utterance boundary (Vosk aborts otherwise).
All times are audio times: seconds of samples consumed since the stream started.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from ..events import AudioChunk, Final, Partial


@runtime_checkable
class Recognizer(Protocol):
    """A streaming speech recognizer over 16 kHz mono int16 audio."""

    name: str
    """Engine name: "vosk", "pocketsphinx", "text"."""

    def accept(self, chunk: AudioChunk) -> list[Partial | Final]:
        """Consume one chunk; return the events it produced, in audio-time order."""
        ...

    def set_vocabulary(self, phrases: Sequence[str] | None) -> None:
        """Bias towards these phrases from the next utterance boundary on (None: free mode)."""
        ...

    def finish(self) -> list[Final]:
        """End of stream: return the final result of the utterance in progress, if any."""
        ...

    def unknown_words(self, phrases: Sequence[str]) -> list[str]:
        """Words of `phrases` the engine cannot recognise (not in its dictionary/model)."""
        ...
