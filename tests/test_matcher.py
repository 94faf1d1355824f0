"""The matcher on small inline scenarios: every "must handle" of issue 3, in both languages."""

from __future__ import annotations

import pytest

from voice_assist.matcher import Candidate, MatchConfig, Matcher, MatchResult, PartialPolicy
from voice_assist.scenario import loads_scenario

EN = """
id: pizza
title: Pizza
language: en
start: order
steps:
  - id: order
    answers:
      - {id: delivery, phrases: [delivery, deliver it, bring it to me], next: address}
      - {id: pickup, phrases: [pickup, pick it up, i will collect it], next: pickup_time}
      - {id: yes, phrases: ["yes", sure], next: address}
      - {id: no, phrases: ["no", nope], next: bye}
      - {id: not_interested, phrases: [not interested, i don't buy], next: bye}
      - {id: price, phrases: [how much is it], next: address}
  - id: menu
    answers:
      - {id: margherita, phrases: [margherita], next: address}
      - {id: pepperoni, phrases: [pepperoni], next: address}
      - {id: five, phrases: ["5"], next: address}
      - {id: two, phrases: [two pizzas], next: address}
      - {id: strict, phrases: [family size], next: address, threshold: 99}
  - id: address
    answers:
      - {id: confirm, phrases: [that is right, correct], next: bye}
      - {id: like_it, phrases: [i would like that], next: bye}
  - id: pickup_time
    answers:
      - {id: soon, phrases: [as soon as possible], next: bye}
  - id: bye
    end: true
global_answers:
  - {id: operator, phrases: [speak to a human, real person], next: bye}
  - {id: hours, phrases: [opening hours, when are you open], next: bye, resume: true,
     steps: [order, pickup_time]}
  - {id: g_correct, phrases: [correct], next: bye}
"""

RU = """
id: sales
title: Продажи
language: ru
start: greeting
steps:
  - id: greeting
    answers:
      - {id: can_talk, phrases: [да, удобно, говорите], next: offer}
      - {id: busy, phrases: [занят, перезвоните позже], next: bye}
  - id: offer
    answers:
      - {id: interested, phrases: [интересно, расскажите подробнее], next: details}
      - {id: not_interested, phrases: [не интересно], next: bye}
      - {id: price, phrases: [сколько стоит], next: consent}
      - {id: yes, phrases: [да], next: details}
      - {id: remote, phrases: [работаю на удалёнке], next: details}
  - id: details
    answers:
      - {id: plan_500, phrases: [пятьсот], next: bye}
      - {id: five, phrases: [пять], next: bye}
      - {id: more, phrases: [подробнее], next: bye}
      - {id: think, phrases: [я подумаю], next: bye}
      - {id: strict, phrases: [полный пакет], next: bye, threshold: 99}
  - id: consent
    answers:
      - {id: agree, phrases: [да, согласен, хорошо], next: bye}
      - {id: refuse, phrases: [нет, не согласен], next: bye}
  - id: bye
    end: true
global_answers:
  - {id: who, phrases: [кто вы, кто это], next: bye, resume: true}
  - {id: too_expensive, phrases: [дорого], next: bye, steps: [offer]}
  - {id: g_not_interested, phrases: [не интересно], next: bye}
"""


@pytest.fixture(scope="module")
def en() -> Matcher:
    return Matcher(loads_scenario(EN))


@pytest.fixture(scope="module")
def ru() -> Matcher:
    return Matcher(loads_scenario(RU))


def chosen(result: MatchResult) -> str | None:
    return result.chosen.answer if result.chosen else None


