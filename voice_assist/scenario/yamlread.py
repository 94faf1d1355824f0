"""Parse YAML or JSON text into plain data plus the line and column of every key and item.

libyaml (through PyYAML's C parser) builds the node tree, ten times faster than a pure-Python
parser; this module turns nodes into plain dicts, lists and scalars itself, so that:
- scalars follow YAML 1.2's core schema: `yes`, `no`, `on`, `off` and dates stay text;
- a key written twice in one mapping is an error naming both lines, never a silent overwrite;
- every key and list item remembers where it was written, for `file:line:col` messages
  (`read_yaml_lazily` walks the tree for positions only when a message needs them).
"""

from __future__ import annotations

import contextlib
import json
import math
import re
from collections.abc import Callable
from typing import Any

import yaml

from ..errors import Problem, ScenarioError

Loc = tuple[Any, ...]
Positions = dict[Loc, tuple[int, int]]
"""Key path -> (line, column), both 1-based."""

MAX_NODES = 200_000
"""Aliases can multiply a small file into a huge tree ("billion laughs"): stop here."""


class _Loader(yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader):  # type: ignore[misc]
    """libyaml's parser; plain scalars are resolved here, by YAML 1.2 rules, not by PyYAML."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 (PyYAML's class attribute)

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: Any) -> str:
        """Every node gets its kind's default tag; `_Builder` reads plain scalars itself."""
        if kind is yaml.ScalarNode:
            return "tag:yaml.org,2002:str"
        return "tag:yaml.org,2002:seq" if kind is yaml.SequenceNode else "tag:yaml.org,2002:map"


_INT = re.compile(r"[-+]?[0-9]+")
_OCT = re.compile(r"0o[0-7]+")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_INF = re.compile(r"[-+]?\.(inf|Inf|INF)")
_NAN = re.compile(r"\.(nan|NaN|NAN)")


class SourceInt(int):
    """An int that remembers how it was written (`007`, `0x10`): text fields take the text."""

    yaml_source: str


class SourceFloat(float):
    """A float that remembers how it was written (`1.50`, `1e3`)."""

    yaml_source: str


def _number(value: int | float, text: str) -> int | float:
    out: SourceInt | SourceFloat = (
        SourceInt(value) if isinstance(value, int) else SourceFloat(value)
    )
    out.yaml_source = text
    return out


_SPECIAL_START = frozenset("~nNtTfF+-.0123456789")


def core_scalar(text: str) -> Any:
    """A plain (unquoted) scalar under YAML 1.2's core schema (numbers keep their text)."""
    if text and text[0] not in _SPECIAL_START:
        return text  # most scalars are words: no pattern can match them
    value = _core_value(text)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _number(value, text)
    return value


