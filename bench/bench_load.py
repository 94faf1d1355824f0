"""How long a big scenario takes to load, validate and lint (target: well under a second).

Generates a 500-step scenario (3 answers x 5 phrases per step, 40 global answers, fields,
reminders, transfers, knowledge), writes it as YAML and as JSON, then times each phase:
cold = the first run in this process (imports and caches warming), warm = median of N runs;
CPU = this process's CPU time, which a busy machine does not inflate as much as wall time.

    .venv/bin/python bench/bench_load.py [--steps 500] [--runs 7]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

_VOCABULARY = """
price internet speed router plan channel movie family work game phone bill address contract
monday evening morning tomorrow week month payment card bank transfer manager support cable
wireless signal package discount offer service install visit technician
"""
WORDS = _VOCABULARY.split()


def make_scenario(steps: int) -> dict[str, Any]:
    """A large, lint-clean scenario: a chain of steps, each with three distinct answers."""
    def phrase(step: int, answer: int, k: int) -> str:
        a = WORDS[(step * 7 + answer * 3 + k) % len(WORDS)]
        return f"{a} {answer}{k} {step}"

    out_steps: list[dict[str, Any]] = []
    for i in range(steps):
        nxt = f"s{i + 1}" if i + 1 < steps else "end"
        out_steps.append(
            {
                "id": f"s{i}",
                "stage": ["contact", "needs", "presentation", "objections", "closing"][i % 5],
                "say": f"Step {i}: *please* tell me about your {WORDS[i % len(WORDS)]}, {{name}}."
                " [pause] Anything else?",
                "hints": [f"Hint {i}"],
                "answers": [
                    {"id": f"a{j}", "phrases": [phrase(i, j, k) for k in range(5)], "next": nxt}
                    for j in range(3)
                ],
            }
        )
    out_steps.append({"id": "end", "stage": "closing", "say": "Goodbye, {name}!", "end": True})
    return {
        "id": "big",
        "title": "Big generated scenario",
        "language": "en",
        "start": "s0",
        "stages": ["contact", "needs", "presentation", "objections", "closing"],
        "fields": [
            {"id": "name", "label": "Name"},
            {"id": "phone", "label": "Phone", "type": "phone", "required": True},
        ],
        "steps": out_steps,
        "global_answers": [
            {
                "id": f"g{i}",
                "phrases": [f"global {i} {k} {WORDS[k]}" for k in range(5)],
                "next": f"s{(i * 11) % steps}",
                "resume": i % 2 == 0,
            }
            for i in range(40)
        ],
        "reminders": [
            {"id": f"r{i}", "text": f"Reminder {i}", "when": {"enter_step": f"s{i * 10}"}}
            for i in range(steps // 10)
        ]
        + [
            {
                "id": "phone",
                "text": "Ask the phone",
                "when": {"before_step": "end", "field": "phone"},
            }
        ],
        "transfers": [
            {"id": "t", "target": "Manager", "say": "One moment.", "phrases": ["to a manager"]}
        ],
        "knowledge": [
            {"id": f"k{i}", "title": f"Article {i}", "body": "Text " * 50, "tags": ["x"]}
            for i in range(20)
        ],
        "silence": [{"after_s": 5, "text": "Hello?"}],
    }


def to_yaml(data: Any, indent: int = 0) -> str:
    """A small YAML writer (block style, every string double-quoted) to avoid a dependency."""
    pad = " " * indent
    if isinstance(data, dict):
        lines = []
        for key, value in data.items():
            if isinstance(value, (dict, list)) and value:
                lines.append(f"{pad}{key}:\n{to_yaml(value, indent + 2)}")
            else:
                lines.append(f"{pad}{key}: {to_yaml(value)}")
        return "\n".join(lines)
    if isinstance(data, list):
        if not data:
            return "[]"
        items = []
        for value in data:
            body = to_yaml(value, indent + 2)
            nested = isinstance(value, (dict, list))
            items.append(f"{pad}- {body.lstrip()}" if nested else f"{pad}- {body}")
        return "\n".join(items)
    return json.dumps(data, ensure_ascii=False)


def timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """(wall ms, CPU ms of this process, result): CPU time stays honest on a busy machine."""
    w0, c0 = time.perf_counter(), time.process_time()
    result = fn()
    return (time.perf_counter() - w0) * 1000, (time.process_time() - c0) * 1000, result


Row = tuple[str, float, float, float]


def bench(path: Path, runs: int) -> list[Row]:
    """Per phase: (name, cold wall ms, warm wall ms median, warm CPU ms median)."""
    from voice_assist.scenario import lint
    from voice_assist.scenario.loader import read_source, validate_data

    walls: dict[str, list[float]] = {"parse": [], "validate": [], "lint": [], "total": []}
    cpus: dict[str, list[float]] = {name: [] for name in walls}
    for _ in range(runs + 1):
        w_parse, c_parse, source = timed(lambda: read_source(path))
        w_valid, c_valid, scenario = timed(lambda: validate_data(source))  # noqa: B023
        w_lint, c_lint, problems = timed(lambda: lint(scenario, source))  # noqa: B023
        assert not [p for p in problems if p.severity == "error"], problems[:3]
        for name, wall, cpu in (
            ("parse", w_parse, c_parse),
            ("validate", w_valid, c_valid),
            ("lint", w_lint, c_lint),
            ("total", w_parse + w_valid + w_lint, c_parse + c_valid + c_lint),
        ):
            walls[name].append(wall)
            cpus[name].append(cpu)
    median = statistics.median
    return [(n, walls[n][0], median(walls[n][1:]), median(cpus[n][1:])) for n in walls]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    data = make_scenario(args.steps)
    phrases = sum(len(a["phrases"]) for s in data["steps"] for a in s.get("answers", []))
    with tempfile.TemporaryDirectory() as tmp:
        yaml_path = Path(tmp) / "big.yaml"
        json_path = Path(tmp) / "big.json"
        yaml_path.write_text(to_yaml(data) + "\n", encoding="utf-8")
        json_path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        print(
            f"{args.steps} steps, {phrases} step phrases, {len(data['global_answers'])} global "
            f"answers; YAML {yaml_path.stat().st_size // 1024} KiB, "
            f"JSON {json_path.stat().st_size // 1024} KiB; median of {args.runs} warm runs"
        )
        print(f"{'format':<6} {'phase':<9} {'cold ms':>9} {'warm ms':>9} {'warm CPU ms':>12}")
        for fmt, path in (("yaml", yaml_path), ("json", json_path)):
            for name, cold, warm, cpu in bench(path, args.runs):
                print(f"{fmt:<6} {name:<9} {cold:>9.1f} {warm:>9.1f} {cpu:>12.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
