"""`voice-assist validate`: exit codes (0 ok, 1 errors, 2 bad input), text and `--json` output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from voice_assist.cli import main

GOOD = """\
id: good
title: Good
start: a
steps:
  - id: a
    answers:
      - {id: yes_a, phrases: [yes], next: b}
      - {id: no_a, phrases: [not yes], next: b}
  - id: b
    end: true
"""
BROKEN = GOOD.replace("next: b}", "next: c}", 1)


def test_validate_the_bundled_scenarios_passes(
    repo_root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo_root)
    assert main(["validate", "scenarios/"]) == 0
    out = capsys.readouterr().out.splitlines()
    summaries = [line for line in out if " warnings)" in line]
    assert [line.split(": ")[0:2] for line in summaries] == [
        ["scenarios/en/hotline.yaml", "ok (northwind_hotline, 16 steps; 0 errors, 0 warnings)"],
        ["scenarios/en/sales.yaml", "ok (northwind_upgrade_sales, 19 steps; 0 errors, 2 warnings)"],
        ["scenarios/ru/hotline.yaml", "ok (volna_hotline, 16 steps; 0 errors, 0 warnings)"],
        ["scenarios/ru/sales.yaml", "ok (volna_upgrade_sales, 19 steps; 0 errors, 4 warnings)"],
    ]
    assert all(": warning: " in line for line in out if line not in summaries)


def test_validate_as_a_console_command(repo_root: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "voice_assist", "validate", "scenarios/"],
        cwd=repo_root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "scenarios/en/sales.yaml: ok (northwind_upgrade_sales, 19 steps; 0 errors" in (
        done.stdout
    )
    assert done.stderr == ""


def test_errors_exit_1_and_print_file_line_col(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("broken.yaml").write_text(BROKEN, encoding="utf-8")
    Path("good.yaml").write_text(GOOD, encoding="utf-8")
    assert main(["validate", "broken.yaml", "good.yaml"]) == 1
    negated = (
        "steps[0].answers[0].phrases[0]: warning: 'not yes' (answer 'no_a') is the negation "
        "of 'yes': the matcher's negation handling decides between them"
    )
    assert capsys.readouterr().out.splitlines() == [
        f"broken.yaml:7:31: {negated}",
        "broken.yaml:7:43: steps[0].answers[0].next: no step 'c'",
        "broken.yaml: FAILED (good, 2 steps; 1 errors, 1 warnings)",
        f"good.yaml:7:31: {negated}",
        "good.yaml: ok (good, 2 steps; 0 errors, 1 warnings)",
    ]


def test_a_file_that_does_not_load_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": ', encoding="utf-8")
    assert main(["validate", str(bad)]) == 1
    out = capsys.readouterr().out
    assert f"{bad}:1:8: not valid JSON: Expecting value" in out
    assert f"{bad}: FAILED (not loaded; 1 errors, 0 warnings)" in out


def test_strict_fails_on_warnings(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(GOOD, encoding="utf-8")
    assert main(["validate", str(tmp_path)]) == 0
    assert main(["validate", "--strict", str(tmp_path)]) == 1


def test_json_output_shape(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("broken.yaml").write_text(BROKEN, encoding="utf-8")
    Path("bad.yaml").write_text("id: [", encoding="utf-8")
    assert main(["validate", "--json", "."]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    assert [f["file"] for f in report["files"]] == ["bad.yaml", "broken.yaml"]
    bad, broken = report["files"]
    assert bad == {
        "file": "bad.yaml",
        "ok": False,
        "scenario": None,
        "steps": None,
        "errors": 1,
        "warnings": 0,
        "problems": [
            {
                "file": "bad.yaml",
                "line": 2,
                "column": 1,
                "key": "",
                "message": "not valid YAML: did not find expected node content",
                "severity": "error",
                "rule": "schema",
            }
        ],
    }
    assert broken["scenario"] == "good" and broken["steps"] == 2
    found = [(p["rule"], p["severity"], p["line"], p["column"]) for p in broken["problems"]]
    assert found == [("negated-sibling", "warning", 7, 31), ("missing-step", "error", 7, 43)]
    assert broken["problems"][1]["key"] == "steps[0].answers[0].next"
    assert (broken["ok"], broken["errors"], broken["warnings"]) == (False, 1, 1)


def test_json_output_of_the_bundled_scenarios(
    repo_root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo_root)
    assert main(["validate", "--json", "scenarios"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True
    assert {f["scenario"] for f in report["files"]} == {
        "northwind_upgrade_sales", "northwind_hotline", "volna_upgrade_sales", "volna_hotline",
    }
    assert all(f["errors"] == 0 for f in report["files"])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["validate", "nope.yaml"], "voice-assist: nope.yaml: no such file or folder\n"),
        (
            ["validate", "empty"],
            "voice-assist: empty: no scenario files (*.yaml, *.yml, *.json) here\n",
        ),
    ],
)
def test_bad_paths_exit_2_with_a_clean_message(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("empty").mkdir()
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.err == message
    assert captured.out == ""


def test_no_path_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["validate"])
    assert info.value.code == 2
    assert "PATH" in capsys.readouterr().err
