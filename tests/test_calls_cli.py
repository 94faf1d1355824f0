"""`voice-assist calls list | show | export` on real databases, through the CLI's own `main`."""

from __future__ import annotations

import csv
import io
import json
import re
import stat
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

import voice_assist.cli as cli
from voice_assist.events import (
    CallEnded,
    FieldCaptured,
    Final,
    Matched,
    OperatorCommand,
    Partial,
    ReminderDue,
    StepEntered,
    Word,
)
from voice_assist.redact import mask_digits, mask_number_words, mask_text
from voice_assist.store import CallStore

SCENARIO = """\
id: shop
title: Shop
start: greeting
fields:
  - {id: name, label: Name, type: text}
  - {id: phone, label: Phone, type: phone}
  - {id: size, label: Size, type: choice, choices: [small, large]}
  - {id: count, label: How many, type: number}
steps:
  - id: greeting
    stage: contact
    say: Hello! Can I have your name and phone?
    capture: [name, phone]
    answers:
      - {id: gives, phrases: [my name is], next: order}
  - id: order
    stage: closing
    say: Thank you {name}, we will call {phone}.
    end: true
"""

PHONE_WORDS = "five five five one two three four"


@pytest.fixture(autouse=True)
def only_this_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """`main` builds the parser from this command alone: other commands' modules stay out."""
    monkeypatch.setattr(cli, "command_modules", lambda: ["calls"])


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Path]:
    scenario = tmp_path / "shop.yaml"
    scenario.write_text(SCENARIO)
    path = tmp_path / "calls.db"
    with CallStore(path) as store:
        a = store.start_call(scenario_id="shop", scenario_version="abc123",
                             scenario_path=str(scenario), operator="anna", source="wav:a.wav",
                             engine="pocketsphinx",
                             started_at=datetime(2026, 12, 1, 10, 0, tzinfo=timezone.utc))
        for ev in [
            StepEntered(0.0, "greeting", "contact", "Hello! Can I have your name and phone?"),
            ReminderDue(0.0, "recorded", "Say the call is recorded", "greeting"),
            Partial("my name", 2.0),
            Final(f"my name is john smith and my phone is {PHONE_WORDS}", 4.0,
                  tuple(Word(w, 2.0 + i / 10, 2.1 + i / 10) for i, w in enumerate(
                      f"my name is john smith and my phone is {PHONE_WORDS}".split()))),
            FieldCaptured(4.0, "name", "John Smith", "john smith"),
            FieldCaptured(4.0, "phone", "5551234", PHONE_WORDS),
            FieldCaptured(4.5, "size", "large", "large"),
            FieldCaptured(4.6, "count", "2", "two"),
            Matched(4.0, "greeting", "gives", "order", 88.0, "my name is john smith",
                    "my name is", ("my", "name", "is"), 240.0),
            StepEntered(4.0, "order", "closing", "Thank you John Smith, we will call 5551234."),
            OperatorCommand(5.0, "fill", "phone", "+1 (555) 123-4567"),
            FieldCaptured(5.0, "phone", "+1 (555) 123-4567", confirmed=True, source="operator"),
            OperatorCommand(6.0, "no_answer", value="wrote to john.smith@example.org"),
            OperatorCommand(6.5, "dismiss", "recorded"),
            CallEnded(9.0, "end_step", "order", "order"),
        ]:
            store.append(a, ev)
        store.end_call(a, outcome="order", reason="end_step", duration_s=9.0)
        b = store.start_call(scenario_id="other", scenario_version="v9",
                             scenario_path=str(tmp_path / "gone.yaml"), operator="bob",
                             source="mic", engine="vosk",
                             started_at=datetime(2026, 12, 2, 10, 0, tzinfo=timezone.utc))
        for ev in [StepEntered(0.0, "start", None, "Hi"), Final("call me on 0123456789", 75.0),
                   FieldCaptured(75.0, "size", "large")]:
            store.append(b, ev)
    yield path


