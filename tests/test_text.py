"""Normalisation per language: case, ё, punctuation, numbers, contractions, fillers, stems."""

from __future__ import annotations

import pytest

from voice_assist.text import (
    analyze,
    is_filler,
    is_negation,
    number_to_words,
    number_value,
    numbers_to_digits,
    spell_numbers,
    spoken_digits,
    stems,
    tokens,
)


def norms(text: str, language: str) -> list[str]:
    return [t.norm for t in analyze(text, language)[0]]


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Hello,   WORLD!!", "en", ["hello", "world"]),
        ("I'll take it", "en", ["i", "will", "take", "it"]),
        ("I don't know", "en", ["i", "do", "not", "know"]),
        ("we can't, won't", "en", ["we", "can", "not", "will", "not"]),
        ("Ещё  РАЗ, пожалуйста...", "ru", ["еще", "раз", "пожалуйста"]),
        ("Всё — ёлка", "ru", ["все", "елка"]),
    ],
)
def test_tokens(text: str, language: str, expected: list[str]) -> None:
    assert tokens(text, language) == expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("five", "en", ["5"]),
        ("5", "en", ["5"]),
        ("twenty five dollars", "en", ["25", "dollars"]),
        ("twenty-five", "en", ["25"]),
        ("three hundred and two", "en", ["302"]),
        ("two thousand five hundred", "en", ["2500"]),
        ("five five five one two", "en", ["5", "5", "5", "1", "2"]),
        ("пять", "ru", ["5"]),
        ("пяти", "ru", ["5"]),
        ("двадцать пять рублей", "ru", ["25", "рублей"]),
        ("двести девяносто", "ru", ["290"]),
        ("пятьсот восемьдесят", "ru", ["580"]),
        ("одну пиццу", "ru", ["1", "пиццу"]),
        ("три тысячи двести", "ru", ["3200"]),
        ("пять пять пять", "ru", ["5", "5", "5"]),
    ],
)
def test_number_words_become_digits(text: str, language: str, expected: list[str]) -> None:
    assert norms(text, language) == expected


def test_numbers_to_digits_keeps_word_spans() -> None:
    assert numbers_to_digits(["the", "twenty", "five", "plan"], "en") == [
        ("the", 0, 1),
        ("25", 1, 2),
        ("plan", 3, 1),
    ]


@pytest.mark.parametrize(
    ("n", "language", "expected"),
    [
        (0, "en", "zero"),
        (5, "en", "five"),
        (25, "en", "twenty five"),
        (300, "en", "three hundred"),
        (1999, "en", "one thousand nine hundred ninety nine"),
        (5, "ru", "пять"),
        (21, "ru", "двадцать один"),
        (290, "ru", "двести девяносто"),
        (2000, "ru", "две тысячи"),
        (5000, "ru", "пять тысяч"),
        (1001, "ru", "одна тысяча один"),
    ],
)
def test_number_to_words(n: int, language: str, expected: str) -> None:
    assert number_to_words(n, language) == expected
    assert norms(expected, language) == [str(n)]  # and back


def test_number_to_words_range() -> None:
    with pytest.raises(ValueError, match="out of range"):
        number_to_words(1_000_000)


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("plan 500", "en", "plan five hundred"),
        ("тариф 500", "ru", "тариф пятьсот"),
        ("no digits", "en", "no digits"),
    ],
)
def test_spell_numbers(text: str, language: str, expected: str) -> None:
    assert spell_numbers(text, language) == expected


@pytest.mark.parametrize(
    ("word", "language", "filler"),
    [
        ("um", "en", True),
        ("ummm", "en", True),
        ("like", "en", True),
        ("delivery", "en", False),
        ("ну", "ru", True),
        ("эээ", "ru", True),
        ("эээээм", "ru", True),
        ("да", "ru", False),
        ("доставка", "ru", False),
    ],
)
def test_fillers(word: str, language: str, filler: bool) -> None:
    assert is_filler(word, language) is filler


