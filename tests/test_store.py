"""Call records on real SQLite files: round trip, durability, permissions, migrations, threads."""

from __future__ import annotations

import json
import sqlite3
import stat
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from voice_assist.errors import StoreError
from voice_assist.events import (
    AnswerScores,
    CallEnded,
    FieldCaptured,
    Final,
    Matched,
    NoMatch,
    Notice,
    OperatorCommand,
    Partial,
    ReminderDue,
    SilenceNoticed,
    StepEntered,
    TransferSuggested,
    Word,
)
from voice_assist.records import CallHeader, derive
from voice_assist.store import CallStore, default_path
from voice_assist.store_schema import MIGRATIONS, SCHEMA_VERSION

T0 = datetime(2026, 12, 3, 9, 30, tzinfo=timezone.utc)

CALL: list[Any] = [
    StepEntered(0.0, "greeting", "contact", "Good afternoon!", verbatim=True),
    ReminderDue(0.0, "recorded", "Say the call is recorded", "greeting"),
    Partial("yes", 1.2, 0.8),
    AnswerScores(1.2, "greeting", (("can_talk", 80.0), ("busy", 10.0))),
    Final("yes sure", 1.6, (Word("yes", 0.8, 1.0, 0.9), Word("sure", 1.1, 1.4, 0.8)), 0.8),
    Matched(1.6, "greeting", "can_talk", "needs", 92.5, "yes sure", "sure", ("sure",), 200.0,
            runner_up="busy", runner_up_score=10.0),
    StepEntered(1.6, "needs", "needs", "How do you use the internet?", previous="greeting",
                via="answer"),
    OperatorCommand(3.0, "dismiss", "recorded"),
    Final("my number is five five five one two three four", 5.0),
    FieldCaptured(5.0, "phone", "5551234", "five five five one two three four"),
    NoMatch(5.0, "needs", "my number is five five five one two three four", "below threshold",
            "gave", 40.0),
    OperatorCommand(6.0, "no_answer", value="customer gave the phone first"),
    FieldCaptured(7.0, "phone", "5551299", confirmed=True, source="operator"),
    FieldCaptured(7.5, "name", "Maria", "maria"),
    TransferSuggested(8.0, "billing", "Billing desk", "Let me transfer you", "my bill"),
    SilenceNoticed(14.0, 5.0, "Ask again", "needs"),
    Notice(14.5, "warning", "engine slow", {"lag_ms": 120}),
    OperatorCommand(15.0, "goto", "offer"),
    StepEntered(15.0, "offer", "presentation", "Turbo 500", previous="needs", via="goto"),
    CallEnded(20.0, "operator", "sale", "offer"),
]


def start(store: CallStore, **kw: Any) -> int:
    args: dict[str, Any] = dict(scenario_id="sales", scenario_version="h1",
                                scenario_path="/s/sales.yaml", operator="anna",
                                source="wav:call.wav", engine="pocketsphinx", started_at=T0)
    args.update(kw)
    return store.start_call(**args)


def full_call(store: CallStore, **kw: Any) -> int:
    call_id = start(store, **kw)
    for ev in CALL:
        store.append(call_id, ev)
    store.end_call(call_id, outcome="sale", reason="operator", duration_s=20.0,
                   ended_at=T0 + timedelta(seconds=25))
    return call_id


def test_round_trip_every_event_type(tmp_path: Path) -> None:
    with CallStore(tmp_path / "calls.db") as store:
        call_id = full_call(store)
        assert store.events(call_id) == CALL
        raw = store.raw_events(call_id)
    assert [r["type"] for r in raw][:3] == ["step_entered", "reminder_due", "partial"]
    assert raw[16]["extra"] == {"lag_ms": 120}


