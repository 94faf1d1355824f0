"""The QC report of one call as a self-contained HTML page (inline CSS and SVG, no assets).

Sections: score and findings; a timeline (SVG) of both sides' speech, the steps and the
reminders; the path through the scenario as a graph; per-step adherence with the word diff;
reminders, fields, transfers, timings; the transcript.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from ..errors import VoiceAssistError
from ..scenario.models import Scenario
from . import graph
from .adherence import StepCheck
from .report import QcReport

CSS = """
:root{--ink:#1d2430;--mute:#6b7482;--line:#e3e7ed;--op:#3b6fd8;--cu:#2f9e6b;--bad:#d9480f;
--warn:#e8a317;--ok:#2f9e6b;--bg:#f6f7f9}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,
sans-serif;color:var(--ink);background:var(--bg)}
main{max-width:1120px;margin:0 auto;padding:24px 28px 48px}
h1{font-size:22px;margin:0 0 2px}h2{font-size:16px;margin:28px 0 10px;padding-bottom:4px;
border-bottom:1px solid var(--line)}
.sub{color:var(--mute);font-size:13px}.card{background:#fff;border:1px solid var(--line);
border-radius:10px;padding:14px 16px}
.top{display:grid;grid-template-columns:170px 1fr;gap:16px;margin-top:16px}
.score{text-align:center}.score b{display:block;font-size:44px;line-height:1.1}
.score.good b{color:var(--ok)}.score.mid b{color:var(--warn)}.score.low b{color:var(--bad)}
.parts{display:flex;gap:6px;justify-content:center;flex-wrap:wrap;margin-top:6px}
.chip{display:inline-block;padding:1px 8px;border-radius:10px;background:#eef1f5;font-size:12px}
.chip.bad{background:#fde4d9;color:#a13708}.chip.ok{background:#dcf3e7;color:#1f6e4a}
.chip.warn{background:#fcefcf;color:#8a5b00}
ul.findings{margin:6px 0 0;padding-left:18px}ul.findings li{margin:3px 0}
.facts{display:flex;gap:18px;flex-wrap:wrap;margin-top:10px;color:var(--mute);font-size:13px}
.facts b{color:var(--ink)}
svg{display:block;max-width:100%;height:auto}
.scroll{overflow-x:auto}svg.graph{max-width:none}
.tl text{font-size:11px;fill:var(--mute)}.tl .lab{font-size:12px;fill:var(--ink);font-weight:600}
.tl .op{fill:var(--op)}.tl .cu{fill:var(--cu)}.tl .grid{stroke:var(--line)}
.tl .st{fill:#eef1f5;stroke:#c9d0da}.tl .st.bad{fill:#fde4d9;stroke:#e8a58a}
.tl .st.ok{fill:#e3f1ff;stroke:#9dbfe6}.tl .stt{font-size:11px;fill:var(--ink)}
.tl .rem.ok{fill:var(--ok)}.tl .rem.bad{fill:var(--bad)}.tl .int{fill:var(--warn);opacity:.55}
.graph .node rect{fill:#fff;stroke:#c9d0da;stroke-width:1.2}
.graph .node text{font-size:12px;text-anchor:middle;fill:var(--mute)}
.graph .node.visited rect{fill:#fff4ec;stroke:var(--bad);stroke-width:2}
.graph .node.visited text{fill:var(--ink);font-weight:600}
.graph .node.last rect{fill:var(--bad)}.graph .node.last text{fill:#fff}
.graph .node.start rect{stroke-dasharray:0}
.graph .edge{fill:none;stroke:#c9d0da;stroke-width:1.2}
.graph .edge.taken{stroke:var(--bad);stroke-width:3}.graph .count{font-size:11px;fill:var(--bad)}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid var(--line);
border-radius:8px;overflow:hidden}
th,td{text-align:left;padding:7px 10px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:#f0f2f5;font-size:12px;color:var(--mute);font-weight:600}
td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.diff{line-height:1.9}.w{padding:1px 2px;border-radius:3px}
.w.missing{background:#fde4d9;color:#a13708;text-decoration:line-through}
.w.extra{background:#e6f0ff;color:#24549f;font-style:italic}
.w.sub{background:#fcefcf}.w.sub s{color:#a13708}.w.sub i{color:#24549f}
.legend{font-size:12px;color:var(--mute);margin:6px 0}
.key{display:inline-block;width:12px;height:10px;border-radius:2px;margin:0 4px 0 10px}
td.wide{width:45%}
.tx{display:grid;grid-template-columns:70px 1fr;gap:2px 12px}
.tx .t{color:var(--mute);font-size:12px;text-align:right;padding-top:3px}
.tx .u{padding:5px 10px;border-radius:10px;max-width:80%}
.tx .u.operator{background:#e6eefc}.tx .u.customer{background:#e2f4ea;margin-left:auto}
.note{background:#fff8e1;border:1px solid #f1d48b;padding:8px 12px;border-radius:8px;
margin-top:12px}
"""


def _chip(text: str, kind: str = "") -> str:
    return f'<span class="chip {kind}">{escape(text)}</span>'


STATUS = {"ok": ("ok", "ok"), "deviated": ("deviated", "warn"), "not_said": ("never said", "bad"),
          "no_line": ("no line", ""), "not_checked": ("not checked (mono)", "")}


def timeline_svg(r: QcReport) -> str:
    """Steps, both sides' speech, reminders and interruptions against audio time."""
    dur = max(r.timings.duration_s, 1.0)
    left, width = 92, 980
    scale = (width - left - 10) / dur
    rows = {"steps": 22, "operator": 62, "customer": 88, "reminders": 118}
    h = 150

    def x(t: float) -> float:
        return left + t * scale

    out = [f'<svg class="tl" viewBox="0 0 {width} {h}" width="{width}" height="{h}" '
           'xmlns="http://www.w3.org/2000/svg" role="img" aria-label="call timeline">']
    tick = next(t for t in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600) if dur / t <= 14)
    t = 0.0
    while t <= dur + 1e-6:
        out.append(f'<line class="grid" x1="{x(t):.1f}" y1="8" x2="{x(t):.1f}" y2="{h - 18}"/>'
                   f'<text x="{x(t):.1f}" y="{h - 4}" text-anchor="middle">{_clock(t)}</text>')
        t += tick
    for name, y in rows.items():
        out.append(f'<text class="lab" x="6" y="{y + 4}">{name}</text>')
    for s in r.steps:
        cls = "ok" if s.status == "ok" else ("bad" if s.status in ("not_said", "deviated") else "")
        w = max((s.end_s - s.entered_at_s) * scale, 2)
        label = s.step if w > 7 * len(s.step) else ""
        out.append(f'<g><title>{escape(s.step)}: {escape(STATUS[s.status][0])}</title>'
                   f'<rect class="st {cls}" x="{x(s.entered_at_s):.1f}" y="{rows["steps"] - 11}" '
                   f'width="{w:.1f}" height="22" rx="4"/>'
                   f'<text class="stt" x="{x(s.entered_at_s) + 4:.1f}" y="{rows["steps"] + 4}">'
                   f"{escape(label)}</text></g>")
    for side, spans in (("op", r.operator_speech), ("cu", r.customer_speech)):
        y = rows["operator" if side == "op" else "customer"]
        for a, b in spans:
            out.append(f'<rect class="{side}" x="{x(a):.1f}" y="{y - 8}" '
                       f'width="{max((b - a) * scale, 1):.1f}" height="16" rx="3"/>')
    band_h = rows["customer"] - rows["operator"] + 24
    for i in r.timings.interruptions:
        out.append(f'<rect class="int" x="{x(i.at_s):.1f}" y="{rows["operator"] - 12}" '
                   f'width="{max(i.overlap_s * scale, 2):.1f}" height="{band_h}">'
                   f"<title>interruption by the {i.by} ({i.overlap_s:.1f} s)</title></rect>")
    for rem in r.reminders:
        cx, y = x(rem.due_at_s), rows["reminders"]
        kind = "ok" if rem.said else "bad"
        out.append(f'<g><title>{escape(rem.reminder)}: {"said" if rem.said else "not said"}</title>'
                   f'<path class="rem {kind}" d="M{cx:.1f},{y - 8} l7,13 h-14z"/>'
                   f'<text x="{cx + 9:.1f}" y="{y + 4}">{escape(rem.reminder)}</text></g>')
    out.append("</svg>")
    return "".join(out)


def _clock(t: float) -> str:
    return f"{int(t // 60)}:{int(t % 60):02d}"


def diff_html(s: StepCheck) -> str:
    if s.alignment is None:
        return f"<span>{escape(s.expected)}</span>"
    if s.status == "not_said":  # a word diff against unrelated talk is noise: show both
        line = " ".join(f'<span class="w missing">{escape(w)}</span>' for w in s.expected.split())
        heard = escape(s.heard) if s.heard else "nothing"
        return f'<div class="diff">{line}</div><div class="sub">said instead: {heard}</div>'
    parts = []
    for d in s.alignment.diff:
        if d.op == "equal":
            parts.append(f'<span class="w">{escape(d.expected)}</span>')
        elif d.op == "missing":
            parts.append(f'<span class="w missing" title="missing">{escape(d.expected)}</span>')
        elif d.op == "extra":
            parts.append(f'<span class="w extra" title="extra">{escape(d.heard)}</span>')
        else:
            parts.append(f'<span class="w sub" title="substituted"><s>{escape(d.expected)}</s>'
                         f"→<i>{escape(d.heard)}</i></span>")
    return '<div class="diff">' + " ".join(parts) + "</div>"


def render(r: QcReport, scenario: Scenario) -> str:
    """The whole report page."""
    score_kind = ("good" if (r.score or 0) >= 85 else "mid" if (r.score or 0) >= 60 else "low")
    score_text = f"{r.score:.0f}" if r.score is not None else "–"
    parts_html = " ".join(_chip(f"{k} {v:.0f}") for k, v in r.score_parts.items())
    if r.findings:
        found = '<ul class="findings">' + "".join(
            f"<li>{_chip(f.kind.replace('_', ' '), 'bad')} <b>{_clock(f.at_s)}</b> "
            f"{escape(f.message)}</li>" for f in r.findings) + "</ul>"
    else:
        found = "<p>No deviations from the script found.</p>" if r.stereo else ""
    t = r.timings
    facts = [
        ("duration", f"{t.duration_s:.1f} s"),
        ("path", " → ".join(r.path)),
        ("ended", f"{r.outcome} ({r.ended_reason})"),
        ("engine", r.engine),
    ]
    notes = "".join(f'<div class="note">{escape(n)}</div>' for n in r.notes)
    taken = [(m.step, m.next) for m in r.advances if m.next]
    steps_rows = "".join(
        f"<tr><td><b>{escape(s.step)}</b>{' #' + str(s.visit) if s.visit > 1 else ''}"
        f"<div class='sub'>{_clock(s.entered_at_s)} · {s.mode}"
        f"{' · verbatim' if s.verbatim else ''}</div></td>"
        f"<td>{_chip(*STATUS[s.status])}</td><td class='num'>{s.score:.0f}</td>"
        f"<td>{diff_html(s)}</td></tr>"
        for s in r.steps
    )
    rem_rows = "".join(
        f"<tr><td>{escape(x.reminder)}</td><td class='num'>{_clock(x.due_at_s)}</td>"
        f"<td>{_chip('said', 'ok') if x.said else _chip('not said', 'bad')}</td>"
        f"<td>{escape(x.text)}<div class='sub'>key words: {escape(', '.join(x.key_words))}"
        f"{' · heard: ' + escape(x.heard) if x.said else ''}</div></td></tr>"
        for x in r.reminders
    ) or "<tr><td colspan=4 class='sub'>none due</td></tr>"
    field_rows = "".join(
        f"<tr><td class='wide'>{escape(f.label)}<div class='sub'>{escape(f.field)}</div></td>"
        f"<td>{'required' if f.required else ''}</td><td>{escape(f.value or '—')}</td>"
        f"<td>{_chip('empty', 'bad') if f.required and f.asked and f.empty else ''}"
        f"{'' if f.asked else _chip('not asked')}</td></tr>"
        for f in r.fields
    ) or "<tr><td colspan=4 class='sub'>no fields</td></tr>"
    tr_rows = "".join(
        f"<tr><td>{escape(x.target)}</td><td class='num'>{_clock(x.suggested_at_s)}</td>"
        f"<td>{escape(x.heard)}</td>"
        f"<td>{_chip('done: ' + x.how, 'ok') if x.done else _chip('not done', 'bad')}</td></tr>"
        for x in r.transfers
    ) or "<tr><td colspan=4 class='sub'>none suggested</td></tr>"
    stage_rows = " ".join(_chip(f"{k} {_clock(v)}") for k, v in t.stage_at_s)
    interrupts = ", ".join(f"{_clock(i.at_s)} by the {i.by} ({i.overlap_s:.1f} s)"
                           for i in t.interruptions) or "none"
    op_talk = f"{t.operator_talk_s:.1f} s" if t.operator_talk_s is not None else "not recorded"
    nomatch = "".join(f"<li><b>{_clock(n.at_s)}</b> at {escape(n.step)}: “{escape(n.heard)}”</li>"
                      for n in r.no_match)
    lines = "".join(
        f'<div class="t">{_clock(x.start_s)}</div><div class="u {x.side}">{escape(x.text)}</div>'
        for x in r.transcript
    )
    sides = "stereo: operator and customer" if r.stereo else "mono: customer side only"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>QC report - {escape(Path(r.recording).name)}</title><style>{CSS}</style></head>
<body><main>
<h1>{escape(Path(r.recording).name)}</h1>
<div class="sub">{escape(r.scenario_title)} · {sides}</div>
{notes}
<div class="top">
 <div class="card score {score_kind}"><span class="sub">adherence</span><b>{score_text}</b>
 <div class="parts">{parts_html}</div></div>
 <div class="card"><b>Findings</b>{found}
 <div class="facts">{"".join(f"<span>{k}: <b>{escape(v)}</b></span>" for k, v in facts)}</div></div>
</div>
<h2>Timeline</h2><div class="card">{timeline_svg(r)}
<div class="legend"><span class="key" style="background:var(--op)"></span>operator speech
<span class="key" style="background:var(--cu)"></span>customer speech
<span class="key" style="background:var(--warn)"></span>both speaking
▲ reminder due (green: said, red: not said) · step bands red: line never said or deviated</div>
</div>
<h2>Path through the scenario</h2>
<div class="card scroll">{graph.svg(scenario, r.path, taken)}</div>
<h2>Script adherence per step</h2>
<div class="legend">word diff: <span class="w missing">missing</span>
<span class="w extra">extra</span> <span class="w sub"><s>line</s>→<i>said</i></span></div>
<table><tr><th>step</th><th>status</th><th>score</th><th>line vs. what was said</th></tr>
{steps_rows}</table>
<h2>Reminders</h2><table><tr><th>reminder</th><th>due</th><th></th><th>text</th></tr>{rem_rows}</table>
<h2>Fields</h2><table><tr><th>field</th><th></th><th>value</th><th></th></tr>{field_rows}</table>
<h2>Transfers</h2><table><tr><th>target</th><th>suggested</th><th>heard</th><th></th></tr>{tr_rows}</table>
<h2>Timings</h2><div class="card"><div class="facts">
<span>operator talk: <b>{op_talk}</b></span>
<span>customer talk: <b>{t.customer_talk_s:.1f} s</b></span>
<span>longest customer silence: <b>{t.longest_customer_silence_s:.1f} s</b></span>
<span>interruptions: <b>{escape(interrupts)}</b></span></div>
<div class="facts">time to stage: {stage_rows}</div></div>
{"<h2>No suitable answer</h2><ul>" + nomatch + "</ul>" if nomatch else ""}
<h2>Transcript</h2><div class="card tx">{lines}</div>
</main></body></html>
"""


def write_html(r: QcReport, scenario: Scenario, path: str | Path) -> None:
    try:
        Path(path).write_text(render(r, scenario), encoding="utf-8")
    except OSError as exc:
        raise VoiceAssistError(f"cannot write {path}: {exc.strerror}") from None
