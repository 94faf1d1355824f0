"""`voice-assist test FILES_OR_DIRS...`: run call tests, print a table, write JSON / JUnit XML.

Exit 0 when every call test passes (skipped ones, e.g. no model for the language, do not fail),
1 when any fails, 2 when a file is bad (all bad files are reported before anything runs).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from xml.etree import ElementTree as ET

from ..calltest import (
    ENGINES,
    CallTestResult,
    calltest_files,
    load_all,
    path_diff,
    report_json,
    run_calltest,
)
from ..errors import CallTestError, VoiceAssistError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "test",
        help="run call tests (*.calltest.yaml): does the scenario follow the expected path?",
        description="Run call tests at full speed through the real pipeline and compare the "
        "steps entered (and fields) with each file's expect. Folders are searched recursively "
        "for *.calltest.yaml. Exit 0 when all pass, 1 when any fails, 2 for bad files.",
    )
    p.add_argument("paths", nargs="+", metavar="FILE_OR_DIR", help="call-test file or folder")
    p.add_argument("--json", metavar="OUT", help="write the results as JSON ('-' for stdout)")
    p.add_argument("--junit", metavar="OUT", help="write JUnit XML for CI systems")
    p.add_argument("--engine", choices=[e for e in ENGINES if e != "text"], default=None,
                   help="engine for audio call tests (default: each file's engine, else auto); "
                   "turns always use the text engine")
    p.add_argument("--no-bias", dest="bias", action="store_false",
                   help="do not bias recognition towards the current step's phrases")
    p.add_argument("--quiet", action="store_true", help="print only the summary line")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    files = calltest_files(args.paths)
    if not files:
        raise CallTestError(
            "\n".join(f"{p}: no call-test files (*.calltest.yaml) here" for p in args.paths)
        )
    tests = load_all(files)
    from rich.console import Console
    from rich.text import Text

    console = Console(stderr=args.json == "-")
    if not console.is_terminal:
        console.width = max(console.width, 160)  # CI logs: keep table rows readable
    results: list[CallTestResult] = []
    for test in tests:
        result = run_calltest(test, engine=args.engine, bias=args.bias)
        results.append(result)
        if not args.quiet:
            mark = _mark(result)
            console.print(mark, Text(_short(result.file)), f"[dim]{result.elapsed_s:.1f} s[/]",
                          highlight=False)
    if not args.quiet:
        console.print(table(results))
    report = report_json(results)
    console.print(
        f"[bold]{report['passed']} passed[/], "
        f"[{'red' if report['failed'] else 'green'}]{report['failed']} failed[/]"
        + (f", {report['skipped']} skipped" if report["skipped"] else ""),
        highlight=False,
    )
    if args.json:
        text = json.dumps(report, ensure_ascii=False, indent=2)
        if args.json == "-":
            print(text)
        else:
            _write(args.json, text + "\n")
    if args.junit:
        _write(args.junit, junit_xml(results))
    return 1 if report["failed"] else 0


def _write(path: str, text: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise VoiceAssistError(f"cannot write {path}: {exc.strerror}") from None


def _short(file: str) -> str:
    try:
        return str(Path(file).resolve().relative_to(Path.cwd()))
    except ValueError:
        return file


def _mark(result: CallTestResult) -> str:
    if result.skipped is not None:
        return "[yellow]SKIP[/]"
    return "[green]PASS[/]" if result.passed else "[red]FAIL[/]"


def table(results: Sequence[CallTestResult]) -> object:
    """A rich table: result, file, path (diff when it differs), advances with heard text."""
    from rich.table import Table
    from rich.text import Text

    t = Table(title="call tests", show_lines=True, expand=False)
    t.add_column("", no_wrap=True)
    t.add_column("call test", overflow="fold")
    t.add_column("path", overflow="fold")
    t.add_column("advances: heard -> answer (score, latency)", overflow="fold")
    for r in results:
        if r.skipped is not None:
            t.add_row(Text.from_markup(_mark(r)), Text(_short(r.file)), "", Text(r.skipped))
            continue
        path = " ".join(r.path) if r.passed else path_diff(r.expected_path, r.path)
        if r.problems and not r.passed:
            path += "\n" + "\n".join(p for p in r.problems if not p.startswith("path differs"))
        lines = []
        for a in r.advances:
            latency = f", {a.latency_ms:.0f} ms" if a.latency_ms is not None else ""
            lines.append(f"{a.at_s:6.2f}s {a.heard!r} -> {a.answer} ({a.score:.0f}{latency})")
        t.add_row(
            Text.from_markup(_mark(r)), Text(_short(r.file)), Text(path), Text("\n".join(lines))
        )
    return t


def junit_xml(results: Sequence[CallTestResult]) -> str:
    """JUnit XML: one testcase per call test; failures carry the problems and the advances."""
    failed = sum(1 for r in results if not r.passed and r.skipped is None)
    skipped = sum(1 for r in results if r.skipped is not None)
    suite = ET.Element(
        "testsuite",
        name="voice-assist call tests",
        tests=str(len(results)),
        failures=str(failed),
        errors="0",
        skipped=str(skipped),
        time=f"{sum(r.elapsed_s for r in results):.3f}",
    )
    for r in results:
        path = Path(r.file)
        case = ET.SubElement(
            suite,
            "testcase",
            classname=path.parent.name or ".",
            name=path.name,
            file=r.file,
            time=f"{r.elapsed_s:.3f}",
        )
        if r.skipped is not None:
            ET.SubElement(case, "skipped", message=r.skipped)
        elif not r.passed:
            failure = ET.SubElement(case, "failure", message=r.problems[0] if r.problems else "")
            failure.text = "\n".join(r.problems)
        out = ET.SubElement(case, "system-out")
        out.text = "\n".join(
            f"{a.at_s:.2f}s {a.from_step} -> {a.to}: {a.answer} ({a.score}) heard {a.heard!r}"
            for a in r.advances
        )
    ET.indent(suite)
    body = ET.tostring(suite, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'

