"""Every lint rule, each with a small broken scenario and the exact message a scriptwriter sees."""

from __future__ import annotations

import pytest

from voice_assist.scenario import check_text
from voice_assist.scenario.lint import RULES

BASE = """\
id: shop
title: Shop
start: hello
fields:
  - {id: name, label: Name}
steps:
  - id: hello
    say: Hello {name}, is it a good time?
    answers:
      - id: good
        phrases: [yes, good time]
        next: offer
      - id: bad
        phrases: [busy, call later]
        next: bye
  - id: offer
    say: Would you like the offer?
    answers:
      - id: want
        phrases: [i want it]
        next: bye
  - id: bye
    say: Goodbye!
    end: true
"""


def findings(text: str, file: str = "s.yaml") -> list[str]:
    scenario, problems = check_text(text, file)
    assert scenario is not None, [str(p) for p in problems]
    return [str(p) for p in problems]


def test_the_base_scenario_is_clean() -> None:
    assert findings(BASE) == []


ISSUE_EXAMPLE = """\
# Исходящий звонок: пример сообщения об ошибке из задачи.
id: sales
title: Продажа
language: ru
version: "1"
description: Короткий сценарий для теста.
start: greeting
fields:
  - {id: address, label: Адрес}
steps:
  - id: greeting
    say: Здравствуйте! Удобно говорить?
    answers:
      - id: yes
        phrases: [да, можно]
        next: needs
      - id: no
        phrases: [перезвоните, занят]
        next: bye
  - id: needs
    say: Чем пользуетесь сейчас?
    answers:
      - id: internet
        phrases: [интернет]
        next: offer
  - id: offer
    say: Предлагаем тариф «Турбо».
    answers:
      - id: agree
        phrases: [давайте, подключайте]
        next: address
  - id: address
    say: Назовите адрес, пожалуйста.
    capture: [address]
    answers:
      - id: given
        phrases: [улица, дом, квартира]
        next: bye
      - id: moved
        phrases: [я переехал]
        next: adress
  - id: bye
    say: Спасибо, до свидания!
    end: true
"""


def test_the_issue_example_message_exactly() -> None:
    assert findings(ISSUE_EXAMPLE, "scenarios/ru/sales.yaml") == [
        "scenarios/ru/sales.yaml:41:15: steps[3].answers[1].next: no step 'adress' "
        "(did you mean 'address'?)"
    ]


CASES: dict[str, tuple[str, list[str]]] = {
    "duplicate-id": (
        BASE + "  - id: offer\n    say: Again?\n    end: true\n",
        [
            "s.yaml:25:9: steps[3].id: duplicate id 'offer' (first on line 16)",
        ],
    ),
    "missing-step": (
        BASE.replace("start: hello", "start: helo"),
        ["s.yaml:3:8: start: no step 'helo' (did you mean 'hello'?)"],
    ),
    "missing-field": (
        BASE.replace("Hello {name},", "Hello {nme},"),
        ["s.yaml:8:10: steps[0].say: placeholder 'nme' is not a field (did you mean 'name'?)"],
    ),
    "missing-stage": (
        BASE.replace("id: shop\n", "id: shop\nstages: [contact, closing]\n").replace(
            "    say: Goodbye!\n", "    stage: closng\n    say: Goodbye!\n"
        ),
        [
            "s.yaml:24:12: steps[2].stage: stage 'closng' is not in stages "
            "(did you mean 'closing'?)"
        ],
    ),
    "dead-end": (
        BASE.replace("        next: bye\n  - id: bye", "  - id: bye"),
        [
            "s.yaml:16:5: steps[1]: step 'offer' is a dead end: no answer leads on, "
            "no 'next', and not 'end: true'"
        ],
    ),
    "unreachable": (
        BASE + "  - id: survey\n    say: One question?\n    end: true\n",
        ["s.yaml:25:9: steps[3].id: warning: step 'survey' cannot be reached from start 'hello'"],
    ),
    "end-with-exits": (
        BASE.replace("    end: true\n", "    end: true\n    next: hello\n"),
        [
            "s.yaml:24:10: steps[2].end: warning: step 'bye' is 'end: true', so its answers "
            "and 'next' are never used"
        ],
    ),
    "empty-phrase": (
        BASE.replace("[i want it]", "[i want it, '?!']"),
        ["s.yaml:20:30: steps[1].answers[0].phrases[1]: phrase has no words"],
    ),
    "duplicate-phrase": (
        BASE.replace("[busy, call later]", "[busy, Good time!]"),
        [
            "s.yaml:14:25: steps[0].answers[1].phrases[1]: phrase 'Good time!' is also a "
            "phrase of answer 'good'"
        ],
    ),
    "contained-phrase": (
        BASE.replace("[busy, call later]", "[busy, good time to call back]"),
        [
            "s.yaml:11:24: steps[0].answers[0].phrases[1]: warning: every word of 'good time' "
            "is also in 'good time to call back' (answer 'bad'): when the customer says that, "
            "both answers match"
        ],
    ),
    "negated-sibling": (
        BASE.replace("[busy, call later]", "[busy, not a good time]"),
        [
            "s.yaml:11:24: steps[0].answers[0].phrases[1]: warning: 'not a good time' "
            "(answer 'bad') is the negation of 'good time': the matcher's negation handling "
            "decides between them"
        ],
    ),
    "markup": (
        BASE.replace("is it a good time?", "is it a *good time? [pasue]"),
        [
            "s.yaml:8:10: steps[0].say: warning: unknown mark '[pasue]' (did you mean '[pause]'?)",
            "s.yaml:8:10: steps[0].say: warning: unpaired '*' (stressed words are written "
            "*like this*)",
        ],
    ),
}


