"""The labeled corpus (tests/data/matcher_*.yaml) over the example scenarios.

Reports accuracy and wrong selections per language; fails below 97% accuracy or on any wrong
selection (a wrong advance is worse than none). Run with `-s` to see the report when it passes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from voice_assist.matcher import Matcher
from voice_assist.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
MIN_ACCURACY = 0.97


@dataclass(frozen=True)
class Outcome:
    scenario: str
    step: str
    text: str
    expect: str | None
    got: str | None
    reason: str

    @property
    def ok(self) -> bool:
        return self.got == self.expect

    @property
    def wrong(self) -> bool:
        """An answer was selected and it is not the expected one: the operator is misled."""
        return self.got is not None and self.got != self.expect

    def __str__(self) -> str:
        return (
            f"{Path(self.scenario).name}:{self.step}: {self.text!r}: expected {self.expect}, "
            f"got {self.got} ({self.reason})"
        )


@cache
def matcher_for(path: str) -> Matcher:
    return Matcher(load_scenario(ROOT / path))


def load_items(language: str) -> list[dict[str, object]]:
    data = YAML(typ="safe").load((DATA / f"matcher_{language}.yaml").read_text(encoding="utf-8"))
    items: list[dict[str, object]] = data["items"]
    return items


def run_corpus(language: str) -> list[Outcome]:
    out = []
    for item in load_items(language):
        scenario, step, text = str(item["scenario"]), str(item["step"]), str(item["text"])
        expect = item["expect"]
        result = matcher_for(scenario).match(step, text)
        got = result.chosen.answer if result.chosen else None
        out.append(
            Outcome(
                scenario, step, text, None if expect is None else str(expect), got, result.reason
            )
        )
    return out


@pytest.mark.parametrize("language", ["en", "ru"])
def test_corpus_accuracy_and_no_wrong_selection(language: str) -> None:
    outcomes = run_corpus(language)
    assert len(outcomes) >= 300, "the corpus needs at least 300 utterances per language"
    correct = sum(o.ok for o in outcomes)
    wrong = [o for o in outcomes if o.wrong]
    missed = [o for o in outcomes if not o.ok and not o.wrong]
    accuracy = correct / len(outcomes)
    expected_none = sum(o.expect is None for o in outcomes)
    report = "\n".join(
        [
            f"[{language}] {len(outcomes)} utterances ({expected_none} must match nothing): "
            f"accuracy {accuracy:.1%}, wrong selections {len(wrong)}, missed {len(missed)}",
            *(f"  WRONG  {o}" for o in wrong),
            *(f"  missed {o}" for o in missed),
        ]
    )
    print(report)
    assert not wrong and accuracy >= MIN_ACCURACY, report


@pytest.mark.parametrize("language", ["en", "ru"])
def test_corpus_refers_to_real_steps_and_answers(language: str) -> None:
    for item in load_items(language):
        scenario = matcher_for(str(item["scenario"])).scenario
        step = scenario.step(str(item["step"]))  # KeyError names a typo
        if item["expect"] is not None:
            answers = {a.id for a in step.answers} | {
                g.id for g in scenario.global_answers if g.steps is None or step.id in g.steps
            }
            assert item["expect"] in answers, item
