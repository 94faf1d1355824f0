"""voice-assist: an offline, real-time prompter for call-centre operators.

It listens to the customer's side of a call, recognises speech locally, matches each utterance
against the answers the scenario expects now, advances by itself and shows the next line.

The library in a few names: load a `Scenario`, build a `Session` (it uses a `Matcher`), pick a
recognizer with `create_recognizer` and an audio source such as `WavSource`, and run them with a
`Pipeline`; sinks such as `CallStore` records or a `CallView` presenter receive the events.
"""

from __future__ import annotations

from .asr import create_recognizer
from .audio import WavSource
from .errors import (
    AudioError,
    CallTestError,
    CheckFailed,
    DeviceError,
    EngineError,
    ModelError,
    Problem,
    ScenarioError,
    StoreError,
    VoiceAssistError,
)
from .events import (
    AnswerScores,
    AudioChunk,
    CallEnded,
    FieldCaptured,
    Final,
    Matched,
    NoMatch,
    Notice,
    OperatorCommand,
    Partial,
    ReminderDue,
    SilenceNoticed,
    StepEntered,
    TransferSuggested,
    Word,
)
from .matcher import Candidate, MatchConfig, Matcher, MatchResult, PartialPolicy
from .pipeline import CallResult, Pipeline
from .scenario import Scenario, check_file, load_scenario, loads_scenario
from .session import Session
from .store import CallStore
from .view import CallView

__version__ = "0.1.0"

__all__ = [
    "AnswerScores",
    "AudioChunk",
    "AudioError",
    "CallEnded",
    "CallResult",
    "CallStore",
    "CallTestError",
    "CallView",
    "Candidate",
    "CheckFailed",
    "DeviceError",
    "EngineError",
    "FieldCaptured",
    "Final",
    "MatchConfig",
    "MatchResult",
    "Matched",
    "Matcher",
    "ModelError",
    "NoMatch",
    "Notice",
    "OperatorCommand",
    "Partial",
    "PartialPolicy",
    "Pipeline",
    "Problem",
    "ReminderDue",
    "Scenario",
    "ScenarioError",
    "Session",
    "SilenceNoticed",
    "StepEntered",
    "StoreError",
    "TransferSuggested",
    "VoiceAssistError",
    "WavSource",
    "Word",
    "__version__",
    "check_file",
    "create_recognizer",
    "load_scenario",
    "loads_scenario",
]
