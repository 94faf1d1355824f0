"""Writing changes back: each layout gets exactly the intended lines, the rest stays byte-identical.

`edit_text` splices at the positions the round-trip parser reports and refuses (raises) when the
result would not parse to exactly the intended data; `apply_changes` also re-validates.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest

from voice_assist.errors import ScenarioError, VoiceAssistError
from voice_assist.scenario import loads_scenario
from voice_assist.tune import AddPhrase, SetThreshold, apply_changes, edit_text

HEAD = "id: t\ntitle: T\nlanguage: en\nstart: a\n"
END = "  - id: b\n    end: true\n"


def _yaml(answers: str, globals_: str = "") -> str:
    return HEAD + globals_ + "steps:\n  - id: a\n    answers:\n" + answers + END


@pytest.mark.parametrize(
    ("answers", "change", "expected"),
    [
        pytest.param(
            "      - id: x\n        phrases: [one, two words]   # note\n        next: b\n",
            AddPhrase("a", "x", "three"),
            "      - id: x\n        phrases: [one, two words, three]   # note\n        next: b\n",
            id="flow-list-with-comment",
        ),
        pytest.param(
            "      - id: x\n        phrases: [one,\n                  'two']\n        next: b\n",
            AddPhrase("a", "x", "it's three"),
            "      - id: x\n        phrases: [one,\n                  'two', 'it''s three']\n"
            "        next: b\n",
            id="flow-list-multiline-single-quoted",
        ),
        pytest.param(
            "      - id: x\n        phrases:\n          - one\n          - two\n        next: b\n",
            AddPhrase("a", "x", "three"),
            "      - id: x\n        phrases:\n          - one\n          - two\n          - three\n"
            "        next: b\n",
            id="block-list",
        ),
        pytest.param(
            "      - id: x\n        next: b\n        phrases:\n        - one\n        - two\n",
            AddPhrase("a", "x", "5"),
            "      - id: x\n        next: b\n        phrases:\n        - one\n        - two\n"
            '        - "5"\n',
            id="block-list-last-key-unindented-number-quoted",
        ),
        pytest.param(
            "      - id: x\n        phrases: [one]\n        next: b\n",
            AddPhrase("a", "x", "null"),
            '      - id: x\n        phrases: [one, "null"]\n        next: b\n',
            id="reserved-word-quoted",
        ),
        pytest.param(
            "      - id: x\n        phrases: [one]\n        threshold: 70   # tuned\n"
            "        next: b\n",
            SetThreshold("a", 82.5),
            "      - id: x\n        phrases: [one]\n        threshold: 82.5   # tuned\n"
            "        next: b\n",
            id="threshold-replaced",
        ),
        pytest.param(
            "      - id: x\n        phrases: [one]\n        # where to go\n        next: b\n",
            SetThreshold("a", 80),
            "      - id: x\n        phrases: [one]\n        threshold: 80\n        # where to go\n"
            "        next: b\n",
            id="threshold-inserted-before-commented-key",
        ),
        pytest.param(
            "      - id: x\n        next: b\n        phrases:\n          - one\n          - two\n",
            SetThreshold("a", 80),
            "      - id: x\n        next: b\n        phrases:\n          - one\n          - two\n"
            "        threshold: 80\n",
            id="threshold-after-last-block-list",
        ),
        pytest.param(
            "      - id: x\n        next: b\n        phrases: [one,\n          two]  # end\n",
            SetThreshold("a", 80),
            "      - id: x\n        next: b\n        phrases: [one,\n          two]  # end\n"
            "        threshold: 80\n",
            id="threshold-after-last-multiline-flow-list",
        ),
        pytest.param(
            "      - {id: x, phrases: [one], next: b}\n",
            SetThreshold("a", 80),
            "      - {threshold: 80, id: x, phrases: [one], next: b}\n",
            id="threshold-flow-mapping",
        ),
    ],
)
def test_layouts(answers: str, change: AddPhrase | SetThreshold, expected: str) -> None:
    old = _yaml(answers)
    loads_scenario(old)
    new = edit_text(old, [change])
    assert new == _yaml(expected)
    loads_scenario(new)


def test_global_answer_and_several_phrases_in_order() -> None:
    globals_ = "global_answers:\n  - id: price  # the usual question\n    phrases: [how much]\n"
    old = _yaml("      - id: x\n        phrases: [one]\n        next: b\n", globals_)
    new = edit_text(old, [AddPhrase(None, "price", "what does it cost"),
                          AddPhrase("a", "x", "two"), AddPhrase(None, "price", "the price")])
    assert new == old.replace("[how much]", "[how much, what does it cost, the price]").replace(
        "[one]", "[one, two]")


def test_json_file(tmp_path: Path) -> None:
    data = {"id": "t", "title": "T", "language": "en", "start": "a", "steps": [
        {"id": "a", "answers": [{"id": "x", "phrases": ["one"], "next": "b"}]},
        {"id": "b", "end": True}]}
    path = tmp_path / "s.json"
    old = json.dumps(data, indent=2) + "\n"
    path.write_text(old, encoding="utf-8")
    applied = apply_changes(path, [AddPhrase("a", "x", 'say "two"'), SetThreshold("a", 80)])
    new = path.read_text(encoding="utf-8")
    assert new == applied.new
    assert json.loads(new)["steps"][0]["answers"][0] == {
        "threshold": 80, "id": "x", "phrases": ["one", 'say "two"'], "next": "b"}
    changed = [(a, b) for a, b in zip(old.splitlines(), new.splitlines(), strict=True) if a != b]
    assert [(a.strip(), b.strip()) for a, b in changed] == [
        ('"id": "x",', '"threshold": 80, "id": "x",'),
        ('"one"', '"one", "say \\"two\\""'),
    ]
    assert all(b.startswith(a[: len(a) - len(a.lstrip())]) for a, b in changed)


def test_crlf_and_no_final_newline_are_kept(tmp_path: Path) -> None:
    old = _yaml("      - id: x\n        next: b\n        phrases:\n          - one\n")
    old = old.replace(END, "").replace("\n", "\r\n").rstrip("\r\n")
    old = old.replace("  - id: a", "  - id: b\r\n    end: true\r\n  - id: a")
    new = edit_text(old, [AddPhrase("a", "x", "two")])
    assert new == old + "\r\n          - two"


def test_alias_shared_by_two_answers_is_refused() -> None:
    old = _yaml("      - id: x\n        phrases: &common [one, two]\n        next: b\n"
                "      - id: y\n        phrases: *common\n        next: b\n")
    with pytest.raises(VoiceAssistError, match="would not give the intended scenario"):
        edit_text(old, [AddPhrase("a", "x", "three")])


def test_apply_refuses_a_change_that_breaks_validation(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    old = _yaml("      - id: x\n        phrases: [one]\n        next: b\n"
                "      - id: y\n        phrases: [two]\n        next: b\n")
    path.write_text(old, encoding="utf-8")
    with pytest.raises(ScenarioError, match="also a phrase of answer 'x'"):
        apply_changes(path, [AddPhrase("a", "y", "one")])
    assert path.read_text(encoding="utf-8") == old
    assert [p.name for p in tmp_path.iterdir()] == ["s.yaml"]  # no temporary file left


def test_unknown_answer_is_named() -> None:
    old = _yaml("      - id: x\n        phrases: [one]\n        next: b\n")
    with pytest.raises(VoiceAssistError, match="no answer 'z' at step 'a'"):
        edit_text(old, [AddPhrase("a", "z", "two")])


def _only_insertions(old: str, new: str) -> bool:
    """Lines added, or lines with text added inside them; nothing removed or changed."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "delete":
            return False
        if op == "replace":  # a small block: compare it character by character
            x, y = "".join(a[i1:i2]), "".join(b[j1:j2])
            ops = difflib.SequenceMatcher(None, x, y, autojunk=False).get_opcodes()
            if any(o not in ("equal", "insert") for o, *_ in ops):
                return False
    return True


