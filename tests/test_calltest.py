"""Call-test files and their runner: loading errors at file:line:col, running on the text engine,
path/field/no-advance checks, operator commands, skips, and the JSON result shape."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest

from voice_assist.calltest import (
    Advance,
    load_calltest,
    path_diff,
    report_json,
    run_calltest,
)
from voice_assist.errors import CallTestError, EngineError

REPO = Path(__file__).resolve().parent.parent
SALES = REPO / "scenarios" / "en" / "sales.yaml"


def write(tmp_path: Path, body: str, name: str = "t.calltest.yaml") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def stereo_wav(path: Path, seconds: float = 0.5, channels: int = 2) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(bytes(int(16000 * seconds) * 2 * channels))
    return path


HEAD = f"scenario: {SALES}\n"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "turns: [yes]\nexpect:\n  path: [greeting]\n",
            "t.calltest.yaml:1:1: scenario: required key is missing",
        ),
        (
            "scenario: nowhere.yaml\nturns: [yes]\nexpect:\n  path: [greeting]\n",
            "t.calltest.yaml:1:11: scenario: scenario file not found: {tmp}/nowhere.yaml",
        ),
        (
            HEAD + "audio: missing.wav\nexpect:\n  path: [greeting]\n",
            "t.calltest.yaml:2:8: audio: audio file not found: {tmp}/missing.wav",
        ),
        (
            HEAD + "turns: [yes]\nengine: whisper\nexpect:\n  path: [greeting]\n",
            "t.calltest.yaml:3:9: engine: must be one of auto, vosk, pocketsphinx or text; "
            "got 'whisper'",
        ),
        (
            HEAD + "turns: [yes]\nchannel: one\nexpect:\n  path: [greeting]\n",
            "t.calltest.yaml:3:10: channel: must be a whole number, got text 'one'",
        ),
        (
            HEAD + "turns: [yes]\nexpect:\n  path: [greeting]\n  fields: {phone: 5551234}\n",
            "t.calltest.yaml:5:19: expect.fields.phone: must be text, got a number 5551234 "
            "(quote it)",
        ),
        (
            HEAD + "expect:\n  path: [greeting]\n",
            "t.calltest.yaml:1:1: give exactly one of 'audio' or 'turns' (neither given)",
        ),
        (
            HEAD + "audio: call.wav\nturns: [yes]\nexpect:\n  path: [greeting]\n",
            "t.calltest.yaml:1:1: give exactly one of 'audio' or 'turns' (both given)",
        ),
        (
            HEAD + "turns: []\nexpect:\n  path: [greeting]\n",
            "t.calltest.yaml:2:1: turns: 'turns' is empty: give what the customer says, "
            "one item per turn",
        ),
        (
            HEAD + "turns: [yes]\nexpect:\n  path: [greeting, neeeds_usage]\n",
            "t.calltest.yaml:4:20: expect.path[1]: no step 'neeeds_usage' in sales.yaml",
        ),
        (
            HEAD + "turns: [yes]\nexpect:\n  path: [needs_usage]\n",
            "t.calltest.yaml:4:10: expect.path[0]: the path starts with the start step "
            "'greeting', not 'needs_usage'",
        ),
        (
            HEAD + "turns: [yes]\nexpect:\n  path: [greeting]\n  pth: [x]\n",
            "t.calltest.yaml:5:3: expect.pth: unknown key",
        ),
        (
            HEAD + "turns: [yes]\noperator:\n  - {action: next, at_s: 1, on_step: greeting}\n"
            "expect:\n  path: [greeting]\n",
            "t.calltest.yaml:4:5: operator[0]: give exactly one of at_s, on_step, on_field",
        ),
        (
            HEAD + "turns: [yes]\noperator:\n  - {action: next, on_field: phon}\n"
            "expect:\n  path: [greeting]\n",
            "t.calltest.yaml:4:30: operator[0].on_field: no field 'phon'",
        ),
        (
            HEAD + "turns: [yes, {txt: hello}]\nexpect:\n  path: [greeting]\n",
            "t.calltest.yaml:2:14: turns[1].text: required key is missing\n"
            "{tmp}/t.calltest.yaml:2:15: turns[1].txt: unknown key",
        ),
        (
            "scenario: [\n",
            "t.calltest.yaml:2:1: not valid YAML: did not find expected node content",
        ),
        ("- just\n- a list\n", "t.calltest.yaml:1:1: a call test is a mapping"),
    ],
    ids=lambda v: v if len(v) < 30 else None,
)
def test_bad_files_name_file_line_and_key(tmp_path: Path, body: str, message: str) -> None:
    path = write(tmp_path, body)
    with pytest.raises(CallTestError) as err:
        load_calltest(path)
    assert str(err.value).startswith(f"{tmp_path}/" + message.format(tmp=tmp_path))


def test_channel_out_of_range_names_the_file_and_its_channels(tmp_path: Path) -> None:
    stereo_wav(tmp_path / "call.wav")
    path = write(tmp_path, HEAD + "audio: call.wav\nchannel: 2\nexpect:\n  path: [greeting]\n")
    with pytest.raises(CallTestError) as err:
        load_calltest(path)
    assert str(err.value) == (
        f"{path}:3:10: channel: channel 2 requested, call.wav has 2 channels (0-1)"
    )


def test_text_engine_with_audio_is_an_error(tmp_path: Path) -> None:
    stereo_wav(tmp_path / "call.wav")
    path = write(tmp_path, HEAD + "audio: call.wav\nengine: text\nexpect:\n  path: [greeting]\n")
    with pytest.raises(CallTestError, match=r":3:9: engine: engine 'text' plays 'turns'"):
        load_calltest(path)


def test_turns_with_an_audio_engine_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD + "turns: [yes]\nengine: vosk\nexpect:\n  path: [greeting]\n")
    with pytest.raises(CallTestError, match=r"'turns' play on the text engine, not 'vosk'"):
        load_calltest(path)


HAPPY = HEAD + """\
turns:
  - Yes, go ahead.
  - Just me, mostly my phone.
  - We have a smart TV.