def test_every_rule_has_a_case() -> None:
    assert set(CASES) == set(RULES)


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_gives_its_exact_message(rule: str) -> None:
    text, expected = CASES[rule]
    scenario, problems = check_text(text, "s.yaml")
    assert scenario is not None
    assert [str(p) for p in problems] == expected
    assert {p.rule for p in problems} == {rule}
    assert {p.severity for p in problems} == {RULES[rule]}


# ---- further cases of the same rules --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            BASE.replace("      - id: bad\n", "      - id: good\n"),
            ["s.yaml:13:13: steps[0].answers[1].id: duplicate id 'good' (first on line 10)"],
        ),
        (
            BASE.replace("    say: Goodbye!\n", "    say: Goodbye!\n    capture: [phone]\n"),
            ["s.yaml:24:15: steps[2].capture[0]: capture 'phone' is not a field"],
        ),
        (
            BASE + "reminders:\n  - id: r\n    text: Smile\n    when: {enter_stage: closing}\n",
            ["s.yaml:28:25: reminders[0].when.enter_stage: no step has stage 'closing'"],
        ),
        (
            BASE
            + "reminders:\n  - id: r\n    text: Ask {nam}\n"
            + "    when: {before_step: by, field: nam}\n",
            [
                "s.yaml:27:11: reminders[0].text: placeholder 'nam' is not a field "
                "(did you mean 'name'?)",
                "s.yaml:28:25: reminders[0].when.before_step: no step 'by' (did you mean 'bye'?)",
                "s.yaml:28:36: reminders[0].when.field: no field 'nam' (did you mean 'name'?)",
            ],
        ),
        (
            BASE + "transfers:\n  - id: t\n    target: Manager\n    say: Transferring.\n"
            "    step: manager\n",
            ["s.yaml:29:11: transfers[0].step: no step 'manager'"],
        ),
        (
            BASE + "silence:\n  - after_s: 5\n    text: Hello?\n    steps: [hello, offr]\n",
            ["s.yaml:28:20: silence[0].steps[1]: no step 'offr' (did you mean 'offer'?)"],
        ),
        (
            BASE + "global_answers:\n  - id: price\n    phrases: [too expensive]\n"
            "    next: objection\n",
            ["s.yaml:28:11: global_answers[0].next: no step 'objection'"],
        ),
    ],
)
def test_references_everywhere_are_checked(text: str, expected: list[str]) -> None:
    assert findings(text) == expected


def test_a_resuming_global_answers_step_is_an_aside_not_a_dead_end() -> None:
    text = BASE.replace(
        "  - id: bye\n", "  - id: about_us\n    say: We are the Shop.\n  - id: bye\n"
    )
    text += "global_answers:\n  - id: who\n    phrases: [who are you]\n    next: about_us\n"
    assert findings(text + "    resume: true\n") == []
    assert findings(text) == [
        "s.yaml:22:5: steps[2]: step 'about_us' is a dead end: no answer leads on, "
        "no 'next', and not 'end: true'"
    ]


