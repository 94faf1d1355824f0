"""Numbers said in words, both ways, for English and Russian: "twenty five" / "двадцать пять"
<-> 25. The matcher compares numbers as digits; a recogniser's vocabulary needs the words.
"""

from __future__ import annotations

import re

_EN_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_EN_TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
             "seventeen", "eighteen", "nineteen"]
_EN_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_RU_UNITS = ["ноль", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять"]
_RU_TEENS = ["десять", "одиннадцать", "двенадцать", "тринадцать", "четырнадцать", "пятнадцать",
             "шестнадцать", "семнадцать", "восемнадцать", "девятнадцать"]
_RU_TENS = ["", "", "двадцать", "тридцать", "сорок", "пятьдесят", "шестьдесят", "семьдесят",
            "восемьдесят", "девяносто"]
_RU_HUNDREDS = ["", "сто", "двести", "триста", "четыреста", "пятьсот", "шестьсот", "семьсот",
                "восемьсот", "девятьсот"]


def _number_words(language: str) -> dict[str, int]:
    """Number word → value, with the common Russian case forms."""
    if language == "ru":
        table = {w: i for i, w in enumerate(_RU_UNITS)}
        table |= {w: 10 + i for i, w in enumerate(_RU_TEENS)}
        table |= {w: 10 * i for i, w in enumerate(_RU_TENS) if w}
        table |= {w: 100 * i for i, w in enumerate(_RU_HUNDREDS) if w}
        forms = {
            "нуль": 0, "одна": 1, "одно": 1, "одного": 1, "одной": 1, "одну": 1, "одним": 1,
            "одном": 1, "одному": 1, "две": 2, "двух": 2, "двум": 2, "двумя": 2, "трех": 3,
            "трем": 3, "тремя": 3, "четырех": 4, "четырем": 4, "четырьмя": 4, "сорока": 40,
            "ста": 100, "двухсот": 200, "трехсот": 300, "пятисот": 500,
        }
        table |= forms
        for stem_word in _RU_UNITS[5:] + _RU_TEENS + _RU_TENS[2:4] + ["пятьдесят"]:
            if stem_word.endswith("ь"):  # пять → пяти, пятью; двадцать → двадцати
                value = table[stem_word]
                table.setdefault(stem_word[:-1] + "и", value)
                table.setdefault(stem_word[:-1] + "ью", value)
        table |= {"восьми": 8, "пятидесяти": 50, "шестидесяти": 60, "семидесяти": 70,
                  "восьмидесяти": 80, "девяноста": 90}
        return table
    table = {w: i for i, w in enumerate(_EN_UNITS)}
    table |= {w: 10 + i for i, w in enumerate(_EN_TEENS)}
    table |= {w: 10 * i for i, w in enumerate(_EN_TENS) if w}
    return table


_NUMBER_WORDS = {lang: _number_words(lang) for lang in ("en", "ru")}
_HUNDRED = {"en": frozenset({"hundred"}), "ru": frozenset()}
_THOUSAND = {"en": frozenset({"thousand"}),
             "ru": frozenset({"тысяча", "тысячи", "тысяч", "тысячу", "тысячей"})}


def _parse_below_thousand(words: list[str], at: int, language: str) -> tuple[int, int] | None:
    """Read one number < 1000 at `at`: (value, words used) or None. "five five" stays two."""
    table = _NUMBER_WORDS[language]
    i, value = at, 0
    first = table.get(words[i]) if i < len(words) else None
    if first is None:
        return None
    if language == "en" and first < 10 and i + 1 < len(words) and words[i + 1] in _HUNDRED["en"]:
        value, i = first * 100, i + 2
        if i + 1 < len(words) and words[i] == "and" and words[i + 1] in table:
            i += 1
    elif first >= 100:
        value, i = first, i + 1
    if value:
        nxt = table.get(words[i]) if i < len(words) else None
        if nxt is None or nxt >= 100:
            return value, i - at
        first, value = nxt, value
    if 20 <= first < 100:
        value, i = value + first, i + 1
        nxt = table.get(words[i]) if i < len(words) else None
        if nxt is not None and 1 <= nxt <= 9:
            value, i = value + nxt, i + 1
        return value, i - at
    return value + first, i + 1 - at


def numbers_to_digits(words: list[str], language: str) -> list[tuple[str, int, int]]:
    """Number words → digit strings: ("twenty", "five") → "25", ("пять",) → "5".

    Returns (token, first word index, word count) so callers can point back at the words heard.
    Sequences of single digits (phone numbers) stay one token per digit.
    """
    table = _NUMBER_WORDS.get(language)
    if table is None or not any(w in table or w in _THOUSAND[language] for w in words):
        return [(w, i, 1) for i, w in enumerate(words)]
    out: list[tuple[str, int, int]] = []
    i = 0
    while i < len(words):
        parsed = _parse_below_thousand(words, i, language)
        if parsed is None:
            if words[i] in _THOUSAND[language] and not (out and out[-1][0].isdigit()):
                out.append(("1000", i, 1))  # "тысяча" alone
                i += 1
                continue
            out.append((words[i], i, 1))
            i += 1
            continue
        value, used = parsed
        j = i + used
        if j < len(words) and words[j] in _THOUSAND[language]:
            value, j = value * 1000, j + 1
            rest = _parse_below_thousand(words, j, language)
            if rest is not None:
                value, j = value + rest[0], j + rest[1]
        out.append((str(value), i, j - i))
        i = j
    return out


def number_value(word: str, language: str = "en") -> int | None:
    """The value of one number word or digit string ("five", "пяти", "7"), else None."""
    w = word.casefold().replace("ё", "е").strip(".,;:!?")
    if w.isdigit():
        return int(w)
    return _NUMBER_WORDS.get(language, _NUMBER_WORDS["en"]).get(w)


def _en_words(n: int) -> list[str]:
    if n < 10:
        return [_EN_UNITS[n]]
    if n < 20:
        return [_EN_TEENS[n - 10]]
    if n < 100:
        return [_EN_TENS[n // 10]] + ([_EN_UNITS[n % 10]] if n % 10 else [])
    if n < 1000:
        rest = _en_words(n % 100) if n % 100 else []
        return [_EN_UNITS[n // 100], "hundred", *rest]
    rest = _en_words(n % 1000) if n % 1000 else []
    return [*_en_words(n // 1000), "thousand", *rest]


def _ru_words(n: int, feminine: bool = False) -> list[str]:
    if n >= 1000:
        k = n // 1000
        last, last2 = k % 10, k % 100
        word = "тысяча" if last == 1 and last2 != 11 else (
            "тысячи" if 2 <= last <= 4 and not 12 <= last2 <= 14 else "тысяч")
        rest = _ru_words(n % 1000, feminine) if n % 1000 else []
        return [*_ru_words(k, feminine=True), word, *rest]
    out: list[str] = []
    if n >= 100:
        out.append(_RU_HUNDREDS[n // 100])
        n %= 100
        if not n:
            return out
    if 10 <= n < 20:
        return [*out, _RU_TEENS[n - 10]]
    if n >= 20:
        out.append(_RU_TENS[n // 10])
        n %= 10
        if not n:
            return out
    if feminine and n in (1, 2):
        return [*out, "одна" if n == 1 else "две"]
    return [*out, _RU_UNITS[n]]


def number_to_words(n: int, language: str = "en") -> str:
    """Spell a whole number 0..999,999 ("25" → "twenty five", "двадцать пять")."""
    if not 0 <= n < 1_000_000:
        raise ValueError(f"number out of range 0..999999: {n}")
    return " ".join(_ru_words(n) if language == "ru" else _en_words(n))


def spell_numbers(text: str, language: str = "en") -> str:
    """Digits in `text` spelled as words: what a recogniser's vocabulary needs ("5" → "five")."""
    if language not in _NUMBER_WORDS:
        return text
    return re.sub(
        r"\d{1,6}", lambda m: number_to_words(int(m.group()), language), text
    )