expect:
  path: [greeting, needs_usage, needs_tv, presentation_offer]
"""


def test_a_passing_call_test_reports_path_and_advances(tmp_path: Path) -> None:
    result = run_calltest(load_calltest(write(tmp_path, HAPPY)))
    assert result.passed, result.problems
    assert result.engine == "text"
    assert result.path == ("greeting", "needs_usage", "needs_tv", "presentation_offer")
    assert [(a.from_step, a.to, a.answer) for a in result.advances] == [
        ("greeting", "needs_usage", "can_talk"),
        ("needs_usage", "needs_tv", "light_use"),
        ("needs_tv", "presentation_offer", "watches_tv"),
    ]
    assert all(a.score >= 75 and a.heard for a in result.advances)


def test_a_wrong_path_fails_with_a_diff(tmp_path: Path) -> None:
    body = HAPPY.replace("needs_tv, presentation_offer", "needs_speed, needs_tv")
    result = run_calltest(load_calltest(write(tmp_path, body)))
    assert not result.passed
    assert result.problems == (
        "path differs: greeting needs_usage [-needs_speed] needs_tv [+presentation_offer]",
    )


def test_fields_are_compared_ignoring_case_and_spacing(tmp_path: Path) -> None:
    body = HEAD + """\
turns: ["Sorry, I am busy.", "Tomorrow   morning"]
expect:
  path: [greeting, callback_time, callback_bye]
  fields: {callback_date: TOMORROW}
"""
    assert run_calltest(load_calltest(write(tmp_path, body))).passed
    wrong = body.replace("TOMORROW", "monday")
    result = run_calltest(load_calltest(write(tmp_path, wrong)))
    assert result.problems == ("field 'callback_date': expected 'monday', got 'tomorrow'",)


def test_an_advance_inside_a_no_advance_window_fails(tmp_path: Path) -> None:
    body = HEAD + """\
turns: ["Yes, go ahead.", {text: "What is the weather like", at_s: 6.0}]
expect:
  path: [greeting, needs_usage]
  no_advance:
    - {from_s: 6.0, to_s: 9.0, note: weather}
