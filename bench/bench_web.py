"""How long an event takes from the session to the operator's page (p50/p95), in a real browser.

Plays a fixture call (default: the demo sales call, in real time) through the pipeline with the
web presenter, a headless Chromium showing the page. The presenter stamps each event when the
session hands it over (wall clock, ms); the page stamps it when its DOM is updated and again at
the next animation frame. The page's clock offset is measured first and taken out.

    .venv/bin/python bench/bench_web.py [--audio FILE --channel N] [--fast] [--max-s S]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from voice_assist.cli import build_parser  # noqa: E402
from voice_assist.cli._call import CallSetup  # noqa: E402
from voice_assist.pipeline import Pipeline  # noqa: E402
from voice_assist.web import WebPresenter, WebServer  # noqa: E402

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TARGET_MS = 50.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def clock_offset_ms(page: Any, rounds: int = 15) -> float:
    """Page clock minus ours, from the round trip with the smallest delay."""
    best: tuple[float, float] | None = None
    for _ in range(rounds):
        t0 = time.time() * 1000
        page_ms = float(page.evaluate("performance.timeOrigin + performance.now()"))
        t1 = time.time() * 1000
        if best is None or t1 - t0 < best[0]:
            best = (t1 - t0, page_ms - (t0 + t1) / 2)
    assert best is not None
    return best[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default=str(REPO / "scenarios/en/sales.yaml"))
    ap.add_argument("--audio", default=str(REPO / "audio_fixtures/calls/en/demo_sales.wav"))
    ap.add_argument("--channel", default="1")
    ap.add_argument("--engine", default="pocketsphinx")
    ap.add_argument("--fast", action="store_true", help="as fast as possible, not real time")
    ap.add_argument("--max-s", type=float, default=0.0, help="stop after this much audio")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    opts = ap.parse_args()

    argv = ["serve", opts.scenario, "--audio", opts.audio, "--channel", opts.channel,
            "--engine", opts.engine, "--no-record", "--fast" if opts.fast else "--realtime"]
    args = build_parser().parse_args(argv)
    setup = CallSetup.from_args(args)
    presenter = WebPresenter(setup.scenario)
    server = WebServer(presenter, "127.0.0.1", 0)
    server.start()
    pipeline = Pipeline(setup.session, setup.recognizer, [presenter])
    presenter.attach(pipeline)

    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=opts.chromium, headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(server.url)
        page.wait_for_selector("body.connected")
        offset = clock_offset_ms(page)
        call = threading.Thread(target=pipeline.run, args=(setup.source, setup.notices))
        started = time.perf_counter()
        call.start()
        while call.is_alive():
            call.join(timeout=0.2)
            if opts.max_s and pipeline.at_s >= opts.max_s:
                pipeline.stop()
        wall_s = time.perf_counter() - started
        server.flush()
        page.wait_for_selector("#ended:not([hidden])")
        page.wait_for_timeout(300)
        stats: list[dict[str, Any]] = page.evaluate("window.__vaStats")
        browser.close()
    server.stop()

    rows: dict[str, list[tuple[float, float, float]]] = {}
    for s in stats:
        dom = s["dom_ms"] - offset - s["sent_ms"]
        frame = (s["frame_ms"] - offset - s["sent_ms"]) if s["frame_ms"] else float("nan")
        server = s["apply_ms"] - s["sent_ms"]
        rows.setdefault(s["type"], []).append((dom, frame, server))
        rows.setdefault("ALL", []).append((dom, frame, server))

    mode = "fast" if opts.fast else "real time"
    print(f"web presenter latency: session event -> page DOM (and next frame), {mode}")
    print(f"call: {Path(opts.audio).name}, {pipeline.at_s:.1f} s audio in {wall_s:.1f} s; "
          f"page clock offset {offset:+.1f} ms")
    print()
    head = f"{'event':<16}{'n':>6}{'dom p50':>10}{'dom p95':>10}{'dom max':>10}"
    head += f"{'frame p50':>11}{'frame p95':>11}{'server p95':>12}"
    print(head)
    print("-" * len(head))
    order = [*sorted((k for k in rows if k != "ALL"), key=lambda k: -len(rows[k])), "ALL"]
    for kind in order:
        doms = [d for d, _, _ in rows[kind]]
        frames = [f for _, f, _ in rows[kind] if f == f]
        servers = [v for _, _, v in rows[kind]]
        print(
            f"{kind:<16}{len(doms):>6}{percentile(doms, 50):>10.1f}{percentile(doms, 95):>10.1f}"
            f"{max(doms):>10.1f}{percentile(frames, 50):>11.1f}{percentile(frames, 95):>11.1f}"
            f"{percentile(servers, 95):>12.1f}"
        )
    print("(dom: event handed to the presenter -> page DOM updated;")
    print(" frame: -> the next animation frame; server: -> batch serialised, before the socket)")
    all_dom = [d for d, _, _ in rows.get("ALL", [])]
    p95 = percentile(all_dom, 95)
    verdict = "meets" if p95 <= TARGET_MS else "MISSES"
    print()
    print(f"p95 {p95:.1f} ms {verdict} the {TARGET_MS:.0f} ms target "
          f"(mean {statistics.fmean(all_dom):.1f} ms over {len(all_dom)} events)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
