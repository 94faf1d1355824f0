"""The tuning report as rich terminal tables: per step the confusion matrix (recall per row,
precision per column), wrong selections first, then misses and the threshold sweep; then
collisions, suggestions, threshold changes and the vocabulary check."""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from .evaluate import Outcome, StepReport
from .report import TuneReport
from .sweep import StepSweep, SweepPoint


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.0f}%"


def _short(source: str) -> str:
    """"tests/data/x.corpus.yaml:12" -> "x.corpus.yaml:12" (the full path is in --json)."""
    return source.rsplit("/", 1)[-1]


def _label(a: str | None) -> str:
    return "(none)" if a is None else a


def confusion_table(s: StepReport) -> Table:
    t = Table(title="expected (rows) x selected (columns)", title_justify="left")
    t.add_column("expected", style="bold")
    for a in s.labels:
        t.add_column(_label(a), justify="right")
    t.add_column("recall", justify="right", style="cyan")
    stats = {a.answer: a for a in s.answers}
    for e in s.labels:
        cells = []
        for sel in s.labels:
            n = s.confusion.get((e, sel), 0)
            style = "" if not n else "green" if e == sel else "bold red" if sel else "yellow"
            cells.append(Text(str(n) if n else ".", style=style))
        recall = stats[e].recall if e is not None else None
        t.add_row(_label(e), *cells, _pct(recall))
    t.add_row("precision", *[_pct(stats[a].precision) if a else "" for a in s.labels], "",
              style="cyan")
    return t


def _errors(title: str, items: tuple[Outcome, ...], wrong: bool) -> Table:
    t = Table(title=title, title_justify="left", title_style="bold red" if wrong else "yellow")
    t.add_column("heard")
    t.add_column("expected")
    t.add_column("selected" if wrong else "closest phrase")
    t.add_column("score", justify="right")
    t.add_column("threshold", justify="right")
    if not wrong:
        t.add_column("why")
    t.add_column("source", style="dim")
    for o in items:
        c = o.chosen if wrong else o.closest
        t.add_row(
            o.utterance.text,
            _label(o.utterance.expect),
            (c.answer if wrong else repr(c.phrase) if c.phrase
             else f"(no word matched; nearest: {o.nearest_phrase!r})")
            if c else "-",
            f"{c.score:.0f}" if c else "-",
            f"{c.threshold:.0f}" if c else "-",
            *([] if wrong else [o.result.reason]),
            _short(o.utterance.source),
        )
    return t


def sweep_table(sw: StepSweep) -> Table:
    """Thresholds with the same outcome share a row ("40-70"); * current, ! recommended."""
    t = Table(title="threshold sweep", title_justify="left", caption="* current  ! recommended",
              caption_justify="left")
    for col in ("threshold", "accuracy", "wrong", "missed"):
        t.add_column(col, justify="right")
    runs: list[list[SweepPoint]] = []
    for p in sw.points:
        if runs and (runs[-1][-1].correct, runs[-1][-1].wrong) == (p.correct, p.wrong):
            runs[-1].append(p)
        else:
            runs.append([p])
    for run in runs:
        first, last = run[0].threshold, run[-1].threshold
        label = f"{first:g}" if first == last else f"{first:g}-{last:g}"
        marks = "".join(
            m for m, v in (("*", sw.current), ("!", sw.recommended))
            if v is not None and any(p.threshold == v for p in run)
        )
        p = run[0]
        style = "bold green" if "!" in marks else ""
        t.add_row(Text(label + marks, style=style), _pct(p.accuracy),
                  Text(str(p.wrong), style="red" if p.wrong else ""), str(p.missed))
    return t


def step_view(s: StepReport, sw: StepSweep | None) -> RenderableType:
    head = Text.assemble(
        ("step ", "bold"), (s.step, "bold magenta"),
        f"  {s.total} utterances, accuracy {_pct(s.accuracy)}, ",
        (f"{len(s.wrong)} wrong", "bold red" if s.wrong else ""), f", {len(s.misses)} missed",
    )
    if sw is not None:
        now = "mixed" if sw.current is None else f"{sw.current:g}"
        head.append(f"; threshold {now}")
        if sw.recommended is not None:
            head.append(f" -> recommended {sw.recommended:g}", style="bold green")
    parts: list[RenderableType] = [head, confusion_table(s)]
    if s.wrong:
        parts.append(_errors("wrong selections", s.wrong, True))
    if s.misses:
        parts.append(_errors("misses", s.misses, False))
    if sw is not None:
        parts.append(sweep_table(sw))
    return Group(*parts)


def render(r: TuneReport, console: Console) -> None:
    console.print(
        f"[bold]{r.scenario.id}[/]: {r.total} labeled utterances from {len(r.corpus.sources)} "
        f"sources: {r.correct} correct, [red]{r.wrong} wrong selections[/], {r.missed} missed"
    )
    for note in r.notes:
        console.print(f"[dim]note: {note}[/]")
    sweeps = {s.step: s for s in r.sweeps}
    for s in r.steps:
        console.print()
        console.print(step_view(s, sweeps.get(s.step)))
    if r.collisions:
        t = Table(title="collisions: phrases scoring high on what meant another answer",
                  title_justify="left")
        for col in ("step/answer", "phrase", "from", "hits", "wrong", "max", "thr", "meant",
                    "e.g."):
            t.add_column(col)
        for c in r.collisions:
            t.add_row(f"{c.step}/{c.answer}", c.phrase, c.kind, str(c.count),
                      Text(str(c.wrong), style="red" if c.wrong else ""),
                      f"{c.max_score:.0f}", f"{c.threshold:.0f}", ", ".join(c.meant),
                      c.examples[0] if c.examples else "")
        console.print()
        console.print(t)
    console.print()
    if r.suggestions or r.thresholds:
        t = Table(title="suggestions (accept with --apply --accept ID..., or --yes for all)",
                  title_justify="left")
        t.add_column("id", no_wrap=True)
        t.add_column("step/answer")
        t.add_column("change", style="bold")
        for col in ("in misses", "else where", "fixes", "wrong", "lost"):
            t.add_column(col, justify="right")
        t.add_column("e.g.")
        for g in r.suggestions:
            t.add_row(g.id, f"{g.step or '(global)'}/{g.answer}", f"+ '{g.phrase}'",
                      str(g.in_misses), str(g.elsewhere), Text(str(g.fixes), style="green"),
                      Text(str(g.wrong), style="red" if g.wrong else ""), str(g.lost),
                      g.examples[0] if g.examples else "")
        for th in r.thresholds:
            t.add_row(th.id, f"{th.step}/(all)", f"threshold {th.current:g} -> {th.recommended:g}",
                      "", "", f"{th.correct_after - th.correct_before:+d}",
                      f"{th.wrong_after - th.wrong_before:+d}", "", "")
        console.print(t)
    else:
        console.print("no suggestions")
    if r.unknown_words is not None:
        console.print()
        if not r.unknown_words:
            console.print(f"vocabulary ({r.vocabulary}): every phrase word is known")
        else:
            t = Table(title=f"words the engine cannot recognise ({r.vocabulary})",
                      title_justify="left", title_style="bold red")
            for col in ("word", "step", "answer", "phrase", "nearest known words"):
                t.add_column(col)
            for u in r.unknown_words:
                t.add_row(u.word, u.step or "(global)", u.answer, u.phrase, ", ".join(u.nearest))
            console.print(t)