def test_record_is_derived_from_events(tmp_path: Path) -> None:
    with CallStore(tmp_path / "calls.db") as store:
        r = store.get_call(full_call(store))
    h = r.header
    assert (h.scenario_id, h.scenario_version, h.scenario_path) == ("sales", "h1", "/s/sales.yaml")
    assert (h.operator, h.source, h.engine) == ("anna", "wav:call.wav", "pocketsphinx")
    assert h.started_at == T0 and h.ended_at == T0 + timedelta(seconds=25)
    assert (h.outcome, h.reason, h.duration_s) == ("sale", "operator", 20.0)
    assert r.path == ("greeting", "needs", "offer")
    assert [v.advance.answer if v.advance else None for v in r.visits] == [None, "can_talk", None]
    assert [v.via for v in r.visits] == ["start", "answer", "goto"]
    advance = r.visits[1].advance
    assert advance is not None
    assert (advance.score, advance.heard, advance.latency_ms) == (92.5, "yes sure", 200.0)
    assert [(f.field, f.value, f.confirmed, f.source) for f in r.fields] == [
        ("phone", "5551299", True, "operator"),
        ("name", "Maria", False, "speech"),
    ]
    assert [(t.at_s, t.text) for t in r.transcript] == [
        (1.6, "yes sure"), (5.0, "my number is five five five one two three four")]
    assert [(n.step, n.text) for n in r.no_answer] == [("needs", "customer gave the phone first")]
    assert [(x.reminder, x.dismissed_at_s) for x in r.reminders] == [("recorded", 3.0)]
    assert [t.target for t in r.transfers] == ["Billing desk"]
    assert [n.heard for n in r.no_match] == ["my number is five five five one two three four"]
    assert (r.event_count, r.last_at_s) == (len(CALL), 20.0)


HEADER = CallHeader(1, "s", "", "", "", "", "", T0, None, 0.0, "interrupted", "")


@pytest.mark.parametrize(
    ("events", "advances"),
    [
        ([Matched(1.0, "a", "x", "b", 90.0, "x"), StepEntered(1.0, "b", None, "")], ["x"]),
        ([Matched(1.0, "a", "x", None, 90.0, "x"), Final("hm", 2.0),
          StepEntered(3.0, "b", None, "", via="goto")], [None]),
        ([StepEntered(1.0, "b", None, "", via="goto")], [None]),
        ([Matched(1.0, "a", "x", "b", 90.0, "x", source="operator"),
          StepEntered(1.0, "b", None, "", via="answer")], ["x"]),
    ],
    ids=["advance", "stayed then goto", "goto", "operator choice"],
)
def test_an_advance_belongs_to_the_step_entered_right_after_it(
    events: list[Any], advances: list[str | None]
) -> None:
    r = derive(HEADER, events)
    assert [v.advance.answer if v.advance else None for v in r.visits] == advances


@pytest.mark.parametrize(
    ("events", "dismissed"),
    [
        ([ReminderDue(1.0, "r", "t")], [None]),
        ([ReminderDue(1.0, "r", "t"), OperatorCommand(2.0, "dismiss", "r")], [2.0]),
        ([ReminderDue(1.0, "r", "t"), OperatorCommand(2.0, "dismiss", "r"),
          ReminderDue(3.0, "r", "t")], [2.0, None]),
        ([ReminderDue(1.0, "r", "t"), OperatorCommand(2.0, "dismiss", "other")], [None]),
    ],
    ids=["shown", "dismissed", "shown again", "other dismissed"],
)
def test_reminders_shown_and_dismissed(events: list[Any], dismissed: list[float | None]) -> None:
    assert [x.dismissed_at_s for x in derive(HEADER, events).reminders] == dismissed


def test_file_is_private_and_in_wal_mode(tmp_path: Path) -> None:
    db = tmp_path / "deep" / "dir" / "calls.db"
    with CallStore(db) as store:
        call_id = start(store)
        store.append(call_id, Final("hello", 1.0))
        companions = [p for p in tmp_path.glob("deep/dir/calls.db*")]
        assert {p.name for p in companions} >= {"calls.db", "calls.db-wal", "calls.db-shm"}
        for p in companions:
            assert stat.S_IMODE(p.stat().st_mode) == 0o600, p
        mode = sqlite3.connect(db).execute("PRAGMA journal_mode").fetchone()[0]
        assert mode == "wal"


