"""Scenario files: models, loading with positions, markup and lint."""

from __future__ import annotations

from pathlib import Path

from ..errors import Problem, ScenarioError
from .lint import lint
from .loader import (
    load_scenario,
    loads_scenario,
    parse_text,
    read_source,
    scenario_files,
    validate_data,
)
from .models import (
    Answer,
    Article,
    FieldSpec,
    GlobalAnswer,
    Reminder,
    ReminderWhen,
    Scenario,
    Silence,
    Step,
    Transfer,
)

__all__ = [
    "Answer",
    "Article",
    "FieldSpec",
    "GlobalAnswer",
    "Reminder",
    "ReminderWhen",
    "Scenario",
    "Silence",
    "Step",
    "Transfer",
    "check_file",
    "check_text",
    "lint",
    "load_checked",
    "load_scenario",
    "loads_scenario",
    "scenario_files",
]


def check_file(path: str | Path) -> tuple[Scenario | None, list[Problem]]:
    """Load, validate and lint one file: the scenario (if it loads) and every finding."""
    try:
        source = read_source(path)
        scenario = validate_data(source)
    except ScenarioError as exc:
        return None, exc.problems
    return scenario, lint(scenario, source)


def check_text(text: str, file: str = "<scenario>") -> tuple[Scenario | None, list[Problem]]:
    """`check_file` for text in memory (editors, tools); `file` names it in the findings."""
    try:
        source = parse_text(text, file)
        scenario = validate_data(source)
    except ScenarioError as exc:
        return None, exc.problems
    return scenario, lint(scenario, source)


def load_checked(path: str | Path) -> Scenario:
    """Load a scenario for use: schema and lint errors raise `ScenarioError`; warnings pass."""
    scenario, problems = check_file(path)
    errors = [p for p in problems if p.severity == "error"]
    if scenario is None or errors:
        raise ScenarioError(errors or problems)
    return scenario
