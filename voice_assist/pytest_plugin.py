"""pytest plugin: every `*.calltest.yaml` under the paths pytest collects becomes a test item.

Installed as the `voice_assist_calltests` entry point, so a scenario repository runs its call
tests with plain `pytest`. A failure shows the path diff and the advances; a bad file shows its
file:line message; a missing engine or model skips. Options: `--calltest-engine`,
`--calltest-no-bias` (or the ini keys `calltest_engine`, `calltest_bias`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .calltest import ENGINES, SUFFIX, CallTestResult, load_calltest, path_diff, run_calltest
from .errors import VoiceAssistError


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("voice-assist", "voice-assist call tests (*.calltest.yaml)")
    group.addoption(
        "--calltest-engine",
        choices=[e for e in ENGINES if e != "text"],
        default=None,
        help="engine for audio call tests (default: each file's engine, else auto)",
    )
    group.addoption(
        "--calltest-no-bias",
        action="store_true",
        default=False,
        help="do not bias recognition towards the current step's phrases",
    )
    parser.addini("calltest_engine", "engine for audio call tests", default="")
    parser.addini("calltest_bias", "bias recognition (true/false)", type="bool", default=True)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.name.endswith(SUFFIX):
        return CallTestFile.from_parent(parent, path=file_path)
    return None


class CallTestFailed(Exception):
    """Raised by an item whose call did not follow its expectations."""

    def __init__(self, result: CallTestResult) -> None:
        self.result = result
        super().__init__("; ".join(result.problems))


class CallTestFile(pytest.File):
    """One call-test file: one item (named after the file)."""

    def collect(self) -> Iterator[pytest.Item]:
        yield CallTestItem.from_parent(self, name=self.path.name.removesuffix(SUFFIX))


class CallTestItem(pytest.Item):
    """Runs one call test through the real pipeline."""

    def runtest(self) -> None:
        try:
            test = load_calltest(self.path)
        except VoiceAssistError as exc:
            raise BadCallTest(str(exc)) from None
        config = self.config
        engine = config.getoption("calltest_engine") or config.getini("calltest_engine") or None
        bias = bool(config.getini("calltest_bias")) and not config.getoption("calltest_no_bias")
        result = run_calltest(test, engine=engine, bias=bias)
        if result.skipped is not None:
            pytest.skip(result.skipped)
        self.user_properties.append(("path", " ".join(result.path)))
        if not result.passed:
            raise CallTestFailed(result)

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,
    ) -> str:
        if isinstance(excinfo.value, BadCallTest):
            return f"bad call-test file:\n{excinfo.value}"
        if isinstance(excinfo.value, CallTestFailed):
            return failure_text(excinfo.value.result)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"call test {self.name}"


class BadCallTest(Exception):
    """The call-test file itself is wrong (its message names file:line:col)."""


def failure_text(result: CallTestResult) -> str:
    """What a tester needs to see: the path diff, the other problems, the advances."""
    lines = [f"call test failed: {result.file} (engine {result.engine})"]
    if result.path == result.expected_path:
        lines.append(f"  path (as expected): {' '.join(result.path)}")
    else:
        lines.append(f"  expected path: {' '.join(result.expected_path)}")
        lines.append(f"  actual path:   {' '.join(result.path)}")
        lines.append(f"  diff:          {path_diff(result.expected_path, result.path)}")
    lines += [f"  - {p}" for p in result.problems if not p.startswith("path differs")]
    if result.advances:
        lines.append("  advances:")
        for a in result.advances:
            latency = f", {a.latency_ms:.0f} ms" if a.latency_ms is not None else ""
            lines.append(
                f"    {a.at_s:7.2f} s  {a.from_step} -> {a.to}: {a.answer} "
                f"(score {a.score:.0f}{latency}) heard {a.heard!r}"
            )
    return "\n".join(lines)
