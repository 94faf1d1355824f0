"""The small markup inside an operator's line: `*stressed*`, `[pause]`, `{field}`.

`segments` splits a line into typed pieces that every presenter (console, web page, report)
renders its own way; `plain` gives the words to be spoken, for adherence checks.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

_TOKEN = re.compile(r"\*(?P<stress>[^*\n]+)\*|\[(?P<mark>pause|пауза)\]|\{(?P<field>[\w-]+)\}")

SegmentKind = Literal["text", "stress", "pause", "field"]


@dataclass(frozen=True)
class Segment:
    kind: SegmentKind
    text: str
    filled: bool = True  # for "field": False while the value is unknown


def placeholders(line: str) -> list[str]:
    """Field ids named by `{field}` placeholders, in order."""
    return [m.group("field") for m in _TOKEN.finditer(line) if m.group("field")]


_MARKS = ("pause", "пауза")


def stray_markup(line: str) -> list[str]:
    """What in `line` looks like markup but is not: unpaired `*`, unknown `[marks]`, lone braces."""
    rest = _TOKEN.sub(" ", line)
    found: list[str] = []
    for mark in re.findall(r"\[([^\]\n]*)\]", rest):
        close = difflib.get_close_matches(mark.strip().lower(), _MARKS, n=1, cutoff=0.5)
        hint = f" (did you mean '[{close[0]}]'?)" if close else " (the mark is [pause])"
        found.append(f"unknown mark '[{mark}]'{hint}")
    if "*" in rest:
        found.append("unpaired '*' (stressed words are written *like this*)")
    if "{" in rest or "}" in rest:
        found.append("unpaired '{' or '}' (a field is written {field_id})")
    return found


def segments(line: str, values: Mapping[str, str] | None = None) -> list[Segment]:
    """Split a line into text, stressed words, pauses and fields (filled where known)."""
    values = values or {}
    out: list[Segment] = []
    pos = 0
    for m in _TOKEN.finditer(line):
        if m.start() > pos:
            out.append(Segment("text", line[pos : m.start()]))
        if m.group("stress"):
            out.append(Segment("stress", m.group("stress")))
        elif m.group("mark"):
            out.append(Segment("pause", ""))
        else:
            name = m.group("field")
            value = values.get(name)
            out.append(Segment("field", value if value else name, filled=bool(value)))
        pos = m.end()
    if pos < len(line):
        out.append(Segment("text", line[pos:]))
    return out


def fill(line: str, values: Mapping[str, str]) -> str:
    """The line with known `{field}` placeholders replaced; markup kept."""
    return re.sub(
        r"\{([\w-]+)\}", lambda m: values.get(m.group(1)) or m.group(0), line
    )


def plain(line: str, values: Mapping[str, str] | None = None) -> str:
    """The words the operator speaks: markup removed, fields filled where known."""
    parts = []
    for seg in segments(line, values):
        if seg.kind == "pause":
            parts.append(" ")
        else:
            parts.append(seg.text)
    return re.sub(r"\s+", " ", "".join(parts)).strip()
