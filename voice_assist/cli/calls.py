"""`voice-assist calls list | show ID | export`: read the call records (SQLite) in a terminal."""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from ..errors import StoreError, VoiceAssistError
from ..records import CallHeader, CallRecord, header_json, record_json, summary_json
from ..redact import mask_text, personal_values, redact_events, redact_fields
from ..store import CallStore, default_path

FORMATS = ("jsonl", "csv")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "calls",
        help="list, show and export call records",
        description="Read the call records every call leaves (one SQLite file; default "
        f"{default_path()} or $VOICE_ASSIST_DB).",
    )
    p.set_defaults(func=lambda args: _help(p))
    cmds = p.add_subparsers(dest="calls_command", metavar="ACTION")

    ls = cmds.add_parser("list", help="the latest calls, newest first", description="The "
                         "latest calls, newest first, with their path through the scenario.")
    _db(ls)
    ls.add_argument("--limit", type=int, default=50, metavar="N", help="at most N (default 50)")
    ls.add_argument("--scenario", metavar="ID", help="only calls of this scenario id")
    ls.add_argument("--operator", metavar="NAME", help="only calls of this operator")
    ls.add_argument("--json", action="store_true", help="print JSON instead of a table")
    ls.set_defaults(func=run_list)

    show = cmds.add_parser("show", help="one call in full", description="One call: header, path "
                           "with each advance, fields, transcript, reminders, no-answer texts.")
    _db(show)
    show.add_argument("id", type=int, metavar="ID", help="call id (see `calls list`)")
    show.add_argument("--json", action="store_true", help="print JSON instead of text")
    show.set_defaults(func=run_show)

    ex = cmds.add_parser("export", help="export calls as JSON lines or CSV", description="Export "
                         "calls: jsonl = one call per line with its events; csv = one row per "
                         "call. --redact masks phone numbers and personal fields.")
    _db(ex)
    ex.add_argument("ids", nargs="*", type=int, metavar="ID", help="calls to export (default all)")
    ex.add_argument("--format", default="jsonl", metavar="FORMAT",
                    help="jsonl (default) or csv")
    ex.add_argument("--redact", action="store_true",
                    help="mask phone numbers and personal fields (see docs/call-records.md)")
    ex.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    ex.set_defaults(func=run_export)


def _db(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="PATH", help="call-record database (default: "
                   "$VOICE_ASSIST_DB or the user's data directory)")


def _help(p: argparse.ArgumentParser) -> int:
    p.print_help()
    return 2


def _open(args: argparse.Namespace) -> CallStore:
    return CallStore(args.db, create=False)


# -- list ---------------------------------------------------------------------------------------


def run_list(args: argparse.Namespace) -> int:
    if args.limit is not None and args.limit < 1:
        raise VoiceAssistError(f"--limit must be at least 1, not {args.limit}")
    with _open(args) as store:
        calls = store.list_calls(limit=args.limit, scenario=args.scenario, operator=args.operator)
        path = store.path
    if args.json:
        _dump({"db": str(path), "calls": [summary_json(c) for c in calls]})
        return 0
    if not calls:
        print(f"no calls in {path}" + _filters(args))
        return 0
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(f"calls in {path}"), title_justify="left")
    for name in ("id", "started", "duration", "scenario", "operator", "outcome", "path"):
        table.add_column(name, justify="right" if name in ("id", "duration") else "left",
                         overflow="fold")
    for c in calls:
        table.add_row(*_cells(str(c.id), _local(c), clock(c.duration_s), c.scenario_id,
                              c.operator, c.outcome, path_summary(c.path)))
    Console().print(table)
    return 0


def _filters(args: argparse.Namespace) -> str:
    parts = [f"{k} {v}" for k, v in (("scenario", args.scenario), ("operator", args.operator)) if v]
    return f" for {' and '.join(parts)}" if parts else ""


