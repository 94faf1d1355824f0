"""Per-language text normalisation: what the matcher, the lint and the adherence check compare.

`tokens` lower-cases, folds ё→е, drops punctuation and splits contractions; `stems` adds a
Snowball stemmer; `analyze` gives the matcher its tokens (numbers as digits, fillers, stop words,
negators and clause breaks marked, each token tied back to the word as heard). Pure functions.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from .numbers import number_to_words, number_value, numbers_to_digits, spell_numbers

__all__ = [
    "CLAUSE_BREAKS",
    "CONTINUATIONS",
    "FILLERS",
    "HOLD_WORDS",
    "NEGATIONS",
    "STOP_WORDS",
    "STRONG_NEGATORS",
    "WEAK_NEGATORS",
    "Token",
    "analyze",
    "fold",
    "is_filler",
    "is_negation",
    "number_to_words",
    "number_value",
    "numbers_to_digits",
    "spell_numbers",
    "spoken_digits",
    "stems",
    "tokens",
]

NEGATIONS: dict[str, frozenset[str]] = {
    "en": frozenset({"not", "no", "never", "dont", "don't", "nope", "cannot", "cant", "n't"}),
    "ru": frozenset({"не", "нет", "ни", "никогда", "нельзя"}),
}

# Negators by reach: a strong one negates the next few words of its clause ("I do not really
# want delivery"), a weak one only the word right after it ("no delivery", but "no, delivery").
STRONG_NEGATORS: dict[str, frozenset[str]] = {
    "en": frozenset({"not", "never", "nor", "neither", "without", "cannot"}),
    "ru": frozenset({"не", "ни", "никогда", "нельзя", "без", "нисколько"}),
}
WEAK_NEGATORS: dict[str, frozenset[str]] = {
    "en": frozenset({"no", "nope", "none"}),
    "ru": frozenset({"нет", "неа"}),
}
# Words that start a new clause: a negation before them does not reach past them.
CLAUSE_BREAKS: dict[str, frozenset[str]] = {
    "en": frozenset({"but", "instead", "rather", "though", "although", "however", "except"}),
    "ru": frozenset({"а", "но", "зато", "лучше", "однако", "кроме", "хотя"}),
}
# Hesitations and discourse particles: they never count against a match.
FILLERS: dict[str, frozenset[str]] = {
    "en": frozenset(
        {"um", "umm", "uh", "uhm", "uhh", "er", "erm", "ah", "eh", "hmm", "hm", "mm", "like",
         "well", "so", "oh", "actually", "basically", "literally", "kinda", "sorta"}
    ),
    "ru": frozenset(
        {"ну", "э", "эм", "ам", "мм", "хм", "вот", "типа", "короче", "значит", "слушайте",
         "слушай", "ой", "ах", "эх", "кстати", "вообще", "как-бы", "просто", "собственно"}
    ),
}
_FILLER_SHAPE = re.compile(r"^(?:э+м*|а+м+|м{2,}|х+м+|u+h+|u+m+|e+r+m*|a+h+|h+m+|m{2,})$")
# Words after which the customer is not done: a partial ending "delivery or" may still become
# "delivery or pickup" (negators count too).
CONTINUATIONS: dict[str, frozenset[str]] = {
    "en": frozenset({"or", "but", "instead", "rather", "unless", "if", "except", "either"}),
    "ru": frozenset({"или", "либо", "но", "а", "если", "кроме", "зато", "лучше", "хотя"}),
}
# "Wait": an utterance that opens with one is the customer busy on their side ("подождите, я ещё
# включаю"), not an answer.
HOLD_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset({"hold", "hang"}),  # "hold on", "hang on"; a bare "wait," is surprise
    "ru": frozenset({"подождите", "погодите", "подожди", "погоди", "секунду", "секундочку",
                     "минутку", "минуточку", "сейчас-сейчас"}),
}
# Function words: they count half when a phrase or an utterance is weighed.
STOP_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        {"a", "an", "the", "i", "me", "my", "you", "your", "it", "its", "is", "are", "am", "be",
         "to", "of", "for", "on", "in", "at", "and", "or", "do", "does", "did", "would", "will",
         "just", "that", "this", "some", "we", "us", "our", "have", "has", "please", "can",
         "could", "with", "about", "there", "then", "what", "want"}
    ),
    "ru": frozenset(
        {"я", "мне", "меня", "мы", "нам", "нас", "вы", "вам", "вас", "ты", "тебе", "он", "она",
         "оно", "они", "это", "этот", "эта", "эти", "то", "и", "а", "в", "во", "на", "с", "со",
         "к", "ко", "у", "о", "об", "по", "за", "из", "же", "ли", "бы", "пожалуйста", "мой",
         "моя", "наш", "ваш", "как", "так", "уже", "еще", "там", "тут", "да-да", "вот", "ну"}
    ),
}

_CONTRACTIONS_EN = {
    "n't": " not",
    "'ll": " will",
    "'re": " are",
    "'ve": " have",
    "'m": " am",
    "'d": " would",
}
_SPECIAL_EN = {
    "won't": "will not", "can't": "can not", "cannot": "can not", "shan't": "shall not",
    "let's": "let us", "it's": "it is", "that's": "that is", "what's": "what is",
    "there's": "there is", "here's": "here is", "he's": "he is", "she's": "she is",
    "who's": "who is", "where's": "where is", "how's": "how is", "when's": "when is",
}
_COLLOQUIAL: dict[str, dict[str, str]] = {
    "en": {"ok": "okay", "o.k.": "okay", "gonna": "going to", "wanna": "want to",
           "gotta": "got to", "ain't": "is not", "'cause": "because", "cuz": "because",
           "yeah": "yes", "yep": "yes", "yup": "yes", "yea": "yes", "nah": "no",
           "nope": "no", "dunno": "do not know", "lemme": "let me",
           "pick-up": "pickup", "e-mail": "email"},
    "ru": {"щас": "сейчас", "ща": "сейчас", "чё": "что", "че": "что", "шо": "что",
           "чего-то": "что-то", "ничо": "ничего", "ничё": "ничего", "тыщ": "тысяч",
           "тыщи": "тысячи", "тыща": "тысяча"},
}
# Two words that mean one: "да нет" is a no, "no problem" and "без проблем" are a yes.
_COLLOQUIAL_PAIRS: dict[str, dict[tuple[str, str], str]] = {
    "en": {("no", "problem"): "okay", ("no", "worries"): "okay"},
    "ru": {("да", "нет"): "нет", ("без", "проблем"): "хорошо", ("не", "вопрос"): "хорошо"},
}
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?", re.UNICODE)
_BREAK_PUNCT = re.compile(r"[,.;:!?…—–]$")


def fold(text: str) -> str:
    """Case-fold and ё→е; apostrophes unified."""
    return text.casefold().replace("ё", "е").replace("’", "'").replace("`", "'")


_SPECIAL_EN_RE = re.compile(r"\b(?:" + "|".join(map(re.escape, _SPECIAL_EN)) + r")\b")
_CONTRACTIONS_EN_RE = re.compile("|".join(map(re.escape, _CONTRACTIONS_EN)))


def _expand(folded: str, language: str) -> str:
    if language == "en" and "'" in folded:
        folded = _SPECIAL_EN_RE.sub(lambda m: _SPECIAL_EN[m.group()], folded)
        folded = _CONTRACTIONS_EN_RE.sub(lambda m: _CONTRACTIONS_EN[m.group()], folded)
    elif language == "en" and "cannot" in folded:
        folded = _SPECIAL_EN_RE.sub(lambda m: _SPECIAL_EN[m.group()], folded)
    return folded


def tokens(text: str, language: str = "en") -> list[str]:
    """The words of `text`, normalised for comparison (contractions expanded in English)."""
    folded = _expand(fold(text), language)
    return [w.replace("'", "") for w in _WORD.findall(folded)]


def is_negation(word: str, language: str) -> bool:
    """A negation word: the lint's list and every negator the matcher reads."""
    lang = language if language in NEGATIONS else "en"
    return (
        word in NEGATIONS[lang]
        or word in STRONG_NEGATORS.get(lang, frozenset())
        or word in WEAK_NEGATORS.get(lang, frozenset())
    )