def test_existing_loose_permissions_are_tightened(tmp_path: Path) -> None:
    db = tmp_path / "calls.db"
    CallStore(db).close()
    db.chmod(0o644)
    CallStore(db).close()
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


CRASHING_WRITER = """
import os, sys
from voice_assist.store import CallStore
from voice_assist.events import StepEntered, Final
store = CallStore(sys.argv[1])
call_id = store.start_call(scenario_id="sales", scenario_version="h1", scenario_path="s.yaml",
                           operator="bob", source="mic", engine="vosk")
store.append(call_id, StepEntered(0.0, "greeting", "contact", "Hi"))
store.append(call_id, Final("hello there", 3.5))
os._exit(9)  # no end_call, no close: the process dies mid-call
"""


def test_a_crash_loses_nothing_committed_and_shows_interrupted(tmp_path: Path) -> None:
    db = tmp_path / "calls.db"
    proc = subprocess.run([sys.executable, "-c", CRASHING_WRITER, str(db)], check=False)
    assert proc.returncode == 9
    with CallStore(db) as store:
        [summary] = store.list_calls()
        assert summary.outcome == "interrupted"
        assert summary.ended_at is None
        assert summary.duration_s == 3.5
        assert summary.path == ("greeting",)
        assert [t.text for t in store.get_call(summary.id).transcript] == ["hello there"]


def test_open_call_is_in_progress_for_its_own_store_and_interrupted_for_others(
    tmp_path: Path,
) -> None:
    db = tmp_path / "calls.db"
    with CallStore(db) as writer, CallStore(db) as reader:
        call_id = start(writer)
        writer.append(call_id, Final("hi", 2.0))
        assert writer.header(call_id).outcome == "in progress"
        assert reader.header(call_id).outcome == "interrupted"
        assert reader.events(call_id) == [Final("hi", 2.0)]  # committed, visible at once
        writer.end_call(call_id, outcome="done", reason="end_of_audio", duration_s=2.0)
        assert reader.header(call_id).outcome == "done"


def test_listing_newest_first_with_filters_and_limit(tmp_path: Path) -> None:
    with CallStore(tmp_path / "calls.db") as store:
        ids = [
            start(store, scenario_id=sc, operator=op, started_at=T0 + timedelta(minutes=i))
            for i, (sc, op) in enumerate(
                [("sales", "anna"), ("sales", "bob"), ("hotline", "anna"), ("sales", "anna")]
            )
        ]
        assert [c.id for c in store.list_calls()] == ids[::-1]
        assert [c.id for c in store.list_calls(limit=2)] == ids[:1:-1]
        assert [c.id for c in store.list_calls(scenario="sales")] == [ids[3], ids[1], ids[0]]
        assert [c.id for c in store.list_calls(operator="anna", scenario="sales")] == [
            ids[3], ids[0]]
        assert store.list_calls(operator="nobody") == []
        assert store.call_ids() == ids


def test_times_are_stored_as_utc(tmp_path: Path) -> None:
    local = datetime(2026, 12, 3, 12, 0, tzinfo=timezone(timedelta(hours=3)))
    naive = datetime(2026, 12, 3, 12, 0)
    with CallStore(tmp_path / "calls.db") as store:
        a = start(store, started_at=local)
        b = start(store, started_at=naive)
        assert store.header(a).started_at == datetime(2026, 12, 3, 9, 0, tzinfo=timezone.utc)
        assert store.header(a).started_at.utcoffset() == timedelta(0)
        assert store.header(b).started_at == naive.astimezone(timezone.utc)


def test_missing_call(tmp_path: Path) -> None:
    db = tmp_path / "calls.db"
    with CallStore(db) as store:
        with pytest.raises(StoreError, match=f"no call 17 in {db}"):
            store.get_call(17)
        with pytest.raises(StoreError, match="no call 17"):
            store.append(17, Final("x", 1.0))
        with pytest.raises(StoreError, match="no call 17"):
            store.end_call(17, outcome="x", reason="y", duration_s=1.0)
        assert store.list_calls() == []


