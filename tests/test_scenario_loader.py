"""Loading scenario files: YAML and JSON, exact `file:line:col: key: message` errors, pitfalls."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from voice_assist.errors import ScenarioError, VoiceAssistError
from voice_assist.scenario import (
    check_file,
    check_text,
    load_checked,
    load_scenario,
    loads_scenario,
    scenario_files,
)
from voice_assist.scenario.loader import key_path, parse_text

MINIMAL = """\
id: mini
title: Minimal
start: hello
steps:
  - id: hello
    say: Hello!
    answers:
      - id: yes_answer
        phrases: [yes, sure]
        next: bye
  - id: bye
    say: Goodbye.
    end: true
"""


def messages(text: str, file: str = "s.yaml") -> list[str]:
    """Every finding (schema or lint) for `text`, as the CLI prints it."""
    _scenario, problems = check_text(text, file)
    return [str(p) for p in problems]


def test_minimal_yaml_loads() -> None:
    sc = loads_scenario(MINIMAL, "mini.yaml")
    assert sc.id == "mini"
    assert sc.step_ids == ["hello", "bye"]
    assert sc.step("hello").answers[0].next == "bye"
    assert sc.step("bye").end is True


def test_json_and_yaml_give_the_same_scenario() -> None:
    from_yaml = loads_scenario(MINIMAL, "mini.yaml")
    as_json = json.dumps(from_yaml.model_dump(exclude_defaults=True), indent=2)
    assert loads_scenario(as_json, "mini.json") == from_yaml


def test_yaml_words_stay_words_in_phrases() -> None:
    text = MINIMAL.replace(
        "phrases: [yes, sure]", "phrases: [yes, no, on, off, 5, y, n, true, 2.5]"
    )
    sc = loads_scenario(text, "s.yaml")
    assert sc.step("hello").answers[0].phrases == [
        "yes", "no", "on", "off", "5", "y", "n", "true", "2.5",
    ]


def test_block_list_of_yaml_words_stays_words() -> None:
    text = MINIMAL.replace(
        "phrases: [yes, sure]", "phrases:\n          - yes\n          - No\n          - OFF"
    )
    assert loads_scenario(text, "s.yaml").step("hello").answers[0].phrases == ["yes", "No", "OFF"]


def test_json_numbers_and_booleans_in_phrases_are_text() -> None:
    data = json.loads(json.dumps(loads_scenario(MINIMAL).model_dump()))
    data["steps"][0]["answers"][0]["phrases"] = [5, True, "no"]
    sc = loads_scenario(json.dumps(data), "s.json")
    assert sc.step("hello").answers[0].phrases == ["5", "true", "no"]


def test_dates_and_ids_that_look_like_numbers_stay_text() -> None:
    text = MINIMAL.replace("id: mini", "id: 2024-01-05").replace("title: Minimal", "title: 0x10")
    sc = loads_scenario(text, "s.yaml")
    assert (sc.id, sc.title) == ("2024-01-05", "0x10")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "id: a\ntitle: t\nid: b\nstart: s\nsteps:\n  - id: s\n    end: true\n",
            "s.yaml:3:1: id: duplicate key (first written on line 1; each key may appear once, "
            "the second would silently win)",
        ),
        (
            "id: a\ntitle: t\nstart: s\nsteps:\n  - id: s\n    say: hi\n    end: true\n"
            "    say: hello\n",
            "s.yaml:8:5: steps[0].say: duplicate key (first written on line 6; each key may "
            "appear once, the second would silently win)",
        ),
    ],
)
def test_duplicate_yaml_keys_are_errors_with_their_line(text: str, expected: str) -> None:
    with pytest.raises(ScenarioError) as info:
        loads_scenario(text, "s.yaml")
    assert str(info.value) == expected


def test_duplicate_json_keys_are_errors_with_their_line() -> None:
    text = (
        '{"id": "a",\n "title": "t",\n "start": "s",\n'
        ' "steps": [{"id": "s",\n            "end": true, "end": false}]}'
    )
    with pytest.raises(ScenarioError) as info:
        loads_scenario(text, "s.json")
    assert str(info.value) == (
        "s.json:5:26: steps[0].end: duplicate key (first written on line 5; each key may "
        "appear once, the second would silently win)"
    )


def test_duplicate_json_key_with_escapes_libyaml_lacks_still_fails() -> None:
    text = '{"id": "a", "title": "\\ud83d\\ude00", "id": "b"}'
    with pytest.raises(ScenarioError, match="duplicate key"):
        loads_scenario(text, "s.json")


def test_json_emoji_escapes_load() -> None:
    data = loads_scenario(MINIMAL).model_dump()
    data["title"] = "Pizza 🍕"
    sc = loads_scenario(json.dumps(data, ensure_ascii=True), "s.json")
    assert sc.title == "Pizza 🍕"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            MINIMAL.replace("    end: true", "    ends: true"),
            ["s.yaml:13:5: steps[1].ends: unknown key (did you mean 'end'?)"],
        ),
        (
            MINIMAL.replace("        next: bye", "        nxt: bye"),
            ["s.yaml:10:9: steps[0].answers[0].nxt: unknown key (did you mean 'next'?)"],
        ),
        (
            MINIMAL.replace("title: Minimal", "tittle: Minimal"),
            [
                "s.yaml:1:1: title: required key is missing",
                "s.yaml:2:1: tittle: unknown key (did you mean 'title'?)",
            ],
        ),
        (
            MINIMAL.replace("    end: true", "    end: maybe"),
            ["s.yaml:13:10: steps[1].end: expected true or false, got 'maybe'"],
        ),
        (
            MINIMAL.replace(
                "    say: Goodbye.", "    say: Goodbye.\n    hints:\n      - Smile: they hear it"
            ),
            [
                "s.yaml:14:9: steps[1].hints[0]: expected text, got a mapping: unquoted text with "
                "': ' (or a ',' inside [...]) splits it; put the text in quotes"
            ],
        ),
        (
            MINIMAL.replace(
                "    say: Hello!", "    say: Hello!\n    hints: [Listen, then: answer]"
            ),
            [
                "s.yaml:7:21: steps[0].hints[1]: expected text, got a mapping: unquoted text with "
                "': ' (or a ',' inside [...]) splits it; put the text in quotes"
            ],
        ),
        (
            MINIMAL.replace("steps:\n", "steps: 5\nx:\n"),
            [
                "s.yaml:4:8: steps: expected a list ('- item' lines or [a, b]), got '5'",
                "s.yaml:5:1: x: unknown key",
            ],
        ),
        (
            MINIMAL.replace("phrases: [yes, sure]", "phrases: []"),
            ["s.yaml:9:9: steps[0].answers[0].phrases: must not be empty (give at least one item)"],
        ),
        (
            MINIMAL.replace("phrases: [yes, sure]", "phrases: [yes, ]").replace(
                "[yes, ]", "[yes, ~]"
            ),
            ["s.yaml:9:24: steps[0].answers[0].phrases[1]: expected text, got an empty value"],
        ),
        (
            MINIMAL + "fields:\n  - id: phone\n    label: Phone\n    type: phon\n",
            [
                "s.yaml:17:11: fields[0].type: 'phon' is not one of text, phone, number, date, "
                "choice, yesno (did you mean 'phone'?)"
            ],
        ),
        (
            MINIMAL + "fields:\n  - id: plan\n    label: Plan\n    type: choice\n",
            ["s.yaml:15:5: fields[0]: a field of type 'choice' needs 'choices'"],
        ),
        (
            MINIMAL + "silence:\n  - after_s: soon\n    text: Hello?\n",
            ["s.yaml:15:14: silence[0].after_s: expected a number, got 'soon'"],
        ),
        (
            MINIMAL
            + "reminders:\n  - id: r\n    text: Smile\n    when: {after_s: 5, enter_step: bye}\n",
            [
                "s.yaml:17:5: reminders[0].when: give exactly one of enter_step, enter_stage, "
                "after_s, before_step"
            ],
        ),
    ],
)
def test_schema_errors_name_file_line_column_and_key(text: str, expected: list[str]) -> None:
    assert messages(text) == expected


def test_unknown_key_in_json_has_its_position() -> None:
    data = loads_scenario(MINIMAL).model_dump(exclude_defaults=True)
    data["steps"][1]["ends"] = data["steps"][1].pop("end")
    text = json.dumps(data, indent=2)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if '"ends"' in row)
    assert messages(text, "s.json") == [
        f"s.json:{line}:7: steps[1].ends: unknown key (did you mean 'end'?)"
    ]


EMPTY = "empty file: a scenario is a mapping of keys (id, title, ...)"
NOT_A_MAPPING = "a scenario is a mapping of keys (id, title, steps, ...)"


@pytest.mark.parametrize(
    ("text", "file", "expected"),
    [
        ("", "s.yaml", f"s.yaml: {EMPTY}"),
        ("# only a comment\n", "s.yaml", f"s.yaml: {EMPTY}"),
        ("- a\n- b\n", "s.yaml", f"s.yaml:1:1: {NOT_A_MAPPING}"),
        ("just words\n", "s.yaml", f"s.yaml: {NOT_A_MAPPING}"),
        (
            "id: a\ntitle: [unclosed\n",
            "s.yaml",
            "s.yaml:3:1: not valid YAML: did not find expected ',' or ']'",
        ),
        (
            "id: a\n\ttitle: t\n",
            "s.yaml",
            "s.yaml:2:1: not valid YAML: found a tab character that violates indentation",
        ),
        (
            "id: a\nsay: Goodbye: see you\n",
            "s.yaml",
            "s.yaml:2:13: not valid YAML: mapping values are not allowed in this context "
            "(a ': ' inside unquoted text? put the text in quotes)",
        ),
        ("a: 1\n---\nb: 2\n", "s.yaml", "s.yaml:2:1: not valid YAML: but found another document"),
        ('{"id": "a",\n "title": }', "s.json", "s.json:2:11: not valid JSON: Expecting value"),
        (
            "a: &x [*x]\n",
            "s.yaml",
            "s.yaml:1:4: a[0]: an alias refers to the value that contains it",
        ),
        (
            "? [a, b]\n: c\n",
            "s.yaml",
            "s.yaml:1:3: a key must be a plain word, not a list or mapping",
        ),
        (
            "id: a\x00\n",
            "s.yaml",
            "s.yaml: not valid YAML: character U+0000 is not allowed in a text file",
        ),
    ],
)
def test_malformed_text_is_one_clear_error(text: str, file: str, expected: str) -> None:
    with pytest.raises(ScenarioError) as info:
        loads_scenario(text, file)
    assert str(info.value) == expected


def test_yaml_anchors_and_merge_keys_work() -> None:
    text = """\
