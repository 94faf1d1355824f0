"""`voice-assist validate PATH...`: schema and lint for scenario files and folders."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from ..errors import ScenarioError
from ..scenario import check_file, scenario_files


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "validate",
        help="check scenario files: schema, graph, phrases, references",
        description="Check scenario files (or folders of them). Errors fail with exit 1; "
        "warnings are printed and pass.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="scenario file or folder")
    p.add_argument("--json", action="store_true", help="print findings as JSON")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    files = list(scenario_files(args.paths))
    if not files:
        raise _no_files(args.paths)
    results = []
    failed = False
    for path in files:
        scenario, problems = check_file(path)
        errors = [p for p in problems if p.severity == "error" or args.strict]
        failed |= bool(errors) or scenario is None
        results.append((str(path), scenario, problems, errors))
    if args.json:
        json.dump(
            {
                "files": [
                    {
                        "file": f,
                        "ok": not errs and sc is not None,
                        "scenario": sc.id if sc else None,
                        "steps": len(sc.steps) if sc else None,
                        "problems": [asdict(p) for p in probs],
                    }
                    for f, sc, probs, errs in results
                ],
                "ok": not failed,
            },
            sys.stdout,
            ensure_ascii=False,
            indent=2,
        )
        print()
    else:
        for f, sc, probs, errs in results:
            for p in probs:
                print(p)
            status = "ok" if not errs and sc is not None else "FAILED"
            detail = f"{sc.id}, {len(sc.steps)} steps" if sc else "not loaded"
            warn = sum(p.severity == "warning" for p in probs)
            print(f"{f}: {status} ({detail}; {len(probs) - warn} errors, {warn} warnings)")
    return 1 if failed else 0


def _no_files(paths: list[str]) -> ScenarioError:
    from ..errors import Problem

    return ScenarioError(
        [Problem(p, None, None, "", "no scenario files (*.yaml, *.yml, *.json) here") for p in paths]
    )