"""
    assert run_calltest(load_calltest(write(tmp_path, body))).passed
    # The same window over the first turn, which does advance: the check must catch it.
    caught = body.replace("from_s: 6.0, to_s: 9.0", "from_s: 0.5, to_s: 3.0")
    result = run_calltest(load_calltest(write(tmp_path, caught)))
    assert not result.passed
    assert result.problems[0].startswith("advanced greeting -> needs_usage on 'can_talk' at ")
    assert "inside the no-advance window 0.50-3.00 s (weather)" in result.problems[0]


def test_operator_commands_on_step_on_field_and_at_time(tmp_path: Path) -> None:
    body = HEAD + """\
turns:
  - Who is this?
  - Yes, go ahead.
operator:
  - {action: next, on_step: objection_who}
  - {action: goto, arg: consent, at_s: 6.5}
  - {action: fill, arg: phone, value: "5551234", on_step: consent}
expect:
  path: [greeting, objection_who, greeting, needs_usage, consent]
  fields: {phone: "5551234"}
"""
    result = run_calltest(load_calltest(write(tmp_path, body)))
    assert result.passed, result.problems
    # `next` and `goto` are operator moves, not matched answers
    assert [a.answer for a in result.advances] == ["who_are_you", "can_talk"]


def test_an_operator_command_that_never_ran_fails(tmp_path: Path) -> None:
    body = HAPPY.replace("expect:", "operator:\n  - {action: next, on_field: phone}\nexpect:")
    result = run_calltest(load_calltest(write(tmp_path, body)))
    assert result.problems == ("operator command 'next' on field phone never ran",)


def test_a_missing_engine_skips(tmp_path: Path) -> None:
    stereo_wav(tmp_path / "call.wav")
    test = load_calltest(write(tmp_path, HEAD + "audio: call.wav\nexpect:\n  path: [greeting]\n"))

    def no_engine(engine: str, language: str) -> object:
        raise EngineError(f"no {engine} model for {language}")

    result = run_calltest(test, engine="vosk", factory=no_engine)  # type: ignore[arg-type]
    assert result.skipped == "no vosk model for en"
    assert not result.passed
    assert report_json([result])["skipped"] == 1
    assert report_json([result])["failed"] == 0


@pytest.mark.parametrize(
    ("expected", "actual", "diff"),
    [
        (["a", "b"], ["a", "b"], "a b"),
        (["a", "b", "c"], ["a", "c"], "a [-b] c"),
        (["a", "c"], ["a", "b", "c"], "a [+b] c"),
        (["a", "b"], ["a", "x"], "a [-b] [+x]"),
        (["a"], [], "[-a]"),
    ],
)
def test_path_diff(expected: list[str], actual: list[str], diff: str) -> None:
    assert path_diff(expected, actual) == diff


def test_json_has_the_design_keys(tmp_path: Path) -> None:
    result = run_calltest(load_calltest(write(tmp_path, HAPPY)))
    doc = report_json([result])
    assert list(doc)[:3] == ["results", "passed", "failed"]
    assert (doc["passed"], doc["failed"]) == (1, 0)
    entry = doc["results"][0]
    assert list(entry)[:5] == ["file", "passed", "path", "expected_path", "advances"]
    assert entry["file"] == str(tmp_path / "t.calltest.yaml")
    assert entry["path"] == entry["expected_path"]
    assert list(entry["advances"][0]) == [
        "from", "to", "answer", "score", "heard", "at_s", "latency_ms",
    ]
    assert Advance("a", "b", "x", 90.0, "hi", 1.23456, 12.0).to_json()["at_s"] == 1.235


def test_a_finished_call_frees_its_pipeline_without_the_garbage_collector(tmp_path: Path) -> None:
    """A recognizer holds some hundred MB: one call test after another must not pile them up
    until a garbage collection (the operator script used to keep its pipeline in a cycle)."""
    import gc

    from voice_assist.pipeline import Pipeline

    test = load_calltest(write(tmp_path, HAPPY))
    gc.collect()
    gc.disable()
    try:
        assert run_calltest(test).passed
        assert not [o for o in gc.get_objects() if isinstance(o, Pipeline)]
    finally:
        gc.enable()
