"""The tuning report as one self-contained HTML page: confusion matrices as heat maps (cell
shade = share of the row), tables for errors, sweeps, collisions, suggestions and vocabulary.
No scripts, fonts or images from elsewhere: it opens offline and can be mailed as a file."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from .evaluate import Outcome, StepReport
from .report import TuneReport
from .sweep import StepSweep

_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222;max-width:80em}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ccc}
h3{font-size:1em;margin:1em 0 .3em}
table{border-collapse:collapse;margin:.4em 0 1em}
td,th{border:1px solid #ddd;padding:3px 7px;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}
table.heat td.n{min-width:3.5em;text-align:center}
.bad{color:#b00020;font-weight:bold}.dim{color:#777}.ok{color:#1b7a1b}
.cur{outline:2px solid #333}.rec{outline:2px solid #1b7a1b}
"""


def _e(x: object) -> str:
    return escape("" if x is None else str(x))


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.0f}%"


def _label(a: str | None) -> str:
    return "(none)" if a is None else a


def _table(head: Sequence[str], rows: Iterable[Sequence[str]], cls: str = "") -> str:
    """Rows are already-escaped HTML cells."""
    out = [f'<table class="{cls}"><tr>' + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr>"]
    out += ["<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows]
    return "".join(out) + "</table>"


def heat_map(s: StepReport) -> str:
    """Expected answers as rows, selected as columns; green diagonal, red wrong selections,
    amber misses; the shade is the cell's share of its row."""
    stats = {a.answer: a for a in s.answers}
    head = "<tr><th>expected \\ selected</th>" + "".join(
        f"<th>{_e(_label(a))}</th>" for a in s.labels) + "<th>recall</th></tr>"
    rows = []
    for e in s.labels:
        total = sum(s.confusion.get((e, x), 0) for x in s.labels) or 1
        cells = []
        for sel in s.labels:
            n = s.confusion.get((e, sel), 0)
            alpha = 0.12 + 0.78 * n / total if n else 0.0
            rgb = "27,122,27" if e == sel else "176,0,32" if sel is not None else "230,150,0"
            ink = ";color:#fff" if alpha > 0.55 else ""
            style = f' style="background:rgba({rgb},{alpha:.2f}){ink}"' if n else ""
            title = f"expected {_label(e)}, selected {_label(sel)}: {n}"
            cells.append(f'<td class="n"{style} title="{_e(title)}">{n if n else ""}</td>')
        recall = stats[e].recall if e is not None else None
        rows.append(f"<tr><th>{_e(_label(e))}</th>{''.join(cells)}"
                    f'<td class="n">{_pct(recall)}</td></tr>')
    prec = "".join(
        f'<td class="n">{_pct(stats[a].precision) if a else ""}</td>' for a in s.labels)
    rows.append(f"<tr><th>precision</th>{prec}<td></td></tr>")
    return f'<table class="heat">{head}{"".join(rows)}</table>'


def _errors(items: Sequence[Outcome], wrong: bool) -> str:
    rows = []
    for o in items:
        c = o.chosen if wrong else o.closest
        what = (c.answer if wrong else c.phrase
                or f"(no word matched; nearest: '{o.nearest_phrase}')") if c else "-"
        rows.append([
            _e(o.utterance.text), _e(_label(o.utterance.expect)),
            f'<span class="{"bad" if wrong else ""}">{_e(what)}</span>',
            f"{c.score:.0f}" if c else "-", f"{c.threshold:.0f}" if c else "-",
            _e(o.result.reason) if not wrong else _e(o.result.runner_up.answer
                                                      if o.result.runner_up else "-"),
            f'<span class="dim">{_e(o.utterance.source)}</span>',
        ])
    third = "selected" if wrong else "closest phrase"
    fifth = "runner-up" if wrong else "why"
    return _table(["heard", "expected", third, "score", "threshold", fifth, "source"], rows)


def _sweep(sw: StepSweep) -> str:
    def cls(t: float) -> str:
        return "n cur" if t == sw.current else "n rec" if t == sw.recommended else "n"

    head = "<tr><th>threshold</th>" + "".join(
        f'<th class="{cls(p.threshold)}">{p.threshold:g}</th>' for p in sw.points) + "</tr>"
    rows = [
        ("accuracy", [_pct(p.accuracy) for p in sw.points]),
        ("wrong", [str(p.wrong) for p in sw.points]),
        ("missed", [str(p.missed) for p in sw.points]),
    ]
    body = "".join(
        f"<tr><th>{name}</th>" + "".join(
            f'<td class="{cls(p.threshold)}">{v}</td>'
            for p, v in zip(sw.points, vals, strict=True))
        + "</tr>"
        for name, vals in rows
    )
    note = f"current {sw.current:g}" if sw.current is not None else "mixed thresholds"
    if sw.recommended is not None:
        note += f", <b class=ok>recommended {sw.recommended:g}</b>"
    return f"<p>{note}</p><table>{head}{body}</table>"


def render_html(r: TuneReport) -> str:
    sweeps = {s.step: s for s in r.sweeps}
    out = [
        "<!doctype html><html><head><meta charset=utf-8>",
        f"<title>tune: {_e(r.scenario.id)}</title><style>{_CSS}</style></head><body>",
        f"<h1>Tuning report: {_e(r.scenario.id)}</h1>",
        f"<p>{r.total} labeled utterances from {len(r.corpus.sources)} sources: {r.correct} "
        f'correct, <span class="{"bad" if r.wrong else ""}">{r.wrong} wrong selections</span>, '
        f"{r.missed} missed.</p>",
    ]
    out += [f'<p class="dim">note: {_e(n)}</p>' for n in r.notes]
    for s in r.steps:
        out.append(f'<h2 id="step-{_e(s.step)}">step {_e(s.step)}</h2>')
        out.append(f"<p>{s.total} utterances, accuracy {_pct(s.accuracy)}, "
                   f"{len(s.wrong)} wrong, {len(s.misses)} missed</p>")
        out.append(heat_map(s))
        if s.wrong:
            out.append('<h3 class="bad">wrong selections</h3>' + _errors(s.wrong, True))
        if s.misses:
            out.append("<h3>misses</h3>" + _errors(s.misses, False))
        if s.step in sweeps:
            out.append("<h3>threshold sweep</h3>" + _sweep(sweeps[s.step]))
    out.append("<h2>collisions</h2>")
    out.append(_table(
        ["step", "answer", "phrase", "from", "hits", "wrong", "max score", "threshold", "meant",
         "examples"],
        ([_e(c.step), _e(c.answer), _e(c.phrase), _e(c.kind), str(c.count),
          f'<span class="{"bad" if c.wrong else ""}">{c.wrong}</span>', f"{c.max_score:.0f}",
          f"{c.threshold:.0f}", _e(", ".join(c.meant)), _e(" | ".join(c.examples))]
         for c in r.collisions),
    ) if r.collisions else "<p>none</p>")
    out.append("<h2>suggestions</h2>")
    rows = [[_e(s.id), _e(s.step or "(global)"), _e(s.answer), f"+ phrase <b>{_e(s.phrase)}</b>",
             str(s.in_misses), str(s.elsewhere), str(s.fixes), str(s.wrong), str(s.lost),
             _e(" | ".join(s.examples))] for s in r.suggestions]
    rows += [[_e(t.id), _e(t.step), "(all)",
              f"threshold {t.current:g} &rarr; <b>{t.recommended:g}</b>", "", "",
              f"{t.correct_after - t.correct_before:+d} correct",
              f"{t.wrong_after - t.wrong_before:+d}", "", ""] for t in r.thresholds]
    out.append(_table(["id", "step", "answer", "change", "in misses", "elsewhere", "fixes",
                       "wrong", "lost", "examples"], rows) if rows else "<p>none</p>")
    if r.unknown_words is not None:
        out.append(f'<h2>vocabulary</h2><p class="dim">{_e(r.vocabulary)}</p>')
        out.append(_table(
            ["word", "step", "answer", "phrase", "nearest known words"],
            ([f'<span class="bad">{_e(u.word)}</span>', _e(u.step or "(global)"), _e(u.answer),
              _e(u.phrase), _e(", ".join(u.nearest))] for u in r.unknown_words),
        ) if r.unknown_words else "<p>every phrase word is known</p>")
    out.append("</body></html>\n")
    return "\n".join(out)