CASES = [
    # normalisation: case, ё, punctuation, spaces, digits <-> words, contractions
    ("en", "order", "DELIVERY!!!", "delivery"),
    ("en", "order", "   delivery   ,   please  ", "delivery"),
    ("en", "menu", "five", "five"),
    ("en", "menu", "5", "five"),
    ("en", "menu", "Five, please.", "five"),
    ("en", "menu", "two pizzas", "two"),
    ("en", "menu", "2 pizzas", "two"),
    ("en", "order", "I'll pick it up", "pickup"),
    ("en", "order", "I DON'T BUY", "not_interested"),
    ("en", "order", "I do not buy", "not_interested"),
    ("ru", "greeting", "ДА!", "can_talk"),
    ("ru", "offer", "Работаю на удалёнке.", "remote"),
    ("ru", "offer", "работаю на удаленке", "remote"),
    ("ru", "details", "пять", "five"),
    ("ru", "details", "5", "five"),
    ("ru", "details", "500", "plan_500"),
    ("ru", "details", "пятьсот", "plan_500"),
    # inflection
    ("ru", "offer", "интересует", "interested"),
    ("ru", "greeting", "я занята", "busy"),
    ("ru", "offer", "я на удалёнке работаю", "remote"),
    ("ru", "offer", "работаем на удалёнка", "remote"),
    ("en", "order", "can it be delivered", "delivery"),
    ("en", "order", "deliver", "delivery"),
    ("en", "order", "I'll collect them", "pickup"),
    # word order and fillers
    ("ru", "offer", "а сколько это стоит", "price"),
    ("ru", "offer", "стоит сколько", "price"),
    ("ru", "offer", "ну эээ интересно", "interested"),
    ("ru", "offer", "ну, это, интересно, расскажите подробнее", "interested"),
    ("ru", "offer", "ну, это, интересно, да, расскажите подробнее", None),  # да: yes or interested
    ("en", "order", "um, uh, like, delivery", "delivery"),
    ("en", "order", "pick it up, um, like", "pickup"),
    ("en", "order", "it up pick", "pickup"),
    # negation
    ("ru", "offer", "не интересно", "not_interested"),
    ("ru", "offer", "мне это не интересно", "not_interested"),
    ("ru", "offer", "неинтересно", "not_interested"),
    ("ru", "offer", "нет, не интересно", "not_interested"),
    ("ru", "greeting", "нет, неудобно", None),
    ("ru", "greeting", "неудобно", None),
    ("ru", "greeting", "не удобно сейчас", None),
    ("ru", "consent", "не согласен", "refuse"),
    ("ru", "consent", "согласен", "agree"),
    ("en", "order", "I don't want delivery, I will pick it up", "pickup"),
    ("en", "order", "I don't want delivery I will pick it up", "pickup"),
    ("en", "order", "not delivery", None),
    ("en", "order", "I'm not interested", "not_interested"),
    ("en", "order", "interested", None),
    ("en", "order", "no, not interested", "not_interested"),
    ("en", "order", "not sure", None),
    # whole words only
    ("en", "order", "I know", None),
    ("en", "order", "nothing", None),
    ("en", "order", "nobody", None),
    ("en", "order", "no", "no"),
    ("en", "order", "yesterday", None),
    ("ru", "greeting", "давайте", None),
    ("ru", "greeting", "дай подумать", None),
    ("ru", "greeting", "да", "can_talk"),
    ("ru", "consent", "нет уж", "refuse"),
    # recognition slips
    ("en", "menu", "margarita", "margherita"),
    ("en", "menu", "a margarita please", "margherita"),
    ("en", "menu", "peperoni", "pepperoni"),
    ("ru", "details", "подробней", "more"),
    ("ru", "offer", "расскажите подробней", "interested"),
    # a negation after the words in Russian word order, a "no" that is an answer, "да нет"
    ("ru", "greeting", "говорите не надо", None),
    ("ru", "consent", "да не согласен", "refuse"),
    ("ru", "consent", "да нет, не согласен", "refuse"),
    ("ru", "consent", "да нет", "refuse"),
    ("ru", "greeting", "да нет, не удобно", None),
    ("en", "order", "no thanks, delivery", None),
    # idioms: "no problem" is not a "no"
    ("ru", "consent", "без проблем", "agree"),
    ("ru", "consent", "да не вопрос", "agree"),
    ("en", "order", "no problem", None),
    ("en", "order", "no, problem is the delivery", None),
    # the customer asks to wait: whatever follows is not an answer yet
    ("ru", "consent", "подождите, согласен ли я", None),
    ("en", "order", "hold on, delivery or... let me ask", None),
    ("en", "order", "wait, who delivers it? delivery please", "delivery"),
    # off topic
    ("en", "menu", "what's the weather like", None),
    ("ru", "details", "погода сегодня хорошая", None),
]