def test_only_insertions_detects_a_change() -> None:
    assert _only_insertions("a: [x, y]\nb: 1\n", "a: [x, y, z]\nc: 2\nb: 1\n")
    assert not _only_insertions("a: [x, y]\nb: 1\n", "a: [x, z]\nb: 1\n")
    assert not _only_insertions("a: [x, y]\nb: 1\n", "a: [x, y]\n")


@pytest.mark.parametrize("name", ["en/sales.yaml", "en/hotline.yaml", "ru/sales.yaml",
                                  "ru/hotline.yaml"])
def test_shipped_scenarios_only_get_insertions(name: str, scenarios_dir: Path) -> None:
    """On the real example files: a phrase for every answer, a threshold for every step; the
    edit is nothing but insertions (every original character kept, in order) and validates."""
    path = scenarios_dir / name
    old = path.read_text(encoding="utf-8")
    scenario = loads_scenario(old, str(path))
    changes: list[AddPhrase | SetThreshold] = []
    for step in scenario.steps:
        changes += [AddPhrase(step.id, a.id, f"tuned {a.id}".replace("_", " "))
                    for a in step.answers]
        if step.answers:
            changes.append(SetThreshold(step.id, 80))
    changes += [AddPhrase(None, g.id, "tuned global") for g in scenario.global_answers]
    new = edit_text(old, changes, str(path))
    assert _only_insertions(old, new)
    after = loads_scenario(new, str(path))
    phrases = sum(len(a.phrases) for s in after.steps for a in s.answers)
    assert phrases == sum(len(a.phrases) + 1 for s in scenario.steps for a in s.answers)
    assert all(a.threshold == 80 for s in after.steps for a in s.answers)
