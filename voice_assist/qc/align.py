"""Word-by-word alignment of what the operator said against the line of a step (pure).

Words are compared by their normalised stems (so "calling" meets "call", "forty" meets "40"
only when both sides spell it the same way). The diff is a list of operations a report can
draw: equal, missing (in the line, not said), extra (said, not in the line), substituted.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from ..text import FILLERS, STOP_WORDS, stems, tokens

DiffOp = Literal["equal", "missing", "extra", "substituted"]

EXTRA_STOP_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset({"by", "as", "from", "so", "if", "was", "were", "he", "she", "they", "them",
                     "who", "when", "how", "which", "here", "now", "not", "no", "yes", "all",
                     "than", "more", "also", "into", "let", "shall", "should", "may", "might",
                     "must", "am", "say", "tell", "customer", "before", "after", "anything",
                     "else", "first", "then", "other"}),
    "ru": frozenset({"что", "чтобы", "если", "но", "или", "да", "нет", "не", "был", "была",
                     "были", "будет", "скажите", "клиенту", "клиент", "сначала", "потом"}),
}
"""Words that carry no content for a coverage check, besides `text.STOP_WORDS`."""


@dataclass(frozen=True)
class DiffItem:
    """One operation of the word diff; `expected`/`heard` hold the words it concerns."""

    op: DiffOp
    expected: str = ""
    heard: str = ""


@dataclass(frozen=True)
class Alignment:
    """The diff of the heard words against the line, with its counts."""

    diff: tuple[DiffItem, ...]
    expected_words: int
    matched: int
    missing: tuple[str, ...]
    extra: tuple[str, ...]
    substituted: tuple[tuple[str, str], ...]

    @property
    def accuracy(self) -> float:
        """Strict score 0..1: matched words / (words of the line + extra words said inside it)."""
        total = self.expected_words + len(self.extra)
        return self.matched / total if total else 1.0


def keys(words: Sequence[str], language: str) -> list[str]:
    """The comparison keys of normalised words: their stems."""
    return stems(list(words), language)


def key_words(text: str, language: str) -> list[str]:
    """The content words of `text` (no stop words, fillers or one-letter words), in order."""
    stop = STOP_WORDS.get(language, frozenset()) | EXTRA_STOP_WORDS.get(language, frozenset())
    fillers = FILLERS.get(language, frozenset())
    out = [w for w in tokens(text, language) if w not in stop and w not in fillers and len(w) > 1]
    return list(dict.fromkeys(out))


def align(expected: Sequence[str], heard: Sequence[str], language: str) -> Alignment:
    """Align heard words to the line's words; speech before the first and after the last
    matching word is left out (it belongs to other talk, not to this line)."""
    ek, hk = keys(expected, language), keys(heard, language)
    matcher = difflib.SequenceMatcher(None, ek, hk, autojunk=False)
    ops = matcher.get_opcodes()
    equal_heard = [(j1, j2) for tag, _i1, _i2, j1, j2 in ops if tag == "equal"]
    lo = equal_heard[0][0] if equal_heard else len(heard)
    hi = equal_heard[-1][1] if equal_heard else len(heard)
    diff: list[DiffItem] = []
    missing: list[str] = []
    extra: list[str] = []
    subs: list[tuple[str, str]] = []
    matched = 0
    for tag, i1, i2, j1, j2 in ops:
        exp = list(expected[i1:i2])
        if tag == "replace":  # at an edge: pair what lines up, the rest is other talk
            got = list(heard[j1:j2])
            if not equal_heard:
                got = []
            elif j1 < lo:
                got = got[-len(exp):]
            elif j2 > hi:
                got = got[: len(exp)]
        else:
            got = list(heard[max(j1, lo) : min(j2, hi)])
        if tag == "equal":
            matched += i2 - i1
            diff += [DiffItem("equal", e, h) for e, h in zip(exp, heard[j1:j2], strict=True)]
            continue
        pairs = min(len(exp), len(got)) if tag == "replace" else 0
        for e, h in zip(exp[:pairs], got[:pairs], strict=True):
            diff.append(DiffItem("substituted", e, h))
            subs.append((e, h))
        for e in exp[pairs:]:
            diff.append(DiffItem("missing", expected=e))
            missing.append(e)
        for h in got[pairs:]:
            diff.append(DiffItem("extra", heard=h))
            extra.append(h)
    return Alignment(tuple(diff), len(expected), matched, tuple(missing), tuple(extra), tuple(subs))


def coverage(wanted: Sequence[str], heard: Sequence[str], language: str) -> tuple[float, list[str]]:
    """Share of the wanted key words found among the heard words (0..1), and those found."""
    if not wanted:
        return 1.0, []
    heard_keys = set(keys(heard, language))
    found = [w for w, k in zip(wanted, keys(wanted, language), strict=True) if k in heard_keys]
    return len(found) / len(wanted), found
