"""Field parsers: what a value heard in speech is, without the words around it."""

from __future__ import annotations

import pytest

from voice_assist.fields import parse_text


@pytest.mark.parametrize(
    ("heard", "language", "value"),
    [
        ("my name is john brown", "en", "john brown"),
        ("Yes, sure, it is Anna Smith.", "en", "Anna Smith"),
        ("My name’s Anna Smith", "en", "Anna Smith"),  # a typographic apostrophe, folded
        ("john brown", "en", "john brown"),
        ("yes", "en", None),
        ("Меня зовут Иван Петров", "ru", "Иван Петров"),
        ("Да, это Пётр Иванович Сидоров.", "ru", "Пётр Иванович Сидоров"),
        ("ну я Ёлкин", "ru", "Ёлкин"),
        # a lead-in is only taken off the front
        ("Anna, yes, it is", "en", "Anna, yes, it is"),
    ],
)
def test_text_is_what_follows_the_lead_in(heard: str, language: str, value: str | None) -> None:
    assert parse_text(heard, language) == value
