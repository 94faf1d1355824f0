"""`voice-assist validate PATH...`: schema and lint for scenario files and folders.

Exit 0 when every file loads with no errors (warnings print and pass), 1 when any file has
errors, 2 when a PATH does not exist or holds no scenario file.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..errors import Problem, VoiceAssistError
from ..scenario import Scenario, check_file, scenario_files


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "validate",
        help="check scenario files: schema, graph, phrases, references",
        description="Check scenario files (or folders of them, recursively). Errors fail with "
        "exit 1; warnings are printed and pass (unless --strict). A PATH that does not exist "
        "exits 2.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="scenario file or folder")
    p.add_argument("--json", action="store_true", help="print findings as JSON on stdout")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    p.set_defaults(func=run)


def _file_result(path: Path, strict: bool) -> dict[str, Any]:
    scenario, problems = check_file(path)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    failed = scenario is None or errors > 0 or (strict and warnings > 0)
    return {
        "file": str(path),
        "ok": not failed,
        "scenario": scenario.id if scenario else None,
        "steps": len(scenario.steps) if scenario else None,
        "errors": errors,
        "warnings": warnings,
        "problems": problems,
        "_scenario": scenario,
    }


def run(args: argparse.Namespace) -> int:
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        raise VoiceAssistError("\n".join(f"{p}: no such file or folder" for p in missing))
    files = list(scenario_files(args.paths))
    if not files:
        raise VoiceAssistError(
            "\n".join(f"{p}: no scenario files (*.yaml, *.yml, *.json) here" for p in args.paths)
        )
    results = [_file_result(path, args.strict) for path in files]
    ok = all(r["ok"] for r in results)
    if args.json:
        payload = {
            "files": [
                {
                    **{k: v for k, v in r.items() if not k.startswith("_")},
                    "problems": [asdict(p) for p in r["problems"]],
                }
                for r in results
            ],
            "ok": ok,
        }
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for r in results:
            _print_text(r)
    return 0 if ok else 1


def _print_text(result: dict[str, Any]) -> None:
    problems: list[Problem] = result["problems"]
    scenario: Scenario | None = result["_scenario"]
    for p in problems:
        print(p)
    status = "ok" if result["ok"] else "FAILED"
    detail = f"{scenario.id}, {len(scenario.steps)} steps" if scenario else "not loaded"
    print(
        f"{result['file']}: {status} ({detail}; "
        f"{result['errors']} errors, {result['warnings']} warnings)"
    )