def test_steps_reached_only_by_transfers_or_global_answers_are_reachable() -> None:
    text = BASE.replace(
        "  - id: bye\n", "  - id: manager\n    say: Transferring.\n    end: true\n  - id: bye\n"
    )
    assert findings(text) == [
        "s.yaml:22:9: steps[2].id: warning: step 'manager' cannot be reached from start 'hello'"
    ]
    with_transfer = text + "transfers:\n  - {id: t, target: M, say: One moment., step: manager}\n"
    assert findings(with_transfer) == []


def test_a_global_answer_limited_to_some_steps_only_leads_from_them() -> None:
    text = BASE.replace("      - id: want\n        phrases: [i want it]\n        next: bye\n", "")
    text = text.replace(
        "    say: Would you like the offer?\n    answers:\n", "    say: Offer.\n    next: bye\n"
    )
    text = text.replace(
        "  - id: bye\n", "  - id: discount\n    say: Ten percent off.\n    end: true\n  - id: bye\n"
    )
    text += "global_answers:\n  - id: price\n    phrases: [too expensive]\n    next: discount\n"
    assert findings(text) == []
    limited = text + "    steps: [survey]\n"
    problems = findings(limited)
    assert "s.yaml:29:13: global_answers[0].steps[0]: no step 'survey'" in problems
    assert any("step 'discount' cannot be reached" in p for p in problems)


@pytest.mark.parametrize(
    ("language", "ours", "theirs", "expected"),
    [
        ("en", "i want it", "i do not want it", "'i do not want it' (answer 'bad') is the"),
        ("en", "i want it", "i don't want it", "'i don't want it' (answer 'bad') is the"),
        ("en", "interested", "not interested", "'not interested' (answer 'bad') is the"),
        ("ru", "удобно", "не удобно", "'не удобно' (answer 'bad') is the negation of 'удобно'"),
        ("ru", "удобно", "неудобно", "'неудобно' (answer 'bad') is the negation of 'удобно'"),
        ("ru", "интересно", "мне совсем не интересно", None),
        ("ru", "интересно", "совсем не интересно", "'совсем не интересно' (answer 'bad') is the"),
    ],
)
def test_negated_siblings(language: str, ours: str, theirs: str, expected: str | None) -> None:
    text = (
        f"id: n\ntitle: N\nlanguage: {language}\nstart: a\nsteps:\n  - id: a\n    answers:\n"
        f"      - id: good\n        phrases: [{ours}]\n        next: b\n"
        f"      - id: bad\n        phrases: [\"{theirs}\"]\n        next: b\n"
        "  - id: b\n    end: true\n"
    )
    problems = findings(text)
    assert len(problems) == 1
    if expected is None:
        assert "every word of" in problems[0]
    else:
        assert expected in problems[0]
        assert "warning:" in problems[0]


def test_neighbouring_words_are_not_negations() -> None:
    text = BASE.replace("[busy, call later]", "[busy, nobody home]").replace(
        "[yes, good time]", "[yes, body]"
    )
    assert findings(text) == []


def test_global_answers_are_siblings_of_each_other() -> None:
    text = BASE + (
        "global_answers:\n"
        "  - {id: price, phrases: [too expensive], next: bye}\n"
        "  - {id: other, phrases: [too expensive for me], next: bye}\n"
    )
    assert findings(text) == [
        "s.yaml:26:27: global_answers[0].phrases[0]: warning: every word of 'too expensive' is "
        "also in 'too expensive for me' (answer 'other'): when the customer says that, "
        "both answers match"
    ]


def test_one_finding_per_phrase_and_colliding_answer() -> None:
    text = BASE.replace("[busy, call later]", "[good time now, a good time later, busy]")
    assert len(findings(text)) == 1


def test_lint_findings_come_in_file_order() -> None:
    text = BASE.replace("start: hello", "start: helo").replace("Hello {name},", "Hello {nme},")
    text += "  - id: survey\n    say: One question?\n    end: true\n"
    lines = [p.split(":")[1] for p in findings(text)]
    assert lines == sorted(lines, key=int)
