"""The session state machine, rule by rule: pure, driven by hand-made speech events and commands."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from voice_assist.events import (
    AnswerScores,
    CallEnded,
    FieldCaptured,
    Final,
    Matched,
    NoMatch,
    Notice,
    OperatorCommand,
    Partial,
    ReminderDue,
    SilenceNoticed,
    StepEntered,
    Tick,
    TransferSuggested,
    Word,
)
from voice_assist.scenario import loads_scenario
from voice_assist.session import Session

SCENARIO = """
id: shop
title: Shop
language: en
start: hello
stages: [contact, needs, closing]
fields:
  - {id: name, label: Name, type: text}
  - {id: phone, label: Phone, type: phone, required: true}
  - {id: size, label: Size, type: choice, choices: [small, large]}
  - {id: agree, label: Agrees, type: yesno}
  - {id: when, label: When, type: date}
steps:
  - id: hello
    stage: contact
    say: Hello {name}, can you talk?
    answers:
      - {id: yes_talk, phrases: [yes, sure, go ahead], next: ask_size}
      - {id: busy, phrases: [busy, call me later], next: callback}
  - id: callback
    stage: contact
    say: When shall I call?
    capture: [when]
    answers:
      - {id: given, phrases: [tomorrow, monday, evening], next: bye}
  - id: ask_size
    stage: needs
    say: Small or *large*? [pause]
    capture: [size]
    answers:
      - {id: small, phrases: [small, the small one], next: ask_phone}
      - {id: large, phrases: [large, the big one], next: ask_phone}
  - id: ask_phone
    stage: needs
    say: Your phone number please?
    capture: [phone]
    next: bye
    answers:
      - {id: refuses, phrases: [i will not give my number], next: bye}
  - id: price_answer
    stage: needs
    say: It costs ten dollars.
    answers:
      - {id: ok_price, phrases: [okay, fine]}
  - id: bye
    stage: closing
    say: Thank you {name}, goodbye!
    end: true
global_answers:
  - {id: too_expensive, phrases: [too expensive, how much is it], next: price_answer, resume: true}
  - {id: hang_up, phrases: [stop calling me], next: bye}
reminders:
  - id: recorded
    text: Say that the call is recorded
    when: {enter_step: hello}
  - id: needs_stage
    text: Ask open questions
    when: {enter_stage: needs}
  - id: slow
    text: Move on, the customer is waiting
    when: {after_s: 20, step: ask_size}
  - id: phone_first
    text: Get the phone number before saying goodbye
    when: {before_step: bye, field: phone}
transfers:
  - id: manager
    target: Sales manager
    say: Let me put you through to {name}'s manager.
    phrases: [speak to a manager, your supervisor]
silence:
  - after_s: 8
    text: Ask again, more simply
