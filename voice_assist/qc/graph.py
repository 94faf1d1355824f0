"""The scenario drawn as a graph (inline SVG) with the path a call took highlighted.

Layout: steps in layers by their distance from the start over answers and `next` (a step led
to from its own column moves one column right), left to right; steps not reachable that way
(entered by global answers or transfers) go in a last column; edges that skip columns arc over
the nodes in between. Edges the call took are thick and coloured, with how many times they were
taken when more than once; edges it did not take stay thin and grey.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from html import escape

from ..scenario.models import Scenario

NODE_W, NODE_H = 132, 34
COL_W, ROW_H = 190, 52
PAD = 20
PAD_TOP = 48
"""Room above the first row for edges that arc over skipped columns."""


def edges(scenario: Scenario) -> list[tuple[str, str, str]]:
    """(from, to, label) for every answer with a `next` and every step's `next`."""
    out: list[tuple[str, str, str]] = []
    for s in scenario.steps:
        for a in s.answers:
            if a.next and scenario.has_step(a.next):
                out.append((s.id, a.next, a.label or a.id))
        if s.next and scenario.has_step(s.next):
            out.append((s.id, s.next, "next"))
    return out


def layers(scenario: Scenario) -> dict[str, int]:
    """Column of each step: its distance from the start, pushed one column right of any step
    that leads to it from the same column (so no edge runs inside a column); loops ignored."""
    graph = edges(scenario)
    out_edges: dict[str, list[str]] = {}
    for a, b, _ in graph:
        out_edges.setdefault(a, []).append(b)
    depth = {scenario.start: 0}
    queue = [scenario.start]
    while queue:
        here = queue.pop(0)
        for nxt in out_edges.get(here, []):
            if nxt not in depth:
                depth[nxt] = depth[here] + 1
                queue.append(nxt)
    forward: list[tuple[str, str]] = []
    state: dict[str, int] = {}  # 1 on the depth-first stack, 2 done

    def visit(node: str) -> None:
        state[node] = 1
        for nxt in out_edges.get(node, []):
            if state.get(nxt) != 1:  # an edge back onto the stack closes a loop: skip it
                forward.append((node, nxt))
                if nxt not in state:
                    visit(nxt)
        state[node] = 2

    visit(scenario.start)
    for _ in range(len(scenario.steps)):
        pushed = False
        for a, b in forward:
            if a in depth and depth.get(b) == depth[a]:
                depth[b] += 1
                pushed = True
        if not pushed:
            break
    last = max(depth.values(), default=0) + 1
    for s in scenario.steps:
        depth.setdefault(s.id, last)
    return depth


def svg(scenario: Scenario, path: Sequence[str], taken: Sequence[tuple[str, str]]) -> str:
    """The graph as an `<svg>` element; `taken` are the (from, to) moves of the call."""
    depth = layers(scenario)
    columns: dict[int, list[str]] = {}
    for s in scenario.steps:
        columns.setdefault(depth[s.id], []).append(s.id)
    pos: dict[str, tuple[float, float]] = {}
    for col, ids in columns.items():
        for row, sid in enumerate(ids):
            pos[sid] = (PAD + col * COL_W, PAD_TOP + row * ROW_H)
    width = PAD * 2 + (max(columns) + 1) * COL_W - (COL_W - NODE_W)
    height = PAD + PAD_TOP + max(len(v) for v in columns.values()) * ROW_H - (ROW_H - NODE_H)
    visited = set(path)
    moves = Counter(taken)
    parts = [
        f'<svg class="graph" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'xmlns="http://www.w3.org/2000/svg" role="img" aria-label="path through the scenario">',
        "<defs>",
        _marker("arr", 9, "#b8bfc9"),
        _marker("arrt", 11, "#d9480f"),
        "</defs>",
    ]
    drawn: set[tuple[str, str]] = set()
    plain_edges = [(a, b) for a, b, _ in edges(scenario)]
    extra = [m for m in moves if m not in plain_edges]  # global answers, undo, goto...
    for a, b in [*plain_edges, *extra]:
        if (a, b) in drawn or a not in pos or b not in pos:
            continue
        drawn.add((a, b))
        parts.append(_edge(pos[a], pos[b], moves.get((a, b), 0), (a, b) in extra))
    for sid, (x, y) in pos.items():
        step = scenario.step(sid)
        cls = "node"
        if sid in visited:
            cls += " visited"
        if path and sid == path[-1]:
            cls += " last"
        if sid == scenario.start:
            cls += " start"
        label = sid if len(sid) <= 18 else sid[:17] + "…"
        title = f"{sid} ({step.stage or 'no stage'})" + (" - verbatim" if step.verbatim else "")
        parts.append(
            f'<g class="{cls}"><title>{escape(title)}</title>'
            f'<rect x="{x}" y="{y}" width="{NODE_W}" height="{NODE_H}" rx="7"/>'
            f'<text x="{x + NODE_W / 2}" y="{y + NODE_H / 2 + 4}">{escape(label)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _marker(name: str, size: int, colour: str) -> str:
    return (
        f'<marker id="{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="{size}" '
        f'markerHeight="{size}" markerUnits="userSpaceOnUse" orient="auto">'
        f'<path d="M0,0L10,5L0,10z" fill="{colour}"/></marker>'
    )


def _edge(a: tuple[float, float], b: tuple[float, float], count: int, dashed: bool) -> str:
    x1, y1 = a[0] + NODE_W, a[1] + NODE_H / 2
    x2, y2 = b[0], b[1] + NODE_H / 2
    span = round((b[0] - a[0]) / COL_W)
    if span > 1:  # skips columns: arc over the nodes in between
        x1, x2 = a[0] + NODE_W / 2, b[0] + NODE_W / 2
        y1, y2 = a[1], b[1]
        top = max(2.0, min(y1, y2) - 10 - 4 * span)
        d = f"M{x1},{y1} C{x1},{top} {x2},{top} {x2},{y2}"
    elif x2 <= x1:  # back or same-column edge: loop around below
        x1, x2 = a[0] + NODE_W / 2, b[0] + NODE_W / 2
        y1, y2 = a[1] + NODE_H, b[1] + NODE_H
        low = max(y1, y2) + ROW_H * 0.6
        d = f"M{x1},{y1} C{x1},{low} {x2},{low} {x2},{y2}"
    else:
        mid = (x1 + x2) / 2
        d = f"M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}"
    cls = "edge taken" if count else "edge"
    dash = ' stroke-dasharray="5 4"' if dashed else ""
    marker = "arrt" if count else "arr"
    out = f'<path class="{cls}" d="{d}"{dash} marker-end="url(#{marker})"/>'
    if count > 1:
        out += (f'<text class="count" x="{(x1 + x2) / 2}" y="{(y1 + y2) / 2 - 4}">'
                f"×{count}</text>")
    return out
