"""The batch outputs: the summary table per call (CSV and HTML) with the branch statistics."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

from ..errors import VoiceAssistError
from .batch import BranchStats, Outcome
from .report_html import CSS

COLUMNS = (
    "recording", "score", "steps", "reminders", "fields", "transfers", "findings", "path",
    "outcome", "ended_reason", "duration_s", "operator_talk_s", "customer_talk_s",
    "longest_customer_silence_s", "interruptions", "report", "error",
)
"""The summary CSV's columns, in order (a stable contract: columns are only ever added)."""


def rows(outcomes: Sequence[Outcome], pages: dict[str, str] | None = None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for o in outcomes:
        r = o.report
        if r is None:
            out.append({c: "" for c in COLUMNS} | {"recording": o.recording, "error": o.error})
            continue
        t = r.timings
        out.append({
            "recording": o.recording,
            "score": "" if r.score is None else r.score,
            **{k: r.score_parts.get(k, "") for k in ("steps", "reminders", "fields", "transfers")},
            "findings": " ".join(f"{f.kind}:{f.subject}" for f in r.findings),
            "path": " ".join(r.path),
            "outcome": r.outcome,
            "ended_reason": r.ended_reason,
            "duration_s": t.duration_s,
            "operator_talk_s": "" if t.operator_talk_s is None else t.operator_talk_s,
            "customer_talk_s": t.customer_talk_s,
            "longest_customer_silence_s": t.longest_customer_silence_s,
            "interruptions": len(t.interruptions),
            "report": (pages or {}).get(o.recording, ""),
            "error": "",
        })
    return out


def to_csv(outcomes: Sequence[Outcome], pages: dict[str, str] | None = None) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows(outcomes, pages))
    return buf.getvalue()


CALL_HEAD = ("recording", "score", "findings", "path", "outcome", "duration s", "error")


def _table(head: Sequence[str], body: Sequence[Sequence[str]]) -> str:
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    trs = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in body)
    return f"<table><tr>{th}</tr>{trs or '<tr><td class=sub>none</td></tr>'}</table>"


def to_html(outcomes: Sequence[Outcome], stats: BranchStats, title: str,
            pages: dict[str, str] | None = None) -> str:
    pages = pages or {}
    calls = []
    for row in rows(outcomes, pages):
        name = escape(Path(row["recording"]).name)
        link = f'<a href="{escape(row["report"])}">{name}</a>' if row["report"] else name
        calls.append([link, str(row["score"]), escape(str(row["findings"]) or "—"),
                      escape(" → ".join(str(row["path"]).split())), escape(str(row["outcome"])),
                      str(row["duration_s"]), escape(str(row["error"]))])
    answers = [[escape(a["step"]), escape(a["answer"]), str(a["calls"]), str(a["reached_goal"]),
                f"{a['conversion']:.0%}"] for a in stats.answers]
    ended = [[escape(e["step"]), escape(e["outcome"]), str(e["calls"])] for e in stats.ended]
    low = [[escape(s["step"]), str(s["visits"]), f"{s['mean_score']:.0f}", str(s["not_said"]),
            str(s["deviated"])] for s in stats.lowest_steps]
    nomatch = [[escape(Path(n["recording"]).name), escape(n["step"]), f"{n['at_s']:.1f}",
                escape(n["heard"])] for n in stats.no_match]
    mean = "–" if stats.mean_score is None else f"{stats.mean_score:.0f}"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>QC summary - {escape(title)}</title>
<style>{CSS}</style></head><body><main>
<h1>QC summary</h1>
<div class="sub">{escape(title)} · {stats.calls} calls · mean adherence {mean}</div>
<h2>Calls</h2>{_table(CALL_HEAD, calls)}
<h2>Answers taken (branches) and conversion to “{escape(stats.goal or "—")}”</h2>
{_table(["step", "answer", "calls", "reached goal", "conversion"], answers)}
<h2>Where calls ended</h2>{_table(["step", "outcome", "calls"], ended)}
<h2>Steps with the lowest adherence</h2>
{_table(["step", "visits", "mean score", "never said", "deviated"], low)}
<h2>“No suitable answer” texts</h2>{_table(["recording", "step", "at s", "heard"], nomatch)}
</main></body></html>
"""


def write_text(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise VoiceAssistError(f"cannot write {path}: {exc.strerror}") from None