"""


@pytest.fixture
def session() -> Session:
    return Session(loads_scenario(SCENARIO))


def final(text: str, at_s: float, word_s: float = 0.3) -> Final:
    words = text.split()
    start = at_s - 0.2 - word_s * len(words)
    ws = tuple(
        Word(w, start + i * word_s, start + (i + 1) * word_s, 1.0) for i, w in enumerate(words)
    )
    return Final(text=text, at_s=at_s, words=ws, start_s=start)


def of(events: list[Any], kind: type) -> list[Any]:
    return [e for e in events if isinstance(e, kind)]


def steps(events: list[Any]) -> list[str]:
    return [e.step for e in of(events, StepEntered)]


def feed(session: Session, *inputs: Any) -> list[Any]:
    out: list[Any] = []
    for item in inputs:
        out += session.handle(item)
    return out


def test_start_enters_start_step_with_reminder(session: Session) -> None:
    out = session.start(0.0)
    assert steps(out) == ["hello"]
    assert of(out, StepEntered)[0].say == "Hello {name}, can you talk?"
    assert [r.reminder for r in of(out, ReminderDue)] == ["recorded"]


@pytest.mark.parametrize(
    ("utterances", "path"),
    [
        (["yes sure"], ["hello", "ask_size"]),
        (["I am busy right now"], ["hello", "callback"]),
        (["yes", "the big one"], ["hello", "ask_size", "ask_phone"]),
        (["what a nice day"], ["hello"]),  # off-script: no advance
        (["stop calling me"], ["hello", "bye"]),  # a global answer without resume
    ],
)
def test_speech_advances_along_answers(
    session: Session, utterances: list[str], path: list[str]
) -> None:
    out = session.start(0.0)
    for i, text in enumerate(utterances):
        out += session.handle(final(text, 3.0 + 3 * i))
    assert steps(out) == path


def test_matched_carries_explanation_and_latency(session: Session) -> None:
    session.start(0.0)
    out = session.handle(final("yes sure", 3.0))
    (m,) = of(out, Matched)
    assert (m.step, m.answer, m.next, m.source) == ("hello", "yes_talk", "ask_size", "speech")
    assert m.heard == "yes sure"
    assert m.score > 0
    # words end 0.2 s before the final: the decisive word's end to the advance
    assert m.latency_ms == pytest.approx(200.0, abs=1.0)
    assert of(out, AnswerScores)[0].final is True


def test_no_match_is_kept_for_the_scriptwriter(session: Session) -> None:
    session.start(0.0)
    out = session.handle(final("what a nice day", 3.0))
    (nm,) = of(out, NoMatch)
    assert nm.step == "hello" and nm.heard == "what a nice day"
    assert not of(out, StepEntered)


def test_global_answer_with_resume_returns_to_interrupted_step(session: Session) -> None:
    session.start(0.0)
    out = feed(session, final("yes", 2.0), final("how much is it", 5.0), final("okay fine", 8.0))
    assert steps(out) == ["ask_size", "price_answer", "ask_size"]
    assert [e.via for e in of(out, StepEntered)] == ["answer", "global", "resume"]


def test_partial_advances_only_when_stable_and_rest_of_utterance_is_ignored(
    session: Session,
) -> None:
    session.start(0.0)
    out: list[Any] = []
    for i in range(6):
        out += session.handle(Partial(text="yes sure", at_s=1.0 + 0.1 * i))
    assert steps(out) == ["ask_size"]
    assert len(of(out, Matched)) == 1
    # the final of the same utterance must not be matched against the new step
    out = session.handle(final("yes sure small", 2.0))
    assert not of(out, Matched) and not of(out, StepEntered)
    # the next utterance is matched at the new step
    out = session.handle(final("small", 4.0))
    assert steps(out) == ["ask_phone"]


def test_negated_answer_does_not_advance(session: Session) -> None:
    session.start(0.0)
    out = feed(session, final("yes", 1.0), final("not the big one", 3.0))
    assert steps(out) == ["ask_size"]


@pytest.mark.parametrize(
    ("step_inputs", "field", "value"),
    [
        (["yes", "the big one", "five five five one two three four"], "phone", "5551234"),
        (["yes", "the big one", "it is 555 12 34"], "phone", "5551234"),
        (["yes", "large please"], "size", "large"),
        (["busy", "tomorrow evening"], "when", "tomorrow"),
    ],
)
def test_fields_heard_from_speech(
    session: Session, step_inputs: list[str], field: str, value: str
) -> None:
    session.start(0.0)
    out = feed(session, *[final(t, 2.0 + 2 * i) for i, t in enumerate(step_inputs)])
    captured = [e for e in of(out, FieldCaptured) if e.field == field]
    assert captured and captured[-1].value == value
    assert captured[-1].confirmed is False and captured[-1].source == "speech"


@pytest.mark.parametrize(
    ("digits", "heard", "alternatives", "value", "warned"),
    [
        # the engine's text has a digit too few; its alternative reading fits: taken, no warning
        ("7", "by five five nine eight seven six", ("five five five nine eight seven six",),
         "5559876", False),
        # no reading fits: the heard value is filled, and the operator is told to check it
        ("7", "five five nine eight seven six", (), "559876", True),
        ("[5, 7]", "two nine three four zero", (), "29340", False),
        # without `digits` the engine's own reading wins, alternatives or not
        (None, "by five five nine eight seven six", ("five five five nine eight seven six",),
         "559876", False),
    ],
)
def test_a_phone_field_takes_the_reading_whose_length_fits(
    digits: str | None, heard: str, alternatives: tuple[str, ...], value: str, warned: bool
) -> None:
    spec = "type: phone, required: true"
    text = SCENARIO.replace(spec, f"{spec}, digits: {digits}") if digits else SCENARIO
    session = Session(loads_scenario(text))
    session.start(0.0)
    feed(session, final("yes", 2.0), final("the big one", 4.0))
    out = session.handle(replace(final(heard, 6.0), alternatives=alternatives))
    assert [(e.field, e.value) for e in of(out, FieldCaptured)] == [("phone", value)]
    warnings = [n.text for n in of(out, Notice) if n.extra.get("field") == "phone"]
    assert bool(warnings) == warned, warnings


def test_operator_fill_confirms_and_fills_placeholders(session: Session) -> None:
    session.start(0.0)
    out = feed(
        session,
        OperatorCommand(1.0, "fill", "name", "Anna"),
        OperatorCommand(2.0, "goto", "bye"),
    )
    (fc,) = of(out, FieldCaptured)
    assert (fc.value, fc.confirmed, fc.source) == ("Anna", True, "operator")
    assert of(out, StepEntered)[-1].say == "Thank you Anna, goodbye!"


def test_operator_choose_undo_goto(session: Session) -> None:
    session.start(0.0)
    out = feed(
        session,
        OperatorCommand(1.0, "choose", "busy"),
        OperatorCommand(2.0, "undo"),
        OperatorCommand(3.0, "goto", "ask_phone"),
    )
    assert steps(out) == ["callback", "hello", "ask_phone"]
    assert [e.via for e in of(out, StepEntered)] == ["answer", "undo", "goto"]
    (m,) = of(out, Matched)
    assert m.source == "operator" and m.answer == "busy"
    # commands come out as events too (the record keeps them)
    assert [c.action for c in of(out, OperatorCommand)] == ["choose", "undo", "goto"]


def test_undo_after_speech_advance(session: Session) -> None:
    session.start(0.0)
    out = feed(session, final("yes", 1.0), OperatorCommand(2.0, "undo"))
    assert steps(out) == ["ask_size", "hello"]
    assert session.state.step == "hello"


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (OperatorCommand(1.0, "choose", "nope"), "choose: no answer 'nope' at step 'hello'"),
        (OperatorCommand(1.0, "goto", "nowhere"), "goto: no step 'nowhere'"),
        (OperatorCommand(1.0, "undo"), "undo: nothing to undo"),
        (OperatorCommand(1.0, "fill", "zip", "1"), "fill: no field 'zip'"),
        (OperatorCommand(1.0, "transfer", "ceo"), "transfer: no transfer 'ceo'"),
        (OperatorCommand(1.0, "fly"), "fly: unknown command 'fly'"),
    ],
)
def test_bad_operator_commands_give_a_notice(
    session: Session, command: OperatorCommand, message: str
) -> None:
    session.start(0.0)
    out = session.handle(command)
    assert [n.text for n in of(out, Notice)] == [message]
    assert session.state.step == "hello"


def test_reminders_stage_timer_and_before_step(session: Session) -> None:
    session.start(0.0)
    out = feed(session, final("yes", 1.0))
    assert "needs_stage" in [r.reminder for r in of(out, ReminderDue)]
    out = feed(session, Tick(10.0), Tick(21.5), Tick(30.0))
    assert [r.reminder for r in of(out, ReminderDue)] == ["slow"]  # once, at 20 s in the step
    out = feed(session, final("the small one", 31.0))
    # ask_phone leads to bye while phone is empty
    assert [r.reminder for r in of(out, ReminderDue)] == ["phone_first"]


def test_before_step_reminder_not_due_when_field_filled(session: Session) -> None:
    session.start(0.0)
    out = feed(
        session,
        OperatorCommand(0.5, "fill", "phone", "5551234"),
        final("yes", 1.0),
        final("small", 3.0),
    )
    assert "phone_first" not in [r.reminder for r in of(out, ReminderDue)]


def test_silence_hint_once_per_step(session: Session) -> None:
    session.start(0.0)
    out = feed(session, Tick(5.0), Tick(8.5), Tick(12.0), Tick(20.0))
    (hint,) = of(out, SilenceNoticed)
    assert hint.text == "Ask again, more simply" and hint.silent_s == pytest.approx(8.5)
    out = feed(session, final("hmm", 21.0), Tick(25.0), Tick(29.5))
    assert not of(out, SilenceNoticed)  # already shown in this step


def test_transfer_suggested_once_and_accepted(session: Session) -> None:
    session.start(0.0)
    out = feed(
        session, final("let me speak to a manager", 2.0), final("speak to a manager now", 4.0)
    )
    (t,) = of(out, TransferSuggested)
    assert t.target == "Sales manager" and t.transfer == "manager"
    out = session.handle(OperatorCommand(5.0, "transfer", "manager"))
    (end,) = of(out, CallEnded)
    assert end.reason == "transferred" and end.outcome == "transferred:Sales manager"


def test_end_of_call_outcome(session: Session) -> None:
    session.start(0.0)
    feed(session, final("stop calling me", 2.0))
    (end,) = session.end(3.0, "end_of_audio")
    assert (end.outcome, end.step) == ("bye", "bye")
    assert session.handle(final("yes", 4.0)) == []  # nothing happens after the end


def test_vocabulary_is_the_current_step_plus_globals_and_transfers(session: Session) -> None:
    session.start(0.0)
    vocab = session.vocabulary()
    assert {"yes", "busy", "too expensive", "speak to a manager"} <= set(vocab)
    assert "small" not in vocab


RU_CONSENT = """
id: consent
title: Согласие
language: ru
start: ask
fields:
  - {id: consent, label: Согласие, type: yesno}
