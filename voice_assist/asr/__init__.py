"""Speech engines behind one protocol; `create_recognizer` picks and builds one.

Engines are imported lazily: a missing package gives an `EngineError` naming it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..errors import EngineError
from .base import Recognizer
from .scripted import ScriptedRecognizer, Turn, load_transcript

ENGINES = ("auto", "vosk", "pocketsphinx", "text")

__all__ = [
    "ENGINES",
    "Recognizer",
    "ScriptedRecognizer",
    "Turn",
    "create_recognizer",
    "load_transcript",
    "resolve_engine",
]


def resolve_engine(engine: str, language: str, model: str | None = None) -> tuple[str, Path | None]:
    """Which engine `engine` means for `language`, and the Vosk model folder it would use."""
    from .models import find_vosk_model, install_hint

    if engine not in ENGINES:
        raise EngineError(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")
    if engine == "text":
        return "text", None
    if model is not None:
        path = Path(model)
        if not path.is_dir():
            raise EngineError(f"{model}: model folder not found (--model)")
        return ("pocketsphinx" if engine == "pocketsphinx" else "vosk"), path
    if engine in ("auto", "vosk"):
        info = find_vosk_model(language)
        if info is not None:
            return "vosk", info.path
        if engine == "vosk":
            raise EngineError(f"no Vosk model for language {language!r}; {install_hint(language)}")
    if language.lower().split("-")[0] == "en":
        return "pocketsphinx", None
    if engine == "pocketsphinx":
        raise EngineError(
            f"PocketSphinx has an English model only, the language is {language!r}; "
            f"use Vosk: {install_hint(language)}"
        )
    raise EngineError(f"no speech model for language {language!r}; {install_hint(language)}")


def create_recognizer(
    engine: str = "auto",
    *,
    language: str,
    model: str | None = None,
    turns: Sequence[str | Turn] = (),
    free_transcript: bool = True,
) -> Recognizer:
    """Build a recognizer: `auto` = Vosk if a model for `language` is installed, else
    PocketSphinx for English, else an error telling how to install a model."""
    kind, path = resolve_engine(engine, language, model)
    if kind == "text":
        return ScriptedRecognizer(turns)
    if kind == "vosk":
        from .vosk import VoskRecognizer

        assert path is not None
        return VoskRecognizer(
            path, language=language.split("-")[0], free_transcript=free_transcript
        )
    from .pocketsphinx import PocketSphinxRecognizer

    return PocketSphinxRecognizer(
        model_dir=str(path) if path else None, free_transcript=free_transcript
    )