def test_readers_do_not_create_a_database(tmp_path: Path) -> None:
    db = tmp_path / "none" / "calls.db"
    with pytest.raises(StoreError, match=f"no call records at {db} yet"):
        CallStore(db, create=False)
    assert not db.parent.exists()


def v1_database(path: Path) -> None:
    """A database as the first release wrote it: the v1 DDL only, with one finished and one
    interrupted call."""
    conn = sqlite3.connect(path)
    conn.isolation_level = None
    MIGRATIONS[0](conn)
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO calls (id, scenario_id, started_at, ended_at, duration_s, outcome,"
                 " reason) VALUES (1, 'sales', '2026-01-01T10:00:00+00:00',"
                 " '2026-01-01T10:01:00+00:00', 60.0, 'sale', 'end_step')")
    conn.execute("INSERT INTO calls (id, scenario_id, started_at) VALUES"
                 " (2, 'sales', '2026-01-02T10:00:00+00:00')")
    for call_id, ev in [(1, StepEntered(0.0, "greeting", "contact", "Hi")),
                        (1, StepEntered(9.0, "needs", "needs", "Q")),
                        (2, StepEntered(0.0, "greeting", "contact", "Hi")),
                        (2, Final("hello", 42.5))]:
        from voice_assist.events import to_json

        data = to_json(ev)
        conn.execute("INSERT INTO events (call_id, type, at_s, data) VALUES (?, ?, ?, ?)",
                     (call_id, data["type"], data["at_s"], json.dumps(data)))
    conn.close()


def test_a_v1_database_is_migrated(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    v1_database(db)
    with CallStore(db) as store:
        calls = {c.id: c for c in store.list_calls()}
        assert calls[1].path == ("greeting", "needs") and calls[1].duration_s == 60.0
        assert calls[2].header.outcome == "interrupted"
        assert calls[2].duration_s == 42.5  # backfilled from its events
        new = start(store)
        store.append(new, Final("after migration", 1.0))
        assert store.get_call(new).transcript[0].text == "after migration"
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert "events_by_call_type" in indexes


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "calls.db"
    CallStore(db).close()
    sqlite3.connect(db).execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    with pytest.raises(StoreError, match=f"version {SCHEMA_VERSION + 5}.*upgrade voice-assist"):
        CallStore(db)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_text("just some text, not a database\n" * 50), "not a call-record"),
        (lambda p: sqlite3.connect(p).execute("CREATE TABLE t (x)"), "another program"),
        (lambda p: p.mkdir(), "is a directory"),
    ],
    ids=["text file", "other sqlite", "directory"],
)
def test_not_our_file(tmp_path: Path, make: Any, message: str) -> None:
    db = tmp_path / "calls.db"
    make(db)
    with pytest.raises(StoreError, match=message):
        CallStore(db)


def test_unknown_event_types_are_kept_raw(tmp_path: Path) -> None:
    db = tmp_path / "calls.db"
    with CallStore(db) as store:
        call_id = start(store)
        store.append(call_id, Final("hi", 1.0))
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO events (call_id, type, at_s, data) VALUES (?, 'hologram', 2.0, ?)",
                 (call_id, json.dumps({"type": "hologram", "at_s": 2.0, "beam": 1})))
    conn.commit()
    conn.close()
    with CallStore(db) as store:
        assert store.events(call_id) == [Final("hi", 1.0)]
        assert [e["type"] for e in store.raw_events(call_id)] == ["final", "hologram"]


