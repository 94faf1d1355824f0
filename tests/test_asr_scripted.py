"""The text engine and the silence source: timing of partials and finals, transcripts."""

from __future__ import annotations

from pathlib import Path

import pytest

from voice_assist.asr import (
    Recognizer,
    ScriptedRecognizer,
    Turn,
    create_recognizer,
    load_transcript,
)
from voice_assist.audio.base import AudioSource
from voice_assist.audio.silence import SilenceSource
from voice_assist.errors import AudioError, EngineError
from voice_assist.events import AudioChunk, Final, Partial


def run(rec: ScriptedRecognizer, duration_s: float | None = None) -> list[Partial | Final]:
    events: list[Partial | Final] = []
    for chunk in SilenceSource(rec.duration_s if duration_s is None else duration_s).chunks():
        events += rec.accept(chunk)
    return events + list(rec.finish())


def test_it_is_a_recognizer_and_silence_is_a_source() -> None:
    assert isinstance(ScriptedRecognizer(["hi"]), Recognizer)
    assert isinstance(SilenceSource(1.0), AudioSource)


def test_words_appear_one_by_one_then_a_final_with_times() -> None:
    rec = ScriptedRecognizer(["delivery please"], first_at_s=1.0, word_s=0.5)
    events = run(rec)
    assert [type(e).__name__ for e in events] == ["Partial", "Partial", "Final"]
    p1, p2, final = events
    assert (p1.text, p1.at_s) == ("delivery", 1.5)
    assert (p2.text, p2.at_s) == ("delivery please", 2.0)
    assert isinstance(final, Final)
    assert final.text == "delivery please" and final.at_s == 2.0 and final.start_s == 1.0
    assert [(w.word, w.start_s, w.end_s) for w in final.words] == [
        ("delivery", 1.0, 1.5),
        ("please", 1.5, 2.0),
    ]
    assert rec.duration_s == 2.0 + rec.gap_s


@pytest.mark.parametrize("chunk_s", [0.1, 0.03, 1.0])
def test_events_do_not_depend_on_chunk_size(chunk_s: float) -> None:
    ref = run(ScriptedRecognizer(["yes", "my number is five"]))
    rec = ScriptedRecognizer(["yes", "my number is five"])
    events: list[Partial | Final] = []
    for chunk in SilenceSource(rec.duration_s, chunk_s=chunk_s).chunks():
        events += rec.accept(chunk)
    assert events == ref


def test_events_arrive_only_once_their_audio_time_has_passed() -> None:
    rec = ScriptedRecognizer(["one two"], first_at_s=1.0, word_s=0.35)
    assert rec.accept(AudioChunk(bytes(2 * 16000), 0.0)) == []  # up to 1.0 s: nothing yet
    got = rec.accept(AudioChunk(bytes(2 * 8000), 1.0))  # up to 1.5 s: first word
    assert [e.text for e in got] == ["one"]
    for e in got:
        assert e.at_s <= 1.5


def test_turn_times_and_gaps() -> None:
    rec = ScriptedRecognizer(
        ["a b", Turn("c", at_s=10.0), "d"], first_at_s=0.5, gap_s=1.0, word_s=0.25
    )
    finals = [e for e in run(rec) if isinstance(e, Final)]
    assert [(f.text, f.start_s, f.at_s) for f in finals] == [
        ("a b", 0.5, 1.0),
        ("c", 10.0, 10.25),
        ("d", 11.25, 11.5),
    ]
    assert rec.duration_s == 12.5


def test_overlapping_turns_are_refused() -> None:
    with pytest.raises(EngineError, match="turn 2"):
        ScriptedRecognizer(["one two three", Turn("x", at_s=1.2)], first_at_s=1.0)


def test_finish_ends_the_turn_in_progress_with_the_words_heard() -> None:
    rec = ScriptedRecognizer(["one two three"], first_at_s=0.0, word_s=1.0)
    events = run(rec, duration_s=2.05)
    final = events[-1]
    assert isinstance(final, Final) and final.text == "one two"
    assert rec.finish() == []


def test_vocabulary_is_remembered() -> None:
    rec = ScriptedRecognizer(["x"])
    rec.set_vocabulary(["delivery", "pickup"])
    assert rec.vocabulary == ("delivery", "pickup")
    rec.set_vocabulary(None)
    assert rec.vocabulary is None
    assert rec.unknown_words(["anything at all"]) == []


def test_load_transcript(tmp_path: Path) -> None:
    path = tmp_path / "call.txt"
    path.write_text("# a call\nhello there\n\n12.5: delivery please\n20: yes\n", encoding="utf-8")
    assert load_transcript(path) == [
        Turn("hello there"),
        Turn("delivery please", 12.5),
        Turn("yes", 20.0),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("5: a\n2: b\n", r"call.txt:2: time 2.0 s is earlier"),
        ("3.5:   \n", r"call.txt:1: no words"),
    ],
)
def test_bad_transcripts_name_the_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "call.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(EngineError, match=message):
        load_transcript(path)


def test_missing_transcript(tmp_path: Path) -> None:
    with pytest.raises(EngineError, match="not found"):
        load_transcript(tmp_path / "nope.txt")


def test_silence_source_covers_the_duration_exactly() -> None:
    chunks = list(SilenceSource(0.95, chunk_s=0.1).chunks())
    assert len(chunks) == 10
    assert chunks[-1].duration_s == pytest.approx(0.05)
    assert chunks[3].at_s == pytest.approx(0.3)
    assert set(b"".join(c.pcm for c in chunks)) == {0}
    with pytest.raises(AudioError, match="negative"):
        SilenceSource(-1)


def test_create_recognizer_text_and_unknown_engine() -> None:
    rec = create_recognizer("text", language="en", turns=["hi"])
    assert rec.name == "text"
    with pytest.raises(EngineError, match="unknown engine 'whisper'"):
        create_recognizer("whisper", language="en")


def test_auto_without_a_model_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import voice_assist.asr.models as models

    monkeypatch.setattr(models, "project_models_dir", lambda: tmp_path)
    monkeypatch.setenv("VOICE_ASSIST_MODELS", str(tmp_path))
    with pytest.raises(EngineError, match=r"voice-assist models install vosk-model-small-ru-0\.22"):
        create_recognizer("auto", language="ru")
    with pytest.raises(EngineError, match="English model only"):
        create_recognizer("pocketsphinx", language="ru")
