"""The public surface is pinned: what `voice_assist` exports is deliberate."""

from __future__ import annotations

import subprocess
import sys

import voice_assist

EXPECTED = {
    "AnswerScores", "AudioChunk", "AudioError", "CallEnded", "CallResult", "CallStore",
    "CallTestError", "CallView", "Candidate", "CheckFailed", "DeviceError", "EngineError",
    "FieldCaptured", "Final", "MatchConfig", "MatchResult", "Matched", "Matcher", "ModelError",
    "NoMatch", "Notice", "OperatorCommand", "Partial", "PartialPolicy", "Pipeline", "Problem",
    "ReminderDue", "Scenario", "ScenarioError", "Session", "SilenceNoticed", "StepEntered",
    "StoreError", "TransferSuggested", "VoiceAssistError", "WavSource", "Word", "__version__",
    "check_file", "create_recognizer", "load_scenario", "loads_scenario",
}  # fmt: skip


def test_all_is_pinned() -> None:
    assert set(voice_assist.__all__) == EXPECTED
    for name in voice_assist.__all__:
        assert getattr(voice_assist, name) is not None


def test_every_error_is_a_voice_assist_error() -> None:
    for name in voice_assist.__all__:
        obj = getattr(voice_assist, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, voice_assist.VoiceAssistError), name


def test_import_does_not_load_speech_engines() -> None:
    engines = "('vosk', 'pocketsphinx', 'sounddevice')"
    code = f"import sys, voice_assist; print(sorted(m for m in {engines} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