def test_list_table(db: Path, capsys: pytest.CaptureFixture[str],
                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    code, out, _ = run(["calls", "list", "--db", str(db)], capsys)
    assert code == 0
    lines = [line for line in out.splitlines() if re.search(r"│\s+\d+\s+│", line)]
    assert len(lines) >= 2
    assert re.search(r"│\s+2\s+│", lines[0]) and "bob" in lines[0] and "1:15" in lines[0]
    assert "interrupted" in out and "anna" in out and "0:09" in out
    assert "greeting › order" in out


def test_list_json_and_filters(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["calls", "list", "--db", str(db), "--json"], capsys)
    data = json.loads(out)
    assert code == 0 and data["db"] == str(db)
    assert [(c["id"], c["outcome"], c["path"], c["duration_s"]) for c in data["calls"]] == [
        (2, "interrupted", ["start"], 75.0), (1, "order", ["greeting", "order"], 9.0)]
    assert data["calls"][1]["scenario"] == {"id": "shop", "version": "abc123",
                                            "path": str(db.parent / "shop.yaml")}
    _, out, _ = run(["calls", "list", "--db", str(db), "--json", "--operator", "anna"], capsys)
    assert [c["id"] for c in json.loads(out)["calls"]] == [1]
    _, out, _ = run(["calls", "list", "--db", str(db), "--json", "--limit", "1"], capsys)
    assert [c["id"] for c in json.loads(out)["calls"]] == [2]
    code, out, _ = run(["calls", "list", "--db", str(db), "--scenario", "nope"], capsys)
    assert code == 0 and "no calls" in out and "scenario nope" in out


def test_show_text(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["calls", "show", "1", "--db", str(db)], capsys)
    assert code == 0
    for expected in ["call 1", "shop", "abc123", "anna", "outcome order", "gives", "88",
                     "240 ms", "my name is john", "John Smith", "confirmed", "heard",
                     "recorded", "dismissed", "no suitable answer",
                     "wrote to john.smith@example.org", "transcript"]:
        assert expected in out, expected


def test_show_json(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["calls", "show", "1", "--db", str(db), "--json"], capsys)
    data = json.loads(out)
    assert code == 0
    assert data["path"] == ["greeting", "order"]
    assert data["steps"][1]["advance"]["answer"] == "gives"
    assert data["steps"][1]["advance"]["latency_ms"] == 240.0
    assert data["fields"]["phone"]["value"] == "+1 (555) 123-4567"
    assert data["fields"]["phone"]["confirmed"] is True
    assert data["fields"]["name"]["confirmed"] is False
    assert data["no_answer"][0]["text"] == "wrote to john.smith@example.org"
    assert data["reminders"][0]["dismissed_at_s"] == 6.5
    assert data["outcome"] == "order" and data["event_count"] == 15


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["calls", "show", "99"], "no call 99 in {db}"),
        (["calls", "export", "1", "99"], "no call 99 in {db}"),
        (["calls", "export", "--format", "xml"], "unknown export format 'xml': use one of jsonl"),
        (["calls", "list", "--limit", "0"], "--limit must be at least 1"),
    ],
    ids=["show", "export", "format", "limit"],
)
def test_user_mistakes(db: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
                       message: str) -> None:
    code, out, err = run([*argv, "--db", str(db)], capsys)
    assert code == 2
    assert message.format(db=db) in err
    assert "Traceback" not in err and out == ""


@pytest.mark.parametrize("action", [["list"], ["show", "1"], ["export"]])
def test_no_database_yet(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                         action: list[str]) -> None:
    missing = tmp_path / "nothing.db"
    code, _, err = run(["calls", *action, "--db", str(missing)], capsys)
    assert code == 2
    assert f"no call records at {missing} yet" in err
    assert not missing.exists()


def test_export_jsonl(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["calls", "export", "--db", str(db)], capsys)
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [c["id"] for c in lines] == [1, 2]
    assert len(lines[0]["events"]) == 15 and lines[0]["events"][0]["type"] == "step_entered"
    assert lines[0]["fields"]["name"] == "John Smith" and lines[0]["redacted"] is False
    assert lines[1]["outcome"] == "interrupted"
    _, out, _ = run(["calls", "export", "2", "--db", str(db)], capsys)
    assert [json.loads(line)["id"] for line in out.splitlines()] == [2]


def test_export_csv_one_row_per_call(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["calls", "export", "--format", "csv", "--db", str(db)], capsys)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 2
    assert rows[0]["id"] == "1" and rows[0]["path"] == "greeting > order"
    assert rows[0]["field:name"] == "John Smith" and rows[0]["field:size"] == "large"
    assert rows[0]["field:phone"] == "+1 (555) 123-4567"
    assert rows[1]["outcome"] == "interrupted" and rows[1]["field:name"] == ""
    assert rows[0]["scenario_version"] == "abc123" and rows[0]["advances"] == "1"


ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)?")


