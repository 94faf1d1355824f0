"""Audio corpus items as text: a WAV file's channel through a real speech engine, free mode.

Free (unbiased) decoding gives what the customer said, not what the step's phrases made the
engine hear, which is what tuning the phrases needs.
"""

from __future__ import annotations

from pathlib import Path

from .corpus import Transcriber


def engine_transcriber(engine: str, language: str, model: str | None = None) -> Transcriber:
    """A `Transcriber` building a fresh recognizer per file (engines are imported lazily)."""

    def transcribe(path: Path, channel: int) -> list[str]:
        from ..asr import create_recognizer
        from ..audio.wav import WavSource
        from ..events import Final

        rec = create_recognizer(engine, language=language, model=model)
        rec.set_vocabulary(None)
        texts: list[str] = []
        for chunk in WavSource(path, channel).chunks():
            texts += [e.text for e in rec.accept(chunk) if isinstance(e, Final)]
        texts += [f.text for f in rec.finish()]
        return [t for t in texts if t.strip()]

    return transcribe
