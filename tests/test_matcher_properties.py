"""Properties of the matcher on arbitrary text: it never raises, and its decisions are coherent."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voice_assist.matcher import Matcher, MatchResult
from voice_assist.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
MATCHERS = {
    lang: Matcher(load_scenario(ROOT / f"scenarios/{lang}/sales.yaml")) for lang in ("en", "ru")
}
WORDS = {
    "en": "yes no not i don't want it is fine too expensive tell me more um like 5 five , . ?",
    "ru": "да нет не неудобно удобно интересно ну эээ дорого пять 5 сколько стоит , . ?",
}


def check(result: MatchResult) -> None:
    assert all(0.0 <= c.score <= 100.0 for c in result.candidates)
    if result.chosen is not None:
        c = result.chosen
        assert result.reason == "matched"
        assert not c.negated and c.score >= c.threshold
        assert c.matched_words, "a choice always says which words it matched"
        assert result.candidates[0].score == c.score
    else:
        assert result.reason != "matched"


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=80), lang=st.sampled_from(["en", "ru"]))
def test_any_text(text: str, lang: str) -> None:
    matcher = MATCHERS[lang]
    for step in ("greeting", "presentation_offer", "consent"):
        check(matcher.match(step, text))


@settings(max_examples=200, deadline=None)
@given(data=st.data(), lang=st.sampled_from(["en", "ru"]))
def test_word_salad_from_the_scenario(data: st.DataObject, lang: str) -> None:
    words = data.draw(st.lists(st.sampled_from(WORDS[lang].split()), max_size=12))
    text = " ".join(words)
    result = MATCHERS[lang].match("presentation_offer", text)
    check(result)
    # the same text gives the same decision (results are values; the cache must not change them)
    again = MATCHERS[lang].match("presentation_offer", text)
    assert again == result


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_word_confidences_never_raise_a_score(lang: str) -> None:
    text = {"en": "tell me more", "ru": "расскажите подробнее"}[lang]
    sure = MATCHERS[lang].match("presentation_offer", text)
    for conf in (0.0, 0.3, 0.9):
        confs = [conf] * len(text.split())
        unsure = MATCHERS[lang].match("presentation_offer", text, word_confs=confs)
        assert unsure.candidates[0].score <= sure.candidates[0].score
        if conf < 0.5:
            assert unsure.candidates[0].score < sure.candidates[0].score
