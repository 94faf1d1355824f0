"""Checks beyond the schema: the graph, the phrases, the references. Pure: data in, problems out.

Each rule has a name (shown in `--json`, listed in `RULES`) and a severity: errors make
`validate` fail, warnings are printed for the scriptwriter to judge.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterator, Sequence
from functools import lru_cache

from ..errors import Problem
from ..text import is_negation, tokens
from .loader import ScenarioSource
from .markup import placeholders, stray_markup
from .models import Answer, Scenario

Loc = tuple[str | int, ...]

RULES: dict[str, str] = {
    "duplicate-id": "error",
    "missing-step": "error",
    "missing-field": "error",
    "missing-stage": "error",
    "dead-end": "error",
    "unreachable": "warning",
    "end-with-exits": "warning",
    "empty-phrase": "error",
    "duplicate-phrase": "error",
    "contained-phrase": "warning",
    "negated-sibling": "warning",
    "markup": "warning",
}
"""Every lint rule and its severity (the docs and the tests walk this table)."""


def _did_you_mean(name: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
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


def _problem(src: ScenarioSource, loc: Loc, message: str, rule: str) -> Problem:
    return src.problem(loc, message, RULES[rule], rule=rule)


def _duplicate_ids(sc: Scenario, src: ScenarioSource) -> Iterator[Problem]:
    groups: list[tuple[Loc, list[str]]] = [
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
        first: dict[str, int] = {}
        for i, ident in enumerate(ids):
            if ident in first:
                line, _col = src.where((*prefix, first[ident], "id"))
                where = f" (first on line {line})" if line is not None else ""
                yield _problem(
                    src, (*prefix, i, "id"), f"duplicate id '{ident}'{where}", "duplicate-id"
                )
            else:
                first[ident] = i


def _references(sc: Scenario, src: ScenarioSource) -> Iterator[Problem]:
    steps = sc.step_ids
    fields = [f.id for f in sc.fields]
    used_stages = {s.stage for s in sc.steps if s.stage is not None}

    def step_ref(loc: Loc, target: str | None) -> Iterator[Problem]:
        if target is not None and not sc.has_step(target):
            message = f"no step '{target}'{_did_you_mean(target, steps)}"
            yield _problem(src, loc, message, "missing-step")

    def field_ref(loc: Loc, name: str, what: str) -> Iterator[Problem]:
        if sc.field(name) is None:
            subject = f"{what} '{name}' is not a field" if what else f"no field '{name}'"
            message = f"{subject}{_did_you_mean(name, fields)}"
            yield _problem(src, loc, message, "missing-field")

    def text_refs(loc: Loc, line: str) -> Iterator[Problem]:
        for name in placeholders(line):
            yield from field_ref(loc, name, "placeholder")
        for message in stray_markup(line):
            yield _problem(src, loc, message, "markup")

    yield from step_ref(("start",), sc.start)
    for i, step in enumerate(sc.steps):
        yield from step_ref(("steps", i, "next"), step.next)
        if sc.stages is not None and step.stage is not None and step.stage not in sc.stages:
            message = f"stage '{step.stage}' is not in stages{_did_you_mean(step.stage, sc.stages)}"
            yield _problem(src, ("steps", i, "stage"), message, "missing-stage")
        for j, answer in enumerate(step.answers):
            yield from step_ref(("steps", i, "answers", j, "next"), answer.next)
        for j, name in enumerate(step.capture):
            yield from field_ref(("steps", i, "capture", j), name, "capture")
        yield from text_refs(("steps", i, "say"), step.say)
        for j, hint in enumerate(step.hints):
            yield from text_refs(("steps", i, "hints", j), hint)
    for i, g in enumerate(sc.global_answers):
        yield from step_ref(("global_answers", i, "next"), g.next)
        for j, origin in enumerate(g.steps or []):
            yield from step_ref(("global_answers", i, "steps", j), origin)
    for i, r in enumerate(sc.reminders):
        w = r.when
        for key, trigger in (
            ("enter_step", w.enter_step),
            ("step", w.step),
            ("before_step", w.before_step),
        ):
            yield from step_ref(("reminders", i, "when", key), trigger)
        if w.field is not None:
            yield from field_ref(("reminders", i, "when", "field"), w.field, "")
        if w.enter_stage is not None and w.enter_stage not in used_stages:
            message = (
                f"no step has stage '{w.enter_stage}'"
                f"{_did_you_mean(w.enter_stage, sorted(used_stages))}"
            )
            yield _problem(src, ("reminders", i, "when", "enter_stage"), message, "missing-stage")
        yield from text_refs(("reminders", i, "text"), r.text)
    for i, t in enumerate(sc.transfers):
        yield from step_ref(("transfers", i, "step"), t.step)
        yield from text_refs(("transfers", i, "say"), t.say)
    for i, quiet in enumerate(sc.silence):
        for j, quiet_step in enumerate(quiet.steps or []):
            yield from step_ref(("silence", i, "steps", j), quiet_step)


def _graph(sc: Scenario, src: ScenarioSource) -> Iterator[Problem]:
    """Reachability from `start` (answers, `next`, global answers, transfers) and dead ends."""
    edges: dict[str, set[str]] = {s.id: set() for s in sc.steps}
    everywhere = {t.step for t in sc.transfers if t.step}
    for g in sc.global_answers:
        if g.next is None:
            continue
        if g.steps is None:
            everywhere.add(g.next)
        else:
            for origin in g.steps:
                edges.setdefault(origin, set()).add(g.next)
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
    # A resuming global answer's step is an aside: the call returns to the interrupted step.
    asides = {g.next for g in sc.global_answers if g.resume and g.next}
    for i, step in enumerate(sc.steps):
        if sc.has_step(sc.start) and step.id not in seen:
            message = f"step '{step.id}' cannot be reached from start '{sc.start}'"
            yield _problem(src, ("steps", i, "id"), message, "unreachable")
        exits = bool(step.next) or any(a.next for a in step.answers)
        if step.end and exits:
            message = f"step '{step.id}' is 'end: true', so its answers and 'next' are never used"
            yield _problem(src, ("steps", i, "end"), message, "end-with-exits")
        if not step.end and not exits and step.id not in asides:
            message = (
                f"step '{step.id}' is a dead end: no answer leads on, "
                "no 'next', and not 'end: true'"
            )
            yield _problem(src, ("steps", i), message, "dead-end")


_AUXILIARIES: dict[str, frozenset[str]] = {
    "en": frozenset(
        {"do", "does", "did", "am", "is", "are", "was", "will", "can", "would", "at", "all"}
        | {"a", "an", "the"}
    ),
    "ru": frozenset({"совсем", "вообще", "очень", "же"}),
}


def _negates(extra: Counter[str], lang: str) -> bool:
    """The extra words of a longer phrase only negate the shorter one ("do not", "не")."""
    helpers = _AUXILIARIES.get(lang, frozenset())
    return any(is_negation(w, lang) for w in extra) and all(
        is_negation(w, lang) or w in helpers for w in extra
    )


def _phrases(sc: Scenario, src: ScenarioSource) -> Iterator[Problem]:
    lang = sc.language
    for i, step in enumerate(sc.steps):
        yield from _sibling_phrases(step.answers, ("steps", i, "answers"), lang, src)
    yield from _sibling_phrases(list(sc.global_answers), ("global_answers",), lang, src)


@lru_cache(maxsize=65_536)
def _words(phrase: str, lang: str) -> tuple[str, ...]:
    """A phrase's normalised words (cached: editors and tools re-lint the same scenario)."""
    return tuple(tokens(phrase, lang))