@pytest.mark.parametrize(("lang", "step", "text", "expect"), CASES)
def test_must_handle(
    en: Matcher, ru: Matcher, lang: str, step: str, text: str, expect: str | None
) -> None:
    result = (en if lang == "en" else ru).match(step, text)
    assert chosen(result) == expect, result.reason


@pytest.mark.parametrize(
    ("lang", "step", "text", "reason_start"),
    [
        ("en", "order", "delivery or pickup", "ambiguous"),
        ("ru", "offer", "интересно, а сколько стоит", "ambiguous"),
        ("ru", "greeting", "да, но я занят", "ambiguous"),
        ("en", "order", "not delivery", "negated"),
        ("ru", "greeting", "неудобно", "negated"),
        ("en", "order", "um uh", "no words"),
        ("ru", "offer", "эээ ну", "no words"),
        ("en", "order", "", "no words"),
        ("en", "menu", "family", "below threshold"),
        ("ru", "details", "пакет", "below threshold"),
        ("en", "menu", "pizza with pineapple", "below threshold"),
        ("en", "menu", "what about pineapple", "no phrase heard"),
    ],
)
def test_no_match_says_why(
    en: Matcher, ru: Matcher, lang: str, step: str, text: str, reason_start: str
) -> None:
    result = (en if lang == "en" else ru).match(step, text)
    assert result.chosen is None
    assert result.reason.startswith(reason_start), result.reason


def test_ambiguity_reports_both(en: Matcher) -> None:
    result = en.match("order", "delivery or pickup")
    assert result.runner_up is not None
    assert {result.candidates[0].answer, result.runner_up.answer} == {"delivery", "pickup"}


def test_margin_is_configurable() -> None:
    wide = Matcher(loads_scenario(EN), MatchConfig(margin=0.0))
    # with no margin the tie is still a tie: equal scores are never a choice
    assert wide.match("order", "delivery or pickup").chosen is None
    narrow = Matcher(loads_scenario(RU), MatchConfig(margin=50.0))
    assert narrow.match("offer", "интересно, расскажите подробнее").chosen is not None
    assert narrow.match("consent", "да, согласен").chosen is not None
    assert narrow.match("offer", "интересно, и сколько стоит").chosen is None


def test_more_specific_phrase_wins_over_one_inside_it(ru: Matcher) -> None:
    # "не интересно" contains "не": the negated phrase is a superset of nothing else, wins.
    result = ru.match("consent", "нет, не согласен")
    assert chosen(result) == "refuse"


def test_explanation(en: Matcher) -> None:
    result = en.match("order", "Um, I'd rather you DELIVERED it, thanks")
    assert result.chosen is not None
    c = result.chosen
    assert (c.answer, c.next, c.phrase) == ("delivery", "address", "deliver it")
    assert c.matched_words == ("DELIVERED", "it")
    assert c.threshold == MatchConfig().threshold
    assert 0 < c.score <= 100
    assert result.reason == "matched"
    assert result.candidates[0] == c
    assert [x.score for x in result.candidates] == sorted(
        (x.score for x in result.candidates if not x.negated), reverse=True
    ) + [x.score for x in result.candidates if x.negated]


def test_candidates_cover_every_answer_of_the_step(en: Matcher) -> None:
    result = en.match("order", "delivery")
    answers = [c.answer for c in result.candidates]
    assert answers[0] == "delivery"
    # every answer of the step; global answers only when they were heard at all
    assert sorted(answers) == ["delivery", "no", "not_interested", "pickup", "price", "yes"]
    assert all(c.score == 0 for c in result.candidates[1:])
    heard = en.match("order", "delivery, or a real person")
    assert "operator" in [c.answer for c in heard.candidates]