id: a
title: t
start: s
steps:
  - &base
    id: s
    say: Hello
    answers:
      - id: ok
        phrases: &agree [yes, sure]
        next: t
  - <<: *base
    id: t
    answers:
      - id: fine
        phrases: *agree
    end: true
"""
    sc = loads_scenario(text, "s.yaml")
    assert sc.step("t").say == "Hello"
    assert sc.step("t").answers[0].phrases == ["yes", "sure"]


def test_alias_bombs_are_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
    with pytest.raises(ScenarioError, match="too large"):
        loads_scenario("\n".join(lines) + "\n", "s.yaml")


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    with pytest.raises(ScenarioError, match=r"nesting|not valid"):
        loads_scenario("[" * 5000 + "]" * 5000, "s.yaml")
    with pytest.raises(ScenarioError, match=r"nesting|not valid"):
        loads_scenario("[" * 5000 + "]" * 5000, "s.json")


def test_key_path() -> None:
    assert key_path(("steps", 3, "answers", 1, "next")) == "steps[3].answers[1].next"
    assert key_path(()) == ""
    assert key_path((0,)) == "[0]"


def test_positions_point_at_keys_and_items() -> None:
    source = parse_text(MINIMAL, "s.yaml")
    assert source.where(("steps", 0, "answers", 0, "next")) == (10, 15)
    assert source.where(("steps", 0, "answers", 0, "next"), at_key=True) == (10, 9)
    assert source.where(("steps", 1)) == (11, 5)
    assert source.where(("steps", 0, "answers", 0, "phrases", 1)) == (9, 24)
    # a key that is not written falls back to its closest written parent
    assert source.where(("steps", 1, "answers", 4)) == (11, 5)


# ---- files ------------------------------------------------------------------------------------


def test_file_with_bom_loads(tmp_path: Path) -> None:
    f = tmp_path / "bom.yaml"
    f.write_bytes(b"\xef\xbb\xbf" + MINIMAL.encode())
    assert load_scenario(f).id == "mini"


def test_not_utf8_names_line_and_column(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("latin1.yaml").write_bytes(MINIMAL.replace("Goodbye", "Adi\xf3s").encode("latin-1"))
    with pytest.raises(ScenarioError) as info:
        load_scenario("latin1.yaml")
    assert str(info.value) == (
        "latin1.yaml:12:13: not UTF-8 text (byte 0xf3); save the file as UTF-8"
    )


def test_missing_file_and_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("folder.yaml").mkdir()
    with pytest.raises(ScenarioError) as info:
        load_scenario("nope.yaml")
    assert str(info.value) == "nope.yaml: no such file"
    with pytest.raises(ScenarioError) as info:
        load_scenario("folder.yaml")
    assert str(info.value) == "folder.yaml: is a folder, not a file"


def test_check_file_returns_problems_instead_of_raising(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    f.write_text(MINIMAL.replace("next: bye", "next: by"), encoding="utf-8")
    scenario, problems = check_file(f)
    assert scenario is not None
    assert [p.rule for p in problems] == ["missing-step", "unreachable"]
    assert check_file(tmp_path / "none.yaml") == (None, check_file(tmp_path / "none.yaml")[1])


def test_load_checked_refuses_lint_errors_and_accepts_warnings(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(MINIMAL.replace("next: bye", "next: by"), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_checked(broken)
    assert [p.rule for p in info.value.problems] == ["missing-step"]
    warned = tmp_path / "warned.yaml"
    warned.write_text(MINIMAL + "  - id: orphan\n    end: true\n", encoding="utf-8")
    assert load_checked(warned).step_ids == ["hello", "bye", "orphan"]


def test_scenario_files_expands_folders_recursively_and_sorted(tmp_path: Path) -> None:
    names = ["b/z.yaml", "b/a.json", "a.yml", "c.calltest.yaml", "notes.txt", "d/x.corpus.yaml"]
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x: 1\n", encoding="utf-8")
    found = [p.relative_to(tmp_path).as_posix() for p in scenario_files([tmp_path])]
    assert found == ["a.yml", "b/a.json", "b/z.yaml"]
    assert list(scenario_files([tmp_path / "notes.txt"])) == [tmp_path / "notes.txt"]


def test_every_error_is_a_voice_assist_error() -> None:
    assert issubclass(ScenarioError, VoiceAssistError)
    with pytest.raises(VoiceAssistError):
        loads_scenario("id: [", "s.yaml")


# ---- the YAML reader itself --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("yes", "yes"),
        ("No", "No"),
        ("on", "on"),
        ("2024-01-05", "2024-01-05"),
        ("true", True),
        ("FALSE", False),
        ("~", None),
        ("null", None),
        ("", None),
        ("5", 5),
        ("-12", -12),
        ("0o17", 15),
        ("0x1F", 31),
        ("1.5", 1.5),
        ("1e3", 1000.0),
        (".inf", float("inf")),
        ("+1", 1),
        ("1_000", "1_000"),
        ("012", 12),
    ],
)
def test_core_schema_scalars(text: str, value: object) -> None:
    from voice_assist.scenario.yamlread import core_scalar

    result = core_scalar(text)
    assert result == value
    assert isinstance(result, type(value))
    assert isinstance(result, bool) == isinstance(value, bool)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        assert getattr(result, "yaml_source", None) == text


@pytest.mark.parametrize(
    "name", ["en/sales.yaml", "en/hotline.yaml", "ru/sales.yaml", "ru/hotline.yaml"]
)
def test_fast_and_careful_readers_agree(scenarios_dir: Path, name: str) -> None:
    from voice_assist.scenario.yamlread import read_yaml, read_yaml_lazily

    text = (scenarios_dir / name).read_text(encoding="utf-8")
    data, positions, values = read_yaml(text, name, key_path)
    fast, locate = read_yaml_lazily(text, name, key_path)
    assert fast == data
    assert locate() == (positions, values)
