"""The workspace's server side without a browser: access rules, assets, websocket, commands.

The pipeline is replaced by a recorder here (this tests the layer above it); the real pipeline
and a real browser are in test_web_browser.py.
"""

from __future__ import annotations

import json
import threading
import warnings
from typing import Any

import pytest
from starlette.websockets import WebSocketDisconnect

from voice_assist.events import (
    CallEnded,
    FieldCaptured,
    Final,
    Matched,
    Partial,
    StepEntered,
)
from voice_assist.scenario import Scenario, loads_scenario
from voice_assist.view import CallView, reduce
from voice_assist.web.app import create_app
from voice_assist.web.i18n import UI, ui_strings
from voice_assist.web.presenter import WebPresenter
from voice_assist.web.security import Guard, host_name, is_loopback
from voice_assist.web.state import view_json

with warnings.catch_warnings():  # starlette nags about httpx, which is what we have
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

SCENARIO: Scenario = loads_scenario(
    """
id: web_unit
title: Web unit <b>test</b>
language: ru
start: hello
stages: [contact, closing]
fields:
  - {id: phone, label: Телефон, type: phone, required: true}
steps:
  - id: hello
    stage: contact
    say: "Здравствуйте, {phone}! [pause] Вам *удобно* говорить?"
    verbatim: true
    answers:
      - {id: yes_talk, label: Да, phrases: [да], next: bye}
  - id: bye
    stage: closing
    say: До свидания
    end: true
knowledge:
  - {id: prices, title: Цены, body: Тариф стоит 300 рублей, tags: [цена]}
"""
)
LOCAL = "http://127.0.0.1:8765"
HEADERS = {"origin": LOCAL, "host": "127.0.0.1:8765"}  # the test client's socket has no host


class Recorder:
    """Stands in for the pipeline: remembers submitted commands."""

    def __init__(self) -> None:
        self.commands: list[tuple[str, str, str]] = []
        self.at_s = 1.5

    def submit(self, action: str, arg: str = "", value: str = "") -> None:
        self.commands.append((action, arg, value))


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("192.168.1.10", False),
        ("example.org", False),
        ("", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("127.0.0.1:8765", "127.0.0.1"),
        ("[::1]:80", "::1"),
        ("Localhost", "localhost"),
        ("::1", "::1"),
    ],
)
def test_host_name_of_a_host_header(header: str, name: str) -> None:
    assert host_name(header) == name


def test_loopback_bind_needs_no_token_and_any_other_host_gets_one() -> None:
    assert Guard.for_host("127.0.0.1").token is None
    guard = Guard.for_host("0.0.0.0")
    assert guard.token and len(guard.token) >= 20
    assert Guard.for_host("0.0.0.0").token != guard.token
    assert guard.token_ok(None, "wrong", guard.token)
    assert not guard.token_ok(None, "wrong", "")


@pytest.mark.parametrize(
    ("origin", "host", "ok"),
    [
        ("http://127.0.0.1:8765", "127.0.0.1:8765", True),
        ("http://127.0.0.1:8765", "127.0.0.1:9999", False),
        ("http://evil.example", "127.0.0.1:8765", False),
        ("null", "127.0.0.1:8765", False),
        (None, "127.0.0.1:8765", False),
        ("file://", "127.0.0.1:8765", False),
    ],
)
def test_websocket_origin_must_be_this_server(origin: str | None, host: str, ok: bool) -> None:
    assert Guard.for_host("127.0.0.1").origin_ok(origin, host) is ok


def test_ui_strings_exist_in_both_languages() -> None:
    assert set(UI["en"]) == set(UI["ru"])
    assert all(v.strip() for lang in UI.values() for v in lang.values())
    assert ui_strings("ru-RU")["end"] == "Завершить звонок"
    assert ui_strings("de")["end"] == "End call"


def test_view_json_fills_placeholders_and_marks_heard_fields() -> None:
    view = CallView.initial(SCENARIO)
    for event in [
        StepEntered(0.0, "hello", "contact", "Здравствуйте", verbatim=True),
        FieldCaptured(1.0, "phone", "5551234", heard="пять пять пять"),
    ]:
        view = reduce(view, event)
    data = view_json(view, last_speech_s=1.0)
    kinds = [(s["kind"], s["text"], s["filled"]) for s in data["segments"]]
    assert ("field", "5551234", True) in kinds
    assert ("stress", "удобно", True) in kinds
    assert any(k == "pause" for k, _, _ in kinds)
    assert data["fields"][0]["status"] == "heard"
    assert data["verbatim"] is True
    assert [c["current"] for c in data["breadcrumb"]] == [True, False]
    json.dumps(data)  # all plain JSON


def _client(guard: Guard, presenter: WebPresenter, base: str = LOCAL) -> TestClient:
    return TestClient(create_app(presenter, guard), base_url=base)


def test_page_and_assets_are_served_with_a_strict_policy() -> None:
    with _client(Guard.for_host("127.0.0.1"), WebPresenter(SCENARIO)) as client:
        page = client.get("/")
        assert page.status_code == 200
        assert "app.js" in page.text
        csp = page.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert client.get("/static/app.js").headers["content-type"].startswith("text/javascript")
        assert client.get("/static/app.css").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/static/index.html",
        "/static/..%2F..%2Fpyproject.toml",
        "/static/../app.py",
        "/static/",
        "/etc/passwd",
    ],
)
def test_no_client_path_reaches_the_file_system(path: str) -> None:
    with _client(Guard.for_host("127.0.0.1"), WebPresenter(SCENARIO)) as client:
        response = client.get(path)
        assert response.status_code == 404
        assert "import" not in response.text