def path_summary(path: tuple[str, ...], width: int = 5) -> str:
    """`a › b › … › z (7)`: the first and last steps of a long path."""
    if len(path) <= width:
        return " › ".join(path)
    return " › ".join((*path[: width - 2], "…", path[-1])) + f" ({len(path)})"


def clock(seconds: float) -> str:
    minutes, s = divmod(round(seconds), 60)
    return f"{minutes}:{s:02d}"


def _local(h: CallHeader) -> str:
    return h.started_at.astimezone().strftime("%Y-%m-%d %H:%M")


# -- show ---------------------------------------------------------------------------------------


def run_show(args: argparse.Namespace) -> int:
    with _open(args) as store:
        record = store.get_call(args.id)
    if args.json:
        _dump(record_json(record))
        return 0
    from rich.console import Console

    console = Console()
    for part in render_record(record):
        console.print(part)
    return 0


def render_record(r: CallRecord) -> list[Any]:
    """Rich renderables for `calls show`."""
    from rich.table import Table
    from rich.text import Text

    h = r
    head = Text()
    head.append(f"call {h.id}", style="bold")
    head.append(f"  {h.scenario_id} (version {h.scenario_version or '?'})  {h.scenario_path}\n")
    head.append(
        f"operator {h.operator or '-'}  source {h.source or '-'}  engine {h.engine or '-'}\n"
    )
    ended = h.ended_at.astimezone().strftime("%H:%M:%S") if h.ended_at else "-"
    head.append(f"started {_local(h)}  ended {ended}  duration {clock(h.duration_s)}\n")
    head.append("outcome ")
    head.append(h.outcome or "-", style="bold")
    if h.reason:
        head.append(f"  ({h.reason})")
    head.append(f"\n{r.event_count} events")
    out: list[Any] = [head]

    steps = Table(title="path", title_justify="left")
    for col in ("at", "step", "stage", "via", "answer", "score", "heard", "latency"):
        steps.add_column(col, overflow="fold")
    for v in r.visits:
        a = v.advance
        latency = f"{a.latency_ms:.0f} ms" if a and a.latency_ms is not None else ""
        steps.add_row(*_cells(
            _at(v.at_s), v.step, v.stage or "", v.via,
            (a.answer + (" (operator)" if a.source == "operator" else "")) if a else "",
            f"{a.score:.0f}" if a else "", a.heard if a else "", latency,
        ))
    out.append(steps)
    if r.fields:
        fields = Table(title="fields", title_justify="left")
        for col in ("field", "value", "status", "heard"):
            fields.add_column(col, overflow="fold")
        for f in r.fields:
            fields.add_row(*_cells(f.field, f.value, "confirmed" if f.confirmed else "heard",
                                   f.heard))
        out.append(fields)
    out.append(_lines("transcript", [(t.at_s, t.text) for t in r.transcript]))
    if r.reminders:
        out.append(_lines("reminders", [
            (x.at_s, f"[{x.reminder}] {x.text}"
             + (f" (dismissed {_at(x.dismissed_at_s)})" if x.dismissed_at_s is not None else ""))
            for x in r.reminders
        ]))
    if r.transfers:
        out.append(_lines("transfers suggested", [(t.at_s, f"{t.target}: {t.heard}")
                                                  for t in r.transfers]))
    if r.no_answer:
        out.append(_lines("no suitable answer", [(n.at_s, f"[{n.step}] {n.text}")
                                                 for n in r.no_answer]))
    return out


def _cells(*values: str) -> list[Any]:
    """Table cells as plain text: a `[word]` in a transcript is not rich markup."""
    from rich.text import Text

    return [Text(v) for v in values]


def _lines(title: str, rows: list[tuple[float, str]]) -> Any:
    from rich.text import Text

    text = Text()
    text.append(title, style="bold italic")
    if not rows:
        text.append("\n  (none)", style="dim")
    for at_s, line in rows:
        text.append(f"\n  {_at(at_s)}  ", style="dim")
        text.append(line)
    return text


def _at(at_s: float) -> str:
    minutes, s = divmod(at_s, 60.0)
    return f"{int(minutes)}:{s:04.1f}"


