"""One exception tree for everything a user can get wrong.

The CLI maps `VoiceAssistError` to a message and exit code 2 (bad input); `CheckFailed` to 1.
Every error names its context (file:line:col and key path, step id, device) in its message.
"""

from __future__ import annotations

from dataclasses import dataclass


class VoiceAssistError(Exception):
    """Base of every error voice-assist raises on purpose: a clear message, no traceback."""

    exit_code = 2


class CheckFailed(VoiceAssistError):
    """A check ran and found problems (validation errors, failing call tests)."""

    exit_code = 1


@dataclass(frozen=True)
class Problem:
    """One finding about a scenario: where it is, what is wrong, and what to do."""

    file: str
    line: int | None
    column: int | None
    key: str
    message: str
    severity: str = "error"  # "error" | "warning"
    rule: str = "schema"

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        prefix = "" if self.severity == "error" else "warning: "
        key = f" {self.key}:" if self.key else ""
        return f"{where}:{key} {prefix}{self.message}"


class ScenarioError(VoiceAssistError):
    """A scenario file cannot be loaded: unreadable, malformed, or invalid against the schema."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class AudioError(VoiceAssistError):
    """An audio file or stream is unusable (missing, not WAV, truncated, bad channel...)."""


class DeviceError(AudioError):
    """An audio input device cannot be opened, or went away during a call."""


class EngineError(VoiceAssistError):
    """A speech engine is missing, misconfigured, or failed to load its model."""


class ModelError(EngineError):
    """A speech model is missing, has a bad layout, or cannot be installed."""


class CallTestError(VoiceAssistError):
    """A call-test file is malformed."""


class StoreError(VoiceAssistError):
    """The call-record database cannot be opened or has an unknown schema."""


class CorpusError(VoiceAssistError):
    """A tuning corpus (utterances labeled with the answer expected) is malformed."""
