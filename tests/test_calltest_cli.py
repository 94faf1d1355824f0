"""`voice-assist test`: exit codes, the table, the JSON contract and JUnit XML (text engine)."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from voice_assist.cli import main

REPO = Path(__file__).resolve().parent.parent
SALES = REPO / "scenarios" / "en" / "sales.yaml"

PASSING = f"""\
scenario: {SALES}
turns: ["Yes, go ahead.", "Just me, mostly my phone."]
expect:
  path: [greeting, needs_usage, needs_tv]
"""
FAILING = PASSING.replace("needs_tv]", "needs_speed]")


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    (tmp_path / "sub").mkdir()
    (tmp_path / "ok.calltest.yaml").write_text(PASSING, encoding="utf-8")
    (tmp_path / "sub" / "bad_path.calltest.yaml").write_text(FAILING, encoding="utf-8")
    (tmp_path / "notes.yaml").write_text("not: a call test\n", encoding="utf-8")
    return tmp_path


def test_all_passing_exits_0_and_prints_the_table(
    suite: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["test", str(suite / "ok.calltest.yaml")]) == 0
    out = capsys.readouterr().out
    assert "PASS" in out
    assert "'yes,'" in out.lower()  # heard when it advanced: a partial of "Yes, go ahead."
    assert "can_talk" in out
    assert "1 passed, 0 failed" in out


def test_a_failing_call_exits_1_and_shows_the_diff(
    suite: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["test", str(suite)]) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out
    assert "[-needs_speed]" in out
    assert "[+needs_tv]" in out
    assert "1 passed, 1 failed" in out


def test_json_output_is_the_design_contract(suite: Path, tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    assert main(["test", str(suite), "--json", str(out), "--quiet"]) == 1
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert (doc["passed"], doc["failed"]) == (1, 1)
    by_name = {Path(r["file"]).name: r for r in doc["results"]}
    bad = by_name["bad_path.calltest.yaml"]
    assert bad["passed"] is False
    assert bad["path"] == ["greeting", "needs_usage", "needs_tv"]
    assert bad["expected_path"] == ["greeting", "needs_usage", "needs_speed"]
    first = bad["advances"][0]
    assert set(first) == {"from", "to", "answer", "score", "heard", "at_s", "latency_ms"}
    assert (first["from"], first["to"], first["answer"]) == ("greeting", "needs_usage", "can_talk")
    assert isinstance(first["score"], float) and isinstance(first["at_s"], float)


def test_json_to_stdout(suite: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test", str(suite / "ok.calltest.yaml"), "--json", "-", "--quiet"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["passed"] == 1


def test_junit_xml(suite: Path, tmp_path: Path) -> None:
    out = tmp_path / "junit.xml"
    assert main(["test", str(suite), "--junit", str(out), "--quiet"]) == 1
    root = ET.parse(out).getroot()
    assert root.tag == "testsuite"
    assert (root.get("tests"), root.get("failures")) == ("2", "1")
    cases = {c.get("name"): c for c in root.iter("testcase")}
    failure = cases["bad_path.calltest.yaml"].find("failure")
    assert failure is not None
    assert "[-needs_speed]" in (failure.get("message") or "")
    assert cases["ok.calltest.yaml"].find("failure") is None


def test_bad_files_exit_2_before_anything_runs(
    suite: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = suite / "broken.calltest.yaml"
    bad.write_text(f"scenario: {SALES}\nexpect:\n  path: [greeting]\n", encoding="utf-8")
    assert main(["test", str(suite)]) == 2
    captured = capsys.readouterr()
    assert f"{bad}:1:1: give exactly one of 'audio' or 'turns' (neither given)" in captured.err
    assert "PASS" not in captured.out
    assert "Traceback" not in captured.err


def test_missing_path_and_empty_folder_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["test", str(tmp_path / "nope")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    assert main(["test", str(tmp_path)]) == 2
    assert "no call-test files (*.calltest.yaml) here" in capsys.readouterr().err


def test_help_names_the_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["test", "--help"])
    out = capsys.readouterr().out
    for option in ("--json", "--junit", "--engine"):
        assert option in out
