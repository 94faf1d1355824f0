"""Property tests: whatever text reaches the loader, only `VoiceAssistError`s come out.

Random text, YAML-flavoured noise, and random mutations and truncations of the bundled
example scenarios (as YAML and as JSON) go through parsing, schema validation (what
`loads_scenario` does) and lint. Bounded to ~200 examples each so the file runs in seconds.
"""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voice_assist.errors import Problem, VoiceAssistError
from voice_assist.scenario import Scenario, lint, loads_scenario
from voice_assist.scenario.loader import parse_text, validate_data

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
YAML_TEXTS = [p.read_text(encoding="utf-8") for p in sorted(SCENARIOS.rglob("*.yaml"))]
JSON_TEXTS = [
    json.dumps(loads_scenario(t).model_dump(exclude_defaults=True), ensure_ascii=False, indent=1)
    for t in YAML_TEXTS
]
SOURCES = [(t, "s.yaml") for t in YAML_TEXTS] + [(t, "s.json") for t in JSON_TEXTS]

FAST = settings(
    max_examples=200,
    deadline=None,
    database=None,  # no .hypothesis folder left in the tree; failures print their example
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
YAMLISH = st.text(
    alphabet=st.sampled_from(list("-:[]{},#&*!|>'\"?%@`\n \tabyesnoonf015.~<=\\\x00é")),
    max_size=300,
)


def only_voice_assist_errors(text: str, file: str) -> None:
    """The property: a scenario that lints without crashing, or a `VoiceAssistError`."""
    try:
        source = parse_text(text, file)
        scenario = validate_data(source)
    except VoiceAssistError as exc:
        assert str(exc)
        return
    assert isinstance(scenario, Scenario)
    for p in lint(scenario, source):
        assert isinstance(p, Problem)
        assert str(p).startswith(file)


@FAST
@given(text=st.text(max_size=400), file=st.sampled_from(["s.yaml", "s.json"]))
def test_random_text(text: str, file: str) -> None:
    only_voice_assist_errors(text, file)


@FAST
@given(text=YAMLISH, file=st.sampled_from(["s.yaml", "s.json"]))
def test_yaml_flavoured_noise(text: str, file: str) -> None:
    only_voice_assist_errors(text, file)


@FAST
@given(source=st.sampled_from(SOURCES), cut=st.floats(min_value=0, max_value=1))
def test_truncated_examples(source: tuple[str, str], cut: float) -> None:
    text, file = source
    only_voice_assist_errors(text[: int(len(text) * cut)], file)


def _mutate(text: str, data: st.DataObject) -> str:
    kind = data.draw(st.sampled_from(["delete", "insert", "replace", "dup_line", "swap_lines"]))
    at = data.draw(st.integers(0, len(text)))
    if kind == "delete":
        return text[:at] + text[at + data.draw(st.integers(1, 40)) :]
    if kind == "insert":
        return text[:at] + data.draw(YAMLISH | st.text(max_size=20)) + text[at:]
    if kind == "replace":
        return text[:at] + data.draw(st.characters()) + text[at + 1 :]
    lines = text.splitlines(keepends=True) or [""]
    i = data.draw(st.integers(0, len(lines) - 1))
    j = data.draw(st.integers(0, len(lines) - 1))
    if kind == "dup_line":
        lines.insert(j, lines[i])
    else:
        lines[i], lines[j] = lines[j], lines[i]
    return "".join(lines)


@FAST
@given(source=st.sampled_from(SOURCES), data=st.data())
def test_mutated_examples(source: tuple[str, str], data: st.DataObject) -> None:
    text, file = source
    for _ in range(data.draw(st.integers(1, 4))):
        text = _mutate(text, data)
    only_voice_assist_errors(text, file)


@FAST
@given(
    phrases=st.lists(
        st.one_of(
            st.text(min_size=1, max_size=12),
            st.sampled_from(["yes", "no", "on", "off", "5", "007", "1e3", "true", "~", "null"]),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_phrases_of_any_text_round_trip_through_json(phrases: list[str]) -> None:
    data = {
        "id": "p",
        "title": "P",
        "start": "a",
        "steps": [
            {"id": "a", "answers": [{"id": "x", "phrases": phrases, "next": "b"}]},
            {"id": "b", "end": True},
        ],
    }
    try:
        scenario = loads_scenario(json.dumps(data), "p.json")
    except VoiceAssistError:
        return
    loaded = scenario.step("a").answers[0].phrases
    assert [p.strip() for p in loaded] == [p.strip() for p in phrases]