def secrets_left(text: str) -> list[str]:
    """Personal values still in an export. Record times are not personal, and their microseconds
    may hold "555" by chance: they are left out of the search."""
    text = ISO_TIME.sub("<time>", text).lower()
    return [s for s in ("john", "smith", "example.org", "555", "4567", "0123456789",
                        PHONE_WORDS, "five five") if s in text]


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export_redacted(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                         fmt: str) -> None:
    out_file = tmp_path / f"export.{fmt}"
    code, _, err = run(["calls", "export", "--redact", "--format", fmt, "--output",
                        str(out_file), "--db", str(db)], capsys)
    text = out_file.read_text()
    assert code == 0 and "exported 2 call(s)" in err
    assert stat.S_IMODE(out_file.stat().st_mode) == 0o600
    assert secrets_left(text) == []
    assert "[redacted]" in text
    assert "large" in text  # a choice is not personal: kept


def test_redacted_jsonl_details(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(["calls", "export", "--redact", "--db", str(db)], capsys)
    first, second = (json.loads(line) for line in out.splitlines())
    assert first["fields"] == {"name": "[redacted]", "phone": "[redacted]", "size": "large",
                               "count": "2"}
    assert first["transcript"] == ["my name is [redacted] and my phone is [redacted]"]
    words = next(e for e in first["events"] if e["type"] == "final")["words"]
    assert [w["word"] for w in words][:5] == ["my", "name", "is", "[redacted]", "[redacted]"]
    assert len(words) == 16 and words[-1]["start_s"] == pytest.approx(3.5)  # times kept
    assert all(w["word"] in ("X", "[redacted]") for w in words[-7:])
    matched = next(e for e in first["events"] if e["type"] == "matched")
    assert matched["heard"] == "my name is [redacted]" and matched["score"] == 88.0
    # the scenario of call 2 is gone: its field types are unknown, so every field is masked
    assert second["fields"] == {"size": "[redacted]"}
    assert second["transcript"] == ["call me on XXXXXXXXXX"]


def test_every_subcommand_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["calls"], capsys)
    assert code == 2
    for action in ("list", "show", "export"):
        assert re.search(rf"{action}\s+\S", out), action
    for action in ("list", "show", "export"):
        with pytest.raises(SystemExit) as exc:
            cli.main(["calls", action, "--help"])
        assert exc.value.code == 0
        assert "--db" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("call 555-123-4567 now", "call XXX-XXX-XXXX now"),
        ("+7 (912) 345 67 89", "+X (XXX) XXX XX XX"),
        ("room 42 at 18:30", "room 42 at 18:30"),
        ("1234", "1234"),
        ("order 12345", "order XXXXX"),
    ],
)
def test_mask_digits(text: str, expected: str) -> None:
    assert mask_digits(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("it is five five five one two", "it is X X X X X"),
        ("one two three", "one two three"),
        ("the first one and two more", "the first one and two more"),
        ("пять пять пять один два три", "X X X X X X"),
        ("oh seven, 7 7 and more", "X X, X X and more"),
        ("one two. three four five six", "X X. X X X X"),
    ],
)
def test_mask_number_words(text: str, expected: str) -> None:
    assert mask_number_words(text) == expected


@pytest.mark.parametrize(
    ("text", "personal", "expected"),
    [
        ("thanks John, bye", ["John Smith"], "thanks [redacted], bye"),
        ("mail me at a.b@c.org", [], "mail me at [redacted]"),
        ("no", ["no"], "no"),  # too short to hunt for
        ("johnny", ["john"], "johnny"),  # whole words only
    ],
)
def test_mask_text(text: str, personal: list[str], expected: str) -> None:
    assert mask_text(text, personal) == expected


def test_export_writes_nothing_when_an_id_is_missing(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "out.jsonl"
    code, _, _ = run(["calls", "export", "1", "42", "-o", str(target), "--db", str(db)], capsys)
    assert code == 2 and not target.exists()



def test_text_in_brackets_is_shown_not_interpreted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    db = tmp_path / "[x]" / "calls.db"
    with CallStore(db) as store:
        call_id = store.start_call(scenario_id="[bold]s", scenario_version="1", scenario_path="p",
                                   operator="[red]op", source="mic", engine="vosk")
        store.append(call_id, StepEntered(0.0, "[i]step", None, "Hi"))
        store.append(call_id, Final("[pause] as said", 1.0))
    _, out, _ = run(["calls", "list", "--db", str(db)], capsys)
    assert "[bold]s" in out and "[red]op" in out and "[i]step" in out and "[x]" in out
    _, out, _ = run(["calls", "show", str(call_id), "--db", str(db)], capsys)
    assert "[bold]s" in out and "[i]step" in out and "[pause] as said" in out