@pytest.mark.parametrize(
    ("text", "language", "negators"),
    [
        ("I do not want it", "en", [0, 0, 2, 0, 0]),
        ("no delivery", "en", [1, 0]),
        ("мне не интересно", "ru", [0, 2, 0]),
        ("нет, спасибо", "ru", [1, 0]),
    ],
)
def test_negators_marked(text: str, language: str, negators: list[int]) -> None:
    assert [t.negator for t in analyze(text, language)[0]] == negators


def test_clause_breaks_from_words_and_commas() -> None:
    toks, words = analyze("not this, but that", "en")
    assert [t.clause_break for t in toks] == [False, False, True, False]
    assert words == ("not", "this", "but", "that")
    toks, _ = analyze("нет, доставку", "ru")
    assert [t.clause_break for t in toks] == [False, True]


@pytest.mark.parametrize(
    ("a", "b", "language"),
    [
        ("delivered", "deliver", "en"),
        ("удалёнке", "удалёнка", "ru"),
        ("доставку", "доставка", "ru"),
        ("подробней", "подробнее", "ru"),
    ],
)
def test_stems_join_word_forms(a: str, b: str, language: str) -> None:
    assert stems(tokens(a, language), language) == stems(tokens(b, language), language)


def test_negation_words_for_lint() -> None:
    assert is_negation("not", "en") and is_negation("не", "ru")
    assert not is_negation("know", "en")


def test_colloquial_forms() -> None:
    assert norms("gonna call, OK?", "en") == ["going", "to", "call", "okay"]
    assert norms("щас не могу", "ru") == ["сейчас", "не", "могу"]


def test_words_as_heard_keep_original_spelling() -> None:
    toks, words = analyze("Twenty-five, please!", "en")
    assert words == ("Twenty-five", "please")
    assert (toks[0].norm, toks[0].first_word, toks[0].last_word) == ("25", 0, 0)


@pytest.mark.parametrize(
    ("word", "language", "value"),
    [("five", "en", 5), ("Twenty", "en", 20), ("7", "en", 7), ("пяти", "ru", 5),
     ("две", "ru", 2), ("pizza", "en", None), ("пицца", "ru", None)],
)
def test_number_value(word: str, language: str, value: int | None) -> None:
    assert number_value(word, language) == value


@pytest.mark.parametrize(
    ("text", "language", "digits"),
    [
        ("Ольга Иванова, девять один шесть, один два три, сорок пять, шестьдесят семь.", "ru",
         "9161234567"),
        ("Девять один шесть, семь семь семь, ноль ноль, один один.", "ru", "9167770011"),
        ("five five five, twelve thirty four", "en", "5551234"),
        ("call 555 1234 please", "en", "5551234"),
        ("no numbers here", "en", ""),
    ],
)
def test_spoken_digits(text: str, language: str, digits: str) -> None:
    assert spoken_digits(text, language) == digits


def test_da_net_is_a_no() -> None:
    toks, _ = analyze("да нет, не надо", "ru")
    assert [t.norm for t in toks] == ["нет", "не", "надо"]
    assert [t.clause_break for t in toks] == [False, True, False]
    assert (toks[0].first_word, toks[1].first_word) == (0, 2)
    assert [t.norm for t in analyze("да, нет", "ru")[0]] == ["да", "нет"]  # a comma: two answers


@pytest.mark.parametrize(
    ("text", "language", "kinds"),
    [
        # (filler, stop, negator, clause_break) per token
        ("um I want it", "en", [(True, False, 0, False), (False, True, 0, False),
                                (False, True, 0, False), (False, True, 0, False)]),
        ("without tv but cheap", "en", [(False, False, 2, False), (False, False, 0, False),
                                        (False, False, 0, True), (False, False, 0, False)]),
        ("ну без телевидения", "ru", [(True, True, 0, False), (False, False, 2, False),
                                      (False, False, 0, False)]),
    ],
)
def test_token_kinds(text: str, language: str, kinds: list[tuple[bool, bool, int, bool]]) -> None:
    toks, _ = analyze(text, language)
    assert [(t.filler, t.stop, t.negator, t.clause_break) for t in toks] == kinds


def test_matcher_negators_are_negations_for_the_lint() -> None:
    assert is_negation("without", "en") and is_negation("без", "ru") and is_negation("нет", "ru")