@pytest.mark.parametrize(
    ("lang", "step", "text", "expect", "is_global"),
    [
        ("en", "order", "can I speak to a human", "operator", True),
        ("en", "order", "when are you open", "hours", True),
        ("en", "menu", "when are you open", None, False),  # hours applies to order only
        ("en", "address", "correct", "confirm", False),  # a tie: the step's own answer wins
        ("ru", "greeting", "а кто это", "who", True),
        ("ru", "offer", "дорого", "too_expensive", True),
        ("ru", "details", "дорого", None, False),  # too_expensive only at offer
        ("ru", "offer", "не интересно", "not_interested", False),  # tie with a global
    ],
)
def test_global_answers(
    en: Matcher, ru: Matcher, lang: str, step: str, text: str, expect: str | None, is_global: bool
) -> None:
    result = (en if lang == "en" else ru).match(step, text)
    assert chosen(result) == expect, result.reason
    if result.chosen:
        assert result.chosen.is_global is is_global


def test_global_resume_flag(en: Matcher) -> None:
    c = en.match("order", "what are your opening hours").chosen
    assert c is not None and c.resume and c.is_global and c.next == "bye"


@pytest.mark.parametrize(
    ("lang", "step", "text", "expect"),
    [
        ("en", "menu", "family size", "strict"),
        ("en", "menu", "famly size", None),
        ("ru", "details", "полный пакет", "strict"),
        ("ru", "details", "полный пакетик", None),
    ],
)
def test_per_answer_threshold(
    en: Matcher, ru: Matcher, lang: str, step: str, text: str, expect: str | None
) -> None:
    result = (en if lang == "en" else ru).match(step, text)
    assert chosen(result) == expect, result.reason
    strict = next(c for c in result.candidates if c.answer == "strict")
    assert strict.threshold == 99


def test_low_word_confidence_lowers_the_score(en: Matcher) -> None:
    sure = en.match("order", "deliver it", word_confs=[1.0, 1.0])
    unsure = en.match("order", "deliver it", word_confs=[0.1, 0.2])
    assert sure.chosen is not None
    assert unsure.candidates[0].score < sure.chosen.score
    ignored = en.match("order", "deliver it", word_confs=[0.1])  # wrong length: ignored
    assert ignored.candidates[0].score == sure.chosen.score


def test_unknown_step_suggests(en: Matcher) -> None:
    with pytest.raises(KeyError, match="did you mean 'order'"):
        en.match("ordr", "delivery")


@pytest.mark.parametrize(
    ("lang", "options", "text", "expect"),
    [
        ("en", {"tech": ["technical support", "engineer"], "boss": ["manager"]},
         "get me an engineer", "tech"),
        ("en", {"Turbo 500": ["Turbo 500"], "Turbo 300": ["Turbo 300"]},
         "turbo five hundred", "Turbo 500"),
        ("en", {"Turbo 500": ["Turbo 500"], "Turbo 300": ["Turbo 300"]}, "turbo", None),
        ("ru", {"tech": ["техподдержка"], "boss": ["позовите руководителя"]},
         "позовите, пожалуйста, руководителя", "boss"),
        ("ru", {"Турбо 500": ["Турбо 500"], "Турбо 300": ["Турбо 300"]},
         "турбо триста", "Турбо 300"),
        ("ru", {"tech": ["техподдержка"]}, "не надо техподдержку", None),
    ],
)
def test_match_phrases(
    lang: str, options: dict[str, list[str]], text: str, expect: str | None
) -> None:
    m = Matcher(loads_scenario(EN if lang == "en" else RU))
    result = m.match_phrases(options, text)
    assert chosen(result) == expect, result.reason
    assert all(c.next is None and not c.is_global for c in result.candidates)


def test_match_phrases_threshold(en: Matcher) -> None:
    options = {"a": ["margherita"]}
    assert chosen(en.match_phrases(options, "margarita")) == "a"
    assert chosen(en.match_phrases(options, "margarita", threshold=95)) is None


def _result(answer: str | None, score: float = 100.0) -> MatchResult:
    c = None
    if answer is not None:
        c = Candidate(answer, "next", score, answer, (answer,), 75.0, False, False)
    return MatchResult(c, None, "matched" if c else "no phrase heard", (c,) if c else ())