# -- export -------------------------------------------------------------------------------------


def run_export(args: argparse.Namespace) -> int:
    if args.format not in FORMATS:
        raise VoiceAssistError(
            f"unknown export format '{args.format}': use one of {', '.join(FORMATS)}"
        )
    with _open(args) as store:
        ids = args.ids or store.call_ids()
        for call_id in ids:
            store.header(call_id)  # every id checked before anything is written
        with _output(args.output) as out:
            if args.format == "jsonl":
                for call_id in ids:
                    out.write(json.dumps(export_call(store, call_id, args.redact),
                                         ensure_ascii=False) + "\n")
            else:
                write_csv(out, [export_call(store, i, args.redact) for i in ids])
    if args.output:
        print(f"exported {len(ids)} call(s) to {args.output}", file=sys.stderr)
    return 0


def export_call(store: CallStore, call_id: int, redact: bool) -> dict[str, Any]:
    """One call as exported: header, path, fields and its events (redacted on request)."""
    record = store.get_call(call_id)
    events = store.raw_events(call_id)
    fields = record.field_values()
    transcript = [t.text for t in record.transcript]
    no_answer = [n.text for n in record.no_answer]
    if redact:
        types = field_types(record)
        personal = personal_values(events, types)
        events = redact_events(events, types)
        fields = redact_fields(fields, types, personal)
        transcript = [mask_text(t, personal) for t in transcript]
        no_answer = [mask_text(t, personal) for t in no_answer]
    return {
        **header_json(record),
        "redacted": redact,
        "path": list(record.path),
        "advances": len(record.advances),
        "fields": fields,
        "transcript": transcript,
        "no_answer": no_answer,
        "reminders": [x.reminder for x in record.reminders],
        "events": events,
    }


def field_types(header: CallHeader) -> dict[str, str] | None:
    """Field types from the call's scenario file, if it is still there and still the same id."""
    from ..scenario import load_scenario

    try:
        scenario = load_scenario(header.scenario_path)
    except (VoiceAssistError, OSError):
        return None
    if scenario.id != header.scenario_id:
        return None
    return {f.id: f.type for f in scenario.fields}


CSV_COLUMNS = (
    "id", "started_at", "ended_at", "duration_s", "scenario_id", "scenario_version",
    "scenario_path", "operator", "source", "engine", "outcome", "reason", "path", "advances",
    "reminders", "no_answer", "transcript",
)


def write_csv(out: TextIO, calls: list[dict[str, Any]]) -> None:
    """One row per call; one `field:ID` column per field seen in any exported call."""
    field_ids = sorted({k for c in calls for k in c["fields"]})
    writer = csv.writer(out)
    writer.writerow([*CSV_COLUMNS, *(f"field:{f}" for f in field_ids)])
    for c in calls:
        flat: Mapping[str, Any] = {
            **c,
            "scenario_id": c["scenario"]["id"],
            "scenario_version": c["scenario"]["version"],
            "scenario_path": c["scenario"]["path"],
            "path": " > ".join(c["path"]),
            "reminders": " ".join(c["reminders"]),
            "no_answer": " | ".join(c["no_answer"]),
            "transcript": " | ".join(c["transcript"]),
        }
        row = ["" if flat[k] is None else flat[k] for k in CSV_COLUMNS]
        writer.writerow([*row, *(c["fields"].get(f, "") for f in field_ids)])


@contextmanager
def _output(path: str | None) -> Iterator[TextIO]:
    if not path:
        yield sys.stdout
        return
    target = Path(path)
    if target.is_dir():
        raise StoreError(f"--output {path} is a directory")
    buffer = io.StringIO()
    yield buffer
    try:
        fd = _private_file(target)
        with open(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(buffer.getvalue())
    except OSError as exc:
        raise StoreError(f"cannot write {path}: {exc}") from exc


def _private_file(target: Path) -> int:
    """Exports hold personal data too: created 0600, like the database."""
    return os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)


def _dump(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    print()