def _core_value(text: str) -> Any:
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    if text in ("true", "True", "TRUE"):
        return True
    if text in ("false", "False", "FALSE"):
        return False
    if _INT.fullmatch(text):
        return int(text)
    if _OCT.fullmatch(text):
        return int(text[2:], 8)
    if _HEX.fullmatch(text):
        return int(text[2:], 16)
    if _FLOAT.fullmatch(text):
        return float(text)
    if _INF.fullmatch(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN.fullmatch(text):
        return math.nan
    return text


class _Builder:
    """Node tree -> plain data, recording positions and refusing duplicate keys."""

    def __init__(self, file: str, key_path: Callable[[Loc], str]) -> None:
        self.file = file
        self.key_path = key_path
        self.positions: Positions = {}
        self.values: Positions = {}
        self.nodes = 0
        self.active: set[int] = set()

    def fail(self, node: yaml.Node, loc: Loc, message: str) -> ScenarioError:
        mark = node.start_mark
        return ScenarioError(
            [Problem(self.file, mark.line + 1, mark.column + 1, self.key_path(loc), message)]
        )

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.fail(node, loc, f"too large: more than {MAX_NODES} values (aliases?)")
        if isinstance(node, yaml.ScalarNode):
            return core_scalar(node.value) if not node.style else node.value
        if id(node) in self.active:
            raise self.fail(node, loc, "an alias refers to the value that contains it")
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.item(child, (*loc, i)) for i, child in enumerate(node.value)]
            return self.mapping(node, loc)
        finally:
            self.active.discard(id(node))

    def item(self, node: yaml.Node, loc: Loc) -> Any:
        self.positions[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
        return self.build(node, loc)

    def mapping(self, node: yaml.MappingNode, loc: Loc) -> dict[str, Any]:
        out: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        merged: list[dict[str, Any]] = []
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(key_node, loc, "a key must be a plain word, not a list or mapping")
            key = key_node.value
            if key == "<<" and not key_node.style:
                value = self.build(value_node, loc)
                merged += value if isinstance(value, list) else [value]
                continue
            line = key_node.start_mark.line + 1
            if key in first_line:
                raise self.fail(
                    key_node,
                    (*loc, key),
                    f"duplicate key (first written on line {first_line[key]}; each key may "
                    "appear once, the second would silently win)",
                )
            first_line[key] = line
            self.positions[(*loc, key)] = (line, key_node.start_mark.column + 1)
            if isinstance(value_node, yaml.ScalarNode):
                mark = value_node.start_mark
                self.values[(*loc, key)] = (mark.line + 1, mark.column + 1)
            out[key] = self.build(value_node, (*loc, key))
        for extra in merged:
            if not isinstance(extra, dict):
                raise self.fail(node, loc, "'<<' merges a mapping (an alias to key: value pairs)")
            for key, value in extra.items():
                out.setdefault(key, value)
        return out


class _Retry(Exception):
    """The fast reader met something to report: the careful `_Builder` words the message."""


def _fast_data(root: yaml.Node) -> Any:
    """Node tree -> plain data without positions (they are found later, only when needed).

    Anything unusual (duplicate key, alias loop, complex key, huge tree) raises `_Retry`.
    """
    scalar_node, mapping_node = yaml.ScalarNode, yaml.MappingNode
    budget = [MAX_NODES]
    active: set[int] = set()

    def build(node: yaml.Node) -> Any:
        kind = type(node)
        if kind is scalar_node:
            return node.value if node.style else core_scalar(node.value)
        budget[0] -= len(node.value) + 1
        if budget[0] < 0 or id(node) in active:
            raise _Retry
        active.add(id(node))
        if kind is mapping_node:
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if type(key_node) is not scalar_node:
                    raise _Retry
                key = key_node.value
                if key in out or (key == "<<" and not key_node.style):
                    raise _Retry
                out[key] = build(value_node)
        else:
            out_list = [build(child) for child in node.value]
        active.discard(id(node))
        return out if kind is mapping_node else out_list

    return build(root)


def _yaml_problem(file: str, exc: Exception, kind: str) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    column = mark.column + 1 if mark is not None else None
    what = getattr(exc, "problem", None) or (str(exc).splitlines() or ["unreadable"])[0]
    if isinstance(exc, yaml.reader.ReaderError):
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        what = f"character U+{code:04X} is not allowed in a text file"
    elif "mapping values are not allowed" in str(what):
        what = f"{what} (a ': ' inside unquoted text? put the text in quotes)"
    return Problem(file, line, column, "", f"not valid {kind}: {what}")


Parsed = tuple[Any, Positions, Positions]
"""(data, positions of keys and list items, positions of scalar values of keys)."""


def read_yaml(text: str, file: str, key_path: Callable[[Loc], str]) -> Parsed:
    """YAML (or JSON) text -> parsed data and positions; `ScenarioError` if malformed."""
    node = _compose(text, file)
    builder = _Builder(file, key_path)
    try:
        data = None if node is None else builder.build(node, ())
    except RecursionError:
        raise ScenarioError([Problem(file, None, None, "", "nesting too deep")]) from None
    return data, builder.positions, builder.values


def read_yaml_lazily(
    text: str, file: str, key_path: Callable[[Loc], str]
) -> tuple[Any, Callable[[], tuple[Positions, Positions]]]:
    """YAML text -> data, and a function giving the positions (walked only when called)."""
    node = _compose(text, file)
    if node is None:
        return None, lambda: ({}, {})
    try:
        data = _fast_data(node)
    except (_Retry, RecursionError):
        data, positions, values = read_yaml(text, file, key_path)
        return data, lambda: (positions, values)

    def locate() -> tuple[Positions, Positions]:
        builder = _Builder(file, key_path)
        # the fast pass read this tree, so this cannot fail; if it did, keep what was found
        with contextlib.suppress(ScenarioError, RecursionError):
            builder.build(node, ())
        return builder.positions, builder.values

    return data, locate


def _compose(text: str, file: str) -> yaml.Node | None:
    try:
        node: yaml.Node | None = yaml.compose(text, Loader=_Loader)
    except RecursionError:
        raise ScenarioError([Problem(file, None, None, "", "nesting too deep")]) from None
    except Exception as exc:  # libyaml raises assorted errors on hostile input
        raise ScenarioError([_yaml_problem(file, exc, "YAML")]) from None
    return node


_SURROGATE_PAIR = re.compile(r"\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})", re.IGNORECASE)


def _astral(m: re.Match[str]) -> str:
    high, low = int(m.group(1), 16), int(m.group(2), 16)
    return f"\\U{0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00):08x}"


def json_positions(
    text: str, file: str, key_path: Callable[[Loc], str]
) -> tuple[Positions, Positions]:
    """Where each key and value of a JSON text sits (empty when libyaml cannot read it)."""
    try:
        _same, positions, values = read_yaml(_SURROGATE_PAIR.sub(_astral, text), file, key_path)
    except ScenarioError:
        return {}, {}
    return positions, values


def read_json(text: str, file: str, key_path: Callable[[Loc], str]) -> Any:
    """JSON text -> data, fast (the C `json` module). Positions are left to `json_positions`,
    called only when a message needs them; a duplicate key is found here and placed by the
    YAML reader (JSON is YAML, save escapes libyaml lacks)."""
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(items)
        if len(out) < len(items):
            seen: set[str] = set()
            for key, _value in items:
                if key in seen:
                    duplicates.append(key)
                seen.add(key)
        return out

    try:
        data = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        problem = Problem(file, exc.lineno, exc.colno, "", f"not valid JSON: {exc.msg}")
        raise ScenarioError([problem]) from None
    except RecursionError:
        raise ScenarioError([Problem(file, None, None, "", "nesting too deep")]) from None
    if duplicates:
        try:
            read_yaml(_SURROGATE_PAIR.sub(_astral, text), file, key_path)
        except ScenarioError as exc:
            if exc.problems and "duplicate key" in exc.problems[0].message:
                raise
        message = "duplicate key (each key may appear once; the second would silently win)"
        raise ScenarioError([Problem(file, None, None, duplicates[0], message)])
    return data
