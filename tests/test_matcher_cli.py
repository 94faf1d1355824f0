"""`voice-assist match`: the decision and its explanation, text and JSON; clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from voice_assist.cli import main

SCENARIO = """\
id: pizza
title: Pizza
language: en
start: order
steps:
  - id: order
    answers:
      - {id: delivery, phrases: [delivery, deliver it], next: address}
      - {id: pickup, phrases: [pickup, pick it up], next: shop}
  - id: address
    end: true
  - id: shop
    end: true
"""


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    path = tmp_path / "pizza.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    return path


def test_json_decision(scenario: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["match", str(scenario), "--step", "order", "Um, DELIVER it please", "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["answer"] == "delivery"
    assert out["next"] == "address"
    assert out["phrase"] == "deliver it"
    assert out["matched_words"] == ["DELIVER", "it"]
    assert out["reason"] == "matched"
    assert 75 <= out["score"] <= 100
    assert out["runner_up"] is None
    assert [c["answer"] for c in out["candidates"]] == ["delivery", "pickup"]


def test_json_no_match(scenario: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["match", str(scenario), "--step", "order", "delivery or pickup", "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["answer"] is None and out["next"] is None
    assert out["reason"].startswith("ambiguous")
    assert out["runner_up"]["answer"] in {"delivery", "pickup"}


def test_text_output(scenario: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["match", str(scenario), "--step", "order", "I don't want delivery"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("no match: negated")
    assert "delivery" in out and "negated" in out
    assert main(["match", str(scenario), "--step", "order", "pick it up"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("answer: pickup -> shop")
    assert "'pick it up'" in out


def test_unknown_step_did_you_mean(scenario: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["match", str(scenario), "--step", "ordr", "delivery"]) == 2
    err = capsys.readouterr().err
    assert "no step 'ordr'" in err and "did you mean 'order'" in err
    assert str(scenario) in err and "Traceback" not in err


def test_missing_scenario(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["match", str(tmp_path / "nope.yaml"), "--step", "order", "x"]) == 2
    assert "nope.yaml" in capsys.readouterr().err


def test_help_text() -> None:
    with pytest.raises(SystemExit) as exc:
        main(["match", "--help"])
    assert exc.value.code == 0