steps:
  - id: ask
    say: Оформляем?
    capture: [consent]
    answers:
      - {id: agree, phrases: [да, согласен, оформляйте], next: done}
      - {id: refuse, phrases: [нет, не надо, не согласен], next: done}
  - id: done
    say: Спасибо!
    end: true
"""


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Да, согласен, оформляйте", "yes"),
        ("Нет, не согласен, я передумал", "no"),
        ("не надо", "no"),
        ("ну не знаю даже", None),
    ],
)
def test_yesno_field_knows_negation(text: str, value: str | None) -> None:
    session = Session(loads_scenario(RU_CONSENT))
    session.start(0.0)
    out = session.handle(final(text, 3.0))
    assert [e.value for e in of(out, FieldCaptured)] == ([value] if value else [])


def test_field_is_captured_for_the_step_a_partial_already_left(session: Session) -> None:
    session.start(0.0)
    session.handle(final("I am busy", 2.0))
    out: list[Any] = []
    for i in range(4):  # "tomorrow" advances on stable partials...
        out += session.handle(Partial(text="tomorrow", at_s=3.0 + 0.1 * i))
    assert steps(out) == ["bye"]
    out = session.handle(final("tomorrow evening", 4.0))  # ...and the final still fills the field
    assert [(e.field, e.value) for e in of(out, FieldCaptured)] == [("when", "tomorrow")]


def test_a_step_that_only_collects_fields_moves_on_once_they_are_heard(session: Session) -> None:
    session.start(0.0)
    feed(session, final("yes", 1.0), final("small", 3.0))
    assert session.state.step == "ask_phone"
    out = session.handle(final("hmm let me see", 5.0))  # nothing heard for the field: stay
    assert not of(out, StepEntered)
    out = session.handle(final("five five five one two three four", 8.0))
    assert [(e.step, e.via) for e in of(out, StepEntered)] == [("bye", "captured")]
    assert [e.value for e in of(out, FieldCaptured)] == ["5551234"]


@pytest.mark.parametrize(
    ("spotted", "free_text", "path"),
    [
        ("busy", "i am busy right now", ["hello", "callback"]),  # confirmed
        ("busy", "someone is at the door", ["hello"]),  # a spotter's false alarm: no advance
        ("", "sure go ahead", ["hello", "ask_size"]),  # the spotter missed: free text decides
        ("", "what a nice day", ["hello"]),
    ],
)
def test_biased_final_is_checked_against_the_free_transcript(
    session: Session, spotted: str, free_text: str, path: list[str]
) -> None:
    out = session.start(0.0)
    event = final(spotted or "x", 3.0)
    out += session.handle(Final(spotted, 3.0, event.words if spotted else (), free_text=free_text))
    assert steps(out) == path
    if len(path) == 1:
        assert of(out, NoMatch) and of(out, NoMatch)[0].heard == free_text


@pytest.mark.parametrize(
    ("spotted", "free_text", "path"),
    [
        ("busy", "i am not busy", ["hello"]),  # the free transcript says the opposite
        # a global answer heard weakly, but above corroborate_min_score (58 >= 50): its
        # support is not cut off by the decision's shortcut for weak global answers
        ("how much is it", "much is it", ["hello", "price_answer"]),
        ("how much is it", "how", ["hello"]),  # 42 < 50
    ],
)
def test_corroboration_reads_the_answer_as_the_free_transcript_says_it(
    session: Session, spotted: str, free_text: str, path: list[str]
) -> None:
    out = session.start(0.0)
    out += session.handle(Final(spotted, 3.0, final(spotted, 3.0).words, free_text=free_text))
    assert steps(out) == path


@pytest.mark.parametrize(
    ("last_partial", "free", "path"),
    [
        ("i am busy right now", True, ["hello", "callback"]),  # the live decoder heard it
        ("i am busy right now", False, ["hello"]),  # a biased partial proves nothing
        ("someone is at the door", True, ["hello"]),
    ],
)
def test_a_free_partial_can_corroborate_a_spotted_final(
    session: Session, last_partial: str, free: bool, path: list[str]
) -> None:
    """PocketSphinx's batch re-decode may garble what its live (free) decoder heard."""
    out = session.start(0.0)
    out += session.handle(Partial("i am", 2.0, 1.0, free=free))
    out += session.handle(Partial(last_partial, 2.8, 1.0, free=free))
    out += session.handle(Final("busy", 3.0, final("busy", 3.0).words, 1.0, free_text="i am bee"))
    assert steps(out) == path


def test_a_choice_field_takes_the_label_of_the_answer_chosen() -> None:
    scenario = loads_scenario(
        """
id: plans
title: Plans
start: pick
fields: [{id: plan, label: Plan, type: choice, choices: [Turbo 500, Turbo 300]}]
steps:
  - id: pick
    say: Which plan?
    capture: [plan]
    answers:
      - {id: big, label: Turbo 500, phrases: [the bigger plan, five hundred], next: done}
      - {id: small, label: Turbo 300, phrases: [the cheaper one], next: done}
  - {id: done, say: Thanks, end: true}
"""
    )
    session = Session(scenario)
    session.start(0.0)
    out = session.handle(final("the bigger plan please", 3.0))
    assert [(e.field, e.value) for e in of(out, FieldCaptured)] == [("plan", "Turbo 500")]