def test_loopback_refuses_a_foreign_host_header() -> None:
    with _client(Guard.for_host("127.0.0.1"), WebPresenter(SCENARIO)) as client:
        assert client.get("/", headers={"host": "evil.example:8765"}).status_code == 403
        assert client.get("/", headers={"host": "localhost:8765"}).status_code == 200


def test_other_hosts_need_the_token_on_every_request() -> None:
    guard = Guard.for_host("0.0.0.0")
    assert guard.token is not None
    with _client(guard, WebPresenter(SCENARIO), "http://192.0.2.7:8765") as client:
        assert client.get("/").status_code == 403
        assert client.get("/static/app.js").status_code == 403
        assert client.get("/api/state").status_code == 403
        assert client.get("/?token=wrong").status_code == 403
        page = client.get("/", params={"token": guard.token})
        assert page.status_code == 200
        assert client.cookies.get("va_token") == guard.token  # the page's assets ride on it
        assert client.get("/static/app.js").status_code == 200
        client.cookies.clear()
        assert client.get("/static/app.js").status_code == 403
        by_header = client.get("/api/state", headers={"x-voice-assist-token": guard.token})
        assert by_header.status_code == 200


def test_websocket_refused_without_token_or_with_a_foreign_origin() -> None:
    guard = Guard.for_host("0.0.0.0")
    base = "http://192.0.2.7:8765"
    with _client(guard, WebPresenter(SCENARIO), base) as client:
        origin = {"origin": base, "host": "192.0.2.7:8765"}
        foreign = {"origin": "http://evil.example", "host": "192.0.2.7:8765"}
        with (
            pytest.raises(WebSocketDisconnect) as refused,
            client.websocket_connect("/ws", headers=origin),
        ):
            pass
        assert refused.value.code == 1008
        with (
            pytest.raises(WebSocketDisconnect),
            client.websocket_connect(f"/ws?token={guard.token}", headers=foreign),
        ):
            pass
        with client.websocket_connect(f"/ws?token={guard.token}", headers=origin) as ws:
            assert ws.receive_json()["kind"] == "hello"


def test_a_page_gets_a_snapshot_then_events_in_order_and_its_commands_reach_the_pipeline() -> None:
    presenter = WebPresenter(SCENARIO)
    pipeline = Recorder()
    presenter.attach(pipeline)
    presenter.handle(StepEntered(0.0, "hello", "contact", "Здравствуйте", verbatim=True))
    with (
        _client(Guard.for_host("127.0.0.1"), presenter) as client,
        client.websocket_connect("/ws", headers=HEADERS) as ws,
    ):
        hello = ws.receive_json()
        assert hello["kind"] == "hello"
        assert hello["view"]["step"] == "hello"  # the event before the page came is in it
        assert hello["scenario"]["ui"]["end"] == "Завершить звонок"
        assert hello["scenario"]["title"] == "Web unit <b>test</b>"  # data, escaped by the page
        events = [Partial("д", 1.0), Final("да", 1.2)]
        worker = threading.Thread(target=lambda: [presenter.handle(e) for e in events])
        worker.start()
        worker.join()
        got = []
        while len(got) < len(events):  # events handed over together come in one message
            message = ws.receive_json()
            assert message["kind"] == "events"
            assert message["seq"] == message["events"][-1]["seq"]
            got += [(e, message["view"]) for e in message["events"]]
        assert [e["event"]["type"] for e, _ in got] == ["partial", "final"]
        assert [e["seq"] for e, _ in got] == [hello["seq"] + 1, hello["seq"] + 2]
        assert got[-1][1]["transcript"][-1]["text"] == "да"
        assert got[-1][1]["partial"] == ""
        assert all(e["sent_ms"] > 0 for e, _ in got)

        ws.send_json({"action": "choose", "arg": "yes_talk"})
        ws.send_json({"action": "rm -rf", "arg": "/"})
        error = ws.receive_json()
        while error["kind"] != "error":
            error = ws.receive_json()
        assert "unknown command" in error["text"]
        ws.send_json({"action": "fill", "arg": "phone", "value": 5})
        assert "text" in _next_error(ws)
        ws.send_text("not json")
        assert _next_error(ws)
        assert pipeline.commands == [("choose", "yes_talk", "")]

        presenter.handle(Matched(2.0, "hello", "yes_talk", "bye", 100.0, "", source="operator"))
        presenter.handle(CallEnded(2.0, "operator", "bye", "bye"))
        ws.send_json({"action": "undo"})
        assert "ended" in _next_error(ws)
        assert pipeline.commands == [("choose", "yes_talk", "")]


def _next_error(ws: Any) -> str:
    while True:
        message = ws.receive_json()
        if message["kind"] == "error":
            return str(message["text"])


def test_a_second_page_sees_the_same_state() -> None:
    presenter = WebPresenter(SCENARIO)
    presenter.attach(Recorder())
    with (
        _client(Guard.for_host("127.0.0.1"), presenter) as client,
        client.websocket_connect("/ws", headers=HEADERS) as first,
    ):
        first.receive_json()
        presenter.handle(StepEntered(0.5, "bye", "closing", "До свидания"))
        live = first.receive_json()
        with client.websocket_connect("/ws", headers=HEADERS) as second:
            snapshot = second.receive_json()
            assert snapshot["view"] == live["view"]
            assert snapshot["seq"] == live["seq"]
