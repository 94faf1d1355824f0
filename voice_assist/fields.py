"""Field values heard in speech: phone numbers, numbers, dates, text (yes/no and choices go
through the matcher, which knows negation).

Pure parsers from an utterance to a candidate value (or None). The session marks what they find
as "heard" until the operator confirms it. Relative dates stay words ("tomorrow" -> "tomorrow")
because the audio clock does not know the calendar; the operator confirms a real date.
"""

from __future__ import annotations

import re

from .text import fold, spoken_digits, tokens

_YES = {
    "en": ["yes", "yeah", "yep", "sure", "okay", "i agree", "agreed", "correct", "right", "fine"],
    "ru": ["да", "ага", "конечно", "согласен", "согласна", "хорошо", "верно", "давайте", "угу"],
}
_NO = {
    "en": ["no", "nope", "i do not agree", "i disagree", "no thanks", "never", "not at all"],
    "ru": ["нет", "неа", "не согласен", "не согласна", "против", "никогда", "не надо"],
}
_DATES = {
    "en": [
        "today",
        "tomorrow",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "morning",
        "evening",
        "afternoon",
        "tonight",
        "next week",
        "day after tomorrow",
    ],
    "ru": [
        "сегодня",
        "завтра",
        "послезавтра",
        "понедельник",
        "вторник",
        "среда",
        "среду",
        "четверг",
        "пятница",
        "пятницу",
        "суббота",
        "субботу",
        "воскресенье",
        "утром",
        "вечером",
        "днем",
        "на следующей неделе",
    ],
}


def parse_phone(text: str, language: str) -> str | None:
    found = spoken_digits(text, language)
    return found if len(found) >= 5 else None


def parse_number(text: str, language: str) -> str | None:
    found = spoken_digits(text, language)
    return found or None


def yesno_phrases(language: str) -> dict[str, list[str]]:
    """Phrases for a yes/no field; the matcher decides (it knows "не согласен" is not yes)."""
    return {
        "yes": _YES.get(language, _YES["en"]),
        "no": _NO.get(language, _NO["en"]),
    }


def parse_date(text: str, language: str) -> str | None:
    folded = " ".join(tokens(text, language))
    for phrase in sorted(_DATES.get(language, _DATES["en"]), key=len, reverse=True):
        if re.search(rf"\b{re.escape(phrase)}\b", folded):
            return phrase
    numbers = re.findall(r"\b\d{1,2}[./]\d{1,2}(?:[./]\d{2,4})?\b", text)
    return numbers[0] if numbers else None


_LEAD_INS = {
    "en": [
        "my full name is", "my name is", "my name's", "the name is", "name is", "this is",
        "it is", "it's", "i am", "i'm", "yes", "yeah", "sure", "okay", "ok", "well", "so", "um",
        "uh", "of course",
    ],
    "ru": [
        "меня зовут", "мое имя", "моя фамилия", "записывайте", "пишите", "это", "я", "да",
        "конечно", "ну", "так", "хорошо",
    ],
}
"""Words a customer puts before a value ("my name is John Brown"): not part of it."""
_LEAD_IN_WORDS = {
    lang: sorted((tuple(fold(p).split()) for p in phrases), key=len, reverse=True)
    for lang, phrases in _LEAD_INS.items()
}
"""The same, folded and split once, longest first."""


def parse_text(text: str, language: str) -> str | None:
    """The utterance without its lead-in ("my name is", "меня зовут", "yes"), or None when
    nothing else was said."""
    words = text.split()
    plain = [fold(w.strip(".,!?;:\"'«»")) for w in words]
    start = 0
    while start < len(words):
        lead = next(
            (lead for lead in _LEAD_IN_WORDS.get(language, [])
             if tuple(plain[start : start + len(lead)]) == lead),
            None,
        )
        if lead is None:
            break
        start += len(lead)
    value = " ".join(words[start:]).strip(".,!?;: ")
    return value or None


PARSERS = {
    "phone": parse_phone,
    "number": parse_number,
    "date": parse_date,
    "text": parse_text,
}
