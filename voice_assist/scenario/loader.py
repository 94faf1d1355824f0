"""Read a scenario file (YAML or JSON) into a `Scenario`, with errors at file:line:col.

YAML is read as YAML 1.2 by a round-trip parser that remembers where every key sits, so a
schema error names the line and column of the offending key. Duplicate keys are errors.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from ..errors import Problem, ScenarioError
from .models import Scenario

Positions = dict[tuple[Any, ...], tuple[int, int]]
"""Key path -> (line, column), both 1-based."""

SCENARIO_SUFFIXES = (".yaml", ".yml", ".json")


def key_path(loc: Sequence[Any]) -> str:
    """('steps', 3, 'answers', 1, 'next') -> 'steps[3].answers[1].next'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _positions(node: Any, prefix: tuple[Any, ...], out: Positions) -> None:
    if isinstance(node, CommentedMap):
        for key in node:
            line, col = node.lc.key(key)
            out[(*prefix, key)] = (line + 1, col + 1)
            _positions(node[key], (*prefix, key), out)
    elif isinstance(node, CommentedSeq):
        for i, item in enumerate(node):
            line, col = node.lc.item(i)
            out[(*prefix, i)] = (line + 1, col + 1)
            _positions(item, (*prefix, i), out)


def _plain(node: Any) -> Any:
    """Round-trip containers and scalar subclasses -> plain dict/list/str/int/float/bool."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    return str(node)


class ScenarioSource:
    """A parsed scenario document: plain data plus where each key was written."""

    def __init__(self, file: str, data: Any, positions: Positions) -> None:
        self.file = file
        self.data = data
        self.positions = positions

    def where(self, loc: Sequence[Any]) -> tuple[int | None, int | None]:
        """The line/column of the deepest key of `loc` that exists in the file."""
        loc = tuple(loc)
        while loc:
            if loc in self.positions:
                return self.positions[loc]
            loc = loc[:-1]
        return (1, 1) if self.positions else (None, None)

    def problem(
        self,
        loc: Sequence[Any],
        message: str,
        severity: str = "error",
        rule: str = "schema",
    ) -> Problem:
        line, col = self.where(loc)
        return Problem(self.file, line, col, key_path(loc), message, severity, rule)


def _yaml_error(file: str, exc: Exception) -> ScenarioError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    col = mark.column + 1 if mark is not None else None
    what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if "duplicate key" in str(exc).lower() or "found duplicate key" in str(what).lower():
        what = "duplicate key (each key may appear once; the second would silently win)"
        dup_key = str(exc).split('"')[1] if '"' in str(exc) else ""
        return ScenarioError([Problem(file, line, col, dup_key, what)])
    return ScenarioError([Problem(file, line, col, "", f"not valid YAML: {what}")])


def parse_text(text: str, file: str = "<scenario>") -> ScenarioSource:
    """Parse YAML or JSON text (JSON is valid YAML 1.2) keeping key positions."""
    if file.endswith(".json"):
        _check_json(text, file)
    yaml = YAML(typ="rt", pure=True)
    yaml.allow_duplicate_keys = False
    try:
        node = yaml.load(text)
    except MarkedYAMLError as exc:
        raise _yaml_error(file, exc) from None
    except RecursionError:
        raise ScenarioError([Problem(file, None, None, "", "nesting too deep")]) from None
    except Exception as exc:  # ruamel raises assorted errors on hostile input
        raise _yaml_error(file, exc) from None
    positions: Positions = {}
    _positions(node, (), positions)
    return ScenarioSource(file, _plain(node), positions)


def _check_json(text: str, file: str) -> None:
    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for key, value in pairs:
            if key in seen:
                raise ScenarioError([Problem(file, None, None, key, "duplicate key")])
            seen[key] = value
        return seen

    try:
        json.loads(text, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as exc:
        raise ScenarioError(
            [Problem(file, exc.lineno, exc.colno, "", f"not valid JSON: {exc.msg}")]
        ) from None
    except RecursionError:
        raise ScenarioError([Problem(file, None, None, "", "nesting too deep")]) from None


def _friendly(err: dict[str, Any], source: ScenarioSource) -> str:
    kind = err.get("type", "")
    msg = str(err.get("msg", "invalid value"))
    if kind == "extra_forbidden":
        loc = err["loc"]
        parent = loc[:-1]
        known = _known_keys(parent, source)
        hint = difflib.get_close_matches(str(loc[-1]), known, n=1)
        return "unknown key" + (f" (did you mean '{hint[0]}'?)" if hint else "")
    if kind == "missing":
        return "required key is missing"
    if msg.startswith("Value error, "):
        return msg[len("Value error, ") :]
    return msg[0].lower() + msg[1:] if msg else msg


def _known_keys(parent: Sequence[Any], source: ScenarioSource) -> list[str]:
    from . import models

    names = [p for p in parent if isinstance(p, str)]
    model: Any = models.Scenario
    hops = {
        "steps": models.Step,
        "answers": models.Answer,
        "global_answers": models.GlobalAnswer,
        "fields": models.FieldSpec,
        "reminders": models.Reminder,
        "when": models.ReminderWhen,
        "transfers": models.Transfer,
        "knowledge": models.Article,
        "silence": models.Silence,
    }
    for name in names:
        model = hops.get(name, model)
    return list(model.model_fields)


def validate_data(source: ScenarioSource) -> Scenario:
    """Validate parsed data against the schema; errors name file, line, column and key."""
    if not isinstance(source.data, dict):
        raise ScenarioError(
            [source.problem((), "a scenario is a mapping of keys (id, title, steps, ...)")]
        )
    try:
        return Scenario.model_validate(source.data)
    except ValidationError as exc:
        problems = [
            source.problem(err["loc"], _friendly(dict(err), source))
            for err in exc.errors(include_url=False)
        ]
        raise ScenarioError(problems) from None


def read_source(path: str | Path) -> ScenarioSource:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise ScenarioError([Problem(str(p), None, None, "", "no such file")]) from None
    except IsADirectoryError:
        raise ScenarioError([Problem(str(p), None, None, "", "is a folder, not a file")]) from None
    except OSError as exc:
        raise ScenarioError([Problem(str(p), None, None, "", f"cannot read: {exc.strerror}")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            [Problem(str(p), None, None, "", f"not UTF-8 text (bad byte at offset {exc.start})")]
        ) from None
    return parse_text(text, str(p))


def load_scenario(path: str | Path) -> Scenario:
    """Load and schema-validate one scenario file. Raises `ScenarioError`."""
    return validate_data(read_source(path))


def loads_scenario(text: str, file: str = "<scenario>") -> Scenario:
    """Load a scenario from text (YAML or JSON)."""
    return validate_data(parse_text(text, file))


def scenario_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Expand files and folders (recursively) into scenario files, sorted."""
    for path in paths:
        p = Path(path)
        if p.is_dir():
            yield from sorted(
                f
                for f in p.rglob("*")
                if f.suffix in SCENARIO_SUFFIXES
                and f.is_file()
                and not f.name.endswith((".calltest.yaml", ".corpus.yaml"))
            )
        else:
            yield p