def _split_ne(words: tuple[str, ...], vocabulary: set[str], lang: str) -> tuple[str, ...]:
    """Russian `неудобно` -> `не удобно` when `удобно` is a word of a sibling phrase."""
    if lang != "ru":
        return words
    out: list[str] = []
    for w in words:
        if w.startswith("не") and len(w) > 4 and w[2:] in vocabulary:
            out += ["не", w[2:]]
        else:
            out.append(w)
    return tuple(out)


def _sibling_phrases(
    answers: Sequence[Answer], prefix: Loc, lang: str, src: ScenarioSource
) -> Iterator[Problem]:
    """Phrases of different answers that collide: equal, contained, or negations of each other.

    An inverted index (word -> phrases holding it) keeps this near-linear: a phrase is only
    compared with the phrases that hold its rarest word.
    """
    raw = [
        (j, k, a.id, p, _words(p, lang))
        for j, a in enumerate(answers)
        for k, p in enumerate(a.phrases)
    ]
    vocabulary = {w for *_, words in raw for w in words}
    normal = [(j, k, owner, p, _split_ne(words, vocabulary, lang)) for j, k, owner, p, words in raw]
    first_owner: dict[tuple[str, ...], str] = {}
    holders: dict[str, set[int]] = {}
    for n, (j, k, owner, phrase, words) in enumerate(normal):
        loc = (*prefix, j, "phrases", k)
        for w in words:
            holders.setdefault(w, set()).add(n)
        if not words:
            yield _problem(src, loc, "phrase has no words", "empty-phrase")
            continue
        other = first_owner.setdefault(words, owner)
        if other != owner:
            message = f"phrase '{phrase}' is also a phrase of answer '{other}'"
            yield _problem(src, loc, message, "duplicate-phrase")
    for j, k, owner, phrase, words in normal:
        if not words:
            continue
        rarest = min((holders[w] for w in words), key=len)
        candidates = [
            m
            for m in sorted(rarest)
            if normal[m][2] != owner and normal[m][4] != words and len(normal[m][4]) >= len(words)
        ]
        if not candidates:
            continue
        mine = Counter(words)
        reported: set[str] = set()  # one finding per phrase and colliding answer
        for m in candidates:
            _j, _k, other, other_phrase, other_words = normal[m]
            theirs = Counter(other_words)
            if other in reported or not mine <= theirs:
                continue
            reported.add(other)
            loc = (*prefix, j, "phrases", k)
            if _negates(theirs - mine, lang):
                message = (
                    f"'{other_phrase}' (answer '{other}') is the negation of '{phrase}': "
                    "the matcher's negation handling decides between them"
                )
                yield _problem(src, loc, message, "negated-sibling")
            else:
                message = (
                    f"every word of '{phrase}' is also in '{other_phrase}' (answer '{other}'): "
                    "when the customer says that, both answers match"
                )
                yield _problem(src, loc, message, "contained-phrase")
