"""voice-assist: an offline, real-time prompter for call-centre operators.

It listens to the customer's side of a call, recognises speech locally, matches each utterance
against the answers the scenario expects now, advances by itself and shows the next line.
"""

from __future__ import annotations

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
from .scenario import Scenario, check_file, load_scenario, loads_scenario

__version__ = "0.1.0"

__all__ = [
    "AudioError",
    "CallTestError",
    "CheckFailed",
    "DeviceError",
    "EngineError",
    "ModelError",
    "Problem",
    "Scenario",
    "ScenarioError",
    "StoreError",
    "VoiceAssistError",
    "__version__",
    "check_file",
    "load_scenario",
    "loads_scenario",
]
