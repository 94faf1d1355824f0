"""PocketSphinx on English fixtures (piper, espeak-ng, telephone band, noise) and on the real
human recordings of Debian's pocketsphinx-testdata (LibriVox, CMU "cards", "go forward")."""

from __future__ import annotations

import json
import re
import sys
import wave
from pathlib import Path

import pytest

from voice_assist.errors import EngineError
from voice_assist.events import AudioChunk, Final, Partial

pytestmark = pytest.mark.slow
pytest.importorskip("pocketsphinx")
from voice_assist.asr.pocketsphinx import (  # noqa: E402
    PocketSphinxRecognizer,
    digit_run,
    digits_grammar,
)
from voice_assist.audio.wav import WavSource  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[1] / "audio_fixtures" / "asr"
TESTDATA = Path("/usr/share/pocketsphinx/test/data")
MANIFEST = {e["file"]: e for e in json.loads((FIXTURES / "manifest.json").read_text())}


def wer(ref: str, hyp: str) -> float:
    """Word error rate: edit distance over reference words."""
    r, h = ref.split(), hyp.split()
    row = list(range(len(h) + 1))
    for i in range(1, len(r) + 1):
        prev, row[0] = row[0], i
        for j in range(1, len(h) + 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r[i - 1] != h[j - 1]))
    return row[len(h)] / max(1, len(r))


def pcm_chunks(pcm: bytes, chunk_s: float = 0.1) -> list[AudioChunk]:
    step = int(16000 * chunk_s) * 2
    return [AudioChunk(pcm[i : i + step], i / 32000) for i in range(0, len(pcm), step)]


def decode(rec: PocketSphinxRecognizer, chunks: list[AudioChunk]) -> list[Partial | Final]:
    events: list[Partial | Final] = []
    for chunk in chunks:
        events += rec.accept(chunk)
    return events + list(rec.finish())


def fixture(name: str) -> list[AudioChunk]:
    return list(WavSource(FIXTURES / name).chunks())


def finals(events: list[Partial | Final]) -> list[Final]:
    return [e for e in events if isinstance(e, Final)]


def transcript(events: list[Partial | Final]) -> str:
    return " ".join(f.text for f in finals(events) if f.text)


@pytest.mark.parametrize(
    ("name", "max_wer"),
    [
        ("en_joe_delivery.wav", 0.0),
        ("en_joe_pickup.wav", 0.0),
        ("en_joe_correct.wav", 0.0),
        ("en_joe_card.wav", 0.0),
        ("en_joe_phone.wav", 0.3),
        ("en_joe_delivery_x0.8.wav", 0.0),
        ("en_joe_phone_x1.3.wav", 0.0),
        ("en_joe_phone_x0.8.wav", 0.3),
        ("en_espeak_en-us_correct.wav", 0.25),
    ],
)
def test_free_decoding_of_synthetic_speech(name: str, max_wer: float) -> None:
    hyp = transcript(decode(PocketSphinxRecognizer(), fixture(name)))
    assert wer(MANIFEST[name]["text"], hyp) <= max_wer, hyp


@pytest.mark.xfail(
    strict=True,
    reason="known weak: 8 kHz band, white noise, espeak voices, slow "
    "speech with the 16 kHz en-us model (measured WER 0.5-2.0; see bench)",
)
@pytest.mark.parametrize(
    "name",
    [
        "en_tel8k_delivery.wav",
        "en_tel8k_phone.wav",
        "en_noise20db_delivery.wav",
        "en_noise10db_delivery.wav",
        "en_espeak_en-gb_delivery.wav",
        "en_espeak_en-gb-scotland_correct.wav",
        "en_joe_delivery_x1.3.wav",
    ],
)
def test_hard_conditions_are_still_weak(name: str) -> None:
    hyp = transcript(decode(PocketSphinxRecognizer(), fixture(name)))
    assert wer(MANIFEST[name]["text"], hyp) <= 0.25, hyp


def test_endpointing_splits_a_dialog_with_partials_first_and_monotonic_times() -> None:
    events = decode(PocketSphinxRecognizer(), fixture("en_joe_dialog.wav"))
    got = finals(events)
    assert len(got) == 3
    assert got[0].text == "delivery please" and got[2].text.startswith("yes that")
    previous_end = 0.0
    for final in got:
        partials = [e for e in events if isinstance(e, Partial) and e.start_s == final.start_s]
        assert partials and all(p.at_s < final.at_s for p in partials)  # same utterance, earlier
        for w in final.words:
            assert previous_end <= w.start_s <= w.end_s <= final.at_s
            previous_end = w.start_s
    assert got[1].words[0].start_s > 2.5 and got[2].words[0].start_s > 7.0


