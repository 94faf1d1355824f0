"""The four bundled example scenarios: they load, lint clean, and hold what the product needs."""

from __future__ import annotations

import json
import os
from functools import cache, lru_cache
from pathlib import Path

import pytest

from voice_assist.scenario import Scenario, check_file, loads_scenario
from voice_assist.scenario.models import HOTLINE_STAGES, SALES_STAGES
from voice_assist.text import tokens

EXAMPLES = ["en/sales.yaml", "en/hotline.yaml", "ru/sales.yaml", "ru/hotline.yaml"]


@cache
def example(name: str) -> Scenario:
    scenario, problems = check_file(Path(__file__).parent.parent / "scenarios" / name)
    assert scenario is not None, [str(p) for p in problems]
    return scenario


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_loads_with_no_errors_and_only_intended_warnings(
    scenarios_dir: Path, name: str
) -> None:
    scenario, problems = check_file(scenarios_dir / name)
    assert scenario is not None
    assert [str(p) for p in problems if p.severity == "error"] == []
    # the only warnings are deliberate answer pairs that differ by a negation
    assert {p.rule for p in problems} <= {"negated-sibling"}


def test_sales_examples_keep_their_deliberate_negated_pairs(scenarios_dir: Path) -> None:
    for name in ("en/sales.yaml", "ru/sales.yaml"):
        _scenario, problems = check_file(scenarios_dir / name)
        assert len([p for p in problems if p.rule == "negated-sibling"]) >= 2


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_round_trips_through_json(name: str) -> None:
    scenario = example(name)
    text = json.dumps(scenario.model_dump(exclude_defaults=True), ensure_ascii=False, indent=2)
    assert loads_scenario(text, name.replace(".yaml", ".json")) == scenario


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_answer_has_three_to_eight_phrases(name: str) -> None:
    scenario = example(name)
    answers = [a for s in scenario.steps for a in s.answers] + list(scenario.global_answers)
    counts = {a.id: len(a.phrases) for a in answers}
    assert all(3 <= n <= 8 for n in counts.values()), counts


@pytest.mark.parametrize("name", ["en/sales.yaml", "ru/sales.yaml"])
def test_sales_examples_have_everything_the_issue_asks(name: str) -> None:
    sc = example(name)
    assert sc.stages == list(SALES_STAGES)
    assert {s.stage for s in sc.steps} == set(SALES_STAGES)
    assert 12 <= len(sc.steps) <= 20
    first = sc.step(sc.start)
    assert first.verbatim and "*" in first.say and "[" in first.say
    assert any(
        r.when.enter_step == sc.start and ("record" in r.text or "запис" in r.text)
        for r in sc.reminders
    )
    assert {g.id for g in sc.global_answers} >= {
        "too_expensive", "not_interested", "who_are_you", "other_provider",
    }
    assert any(g.resume for g in sc.global_answers)
    fields = {f.id: f for f in sc.fields}
    assert fields["phone"].type == "phone" and fields["phone"].required
    assert fields["plan"].type == "choice" and fields["plan"].choices
    assert fields["callback_date"].type == "date"
    assert fields["consent"].type == "yesno"
    assert fields["name"].type == "text"
    # the callback branch captures a time and ends
    callback = sc.step("callback_time")
    assert callback.capture == ["callback_date"]
    assert any(sc.step(a.next).end for a in callback.answers if a.next)
    assert any("{name}" in s.say for s in sc.steps if s.stage == "presentation")
    whens = [r.when for r in sc.reminders]
    assert any(w.after_s for w in whens)
    assert any(w.before_step and w.field and fields[w.field].required for w in whens)
    assert sc.transfers and all(t.phrases for t in sc.transfers)
    assert 4 <= len(sc.knowledge) <= 6 and all(a.tags for a in sc.knowledge)
    assert sc.silence


@pytest.mark.parametrize("name", ["en/hotline.yaml", "ru/hotline.yaml"])
def test_hotline_examples_have_everything_the_issue_asks(name: str) -> None:
    sc = example(name)
    assert sc.stages == list(HOTLINE_STAGES)
    assert {s.stage for s in sc.steps} == set(HOTLINE_STAGES)
    reasons = {a.id for a in sc.step(sc.start).answers}
    assert reasons >= {"billing", "fault", "moving", "cancel"}
    assert any(f.required for f in sc.fields)
    assert any(t.step and sc.step(t.step).end for t in sc.transfers)
    assert any(s.end for s in sc.steps)
    assert sc.knowledge and sc.silence and sc.reminders


@pytest.mark.parametrize("kind", ["sales", "hotline"])
def test_english_and_russian_examples_share_their_shape(kind: str) -> None:
    en, ru = example(f"en/{kind}.yaml"), example(f"ru/{kind}.yaml")
    assert (en.language, ru.language) == ("en", "ru")
    assert en.step_ids == ru.step_ids
    for a, b in zip(en.steps, ru.steps, strict=True):
        assert [x.id for x in a.answers] == [x.id for x in b.answers], a.id
        assert [x.next for x in a.answers] == [x.next for x in b.answers], a.id
    assert [f.id for f in en.fields] == [f.id for f in ru.fields]
    assert [g.id for g in en.global_answers] == [g.id for g in ru.global_answers]


def test_russian_sales_has_negated_objections_as_phrases() -> None:
    sc = example("ru/sales.yaml")
    busy = next(a for a in sc.step("greeting").answers if a.id == "busy")
    assert "неудобно" in busy.phrases
    not_interested = next(g for g in sc.global_answers if g.id == "not_interested")
    assert "не интересно" in not_interested.phrases


@lru_cache(maxsize=1)
def cmudict_words() -> frozenset[str]:
    import pocketsphinx

    path = os.path.join(pocketsphinx.get_model_path(), "en-us", "cmudict-en-us.dict")
    with open(path, encoding="utf-8") as f:
        return frozenset(line.split(" ", 1)[0].split("(")[0] for line in f if line.strip())


@pytest.mark.parametrize("name", ["en/sales.yaml", "en/hotline.yaml"])
def test_every_english_phrase_word_is_in_the_pocketsphinx_dictionary(name: str) -> None:
    sc = example(name)
    phrases = [p for s in sc.steps for a in s.answers for p in a.phrases]
    phrases += [p for g in sc.global_answers for p in g.phrases]
    phrases += [p for t in sc.transfers for p in t.phrases]
    words = {w for p in phrases for w in p.lower().split()}
    assert words - cmudict_words() == set()
    # so are the normalised tokens the matcher compares ("cannot" -> "can not")
    assert {w for p in phrases for w in tokens(p, "en")} - cmudict_words() == set()
