"""The call session: a state machine over speech events and operator commands.

`Session.handle(event) -> list[event]` is the whole interface. Audio time (`at_s` of the input)
is its only clock; it does no I/O. Speech and operator commands enter at the same door, and every
state change comes out as an event, so a call can be replayed exactly from its inputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from . import fields as field_parsers
from .events import (
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
from .matcher import Candidate, MatchConfig, Matcher, MatchResult, PartialPolicy
from .scenario.markup import fill
from .scenario.models import FieldSpec, Reminder, Scenario, Step, digit_count
from .text import tokens

Input = Partial | Final | OperatorCommand | Tick
Output = (
    Matched
    | AnswerScores
    | StepEntered
    | ReminderDue
    | FieldCaptured
    | TransferSuggested
    | SilenceNoticed
    | NoMatch
    | OperatorCommand
    | CallEnded
    | Notice
)


@dataclass(frozen=True)
class FieldValue:
    value: str
    confirmed: bool
    heard: str = ""


@dataclass(frozen=True)
class State:
    """Everything the session knows; a new value after every change (undo keeps the old ones)."""

    step: str
    entered_at_s: float = 0.0
    last_speech_s: float = 0.0
    path: tuple[str, ...] = ()
    resume_to: tuple[str, ...] = ()  # interrupted steps to return to (global answers, resume)
    fields: tuple[tuple[str, FieldValue], ...] = ()
    shown: frozenset[str] = frozenset()  # reminder ids shown (for once-only reminders)
    shown_this_step: frozenset[str] = frozenset()  # reminders/silence shown during this visit
    transfers_suggested: frozenset[str] = frozenset()
    ended: bool = False

    def field(self, field_id: str) -> FieldValue | None:
        return dict(self.fields).get(field_id)

    def with_field(self, field_id: str, value: FieldValue) -> State:
        others = tuple((k, v) for k, v in self.fields if k != field_id)
        return replace(self, fields=(*others, (field_id, value)))

    def values(self) -> dict[str, str]:
        return {k: v.value for k, v in self.fields}


@dataclass
class _Utterance:
    """Per-utterance bookkeeping: the policy's memory and whether it already advanced."""

    policy: PartialPolicy
    consumed: bool = False
    started: bool = False
    step: str | None = None  # the step at which the customer began this utterance
    answer: str | None = None  # the answer a partial of it already chose
    last: tuple[MatchResult, Partial] | None = None  # the latest partial and its match
    last_scores: tuple[tuple[str, float], ...] = ()
    last_partial: str = ""  # the engine's latest free (unbiased) partial of it


