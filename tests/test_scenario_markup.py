"""The line markup: `*stressed*`, `[pause]` / `[пауза]`, `{field}`."""

from __future__ import annotations

import pytest

from voice_assist.scenario.markup import Segment, fill, placeholders, plain, segments, stray_markup

LINE = "Hello {name}! [pause] The *Turbo 500* plan is {price}."


def test_segments_split_a_line_into_typed_pieces() -> None:
    assert segments(LINE, {"name": "Anna"}) == [
        Segment("text", "Hello "),
        Segment("field", "Anna", filled=True),
        Segment("text", "! "),
        Segment("pause", ""),
        Segment("text", " The "),
        Segment("stress", "Turbo 500"),
        Segment("text", " plan is "),
        Segment("field", "price", filled=False),
        Segment("text", "."),
    ]


def test_plain_is_what_the_operator_speaks() -> None:
    assert plain(LINE, {"name": "Anna", "price": "25 dollars"}) == (
        "Hello Anna! The Turbo 500 plan is 25 dollars."
    )
    assert plain("Добрый день! [пауза] Вам *удобно*?") == "Добрый день! Вам удобно?"


def test_fill_replaces_known_fields_and_keeps_markup() -> None:
    assert fill(LINE, {"name": "Anna"}) == (
        "Hello Anna! [pause] The *Turbo 500* plan is {price}."
    )


def test_placeholders_in_order() -> None:
    assert placeholders(LINE) == ["name", "price"]
    assert placeholders("no fields *here*") == []


@pytest.mark.parametrize(
    ("line", "found"),
    [
        (LINE, []),
        ("Вам *удобно*? [пауза] {name}", []),
        ("a *stressed line", ["unpaired '*' (stressed words are written *like this*)"]),
        ("wait [pasue] here", ["unknown mark '[pasue]' (did you mean '[pause]'?)"]),
        ("wait [wait] here", ["unknown mark '[wait]' (the mark is [pause])"]),
        ("Hello {name", ["unpaired '{' or '}' (a field is written {field_id})"]),
    ],
)
def test_stray_markup(line: str, found: list[str]) -> None:
    assert stray_markup(line) == found
