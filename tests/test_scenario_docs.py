"""docs/scenario-format.md stays true: its example validates, every key and lint rule is in it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from voice_assist.scenario import check_text, models
from voice_assist.scenario.lint import RULES

DOC = (Path(__file__).resolve().parent.parent / "docs" / "scenario-format.md").read_text(
    encoding="utf-8"
)


def yaml_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", DOC, flags=re.DOTALL)


def test_the_complete_example_validates_with_its_one_intended_warning() -> None:
    example = DOC.split("## 12. A complete small example")[1]
    text = re.findall(r"```yaml\n(.*?)```", example, flags=re.DOTALL)[0]
    scenario, problems = check_text(text, "example.yaml")
    assert scenario is not None, [str(p) for p in problems]
    assert [p.rule for p in problems] == ["negated-sibling"]
    used = {k for k, v in scenario.model_dump(exclude_unset=True).items() if v}
    assert used >= set(models.Scenario.model_fields) - {"description"}


@pytest.mark.parametrize(
    "model",
    [
        models.Scenario,
        models.Step,
        models.Answer,
        models.GlobalAnswer,
        models.FieldSpec,
        models.Reminder,
        models.ReminderWhen,
        models.Transfer,
        models.Article,
        models.Silence,
    ],
)
def test_every_key_is_documented(model: type[models._Model]) -> None:
    missing = [key for key in model.model_fields if f"`{key}" not in DOC]
    assert missing == []


def test_every_lint_rule_is_documented_with_its_severity() -> None:
    for rule, severity in RULES.items():
        assert re.search(rf"\| `{rule}` \| {severity} \|", DOC), rule


def test_documented_lint_messages_are_the_real_ones() -> None:
    from test_scenario_lint import CASES

    for rule, (_text, expected) in CASES.items():
        assert expected[0] in DOC, rule
