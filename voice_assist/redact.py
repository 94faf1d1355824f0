"""Masking personal data in exported call records (`calls export --redact`). Pure functions.

Rules (docs/call-records.md): values of personal fields (types phone, date, text; every field
when the scenario's types are unknown) become "[redacted]" and their words are masked wherever
they appear; digits of phone-like sequences (5+ digits, separators allowed), runs of 4+ spoken
number words and e-mail addresses are masked in every free-text string. It over-masks rather
than leaks: an order number or a date in a transcript is masked too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

PERSONAL_TYPES = frozenset({"phone", "date", "text"})
REDACTED = "[redacted]"
MASK = "X"

FREE_TEXT_KEYS = frozenset({"text", "heard", "say", "value", "phrase", "word", "matched_words"})
"""Event keys holding words (speech, lines, values); ids, types and times are left alone."""

NUMBER_WORDS = frozenset(
    """zero oh o one two three four five six seven eight nine ten eleven twelve thirteen
    fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty
    seventy eighty ninety hundred thousand double triple
    ноль нуль один одна два две три четыре пять шесть семь восемь девять десять одиннадцать
    двенадцать тринадцать четырнадцать пятнадцать шестнадцать семнадцать восемнадцать
    девятнадцать двадцать тридцать сорок пятьдесят шестьдесят семьдесят восемьдесят
    девяносто сто двести триста четыреста пятьсот шестьсот семьсот восемьсот девятьсот""".split()  # noqa: SIM905
)

_PHONE_LIKE = re.compile(r"\+?\(?\d[\d\s().\-]*\d")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_WORD = re.compile(r"\w+")
MIN_DIGITS = 5
MIN_NUMBER_WORDS = 4


def mask_digits(text: str) -> str:
    """Digits of phone-like sequences (at least 5 digits) become X; shorter numbers stay."""

    def repl(m: re.Match[str]) -> str:
        seq = m.group(0)
        if sum(c.isdigit() for c in seq) < MIN_DIGITS:
            return seq
        return re.sub(r"\d", MASK, seq)

    return _PHONE_LIKE.sub(repl, text)


def mask_number_words(text: str) -> str:
    """Runs of 4+ spoken number words (or digits), as engines write phone numbers, become X."""
    spans: list[tuple[int, int]] = []
    run: list[tuple[int, int]] = []
    for m in _WORD.finditer(text):
        word = m.group(0).lower()
        gap = text[run[-1][1] : m.start()] if run else ""
        if (word in NUMBER_WORDS or word.isdigit()) and (not run or not gap.strip(" ,.-")):
            run.append(m.span())
            continue
        if len(run) >= MIN_NUMBER_WORDS:
            spans += run
        run = [m.span()] if word in NUMBER_WORDS or word.isdigit() else []
    if len(run) >= MIN_NUMBER_WORDS:
        spans += run
    for start, end in reversed(spans):
        text = text[:start] + MASK + text[end:]
    return text


def mask_text(text: str, personal: Iterable[str] = ()) -> str:
    """Every rule applied to one free-text string; `personal` are known personal values."""
    text = _EMAIL.sub(REDACTED, text)
    for value in sorted(set(personal), key=len, reverse=True):
        text = _mask_value(text, value)
    return mask_digits(mask_number_words(text))


def _mask_value(text: str, value: str) -> str:
    value = value.strip()
    if len(value) < 3:
        return text
    text = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", REDACTED, text, flags=re.IGNORECASE)
    for word in _WORD.findall(value):
        if len(word) >= 3 and not word.isdigit():
            text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", REDACTED, text, flags=re.I)
    return text


def is_personal(field_id: str, field_types: Mapping[str, str] | None) -> bool:
    """A field is personal by its type; with no scenario to tell, every field is."""
    if field_types is None or field_id not in field_types:
        return True
    return field_types[field_id] in PERSONAL_TYPES


def personal_values(
    events: Iterable[Mapping[str, Any]], field_types: Mapping[str, str] | None
) -> list[str]:
    """Values (and heard texts) of personal fields in a call's events."""
    out: list[str] = []
    for ev in events:
        if ev.get("type") == "field_captured" and is_personal(str(ev.get("field")), field_types):
            out += [str(ev.get("value", "")), str(ev.get("heard", ""))]
        elif _is_fill(ev) and is_personal(str(ev.get("arg")), field_types):
            out.append(str(ev.get("value", "")))
    return [v for v in out if v.strip()]


def redact_events(
    events: list[dict[str, Any]], field_types: Mapping[str, str] | None
) -> list[dict[str, Any]]:
    """A redacted copy of a call's events (JSON objects as stored)."""
    personal = personal_values(events, field_types)
    out = []
    for ev in events:
        new = _redact_obj(ev, personal)
        assert isinstance(new, dict)
        kind = ev.get("type")
        if kind == "field_captured" and is_personal(str(ev.get("field")), field_types):
            new["value"] = REDACTED if ev.get("value") else ""
            new["heard"] = REDACTED if ev.get("heard") else ""
        if _is_fill(ev) and is_personal(str(ev.get("arg")), field_types) and ev.get("value"):
            new["value"] = REDACTED
        if isinstance(ev.get("words"), list) and ev["words"]:
            new["words"] = redact_words(ev["words"], personal)
        out.append(new)
    return out


def redact_fields(
    fields: Mapping[str, str], field_types: Mapping[str, str] | None, personal: Iterable[str]
) -> dict[str, str]:
    """Field values for a summary: personal ones replaced, the rest masked like any text."""
    seen = list(personal)
    return {
        k: (REDACTED if v and is_personal(k, field_types) else mask_text(v, seen))
        for k, v in fields.items()
    }


def redact_words(words: list[dict[str, Any]], personal: Iterable[str]) -> list[dict[str, Any]]:
    """Word-timed results (one word per item) masked by the same rules as their text."""
    texts = [str(w.get("word", "")) for w in words]
    masked = mask_digits(mask_number_words(" ".join(texts))).split(" ")
    if len(masked) != len(texts):  # a word held a space: judge each word alone
        masked = [mask_digits(t) for t in texts]
    secret = {w.lower() for v in personal for w in _WORD.findall(v) if len(w) >= 3}
    secret |= {v.strip().lower() for v in personal}
    out = []
    for item, text, new in zip(words, texts, masked, strict=True):
        if text.lower() in secret or _EMAIL.fullmatch(text):
            new = REDACTED
        out.append({**item, "word": new})
    return out


def _is_fill(ev: Mapping[str, Any]) -> bool:
    return ev.get("type") == "operator_command" and ev.get("action") == "fill"


def _redact_obj(obj: Any, personal: list[str], key: str = "") -> Any:
    if isinstance(obj, dict):
        return {k: _redact_obj(v, personal, k) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_redact_obj(v, personal, key) for v in obj]
    if isinstance(obj, str) and key in FREE_TEXT_KEYS:
        return mask_text(obj, personal)
    return obj
