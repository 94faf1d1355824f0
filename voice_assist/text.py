"""Per-language text normalisation: what the matcher, the lint and the adherence check compare.

`tokens` lower-cases, folds ё→е, drops punctuation and splits contractions; `stems` adds a
Snowball stemmer. Pure functions, cached where it pays.
"""

from __future__ import annotations

import re
from functools import lru_cache

NEGATIONS: dict[str, frozenset[str]] = {
    "en": frozenset({"not", "no", "never", "dont", "don't", "nope", "cannot", "cant", "n't"}),
    "ru": frozenset({"не", "нет", "ни", "никогда", "нельзя"}),
}

_CONTRACTIONS_EN = {
    "n't": " not",
    "'ll": " will",
    "'re": " are",
    "'ve": " have",
    "'m": " am",
    "'d": " would",
}
_SPECIAL_EN = {"won't": "will not", "can't": "can not", "cannot": "can not", "shan't": "shall not"}
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?", re.UNICODE)


def fold(text: str) -> str:
    """Case-fold and ё→е; apostrophes unified."""
    return text.casefold().replace("ё", "е").replace("’", "'").replace("`", "'")


def tokens(text: str, language: str = "en") -> list[str]:
    """The words of `text`, normalised for comparison (contractions expanded in English)."""
    folded = fold(text)
    if language == "en":
        for short, long in _SPECIAL_EN.items():
            folded = re.sub(rf"\b{re.escape(short)}\b", long, folded)
        for short, long in _CONTRACTIONS_EN.items():
            folded = folded.replace(short, long)
    return [w.replace("'", "") for w in _WORD.findall(folded)]


def is_negation(word: str, language: str) -> bool:
    return word in NEGATIONS.get(language, NEGATIONS["en"])


@lru_cache(maxsize=16)
def _stemmer(language: str) -> object | None:
    import Stemmer

    names = {"en": "english", "ru": "russian", "de": "german", "fr": "french", "es": "spanish"}
    name = names.get(language)
    return Stemmer.Stemmer(name) if name else None


def stems(words: list[str], language: str = "en") -> list[str]:
    """Snowball stems of already-normalised words (unchanged for unknown languages)."""
    stemmer = _stemmer(language)
    if stemmer is None:
        return list(words)
    return list(stemmer.stemWords(words))  # type: ignore[attr-defined]