def test_chunk_size_does_not_change_results() -> None:
    pcm = b"".join(c.pcm for c in fixture("en_joe_dialog.wav"))
    a = finals(decode(PocketSphinxRecognizer(), pcm_chunks(pcm, 0.1)))
    b = finals(decode(PocketSphinxRecognizer(), pcm_chunks(pcm, 0.032)))
    assert [(f.text, f.words) for f in a] == [(f.text, f.words) for f in b]


def _testdata(rel: str) -> Path:
    path = TESTDATA / rel
    if not path.exists():
        pytest.skip("Debian package pocketsphinx-testdata is not installed")
    return path


def _wav_pcm(path: Path) -> bytes:
    with wave.open(str(path)) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (16000, 1, 2)
        return w.readframes(w.getnframes())


def _transcriptions(rel: str) -> list[tuple[str, str]]:
    lines = _testdata(rel).read_text().splitlines()
    out = []
    for line in lines:
        m = re.match(r"<s>(.*)</s>\s*\((.*)\)", line.strip())
        if m:
            out.append((m.group(2), " ".join(m.group(1).split())))
    return out


def test_real_recordings_librivox() -> None:
    errors = []
    for file_id, ref in _transcriptions("librivox/transcription"):
        pcm = _wav_pcm(_testdata(f"librivox/{file_id}.wav"))
        errors.append(wer(ref, transcript(decode(PocketSphinxRecognizer(), pcm_chunks(pcm)))))
    assert len(errors) == 5
    assert sum(errors) / len(errors) <= 0.4  # measured 0.30 (read speech, 64 kb/s MP3 source)


@pytest.mark.parametrize("file_id", ["001", "003", "004", "005"])
def test_real_recordings_cards(file_id: str) -> None:
    ref = dict(_transcriptions("cards/cards.transcription"))[file_id]
    pcm = _wav_pcm(_testdata(f"cards/{file_id}.wav"))
    assert transcript(decode(PocketSphinxRecognizer(), pcm_chunks(pcm))) == ref


def test_real_recording_keyword_spotting_with_free_transcript() -> None:
    pcm = _testdata("goforward.raw").read_bytes()  # raw 16 kHz mono int16
    rec = PocketSphinxRecognizer()
    rec.set_vocabulary(["go forward", "turn left"])
    got = finals(decode(rec, pcm_chunks(pcm)))
    assert [f.text for f in got] == ["go forward"]
    assert got[0].free_text == "go forward ten meters"
    rec = PocketSphinxRecognizer()
    rec.set_vocabulary(["clubs", "spades", "hearts"])
    got = finals(decode(rec, pcm_chunks(_wav_pcm(_testdata("cards/005.wav")))))
    assert " ".join(f.text for f in got) == "spades hearts"  # "clubs" in the middle is missed


def test_keyword_spotting_finds_phrases_and_ignores_off_script_speech() -> None:
    rec = PocketSphinxRecognizer()
    rec.set_vocabulary(["delivery", "phone number", "correct"])
    got = finals(decode(rec, fixture("en_joe_dialog.wav")))
    assert [f.text for f in got] == ["delivery", "phone number", "correct"]
    assert all(f.free_text for f in got)
    rec = PocketSphinxRecognizer()
    rec.set_vocabulary(["credit card", "pick it up"])
    got = finals(decode(rec, fixture("en_joe_phone.wav")))
    assert [f.text for f in got] == [""]
    assert "phone" in (got[0].free_text or "")


def test_vocabulary_switch_waits_for_the_end_of_the_utterance() -> None:
    rec = PocketSphinxRecognizer()
    events: list[Partial | Final] = []
    for chunk in fixture("en_joe_dialog.wav"):
        new = rec.accept(chunk)
        events += new
        if not finals(events) and any(isinstance(e, Partial) for e in new):
            rec.set_vocabulary(["phone number", "correct"])
            assert rec.vocabulary is None
    events += rec.finish()
    got = finals(events)
    assert got[0].text == "delivery please" and got[0].free_text is None
    assert [f.text for f in got[1:]] == ["phone number", "correct"]


