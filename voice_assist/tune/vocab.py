"""Vocabulary check: words of phrases the speech engine cannot recognise, with the nearest words
it knows (an engine never outputs a word outside its dictionary, so such a phrase never matches
as written).

PocketSphinx: its pronunciation dictionary (cmudict-en-us.dict by default). Vosk: the model's
graph/words.txt when it has one, else the model is asked word by word (no nearest words then).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

from ..errors import EngineError, ModelError
from ..scenario import Scenario
from ..text import fold, spell_numbers

NEAREST = 3
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


@dataclass(frozen=True)
class Vocabulary:
    """What an engine can output: `known(word)`, and the list to look for near words in."""

    engine: str
    source: str
    known: Callable[[str], bool]
    words: tuple[str, ...] = ()

    def nearest(self, word: str, limit: int = NEAREST) -> tuple[str, ...]:
        if not self.words:
            return ()
        hits = process.extract(word, self.words, scorer=fuzz.ratio, limit=limit, score_cutoff=50)
        return tuple(w for w, _, _ in hits)


@dataclass(frozen=True)
class UnknownWord:
    """A word of a phrase the engine cannot recognise, where it is, and what it knows instead."""

    word: str
    step: str | None  # None: a global answer
    answer: str
    phrase: str
    nearest: tuple[str, ...]


def engine_words(phrase: str, language: str) -> list[str]:
    """The words an engine must output for `phrase`: lower case, digits spelled out."""
    return _WORD.findall(fold(spell_numbers(phrase, language)))


def check(scenario: Scenario, vocabulary: Vocabulary) -> list[UnknownWord]:
    """Every unknown word of every answer phrase (global answers too), in scenario order."""
    places: list[tuple[str | None, str, list[str]]] = [
        (s.id, a.id, a.phrases) for s in scenario.steps for a in s.answers
    ]
    places += [(None, g.id, g.phrases) for g in scenario.global_answers]
    out = []
    for step, answer, phrases in places:
        for phrase in phrases:
            for word in dict.fromkeys(engine_words(phrase, scenario.language)):
                if not vocabulary.known(word):
                    out.append(UnknownWord(word, step, answer, phrase, vocabulary.nearest(word)))
    return out


@lru_cache(maxsize=4)
def _read_words(path: Path) -> tuple[str, ...]:
    words: dict[str, None] = {}
    with path.open(encoding="utf-8", errors="replace") as f:
        for line in f:
            head = line.split(maxsplit=1)
            if head:
                words.setdefault(re.sub(r"\(\d+\)$", "", head[0]).casefold())
    return tuple(words)


def pocketsphinx_vocabulary(dict_path: str | Path | None = None) -> Vocabulary:
    """The words of a PocketSphinx dictionary (default: the bundled US English one)."""
    if dict_path is None:
        try:
            import pocketsphinx
        except ImportError:
            raise EngineError("pocketsphinx is not installed (pip install pocketsphinx)") from None
        dict_path = Path(pocketsphinx.get_model_path()) / "en-us" / "cmudict-en-us.dict"
    path = Path(dict_path)
    if not path.is_file():
        raise ModelError(f"{path}: PocketSphinx dictionary not found")
    words = _read_words(path)
    known = frozenset(words)
    return Vocabulary("pocketsphinx", str(path), known.__contains__, words)


def vosk_vocabulary(model_dir: str | Path) -> Vocabulary:
    """The words of a Vosk model: graph/words.txt, or the model's own lookup when it has none."""
    model = Path(model_dir)
    if not model.is_dir():
        raise ModelError(f"{model}: Vosk model directory not found")
    listing = model / "graph" / "words.txt"
    if listing.is_file():
        words = tuple(w for w in _read_words(listing) if not w.startswith(("<", "#")))
        known = frozenset(words)
        return Vocabulary("vosk", str(listing), known.__contains__, words)
    from ..asr.vosk import load_model

    loaded = load_model(model)

    def known_word(word: str) -> bool:
        return int(loaded.vosk_model_find_word(word)) >= 0

    return Vocabulary("vosk", str(model), known_word)


def words_file_vocabulary(path: str | Path, engine: str = "custom") -> Vocabulary:
    """A plain word list (one a line; extra columns ignored) as a vocabulary."""
    p = Path(path)
    if not p.is_file():
        raise ModelError(f"{p}: word list not found")
    words = _read_words(p)
    return Vocabulary(engine, str(p), frozenset(words).__contains__, words)


def summary(unknown: Iterable[UnknownWord]) -> dict[str, list[UnknownWord]]:
    """Unknown words grouped by word (one line per word in the report)."""
    out: dict[str, list[UnknownWord]] = {}
    for u in unknown:
        out.setdefault(u.word, []).append(u)
    return out
