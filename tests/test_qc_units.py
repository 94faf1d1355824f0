"""Unit tests of the QC layers above the engines: alignment, visits, reminders, timings, score,
graph, statistics. Fed with hand-made events (the real replay is in test_qc.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from voice_assist.errors import AudioError
from voice_assist.events import (
    CallEnded,
    Final,
    Matched,
    NoMatch,
    ReminderDue,
    StepEntered,
    TransferSuggested,
    Word,
)
from voice_assist.qc import adherence, align, graph, timings
from voice_assist.qc.batch import branch_stats, expand, goal_step
from voice_assist.qc.replay import Span, speech_spans
from voice_assist.qc.report import score
from voice_assist.scenario import load_checked

ROOT = Path(__file__).resolve().parent.parent
SUPPORT = ROOT / "audio_fixtures" / "qc" / "support.yaml"


def words(text: str, start_s: float = 0.0, step_s: float = 0.3) -> tuple[Word, ...]:
    return tuple(
        Word(w, start_s + i * step_s, start_s + i * step_s + 0.25)
        for i, w in enumerate(text.split())
    )


@pytest.mark.parametrize(
    ("expected", "heard", "matched", "missing", "extra", "subs"),
    [
        ("please say yes or no", "please say yes or no", 5, (), (), ()),
        ("please say yes or no", "please say yes", 3, ("or", "no"), (), ()),
        ("please say yes or no", "please just say yes or no", 5, (), ("just",), ()),
        ("please say yes or no", "please say yes or maybe", 4, (), (), (("no", "maybe"),)),
        ("please say yes or no", "hello there please say yes or no thanks", 5, (), (), ()),
        (
            "please say yes or no",
            "something else entirely",
            0,
            ("please", "say", "yes", "or", "no"),
            (),
            (),
        ),
    ],
)
def test_align(expected, heard, matched, missing, extra, subs):
    a = align.align(expected.split(), heard.split(), "en")
    assert (a.matched, a.missing, a.extra, a.substituted) == (matched, missing, extra, subs)


def test_align_accuracy_and_stems():
    a = align.align(
        ["thank", "you", "for", "calling"], ["thanks", "to", "you", "for", "called"], "en"
    )
    assert a.matched == 4  # compared by stems: thanks ~ thank, called ~ calling
    assert a.extra == ("to",)
    assert a.accuracy == pytest.approx(4 / 5)


def test_key_words_and_coverage():
    wanted = align.key_words(
        "Please restart your router and tell me when the lights are green", "en"
    )
    assert wanted == ["restart", "router", "lights", "green"]
    cov, found = align.coverage(wanted, ["restarted", "the", "router"], "en")
    assert (cov, found) == (0.5, ["restart", "router"])


def test_reminder_words_prefer_quotes():
    assert adherence.reminder_words("Tell the customer that 'this call is recorded'.", "en") == [
        "call",
        "recorded",
    ]
    assert adherence.reminder_words(
        "Agree first, then answer: start with 'I understand...', never argue.", "en"
    ) == ["understand"]
    assert adherence.reminder_words("Offer the choice of two plans", "en") == [
        "offer",
        "choice",
        "two",
        "plans",
    ]


def _call() -> list[object]:
    """A hand-made call: greeting said, router line said, consent never said."""
    return [
        StepEntered(0.0, "greeting", "contact", "Good morning. How can I help you?", True),
        ReminderDue(0.0, "recording", "Say 'this call is recorded'.", "greeting"),
        Final("the internet is slow", 6.0, words("the internet is slow", 4.5), 4.5),
        Matched(6.0, "greeting", "slow_internet", "router", 90.0, "the internet is slow"),
        StepEntered(
            6.0, "router", "needs", "Please restart your router.", False, "greeting", "answer"
        ),
        Final("it works now", 12.0, words("it works now", 11.0), 11.0),
        Matched(12.0, "router", "works", "consent", 95.0, "it works now"),
        StepEntered(
            12.0, "consent", "closing", "Do you agree? Say yes or no.", True, "router", "answer"
        ),
        TransferSuggested(13.0, "to_manager", "Duty manager", "One moment, I am transferring you."),
        NoMatch(14.0, "consent", "the weather is lovely", "no answer matched"),
        CallEnded(20.0, "end_of_audio", "incomplete", "consent"),
    ]


def test_visits_start_where_the_answer_began():
    v = adherence.visits(_call(), 20.0)
    assert [(x.step, x.start_s, x.end_s) for x in v] == [
        ("greeting", 0.0, 5.0),
        ("router", 5.0, 11.0),
        ("consent", 11.0, 20.0),
    ]


def test_step_checks_and_findings():
    op = [
        Final(
            "good morning how can i help you this call is recorded",
            4.0,
            words("good morning how can i help you this call is recorded", 0.5),
            0.5,
        ),
        Final("please restart your router", 9.0, words("please restart your router", 7.0), 7.0),
        Final("alright then", 14.0, words("alright then", 13.0), 13.0),
    ]
    ws = adherence.operator_words(op)
    checks = [adherence.check_step(v, ws, "en") for v in adherence.visits(_call(), 20.0)]
    assert [c.status for c in checks] == ["ok", "ok", "not_said"]
    assert checks[0].mode == "strict" and checks[1].mode == "keywords"
    assert checks[2].score == 0.0
    spoken = adherence.phrases(ws)
    reminders = adherence.check_reminders(_call(), spoken, "en")
    assert [(r.reminder, r.said) for r in reminders] == [("recording", True)]
    scenario = load_checked(SUPPORT)
    transfers = adherence.check_transfers(scenario, _call(), spoken)
    assert [(t.transfer, t.done) for t in transfers] == [("to_manager", False)]


def test_verbatim_deviation():
    v = adherence.Visit(
        "consent", 1, 0.0, 0.0, 10.0, "Do you agree that we close this ticket now?", True, "answer"
    )
    said = adherence.operator_words(
        [Final("well agree to close it", 3.0, words("well agree to close it"), 0.0)]
    )
    check = adherence.check_step(v, said, "en")
    assert check.status == "deviated"
    assert "ticket" in check.alignment.missing or ("ticket", "it") in check.alignment.substituted


def test_unknown_placeholders_are_left_out():
    assert adherence.spoken_words("Thank you, {name}! *Goodbye* [pause] now", "en") == [
        "thank",
        "you",
        "goodbye",
        "now",
    ]


def test_timings():
    op = [Span(0.0, 5.0), Span(10.0, 14.0)]
    cu = [Span(6.0, 9.0), Span(13.5, 16.0)]
    assert timings.talk_s(op) == 9.0
    ints = timings.interruptions(op, cu)
    assert [(i.at_s, i.by, i.overlap_s) for i in ints] == [(13.5, "customer", 0.5)]
    assert timings.longest_customer_silence(op, cu, 20.0) == (1.0, 5.0)
    assert timings.longest_customer_silence([], cu, 20.0) == (6.0, 0.0)


def test_speech_spans_from_energy():
    rms = [0.0] * 50 + [3000.0] * 100 + [0.0] * 50 + [3000.0] * 100 + [0.0] * 100 + [3000.0] * 5
    assert speech_spans(rms) == [Span(0.5, 1.5), Span(2.0, 3.0)]


def test_score_formula():
    steps = [
        adherence.StepCheck(
            "a", 1, 0, 0, 1, True, "strict", "", "", (), (), 1, 0.9, 90.0, "ok", None
        ),
        adherence.StepCheck(
            "b", 1, 1, 1, 2, False, "keywords", "", "", (), (), 0, 0, 0.0, "not_said", None
        ),
    ]
    rem = [
        adherence.ReminderCheck("r", "t", None, 0, (), (), 1, True, 0, ""),
        adherence.ReminderCheck("s", "t", None, 0, (), (), 0, False, None, ""),
    ]
    total, parts = score(steps, rem, [], [])
    assert parts == {"steps": 45.0, "reminders": 50.0}
    assert total == pytest.approx((0.6 * 45 + 0.2 * 50) / 0.8, abs=0.05)
    assert score([], [], [], []) == (None, {})


def test_graph_highlights_taken_edges():
    scenario = load_checked(SUPPORT)
    svg = graph.svg(
        scenario, ["greeting", "router", "consent"], [("greeting", "router"), ("router", "consent")]
    )
    assert svg.count('class="edge taken"') == 2
    assert svg.count('class="node visited') == 3
    assert goal_step(scenario) == "goodbye"


def test_branch_stats_from_reports(tmp_path):
    from voice_assist.pipeline import CallResult
    from voice_assist.qc.replay import Replay
    from voice_assist.qc.report import build

    scenario = load_checked(SUPPORT)
    reports = []
    for i, events in enumerate(
        [_call(), [*_call()[:4], CallEnded(8.0, "end_of_audio", "incomplete", "router")]]
    ):
        call = CallResult(events=list(events), ended=events[-1])
        reports.append(build(Replay(f"call{i}.wav", scenario, "test", 20.0, True, 1, 0, call)))
    stats = branch_stats(reports, scenario)
    assert stats.calls == 2
    first = stats.answers[0]
    assert (first["step"], first["answer"], first["calls"], first["conversion"]) == (
        "greeting",
        "slow_internet",
        2,
        0.0,
    )
    assert {(e["step"], e["calls"]) for e in stats.ended} == {("consent", 1), ("router", 1)}
    assert [n["heard"] for n in stats.no_match] == ["the weather is lovely"]
    assert stats.lowest_steps[0]["step"] in ("consent", "greeting", "router")


def test_expand_lists_and_folders(tmp_path):
    (tmp_path / "a.wav").write_bytes(b"")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.WAV").write_bytes(b"")
    listing = tmp_path / "calls.txt"
    listing.write_text("# two calls\na.wav\nsub/b.WAV  # the second\n")
    assert expand([str(listing)]) == [str(tmp_path / "a.wav"), str(tmp_path / "sub" / "b.WAV")]
    assert expand([str(tmp_path)]) == [str(tmp_path / "a.wav"), str(tmp_path / "sub" / "b.WAV")]
    (tmp_path / "empty").mkdir()
    with pytest.raises(AudioError, match=r"no \.wav recordings"):
        expand([str(tmp_path / "empty")])
