"""Read a scenario file (YAML or JSON) into a `Scenario`, with errors at file:line:col.

`yamlread` parses (YAML 1.2 scalars, duplicate keys refused, every key's position kept); this
module validates against the pydantic models and words each error in the scriptwriter's terms.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import Problem, ScenarioError
from .models import Scenario
from .yamlread import Positions, json_positions, read_json, read_yaml_lazily

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


class ScenarioSource:
    """A parsed scenario document: plain data plus where each key and value was written.

    Positions may be computed lazily (JSON: only when a message needs a line number).
    """

    def __init__(
        self,
        file: str,
        data: Any,
        positions: Positions | None = None,
        values: Positions | None = None,
        locate: Callable[[], tuple[Positions, Positions]] | None = None,
    ) -> None:
        self.file = file
        self.data = data
        self._positions = positions
        self._values = values
        self._locate = locate

    def _located(self) -> tuple[Positions, Positions]:
        if self._positions is None:
            self._positions, self._values = self._locate() if self._locate else ({}, {})
        return self._positions, self._values or {}

    @property
    def positions(self) -> Positions:
        """Key path -> (line, column) of every key and list item."""
        return self._located()[0]

    @property
    def values(self) -> Positions:
        """Key path -> (line, column) of every scalar value of a key."""
        return self._located()[1]

    def where(self, loc: Sequence[Any], at_key: bool = False) -> tuple[int | None, int | None]:
        """Line/column of the value at `loc` (of its key with `at_key`); when `loc` is not
        written in the file, of its closest written parent."""
        loc = tuple(loc)
        if not at_key and loc in self.values:
            return self.values[loc]
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
        at_key: bool = False,
    ) -> Problem:
        line, col = self.where(loc, at_key)
        return Problem(self.file, line, col, key_path(loc), message, severity, rule)


def parse_text(text: str, file: str = "<scenario>") -> ScenarioSource:
    """Parse YAML or JSON text (by the file's suffix; JSON is YAML too) keeping positions."""
    if file.endswith(".json"):
        data = read_json(text, file, key_path)
        return ScenarioSource(file, data, locate=lambda: json_positions(text, file, key_path))
    data, locate = read_yaml_lazily(text, file, key_path)
    return ScenarioSource(file, data, locate=locate)


def _kind(value: Any) -> str:
    """How a scriptwriter would name what they wrote."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return f"'{str(value).lower()}'"
    if isinstance(value, dict):
        return "a mapping (key: value)"
    if isinstance(value, list):
        return "a list"
    return f"'{value}'"


def _friendly(err: dict[str, Any], source: ScenarioSource) -> str:
    """Pydantic's error in the scriptwriter's terms."""
    kind = str(err.get("type", ""))
    msg = str(err.get("msg", "invalid value"))
    loc = tuple(err.get("loc", ()))
    value = err.get("input")
    if kind == "extra_forbidden":
        known = _known_keys(loc[:-1], source)
        hint = difflib.get_close_matches(str(loc[-1]), known, n=1)
        return "unknown key" + (f" (did you mean '{hint[0]}'?)" if hint else "")
    if kind == "missing":
        return "required key is missing"
    if kind == "string_type":
        if isinstance(value, dict):
            return (
                "expected text, got a mapping: unquoted text with ': ' (or a ',' inside [...]) "
                "splits it; put the text in quotes"
            )
        return f"expected text, got {_kind(value)}"
    if kind in ("bool_type", "bool_parsing"):
        return f"expected true or false, got {_kind(value)}"
    if kind in ("list_type", "tuple_type"):
        return f"expected a list ('- item' lines or [a, b]), got {_kind(value)}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a mapping of keys, got {_kind(value)}"
    if kind in ("float_type", "float_parsing", "int_type", "int_parsing"):
        return f"expected a number, got {_kind(value)}"
    if kind == "too_short" and isinstance(value, list):
        return "must not be empty (give at least one item)"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        options = [o.strip().strip("'") for o in str(expected).replace(" or ", ", ").split(",")]
        hint = difflib.get_close_matches(str(value), options, n=1)
        suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
        return f"'{value}' is not one of {', '.join(options)}{suggestion}"
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
    if source.data is None:
        raise ScenarioError(
            [source.problem((), "empty file: a scenario is a mapping of keys (id, title, ...)")]
        )
    if not isinstance(source.data, dict):
        raise ScenarioError(
            [source.problem((), "a scenario is a mapping of keys (id, title, steps, ...)")]
        )
    try:
        return Scenario.model_validate(source.data)
    except ValidationError as exc:
        problems = [
            source.problem(
                err["loc"], _friendly(dict(err), source), at_key=err["type"] == "extra_forbidden"
            )
            for err in exc.errors(include_url=False)
        ]
        problems.sort(key=lambda p: (p.line or 0, p.column or 0))
        raise ScenarioError(problems) from None


def read_source(path: str | Path) -> ScenarioSource:
    """Read and parse one file (UTF-8, a BOM allowed); every failure is a `ScenarioError`."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise ScenarioError([Problem(str(p), None, None, "", "no such file")]) from None
    except IsADirectoryError:
        raise ScenarioError([Problem(str(p), None, None, "", "is a folder, not a file")]) from None
    except OSError as exc:
        problem = Problem(str(p), None, None, "", f"cannot read: {exc.strerror}")
        raise ScenarioError([problem]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        message = f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8"
        raise ScenarioError([Problem(str(p), line, column, "", message)]) from None
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