def is_filler(word: str, language: str) -> bool:
    """A hesitation or discourse particle ("um", "like", "ну", "эээ"): never a reason to match."""
    return word in FILLERS.get(language, FILLERS["en"]) or bool(_FILLER_SHAPE.match(word))


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


@lru_cache(maxsize=50_000)
def _stem(word: str, language: str) -> str:
    return stems([word], language)[0]


def spoken_digits(text: str, language: str = "en") -> str:
    """Every number said in `text`, as digits in order: "девять один шесть, сорок пять" ->
    "91645" (compound numbers composed, single digits kept one by one): for phone fields."""
    return "".join(t.norm for t in analyze(text, language)[0] if t.norm.isdigit())


# ---- the matcher's view of a text ----------------------------------------------------------


class Token(NamedTuple):
    """One normalised word of an utterance or phrase, tied back to the words as written/heard.

    An immutable value (a named tuple: cheap to build, one per word of every partial).
    """

    norm: str  # folded, contractions expanded, numbers as digits
    stem: str
    first_word: int  # index of the first whitespace-separated word it came from
    last_word: int  # index of the last one (a number like "twenty five" spans two)
    filler: bool = False
    stop: bool = False
    negator: int = 0  # 0 none, 1 weak (next word only), 2 strong (a few words of its clause)
    clause_break: bool = False  # starts a new clause ("but", "а", or after a comma)