class Session:
    """One call through one scenario."""

    def __init__(
        self,
        scenario: Scenario,
        matcher: Matcher | None = None,
        config: MatchConfig | None = None,
    ) -> None:
        self.scenario = scenario
        self.config = config or MatchConfig()
        self.matcher = matcher or Matcher(scenario, self.config)
        self.state = State(step=scenario.start)
        self.history: list[State] = []
        self._utterance = _Utterance(PartialPolicy(self.config))
        self._started = False

    # -- the door ------------------------------------------------------------------------------

    def start(self, at_s: float = 0.0) -> list[Output]:
        """Enter the start step (called once, before any other event)."""
        self._started = True
        return self._enter(self.scenario.start, at_s, via="start", previous=None)

    def handle(self, event: Input) -> list[Output]:
        """Feed one input event; return what happened, in order."""
        out: list[Output] = [] if self._started else self.start(event.at_s)
        if self.state.ended:
            return out
        if isinstance(event, Tick):
            out += self._timers(event.at_s)
            out += self._held_partial(event.at_s)
        elif isinstance(event, Partial):
            out += self._on_partial(event)
        elif isinstance(event, Final):
            out += self._on_final(event)
        elif isinstance(event, OperatorCommand):
            out += self._on_command(event)
        return out

    @property
    def step(self) -> Step:
        return self.scenario.step(self.state.step)

    def vocabulary(self) -> list[str]:
        """Phrases worth biasing the recognizer towards at the current step."""
        step = self.step
        phrases = [p for a in step.answers for p in a.phrases]
        phrases += [
            p
            for g in self.scenario.global_answers
            if self._global_applies(g.steps)
            for p in g.phrases
        ]
        phrases += [p for t in self.scenario.transfers for p in t.phrases]
        return list(dict.fromkeys(phrases))

    # -- speech ---------------------------------------------------------------------------------

    def _on_partial(self, event: Partial) -> list[Output]:
        self.state = replace(self.state, last_speech_s=event.at_s)
        out: list[Output] = self._timers(event.at_s)
        if not self._utterance.started:
            self._utterance.started = True
            self._utterance.step = self.state.step
        if event.free and event.text.strip():
            self._utterance.last_partial = event.text
        if self._utterance.consumed or not event.text.strip():
            return out
        result = self.matcher.match(self.state.step, event.text)
        out += self._scores(event.at_s, result, final=False)
        self._utterance.last = (result, event)
        return out + self._partial_advance(
            self._utterance.policy.on_partial(result, event.at_s), event.at_s
        )

    def _held_partial(self, at_s: float) -> list[Output]:
        """A tick with no newer partial: the latest partial's choice has stood until `at_s`."""
        if self._utterance.consumed or self._utterance.last is None:
            return []
        return self._partial_advance(self._utterance.policy.on_time(at_s), at_s)

    def _partial_advance(self, chosen: Candidate | None, at_s: float) -> list[Output]:
        if chosen is None or self._utterance.last is None:
            return []
        result, partial = self._utterance.last
        self._utterance.consumed = True
        self._utterance.answer = chosen.answer
        return self._advance(chosen, result, at_s, partial.text, partial.words)

    def _on_final(self, event: Final) -> list[Output]:
        self.state = replace(self.state, last_speech_s=event.at_s)
        out: list[Output] = self._timers(event.at_s)
        utterance, self._utterance = self._utterance, _Utterance(PartialPolicy(self.config))
        if not event.heard.strip():
            return out
        out += self._transfers(event)
        # Fields are filled for the step the customer was answering, even if a partial of this
        # utterance already moved the call on.
        step_before = utterance.step or self.state.step
        if utterance.consumed:
            return out + self._capture(event, step_before, utterance.answer)
        result = self._final_result(event, utterance.last_partial)
        out += self._scores(event.at_s, result, final=True)
        chosen = utterance.policy.on_final(result)
        if chosen is not None:
            out += self._capture(event, step_before, chosen.answer)
            out += self._advance(chosen, result, event.at_s, event.text, event.words)
        else:
            captured = self._capture(event, step_before)
            out += captured
            if captured and self._filled(step_before):
                out += self._continue(event.at_s, via="captured")
            elif not captured:
                best = result.candidates[0] if result.candidates else None
                out.append(
                    NoMatch(
                        at_s=event.at_s,
                        step=self.state.step,
                        heard=event.heard,
                        reason=result.reason,
                        best=best.answer if best else None,
                        best_score=round(best.score, 1) if best else None,
                    )
                )
        return out

    def _final_result(self, event: Final, last_partial: str = "") -> MatchResult:
        """Match a final; a biased engine's pick must be backed by a free transcript of the same
        speech: the final's `free_text` or the utterance's last free partial (a second decode:
        PocketSphinx's live decoder often hears what its batch re-decode garbled). A transcript
        that says the answer negated backs nothing."""
        result = self.matcher.match(self.state.step, event.text)
        if event.free_text is None:
            return result
        chosen = result.chosen
        if chosen is None:
            # the spotter missed: the free transcript alone may still match
            return self.matcher.match(self.state.step, event.free_text)
        support = 0.0
        for free_text in dict.fromkeys((event.free_text, last_partial)):
            if free_text.strip():
                score = self.matcher.support(self.state.step, free_text, chosen.answer)
                support = max(support, score)
        if support >= self.config.corroborate_min_score:
            return result
        return replace(
            result,
            chosen=None,
            reason=f"'{chosen.answer}' was spotted but not confirmed by the free transcript "
            f"(scored {support:.0f} there)",
        )

    def _filled(self, step_id: str) -> bool:
        """A step that collects fields and has a `next` is done once its required fields (all
        of them if none is required) are heard; its answers, if any, are the exceptions
        ("I won't give my number")."""
        step = self.scenario.step(step_id)
        if step_id != self.state.step or step.next is None or not step.capture:
            return False
        specs = [f for f in (self.scenario.field(c) for c in step.capture) if f is not None]
        needed = [f.id for f in specs if f.required] or list(step.capture)
        return all(self.state.field(f) is not None for f in needed)

    def _continue(self, at_s: float, via: str) -> list[Output]:
        """Go on to the step's `next`, or back to an interrupted step."""
        target = self.step.next or (self.state.resume_to[-1] if self.state.resume_to else None)
        if target is None:
            return []
        self.history.append(self.state)
        stack = self.state.resume_to if self.step.next else self.state.resume_to[:-1]
        self.state = replace(self.state, resume_to=stack)
        return self._enter(target, at_s, via=via, previous=self.state.step)

    def _scores(self, at_s: float, result: MatchResult, final: bool) -> list[Output]:
        scores = tuple((c.answer, round(c.score, 1)) for c in result.candidates)
        if scores == self._utterance.last_scores and not final:
            return []
        self._utterance.last_scores = scores
        return [AnswerScores(at_s=at_s, step=self.state.step, scores=scores, final=final)]

    def _advance(
        self,
        chosen: Candidate,
        result: MatchResult,
        at_s: float,
        heard: str,
        words: Sequence[Word],
        source: str = "speech",
    ) -> list[Output]:
        runner = result.runner_up
        matched = Matched(
            at_s=at_s,
            step=self.state.step,
            answer=chosen.answer,
            next=chosen.next,
            score=round(chosen.score, 1),
            heard=heard,
            phrase=chosen.phrase,
            matched_words=chosen.matched_words,
            latency_ms=_latency_ms(at_s, chosen.matched_words, words, self.scenario.language),
            source="operator" if source == "operator" else "speech",
            is_global=chosen.is_global,
            runner_up=runner.answer if runner else None,
            runner_up_score=round(runner.score, 1) if runner else None,
        )
        out: list[Output] = [matched]
        previous_state = self.state
        target, via, resume_to = self._target(chosen)
        if target is None:
            return out
        self.history.append(previous_state)
        self.state = replace(self.state, resume_to=resume_to)
        out += self._enter(target, at_s, via=via, previous=previous_state.step)
        return out

    def _target(self, chosen: Candidate) -> tuple[str | None, str, tuple[str, ...]]:
        """Where a chosen answer leads: (step or None to stay, via, new resume stack)."""
        stack = self.state.resume_to
        if chosen.is_global:
            if chosen.resume:
                if chosen.next is None:
                    return None, "global", stack
                return chosen.next, "global", (*stack, self.state.step)
            return chosen.next, "global", ()
        if chosen.next is not None:
            return chosen.next, "answer", stack
        if stack:  # an answer with no next inside a diversion: back to the interrupted step
            return stack[-1], "resume", stack[:-1]
        return None, "answer", stack

    # -- entering steps, timers, reminders -----------------------------------------------------

    def _enter(self, step_id: str, at_s: float, via: str, previous: str | None) -> list[Output]:
        step = self.scenario.step(step_id)
        prev_stage = self.scenario.step(previous).stage if previous else None
        self.state = replace(
            self.state,
            step=step_id,
            entered_at_s=at_s,
            last_speech_s=at_s,
            path=(*self.state.path, step_id),
            shown_this_step=frozenset(),
        )
        # The rest of an utterance in progress belonged to the step we left: it must not advance.
        self._utterance.consumed = self._utterance.started
        out: list[Output] = [self._step_entered(at_s, previous, via)]
        for reminder in self.scenario.reminders:
            w = reminder.when
            due = (
                w.enter_step == step_id
                or (w.enter_stage is not None and w.enter_stage == step.stage != prev_stage)
                or (w.before_step is not None and self._before(w.before_step, step, w.field))
            )
            if due:
                out += self._remind(reminder, at_s)
        return out

    def _step_entered(self, at_s: float, previous: str | None, via: str) -> StepEntered:
        """The event for the current step: its line with the fields known so far filled in."""
        step = self.step
        return StepEntered(
            at_s=at_s,
            step=step.id,
            stage=step.stage,
            say=fill(step.say, self.state.values()),
            verbatim=step.verbatim,
            previous=previous,
            via=via,
        )

    def _before(self, target: str, step: Step, field_id: str | None) -> bool:
        """Due while `target` is this step or one answer away, and the field is still empty."""
        leads_there = (
            step.id == target or step.next == target or any(a.next == target for a in step.answers)
        )
        if not leads_there:
            return False
        if field_id is None:
            return True
        return self.state.field(field_id) is None

    def _remind(self, reminder: Reminder, at_s: float) -> list[Output]:
        key = reminder.id
        if key in self.state.shown_this_step or (key in self.state.shown and not reminder.repeat):
            return []
        self.state = replace(
            self.state,
            shown=self.state.shown | {key},
            shown_this_step=self.state.shown_this_step | {key},
        )
        text = fill(reminder.text, self.state.values())
        return [ReminderDue(at_s=at_s, reminder=key, text=text, step=self.state.step)]

    def _timers(self, at_s: float) -> list[Output]:
        out: list[Output] = []
        in_step_s = at_s - self.state.entered_at_s
        for reminder in self.scenario.reminders:
            w = reminder.when
            due = w.after_s is not None and in_step_s >= w.after_s
            if due and w.step in (None, self.state.step):
                out += self._remind(reminder, at_s)
        silent_s = at_s - self.state.last_speech_s
        for i, hint in enumerate(self.scenario.silence):
            key = f"silence:{i}"
            applies = hint.steps is None or self.state.step in hint.steps
            if applies and silent_s >= hint.after_s and key not in self.state.shown_this_step:
                self.state = replace(self.state, shown_this_step=self.state.shown_this_step | {key})
                out.append(
                    SilenceNoticed(
                        at_s=at_s, silent_s=round(silent_s, 2), text=hint.text, step=self.state.step
                    )
                )
        return out

    # -- transfers and fields ------------------------------------------------------------------

    def _transfers(self, event: Final) -> list[Output]:
        options = {t.id: t.phrases for t in self.scenario.transfers if t.phrases}
        if not options:
            return []
        result = self.matcher.match_phrases(options, event.heard)
        chosen = result.chosen
        if chosen is None or chosen.answer in self.state.transfers_suggested:
            return []
        transfer = next(t for t in self.scenario.transfers if t.id == chosen.answer)
        self.state = replace(
            self.state, transfers_suggested=self.state.transfers_suggested | {transfer.id}
        )
        return [
            TransferSuggested(
                at_s=event.at_s,
                transfer=transfer.id,
                target=transfer.target,
                say=fill(transfer.say, self.state.values()),
                heard=event.heard,
            )
        ]

    def _capture(self, event: Final, step_id: str, answer: str | None = None) -> list[Output]:
        """Fill the step's capture fields from what was heard (marked heard, not confirmed).

        A choice field whose option is the label of the answer chosen takes that option: "the
        bigger plan" chose the answer labelled "Turbo 500", so the plan is Turbo 500.
        """
        out: list[Output] = []
        lang = self.scenario.language
        step = self.scenario.step(step_id)
        label = next((a.label or a.id for a in step.answers if a.id == answer), None)
        for field_id in step.capture:
            spec = self.scenario.field(field_id)
            current = self.state.field(field_id)
            if spec is None or (current is not None and current.confirmed):
                continue
            value: str | None
            by_answer = [c for c in spec.choices if label and c.casefold() == label.casefold()]
            if by_answer:
                value = by_answer[0]
            elif spec.type in ("choice", "yesno"):
                options = (
                    {c: [c] for c in spec.choices}
                    if spec.type == "choice"
                    else field_parsers.yesno_phrases(lang)
                )
                result = self.matcher.match_phrases(options, event.heard)
                value = result.chosen.answer if result.chosen else None
            else:
                value = self._parse(spec, event)
            if value is None or (current is not None and current.value == value):
                continue
            self.state = self.state.with_field(field_id, FieldValue(value, False, event.heard))
            out.append(
                FieldCaptured(at_s=event.at_s, field=field_id, value=value, heard=event.heard)
            )
            if not spec.fits(value):
                wanted = " or ".join(str(n) for n in spec.digits)
                out.append(
                    Notice(
                        at_s=event.at_s,
                        level="warning",
                        text=f"{spec.label}: heard {value} ({digit_count(value)} digits, {wanted} "
                        "expected): check it with the customer",
                        extra={"field": field_id},
                    )
                )
        return out

    def _parse(self, spec: FieldSpec, event: Final) -> str | None:
        """The value of a typed field in what was heard: the first reading (the engine's text,
        then its alternatives) whose value fits the field, else the first value found."""
        parse = field_parsers.PARSERS[spec.type]
        readings = (event.heard, *event.alternatives)
        found = [v for t in readings if (v := parse(t, self.scenario.language)) is not None]
        return next((v for v in found if spec.fits(v)), found[0] if found else None)

    # -- operator commands ---------------------------------------------------------------------

    def _on_command(self, cmd: OperatorCommand) -> list[Output]:
        out: list[Output] = [cmd]
        at_s = cmd.at_s
        action = cmd.action
        if action == "choose":
            chosen = self._candidate(cmd.arg)
            if chosen is None:
                return [self._bad(cmd, f"no answer '{cmd.arg}' at step '{self.state.step}'")]
            result = MatchResult(
                chosen=chosen, runner_up=None, reason="chosen by operator", candidates=()
            )
            out += self._advance(chosen, result, at_s, cmd.value, (), source="operator")
        elif action == "goto":
            if not self.scenario.has_step(cmd.arg):
                return [self._bad(cmd, f"no step '{cmd.arg}'")]
            self.history.append(self.state)
            out += self._enter(cmd.arg, at_s, via="goto", previous=self.state.step)
        elif action == "next":
            moved = self._continue(at_s, via="next")
            if not moved:
                return [self._bad(cmd, f"step '{self.state.step}' has no 'next'")]
            out += moved
        elif action == "undo":
            if not self.history:
                return [self._bad(cmd, "nothing to undo")]
            left = self.state.step
            restored = self.history.pop()
            self.state = replace(
                restored,
                entered_at_s=at_s,
                last_speech_s=at_s,
                path=(*self.state.path, restored.step),
            )
            out.append(self._step_entered(at_s, left, "undo"))
        elif action in ("fill", "confirm"):
            spec = self.scenario.field(cmd.arg)
            if spec is None:
                return [self._bad(cmd, f"no field '{cmd.arg}'")]
            current = self.state.field(cmd.arg)
            value = cmd.value if action == "fill" else (current.value if current else "")
            if action == "confirm" and current is None:
                return [self._bad(cmd, f"field '{cmd.arg}' has no value to confirm")]
            self.state = self.state.with_field(cmd.arg, FieldValue(value, True))
            out.append(
                FieldCaptured(
                    at_s=at_s, field=cmd.arg, value=value, confirmed=True, source="operator"
                )
            )
        elif action == "transfer":
            transfer = next(
                (t for t in self.scenario.transfers if cmd.arg in (t.id, t.target)), None
            )
            if transfer is None:
                return [self._bad(cmd, f"no transfer '{cmd.arg}'")]
            if transfer.step:
                self.history.append(self.state)
                out += self._enter(transfer.step, at_s, via="goto", previous=self.state.step)
            else:
                out += self._end(at_s, "transferred", f"transferred:{transfer.target}")
        elif action == "end":
            out += self._end(at_s, "operator", cmd.value)
        elif action in ("dismiss", "no_answer", "note"):
            pass  # recorded as the command itself; presenters act on it
        else:
            return [self._bad(cmd, f"unknown command '{action}'")]
        return out

    def end(self, at_s: float, reason: str, outcome: str = "") -> list[Output]:
        """End the call from outside (end of audio, device lost, Ctrl-C)."""
        if self.state.ended:
            return []
        return self._end(at_s, reason, outcome)

    def _end(self, at_s: float, reason: str, outcome: str) -> list[Output]:
        self.state = replace(self.state, ended=True)
        if not outcome:
            outcome = self.state.step if self.step.end else "incomplete"
        return [CallEnded(at_s=at_s, reason=reason, outcome=outcome, step=self.state.step)]

    def _bad(self, cmd: OperatorCommand, text: str) -> Notice:
        return Notice(at_s=cmd.at_s, level="warning", text=f"{cmd.action}: {text}")

    def _candidate(self, answer_id: str) -> Candidate | None:
        for a in self.step.answers:
            if a.id == answer_id:
                return Candidate(
                    answer_id, a.next, 100.0, a.phrases[0], (), a.threshold or 0.0, False, False
                )
        for g in self.scenario.global_answers:
            if g.id == answer_id and self._global_applies(g.steps):
                return Candidate(
                    answer_id, g.next, 100.0, g.phrases[0], (), g.threshold or 0.0, True, g.resume
                )
        return None

    def _global_applies(self, steps: list[str] | None) -> bool:
        return steps is None or self.state.step in steps


def _latency_ms(
    at_s: float, matched: Sequence[str], words: Sequence[Word], language: str
) -> float | None:
    """Audio time from the end of the decisive (last matched) word to the advance."""
    if not words:
        return None
    wanted = {w for m in matched for w in tokens(m, language)}
    ends = [w.end_s for w in words if wanted & set(tokens(w.word, language))]
    end_s = max(ends) if ends else words[-1].end_s
    return round(max(0.0, at_s - end_s) * 1000.0, 1)
