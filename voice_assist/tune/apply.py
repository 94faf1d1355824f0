"""Write accepted suggestions and thresholds back into a scenario file, touching nothing else.

The round-trip parser (ruamel.yaml) tells where every answer, phrase list and key sits; the
change is spliced into the original text there, so comments, key order, quoting, folded text
and line wrapping stay byte-identical (re-dumping the whole document would re-indent and re-wrap
it). The result is parsed again and must equal the intended data exactly, then validated and
linted, before the file is replaced.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from ..errors import Problem, ScenarioError, VoiceAssistError
from ..scenario import Scenario, lint
from ..scenario.loader import parse_text, validate_data

_PLAIN = re.compile(r"[^\W\d_][\w' -]*[\w']|[^\W\d_]")
_RESERVED = frozenset({"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"})


@dataclass(frozen=True)
class AddPhrase:
    """Add `phrase` to answer `answer` of step `step` (None: a global answer)."""

    step: str | None
    answer: str
    phrase: str


@dataclass(frozen=True)
class SetThreshold:
    """Give every own answer of `step` this threshold."""

    step: str
    threshold: float


Change = AddPhrase | SetThreshold


@dataclass(frozen=True)
class Applied:
    """What was written: the file, its old and new text, and the problems left (warnings)."""

    path: Path
    old: str
    new: str
    warnings: tuple[Problem, ...]


class _Text:
    """The document text with (line, column) -> offset conversion (both 0-based, ruamel's)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0]
        for m in re.finditer("\n", text):
            self.starts.append(m.end())

    def at(self, line: int, col: int) -> int:
        return self.starts[line] + col

    def line_end(self, line: int) -> int:
        """Offset just after the newline ending `line` (or the end of the text)."""
        return self.starts[line + 1] if line + 1 < len(self.starts) else len(self.text)

    def line_text(self, line: int) -> str:
        return self.text[self.starts[line] : self.line_end(line)].rstrip("\r\n")

    def line_of(self, offset: int) -> int:
        lo, hi = 0, len(self.starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo


def _scalar_end(text: str, start: int) -> int:
    """Offset just after the scalar token starting at `start` (quoted or plain, flow context)."""
    quote = text[start] if start < len(text) else ""
    if quote == '"':
        i = start + 1
        while i < len(text) and text[i] != '"':
            i += 2 if text[i] == "\\" else 1
        return i + 1
    if quote == "'":
        i = start + 1
        while i < len(text):
            if text[i] == "'":
                if text[i + 1 : i + 2] == "'":
                    i += 2
                    continue
                return i + 1
            i += 1
        return i
    i = start
    while i < len(text) and text[i] not in ",]}\n" and text[i : i + 2] != " #":
        i += 1
    while i > start and text[i - 1] in " \t":
        i -= 1
    return i


def _quote(phrase: str, json_file: bool, like: str) -> str:
    if json_file:
        return json.dumps(phrase, ensure_ascii=False)
    if like.startswith("'"):
        return "'" + phrase.replace("'", "''") + "'"
    if like.startswith('"') or not _PLAIN.fullmatch(phrase) or phrase.lower() in _RESERVED:
        return json.dumps(phrase, ensure_ascii=False)
    return phrase


def _block_item_end(doc: _Text, line: int, dash_col: int) -> int:
    """The last line of a block-sequence item starting on `line` (continuation lines included)."""
    last = line
    for nxt in range(line + 1, len(doc.starts)):
        content = doc.line_text(nxt)
        stripped = content.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            break
        if len(content) - len(stripped) <= dash_col:
            break
        last = nxt
    return last


class _Editor:
    """Collects insertions/replacements at offsets of the original text, applies them at once."""

    def __init__(self, text: str, json_file: bool) -> None:
        self.doc = _Text(text)
        self.json = json_file
        self.nl = "\r\n" if "\r\n" in text else "\n"
        self.edits: dict[tuple[int, int], str] = {}  # (start, end) -> replacement

    def insert(self, offset: int, text: str) -> None:
        key = (offset, offset)
        self.edits[key] = self.edits.get(key, "") + text

    def insert_line(self, offset: int, line: str) -> None:
        """A whole new line at a line start (after the last line: a newline is added first)."""
        text = self.doc.text
        if offset == len(text) and text and not text.endswith("\n"):
            self.insert(offset, self.nl + line)
        else:
            self.insert(offset, line + self.nl)

    def replace(self, start: int, end: int, text: str) -> None:
        self.edits[(start, end)] = text

    def result(self) -> str:
        out = self.doc.text
        for (start, end), text in sorted(self.edits.items(), reverse=True):
            out = out[:start] + text + out[end:]
        return out

    def add_phrase(self, phrases: Any, phrase: str) -> None:
        last = len(phrases) - 1
        line, col = phrases.lc.item(last)
        start = self.doc.at(line, col)
        text = self.doc.text
        if phrases.fa.flow_style():
            end = _scalar_end(text, start)
            self.insert(end, ", " + _quote(phrase, self.json, text[start]))
            return
        line_text = self.doc.line_text(line)
        dash = line_text.rfind("-", 0, col)
        end_line = _block_item_end(self.doc, line, dash)
        item = _quote(phrase, False, text[start])
        self.insert_line(self.doc.line_end(end_line), " " * dash + "- " + item)

    def set_threshold(self, answer: Any, value: float) -> None:
        number = f"{value:g}"
        text = self.doc.text
        if "threshold" in answer:
            line, col = answer.lc.value("threshold")
            start = self.doc.at(line, col)
            m = re.compile(r"[-+]?[\d.]+(?:[eE][-+]?\d+)?|null|~").match(text, start)
            end = m.end() if m else _scalar_end(text, start)
            self.replace(start, end, number)
            return
        keys = list(answer)
        first_line, first_col = answer.lc.key(keys[0])
        if answer.fa.flow_style():
            key = '"threshold"' if self.json else "threshold"
            self.insert(self.doc.at(first_line, first_col), f"{key}: {number}, ")
            return
        after = keys.index("phrases") + 1 if "phrases" in keys else 1
        if after < len(keys):
            line, _ = answer.lc.key(keys[after])
            while line - 1 > first_line and self.doc.line_text(line - 1).lstrip().startswith("#"):
                line -= 1  # keep a comment with the key it describes
            at = self.doc.starts[line]
        else:
            at = self.doc.line_end(self._value_end_line(answer, keys[-1]))
        self.insert_line(at, " " * first_col + f"threshold: {number}")

    def _value_end_line(self, mapping: Any, key: str) -> int:
        value: Any = mapping[key]
        if isinstance(value, list) and value:
            value = mapping[key]  # the round-trip list, with its positions
            line, col = value.lc.item(len(value) - 1)
            if value.fa.flow_style():
                end = _scalar_end(self.doc.text, self.doc.at(line, col))
                close = self.doc.text.find("]", end)
                return self.doc.line_of(close if close >= 0 else end)
            dash = self.doc.line_text(line).rfind("-", 0, col)
            return _block_item_end(self.doc, line, dash)
        line, _ = mapping.lc.value(key)
        return int(line)


def _answer_node(root: Any, step: str | None, answer: str) -> Any:
    if step is None:
        owners = root.get("global_answers") or []
    else:
        found = [s for s in root.get("steps") or [] if str(s.get("id")) == step]
        if not found:
            raise VoiceAssistError(f"no step '{step}' in the file")
        owners = found[0].get("answers") or []
    for a in owners:
        if str(a.get("id")) == answer:
            return a
    where = f"step '{step}'" if step is not None else "global_answers"
    raise VoiceAssistError(f"no answer '{answer}' at {where} in the file")


def _intended(data: Any, changes: Sequence[Change]) -> Any:
    """The plain data the edited file must parse to."""
    out = json.loads(json.dumps(data))
    for ch in changes:
        if isinstance(ch, AddPhrase):
            _plain_answer(out, ch.step, ch.answer)["phrases"].append(ch.phrase)
        else:
            step = next(s for s in out["steps"] if str(s["id"]) == ch.step)
            for a in step.get("answers") or []:
                a["threshold"] = ch.threshold
    return out


def _plain_answer(data: Any, step: str | None, answer: str) -> Any:
    owners = (
        data.get("global_answers", [])
        if step is None
        else next(s for s in data["steps"] if str(s["id"]) == step).get("answers", [])
    )
    return next(a for a in owners if str(a["id"]) == answer)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return float(a) == float(b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def edit_text(text: str, changes: Sequence[Change], file: str = "<scenario>") -> str:
    """The text with `changes` spliced in, checked to parse to exactly the intended data."""
    root = YAML(typ="rt", pure=True).load(text)
    editor = _Editor(text, file.endswith(".json"))
    for ch in changes:
        if isinstance(ch, AddPhrase):
            node: Any = _answer_node(root, ch.step, ch.answer)["phrases"]
            editor.add_phrase(node, ch.phrase)
        else:
            steps = [s for s in root.get("steps") or [] if str(s.get("id")) == ch.step]
            if not steps:
                raise VoiceAssistError(f"{file}: no step '{ch.step}'")
            for a in steps[0].get("answers") or []:
                editor.set_threshold(a, ch.threshold)
    new = editor.result()
    before = parse_text(text, file).data
    after = parse_text(new, file).data
    if not _same(after, _intended(before, changes)):
        raise VoiceAssistError(
            f"{file}: the edit would not give the intended scenario (unusual layout?); "
            "nothing written, please add these by hand"
        )
    return new


def apply_changes(path: str | Path, changes: Sequence[Change]) -> Applied:
    """Edit the scenario file in place; re-validate (errors: nothing is written)."""
    p = Path(path)
    old = p.read_bytes().decode("utf-8-sig")
    new = edit_text(old, changes, str(p))
    source = parse_text(new, str(p))
    scenario: Scenario = validate_data(source)
    problems = lint(scenario, source)
    errors = [x for x in problems if x.severity == "error"]
    if errors:
        raise ScenarioError(errors)
    raw = p.read_bytes()
    bom = "\ufeff" if raw.startswith(b"\xef\xbb\xbf") else ""
    fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(bom + new)
        os.chmod(tmp, p.stat().st_mode & 0o7777)
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Applied(p, old, new, tuple(problems))
