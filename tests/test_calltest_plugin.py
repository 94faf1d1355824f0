"""The pytest plugin: `*.calltest.yaml` files are collected and run as test items."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

REPO = Path(__file__).resolve().parent.parent
SALES = REPO / "scenarios" / "en" / "sales.yaml"

PASSING = f"""\
scenario: {SALES}
turns: ["Yes, go ahead.", "Just me, mostly my phone."]
expect:
  path: [greeting, needs_usage, needs_tv]
"""


def test_the_plugin_is_registered_by_entry_point(pytestconfig: pytest.Config) -> None:
    assert pytestconfig.pluginmanager.has_plugin("voice_assist_calltests")


def test_call_tests_are_collected_and_run(pytester: pytest.Pytester) -> None:
    pytester.makefile(".calltest.yaml", good=PASSING)
    pytester.makefile(".calltest.yaml", wrong=PASSING.replace("needs_tv]", "needs_speed]"))
    pytester.makefile(".yaml", other="just: yaml\n")
    result = pytester.runpytest("-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*good.calltest.yaml::good PASSED*",
            "*wrong.calltest.yaml::wrong FAILED*",
            "*expected path: greeting needs_usage needs_speed",
            "*actual path:   greeting needs_usage needs_tv",
            "*diff:          greeting needs_usage [[]-needs_speed] [[]+needs_tv]",
            "*greeting -> needs_usage: can_talk (score *) heard 'Yes,*'",
        ]
    )


def test_a_bad_file_fails_with_its_line(pytester: pytest.Pytester) -> None:
    pytester.makefile(".calltest.yaml", broken=f"scenario: {SALES}\nexpect:\n  path: [greeting]\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*bad call-test file:*", "*broken.calltest.yaml:1:1: give exactly one of 'audio' or*"]
    )
    assert "Traceback" not in result.stdout.str()


def test_a_missing_engine_skips(pytester: pytest.Pytester, tmp_path: Path) -> None:
    import wave

    wav = pytester.path / "call.wav"
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(bytes(3200))
    ru = REPO / "scenarios" / "ru" / "sales.yaml"
    pytester.makefile(
        ".calltest.yaml", russian=f"scenario: {ru}\naudio: call.wav\nexpect:\n  path: [greeting]\n"
    )
    # No Russian acoustic model is installed here: the audio call test skips, naming why.
    result = pytester.runpytest("-rs", "-p", "no:cacheprovider")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*SKIPPED*"])
