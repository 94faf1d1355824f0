"""Checks beyond the schema: the graph, the phrases, the references. Pure: data in, problems out.

Each rule has a name (shown in `--json`) and a severity: errors make `validate` fail, warnings
are printed for the scriptwriter to judge.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterator

from ..errors import Problem
from ..text import is_negation, tokens
from .loader import ScenarioSource
from .markup import placeholders
from .models import Answer, Scenario


def _did_you_mean(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def lint(scenario: Scenario, source: ScenarioSource) -> list[Problem]:
    """All lint findings for a schema-valid scenario, in file order."""
    problems = [
        *_duplicate_ids(scenario, source),
        *_references(scenario, source),
        *_graph(scenario, source),
        *_phrases(scenario, source),
    ]
    return sorted(problems, key=lambda p: (p.line or 0, p.column or 0))


def _duplicate_ids(sc: Scenario, src: ScenarioSource) -> Iterator[Problem]:
    groups: list[tuple[tuple[str | int, ...], list[str]]] = [
        (("steps",), [s.id for s in sc.steps]),
        (("fields",), [f.id for f in sc.fields]),
        (("global_answers",), [a.id for a in sc.global_answers]),
        (("reminders",), [r.id for r in sc.reminders]),
        (("transfers",), [t.id for t in sc.transfers]),
        (("knowledge",), [a.id for a in sc.knowledge]),
    ]
    groups += [
        (("steps", i, "answers"), [a.id for a in step.answers]) for i, step in enumerate(sc.steps)
    ]
    for prefix, ids in groups:
        seen: set[str] = set()
        for i, ident in enumerate(ids):
            if ident in seen:
                yield src.problem(
                    (*prefix, i, "id"), f"duplicate id '{ident}'", rule="duplicate-id"
                )
            seen.add(ident)


def _references(sc: Scenario, src: ScenarioSource) -> Iterator[Problem]:
    steps = sc.step_ids
    fields = [f.id for f in sc.fields]

    def step_ref(loc: tuple[str | int, ...], target: str | None) -> Iterator[Problem]:
        if target is not None and not sc.has_step(target):
            yield src.problem(
                loc, f"no step '{target}'{_did_you_mean(target, steps)}", rule="missing-step"
            )

    def field_ref(loc: tuple[str | int, ...], name: str, what: str) -> Iterator[Problem]:
        if sc.field(name) is None:
            yield src.problem(
                loc,
                f"{what} '{name}' is not a field{_did_you_mean(name, fields)}",
                rule="missing-field",
            )

    yield from step_ref(("start",), sc.start)
    for i, step in enumerate(sc.steps):
        yield from step_ref(("steps", i, "next"), step.next)
        if sc.stages is not None and step.stage is not None and step.stage not in sc.stages:
            yield src.problem(
                ("steps", i, "stage"),
                f"stage '{step.stage}' is not in stages{_did_you_mean(step.stage, sc.stages)}",
                rule="missing-stage",
            )
        for j, answer in enumerate(step.answers):
            yield from step_ref(("steps", i, "answers", j, "next"), answer.next)
        for j, name in enumerate(step.capture):
            yield from field_ref(("steps", i, "capture", j), name, "capture")
        for name in placeholders(step.say):
            yield from field_ref(("steps", i, "say"), name, "placeholder")
    for i, g in enumerate(sc.global_answers):
        yield from step_ref(("global_answers", i, "next"), g.next)
        for j, s in enumerate(g.steps or []):
            yield from step_ref(("global_answers", i, "steps", j), s)
    for i, r in enumerate(sc.reminders):
        w = r.when
        for key, target in (("enter_step", w.enter_step), ("step", w.step), ("before_step", w.before_step)):
            yield from step_ref(("reminders", i, "when", key), target)
        if w.field is not None:
            yield from field_ref(("reminders", i, "when", "field"), w.field, "field")
        if w.enter_stage is not None and w.enter_stage not in {s.stage for s in sc.steps}:
            yield src.problem(
                ("reminders", i, "when", "enter_stage"),
                f"no step has stage '{w.enter_stage}'",
                rule="missing-stage",
            )
        for name in placeholders(r.text):
            yield from field_ref(("reminders", i, "text"), name, "placeholder")
    for i, t in enumerate(sc.transfers):
        yield from step_ref(("transfers", i, "step"), t.step)
        for name in placeholders(t.say):
            yield from field_ref(("transfers", i, "say"), name, "placeholder")
    for i, s in enumerate(sc.silence):
        for j, target in enumerate(s.steps or []):
            yield from step_ref(("silence", i, "steps", j), target)


def _graph(sc: Scenario, src: ScenarioSource) -> Iterator[Problem]:
    edges: dict[str, set[str]] = {s.id: set() for s in sc.steps}
    everywhere = {g.next for g in sc.global_answers if g.next} | {
        t.step for t in sc.transfers if t.step
    }
    for step in sc.steps:
        edges[step.id] |= {a.next for a in step.answers if a.next} | everywhere
        if step.next:
            edges[step.id].add(step.next)
    seen: set[str] = set()
    todo = [sc.start] if sc.has_step(sc.start) else []
    while todo:
        current = todo.pop()
        if current in seen or current not in edges:
            continue
        seen.add(current)
        todo.extend(edges[current])
    for i, step in enumerate(sc.steps):
        if step.id not in seen and sc.has_step(sc.start):
            yield src.problem(
                ("steps", i, "id"),
                f"step '{step.id}' cannot be reached from start '{sc.start}'",
                "warning",
                rule="unreachable",
            )
        way_out = step.next or any(a.next for a in step.answers)
        if not step.end and not way_out:
            yield src.problem(
                ("steps", i),
                f"step '{step.id}' is a dead end: no answer leads on, no 'next', and not 'end: true'",
                rule="dead-end",
            )


def _phrases(sc: Scenario, src: ScenarioSource) -> Iterator[Problem]:
    lang = sc.language
    for i, step in enumerate(sc.steps):
        yield from _sibling_phrases(step.answers, ("steps", i, "answers"), lang, src)
    yield from _sibling_phrases(list(sc.global_answers), ("global_answers",), lang, src)


def _sibling_phrases(
    answers: list[Answer], prefix: tuple[str | int, ...], lang: str, src: ScenarioSource
) -> Iterator[Problem]:
    normal: list[tuple[int, int, str, tuple[str, ...]]] = [
        (j, k, a.id, tuple(tokens(p, lang)))
        for j, a in enumerate(answers)
        for k, p in enumerate(a.phrases)
    ]
    first_owner: dict[tuple[str, ...], str] = {}
    for j, k, owner, words in normal:
        loc = (*prefix, j, "phrases", k)
        if not words:
            yield src.problem(loc, "phrase has no words", rule="empty-phrase")
            continue
        other = first_owner.get(words)
        if other is not None and other != owner:
            yield src.problem(
                loc,
                f"phrase '{' '.join(words)}' is also a phrase of answer '{other}'",
                rule="duplicate-phrase",
            )
        first_owner.setdefault(words, owner)
    for j, k, owner, words in normal:
        for _j2, _k2, other, other_words in normal:
            if other == owner or not words or not other_words or words == other_words:
                continue
            loc = (*prefix, j, "phrases", k)
            extra = Counter(other_words) - Counter(words)
            if Counter(words) <= Counter(other_words):
                if extra and all(is_negation(w, lang) for w in extra):
                    yield src.problem(
                        loc,
                        f"'{' '.join(words)}' is the negation of '{' '.join(other_words)}' "
                        f"(answer '{other}'): the matcher's negation handling decides between them",
                        "warning",
                        rule="negated-sibling",
                    )
                else:
                    yield src.problem(
                        loc,
                        f"every word of '{' '.join(words)}' is also in '{' '.join(other_words)}' "
                        f"(answer '{other}'): when the customer says that, both answers match",
                        "warning",
                        rule="contained-phrase",
                    )