@pytest.mark.parametrize(
    ("partials", "final", "expect_at"),
    [
        # (choice, at_s) per partial; held for 0.2 s of audio
        ([("a", 1.0), ("a", 1.1), ("a", 1.2)], "a", 2),  # held 0.2 s: advance on the third
        ([("a", 1.0), ("a", 1.1)], "a", "final"),  # not held long enough: the final decides
        ([("a", 1.0), ("a", 1.5)], "a", 1),  # one later partial is enough if time has passed
        ([("a", 1.0), ("b", 1.1), ("a", 1.2), ("a", 1.3)], "a", "final"),  # flicker restarts
        ([("a", 1.0), ("b", 1.1), ("b", 1.2), ("b", 1.3)], "b", 3),
        ([(None, 1.0), ("a", 1.1), ("a", 1.2), ("a", 1.3)], "a", 3),
        ([("a", 1.0), ("a", 1.1), ("a", 1.2)], None, 2),  # a partial's advance stands
        ([], "a", "final"),
        ([], None, None),
    ],
)
def test_partial_policy(
    partials: list[tuple[str | None, float]], final: str | None, expect_at: object
) -> None:
    policy = PartialPolicy(MatchConfig(partial_hold_s=0.2))
    fired_at: object = None
    for k, (p, at_s) in enumerate(partials):
        got = policy.on_partial(_result(p), at_s)
        if got is not None:
            assert fired_at is None, "advanced twice in one utterance"
            fired_at = k
    last = policy.on_final(_result(final))
    if last is not None:
        assert fired_at is None
        fired_at = "final"
    assert fired_at == expect_at


def test_partial_policy_time_passes_without_partials() -> None:
    """A hypothesis that stands (no newer partial) advances when the ticks reach the hold."""
    policy = PartialPolicy(MatchConfig(partial_hold_s=0.2))
    assert policy.on_time(5.0) is None  # nothing held yet
    assert policy.on_partial(_result("a"), 1.0) is None
    assert policy.on_time(1.1) is None
    got = policy.on_time(1.2)
    assert got is not None and got.answer == "a"
    assert policy.on_time(1.3) is None  # at most one advance per utterance
    assert policy.on_final(_result("a")) is None


def test_partial_policy_low_score_drops_the_held_choice() -> None:
    policy = PartialPolicy(MatchConfig(partial_hold_s=0.2))
    assert policy.on_partial(_result("a"), 1.0) is None
    assert policy.on_partial(_result("a", 80), 1.1) is None  # revised below the partial bar
    assert policy.on_time(1.3) is None
    assert policy.on_partial(_result("a"), 1.4) is None  # held afresh from 1.4
    assert policy.on_time(1.6) is not None


def test_open_ended_partial_never_advances() -> None:
    policy = PartialPolicy(MatchConfig(partial_hold_s=0.0))
    c = Candidate("a", "next", 100.0, "a", ("a",), 75.0, False, False)
    open_result = MatchResult(c, None, "matched", (c,), open_ended=True)
    assert policy.on_partial(open_result, 1.0) is None
    assert policy.on_partial(_result("a"), 1.1) is not None


@pytest.mark.parametrize(
    ("lang", "step", "text", "open_ended"),
    [
        ("en", "order", "deliver it or", True),
        ("en", "order", "deliver it but", True),
        ("en", "order", "deliver it, not", True),
        ("en", "order", "deliver it please", False),
        ("ru", "offer", "интересно, но", True),
        ("ru", "offer", "интересно или", True),
        ("ru", "offer", "интересно, расскажите", False),
    ],
)
def test_open_ended(
    en: Matcher, ru: Matcher, lang: str, step: str, text: str, open_ended: bool
) -> None:
    result = (en if lang == "en" else ru).match(step, text)
    assert result.chosen is not None
    assert result.open_ended is open_ended


