"""The QC HTML report opened in headless Chromium: it renders with no requests and no errors.

The report is built from hand-made events (no engine); the real replay is in test_qc.py.
`QC_SCREENSHOT=docs/qc-report.png QC_HTML=page.html pytest tests/test_qc_html.py` keeps a
screenshot of any report page (that is how docs/qc-report.png is made).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from voice_assist.events import CallEnded, Final, Matched, ReminderDue, StepEntered, Word
from voice_assist.pipeline import CallResult
from voice_assist.qc.replay import Replay, Span
from voice_assist.qc.report import build
from voice_assist.qc.report_html import render
from voice_assist.scenario import load_checked

ROOT = Path(__file__).resolve().parent.parent
SUPPORT = ROOT / "audio_fixtures" / "qc" / "support.yaml"
CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no chromium"),
]


def words(text: str, start_s: float) -> tuple[Word, ...]:
    return tuple(
        Word(w, start_s + i * 0.3, start_s + i * 0.3 + 0.25) for i, w in enumerate(text.split())
    )


def report_page(tmp_path: Path) -> Path:
    scenario = load_checked(SUPPORT)
    greeting = (
        "good morning northwind telecom my name is anna this call is recorded how can i help you"
    )
    events = [
        StepEntered(0.0, "greeting", "contact", scenario.step("greeting").say, True),
        ReminderDue(
            0.0, "recording", "Tell the customer that 'this call is recorded'.", "greeting"
        ),
        Final("the internet is very slow", 8.0, words("the internet is very slow", 6.5), 6.5),
        Matched(8.0, "greeting", "slow_internet", "router", 92.0, "the internet is very slow"),
        StepEntered(
            8.0, "router", "needs", scenario.step("router").say, False, "greeting", "answer"
        ),
        ReminderDue(
            8.0, "offer_sms", "Offer to send the 'instructions by text message'.", "router"
        ),
        CallEnded(16.0, "end_of_audio", "incomplete", "router"),
    ]
    operator = [
        Final(greeting, 6.0, words(greeting, 0.3), 0.3),
        Final("please restart your router", 12.0, words("please restart your router", 9.0), 9.0),
    ]
    replay = Replay(
        "call.wav",
        scenario,
        "pocketsphinx",
        16.0,
        True,
        1,
        0,
        CallResult(events=events, ended=events[-1]),
        operator,
        [Span(6.5, 8.0)],
        [Span(0.3, 5.5), Span(9.0, 10.2)],
    )
    page = tmp_path / "report.html"
    page.write_text(render(build(replay), scenario), encoding="utf-8")
    return page


def test_report_renders_in_chromium(tmp_path: Path) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    page_file = (
        Path(os.environ.get("QC_HTML", "")) if os.environ.get("QC_HTML") else report_page(tmp_path)
    )
    requests: list[str] = []
    errors: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--no-first-run",
            ],
        )
        page = browser.new_page(viewport={"width": 1180, "height": 900})
        page.on("request", lambda r: requests.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(page_file.resolve().as_uri())
        boxes = page.eval_on_selector_all(
            "svg",
            "els => els.map(e => e.getBoundingClientRect())"
            " .map(r => [r.width, r.height])",
        )
        visited = page.eval_on_selector_all(".graph .node.visited", "els => els.length")
        taken = page.eval_on_selector_all(".graph .edge.taken", "els => els.length")
        shot = tmp_path / "report.png"
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    assert errors == []
    assert [u for u in requests if not u.startswith("file://")] == []
    assert len(boxes) == 2 and all(w > 300 and h > 80 for w, h in boxes)
    if not os.environ.get("QC_HTML"):
        assert (visited, taken) == (2, 1)
    assert shot.stat().st_size > 10_000
    target = os.environ.get("QC_SCREENSHOT")
    if target:
        shutil.copyfile(shot, target)