def test_unknown_words_and_unusable_vocabulary() -> None:
    rec = PocketSphinxRecognizer()
    assert rec.unknown_words(["delivery please", "pizzeria romaa xyzzy"]) == ["romaa", "xyzzy"]
    rec.set_vocabulary(["xyzzy"])  # nothing spottable: stays in free mode
    assert transcript(decode(rec, fixture("en_joe_delivery.wav"))) == "delivery please"


def test_missing_package_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pocketsphinx", None)
    with pytest.raises(EngineError, match="'pocketsphinx' package"):
        PocketSphinxRecognizer()


@pytest.mark.parametrize("stop_after_chunks", [0, 5, 12])
def test_finish_at_any_moment_ends_cleanly(stop_after_chunks: int) -> None:
    """A call stopped mid-stream (Ctrl-C, device lost) still gets its last final, no crash."""
    rec = PocketSphinxRecognizer()
    events: list[Partial | Final] = []
    for chunk in fixture("en_joe_delivery.wav")[:stop_after_chunks]:
        events += rec.accept(chunk)
    finals = rec.finish()
    assert all(isinstance(f, Final) for f in finals)
    if stop_after_chunks >= 12:  # mid-utterance: the words heard so far come out
        assert finals and finals[-1].text
    if stop_after_chunks == 0:
        assert finals == []


def test_endless_noise_is_cut_into_bounded_utterances() -> None:
    """Loud noise keeps the endpointer in speech; utterances are cut at max_utterance_s, so the
    audio held for the utterance (and memory) stays bounded."""
    import numpy as np

    rng = np.random.default_rng(7)
    noise = (rng.normal(0, 6000, 16000 * 14)).clip(-32768, 32767).astype("<i2").tobytes()
    rec = PocketSphinxRecognizer(free_transcript=False, max_utterance_s=4.0)
    held_s = []
    step = 3200
    for i in range(0, len(noise), step):
        rec.accept(AudioChunk(noise[i : i + step], i / 32000))
        held_s.append(sum(len(b) for b in rec._utt_audio) / 32000)
    rec.finish()
    assert max(held_s) <= 4.1
    assert max(held_s) >= 3.5  # it really was one long "utterance" before the cut


@pytest.mark.parametrize(
    ("words", "run"),
    [
        (["my", "number", "is", "five", "five", "five", "one", "two"], (3, 7)),
        (["five", "hundred", "please"], None),  # two number words: a price, not a phone
        (["one", "two", "three", "and", "four", "five", "six", "seven"], (4, 7)),  # the longer run
        (["eight", "eighty", "two"], (0, 2)),  # tens count: the LM's merge of "eight two"
        ([], None),
    ],
)
def test_digit_run(words: list[str], run: tuple[int, int] | None) -> None:
    assert digit_run(words) == run


def test_digits_grammar_lets_the_word_before_be_a_digit() -> None:
    grammar = digits_grammar("by")
    assert "public <number> = (by | <digit>) <digit>+;" in grammar
    assert "public <number> = <digit> <digit>+;" in digits_grammar(None)


def test_a_spoken_number_keeps_its_repeated_digits() -> None:
    """The language model alone heard "numbers by five five one two three four" here: the
    digits grammar takes "by" back as the first "five"."""
    got = finals(decode(PocketSphinxRecognizer(), fixture("en_joe_dialog.wav")))
    spoken = [f for f in got if "one two three four" in f.text]
    assert spoken and spoken[0].text.endswith("five five five one two three four"), spoken
    # the other reading (the lead word kept, here the language model's) is an alternative, for
    # a field that knows how many digits it wants
    assert [a.endswith("by five five one two three four") for a in spoken[0].alternatives] == [
        True
    ]


def test_partials_are_free_and_timed_even_when_biased() -> None:
    """Partials come from the live language-model decoder, never the spotter: `free`, with
    word times inside the audio heard so far."""
    rec = PocketSphinxRecognizer()
    rec.set_vocabulary(["delivery", "phone number", "correct"])
    partials = [e for e in decode(rec, fixture("en_joe_dialog.wav")) if isinstance(e, Partial)]
    assert partials and all(p.free for p in partials)
    timed = [p for p in partials if p.words]
    assert len(timed) > len(partials) // 2
    assert all(p.start_s <= w.start_s <= w.end_s <= p.at_s + 0.01 for p in timed for w in p.words)