def test_partial_policy_needs_a_high_score() -> None:
    policy = PartialPolicy(MatchConfig(partial_min_score=90, partial_hold_s=0.1))
    assert policy.on_partial(_result("a", 85), 1.0) is None
    assert policy.on_partial(_result("a", 85), 1.1) is None
    assert policy.on_partial(_result("a", 85), 1.2) is None
    assert policy.on_final(_result("a", 85)) is not None  # the final needs only the threshold
    assert policy.on_partial(_result("a", 95), 2.0) is None  # on_final began a new utterance
    assert policy.on_partial(_result("a", 95), 2.1) is not None
    policy.reset()
    assert policy.on_partial(_result("a", 95), 3.0) is None


@pytest.mark.parametrize(
    ("lang", "step", "partials", "final", "expect_partial_at", "expect"),
    [
        ("en", "order",
         ["i", "i don't", "i don't want", "i don't want delivery", "i don't want delivery"],
         "i don't want delivery i will pick it up", None, "pickup"),
        ("en", "order", ["pick", "pick it", "pick it up", "pick it up", "pick it up"],
         "pick it up", 4, "pickup"),
        # "or", "а" after the words: the partial is not finished, the final decides
        ("en", "order", ["deliver it", "deliver it or", "deliver it or pick", "deliver it or pick"],
         "deliver it or pick it up", None, None),
        ("ru", "offer", ["мне", "мне это", "мне это не", "мне это не интересно",
                         "мне это не интересно", "мне это не интересно"],
         "мне это не интересно", 5, "not_interested"),
        ("ru", "offer", ["интересно", "интересно а", "интересно а сколько", "интересно а сколько"],
         "интересно а сколько стоит", None, None),
        ("ru", "greeting", ["не", "неудобно", "неудобно", "неудобно"], "неудобно", None, None),
    ],
)
def test_partial_policy_on_real_partials(
    en: Matcher,
    ru: Matcher,
    lang: str,
    step: str,
    partials: list[str],
    final: str,
    expect_partial_at: int | None,
    expect: str | None,
) -> None:
    m = en if lang == "en" else ru
    policy = PartialPolicy(MatchConfig(partial_hold_s=0.2))
    fired = [  # a partial per 0.1 s chunk
        k for k, p in enumerate(partials) if policy.on_partial(m.match(step, p), k / 10) is not None
    ]
    assert fired == ([] if expect_partial_at is None else [expect_partial_at])
    last = policy.on_final(m.match(step, final))
    if expect_partial_at is not None:
        assert last is None  # already advanced on a partial
    else:
        assert (last.answer if last else None) == expect


NO_THANKS = """
id: t
title: t
language: {lang}
start: s
steps:
  - id: s
    answers:
      - {{id: decline, phrases: ["{decline}"], next: s}}
      - {{id: thanks, phrases: ["{thanks}"], next: s}}
      - {{id: no_tv, phrases: ["{no_tv}"], next: s}}
"""


@pytest.mark.parametrize(
    ("lang", "text", "expect"),
    [
        ("en", "no thanks", "decline"),
        ("en", "no, thanks", "decline"),
        ("en", "thanks", "thanks"),
        ("en", "no television", "no_tv"),
        ("en", "we don't have a television", "no_tv"),
        ("en", "television", None),
        ("ru", "нет спасибо", "decline"),
        ("ru", "нет, спасибо", "decline"),
        ("ru", "спасибо", "thanks"),
        ("ru", "нет телевизора", "no_tv"),
        ("ru", "у нас нет телевизора", "no_tv"),
        ("ru", "телевизора у нас нет", None),  # "нет" after: not read as a negation
        ("ru", "телевизор", None),
    ],
)
def test_phrases_with_a_no(lang: str, text: str, expect: str | None) -> None:
    words = {
        "en": {"decline": "no thanks", "thanks": "thanks", "no_tv": "no television"},
        "ru": {"decline": "нет спасибо", "thanks": "спасибо", "no_tv": "нет телевизора"},
    }[lang]
    m = Matcher(loads_scenario(NO_THANKS.format(lang=lang, **words)))
    assert chosen(m.match("s", text)) == expect