@lru_cache(maxsize=20_000)
def _word_parts(word: str, language: str) -> tuple[str, ...]:
    """The normalised tokens of one word as written ("I'll" -> "i", "will"; "щас" -> "сейчас")."""
    colloquial = _COLLOQUIAL.get(language, {})
    folded = fold(word)
    folded = colloquial.get(folded.strip(".,;:!?\"()«»"), folded)
    out: list[str] = []
    for t in tokens(folded, language):
        out.extend(colloquial.get(t, t).split())
    return tuple(out)


@lru_cache(maxsize=20_000)
def _word_kind(norm: str, language: str) -> tuple[bool, bool, int, bool]:
    """(filler, stop word, negator 0/1/2, clause break) of a normalised word."""
    strong = STRONG_NEGATORS.get(language, STRONG_NEGATORS["en"])
    weak = WEAK_NEGATORS.get(language, WEAK_NEGATORS["en"])
    return (
        norm in FILLERS.get(language, FILLERS["en"]) or bool(_FILLER_SHAPE.match(norm)),
        norm in STOP_WORDS.get(language, frozenset()),
        2 if norm in strong else 1 if norm in weak else 0,
        norm in CLAUSE_BREAKS.get(language, frozenset()),
    )


@lru_cache(maxsize=4096)
def analyze(text: str, language: str = "en") -> tuple[tuple[Token, ...], tuple[str, ...]]:
    """The tokens of `text` and its whitespace-separated words (as written, punctuation trimmed).

    Cached: partial results repeat, and phrases are analysed once per matcher.
    """
    raw = text.split()
    flat: list[str] = []
    origin: list[int] = []
    breaks: set[int] = set()
    for w_index, word in enumerate(raw):
        if w_index and _BREAK_PUNCT.search(raw[w_index - 1]):
            breaks.add(len(flat))
        for part in _word_parts(word, language):
            flat.append(part)
            origin.append(w_index)
    pairs = _COLLOQUIAL_PAIRS.get(language, {})
    k = 0
    while k + 1 < len(flat):
        one = pairs.get((flat[k], flat[k + 1]))
        if one is not None and k + 1 not in breaks:
            flat[k : k + 2] = [one]
            del origin[k + 1]
            breaks = {b - 1 if b > k else b for b in breaks}
        k += 1
    merged = numbers_to_digits(flat, language)
    stemmed = [_stem(m[0], language) for m in merged]
    out = []
    for (norm, at, count), stem in zip(merged, stemmed, strict=True):
        filler, stop, negator, clause = _word_kind(norm, language)
        out.append(
            Token(
                norm,
                stem,
                origin[at],
                origin[at + count - 1],
                filler,
                stop,
                negator,
                clause or at in breaks,
            )
        )
    words = tuple(w.strip(".,;:!?\"()«»…—–") or w for w in raw)
    return tuple(out), words