def test_one_writer_thread_and_reader_threads(tmp_path: Path) -> None:
    db = tmp_path / "calls.db"
    errors: list[BaseException] = []
    n = 300
    with CallStore(db) as store:
        call_id = start(store)
        done = threading.Event()

        def write() -> None:
            try:
                for i in range(n):
                    store.append(call_id, Partial(f"word {i}", i / 10))
            except BaseException as exc:
                errors.append(exc)
            finally:
                done.set()

        def read(own: bool) -> None:
            reader = store if own else CallStore(db)
            try:
                seen = 0
                while not done.is_set():
                    count = len(reader.events(call_id))
                    assert count >= seen  # never goes back
                    seen = count
                    reader.list_calls()
            except BaseException as exc:
                errors.append(exc)
            finally:
                if not own:
                    reader.close()

        threads = [threading.Thread(target=write), threading.Thread(target=read, args=(True,)),
                   threading.Thread(target=read, args=(False,))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert [e.text for e in store.events(call_id)] == [f"word {i}" for i in range(n)]


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"VOICE_ASSIST_DB": "/x/my.db", "XDG_DATA_HOME": "/xdg"}, "/x/my.db"),
        ({"XDG_DATA_HOME": "/xdg"}, "/xdg/voice-assist/calls.db"),
        ({"HOME": "/home/op"}, "/home/op/.local/share/voice-assist/calls.db"),
    ],
    ids=["env var", "xdg", "home"],
)
def test_default_path(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str) -> None:
    for name in ("VOICE_ASSIST_DB", "XDG_DATA_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert default_path() == Path(expected)


def test_default_store_goes_to_the_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VOICE_ASSIST_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    with CallStore() as store:
        start(store)
    assert (tmp_path / "data" / "voice-assist" / "calls.db").is_file()


SESSION_SCENARIO = """
id: integration
title: Session to store
start: greeting
fields:
  - {id: phone, label: Phone, type: phone}
reminders:
  - {id: recorded, text: Say the call is recorded, when: {enter_step: greeting}}
steps:
  - id: greeting
    stage: contact
    say: Hello! Can we talk?
    answers:
      - {id: can_talk, phrases: [yes sure, go ahead], next: ask_phone}
      - {id: busy, phrases: [i am busy], next: bye}
  - id: ask_phone
    stage: needs
    say: What number can we call you on?
    capture: [phone]
    answers:
      - {id: gave, phrases: [my number is], next: bye}
  - id: bye
    stage: closing
    say: Goodbye, we will call {phone}.
    end: true
"""


def test_a_real_session_stored_reads_back_as_it_ran(tmp_path: Path) -> None:
    """The session's own output, stored as the pipeline's sink does, gives the same path and
    fields in the record as in the operator's view."""
    from functools import reduce as fold_left

    from voice_assist.events import Tick
    from voice_assist.scenario import loads_scenario
    from voice_assist.session import Session
    from voice_assist.view import CallView, reduce

    scenario = loads_scenario(SESSION_SCENARIO)
    session = Session(scenario)
    out: list[Any] = session.start(0.0)
    at_s = 2.0
    for text in ["yes sure go ahead", "my number is five five five one two three four"]:
        words = tuple(Word(w, at_s - 1.0 + i * 0.1, at_s - 0.95 + i * 0.1)
                      for i, w in enumerate(text.split()))
        out += session.handle(Final(text, at_s, words))
        out += session.handle(Tick(at_s + 1.0))
        at_s += 4.0
    out += session.handle(OperatorCommand(at_s, "end", value="done"))
    with CallStore(tmp_path / "calls.db") as store:
        call_id = start(store, scenario_id=scenario.id)
        for ev in out:
            store.append(call_id, ev)
            if isinstance(ev, CallEnded):
                store.end_call(call_id, outcome=ev.outcome, reason=ev.reason,
                               duration_s=ev.at_s)
        record = store.get_call(call_id)
        stored = store.events(call_id)
    view = fold_left(reduce, stored, CallView.initial(scenario))
    entered = [e.step for e in out if isinstance(e, StepEntered)]
    assert stored == out
    assert record.path == tuple(entered) and len(entered) >= 2
    assert view.step == entered[-1]
    assert record.header.outcome == view.outcome == "done"
    assert record.fields and record.field_values() == {
        f.id: f.value for f in view.fields if f.value is not None}
    assert [r.reminder for r in record.reminders] == ["recorded"]
    assert [a.answer for a in record.advances] == [
        v.advance.answer for v in record.visits if v.advance is not None]
