"""`voice-assist replay` on real stereo fixture calls with the real PocketSphinx engine.

The three calls of audio_fixtures/qc/ (made by make_qc.py, known deviations in qc_calls.json)
are replayed once per test session through the command line, as a batch with two workers, and
the tests read what it wrote: the JSON of every call, the statistics, the CSV and HTML pages.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import subprocess
import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from voice_assist.cli import main

ROOT = Path(__file__).resolve().parent.parent
QC = ROOT / "audio_fixtures" / "qc"
SCENARIO = QC / "support.yaml"
MANIFEST = json.loads((QC / "qc_calls.json").read_text())

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("qc")
    code = main(
        [
            "replay",
            str(QC),
            "--scenario",
            str(SCENARIO),
            "--engine",
            "pocketsphinx",
            "--workers",
            "2",
            "--json",
            str(out / "batch.json"),
            "--html",
            str(out / "html"),
            "--csv",
            str(out / "summary.csv"),
            "--db",
            str(out / "calls.db"),
            "--quiet",
        ]
    )
    assert code == 0
    data = json.loads((out / "batch.json").read_text())
    calls = {Path(c["recording"]).stem: c for c in data["calls"]}
    return {"out": out, "data": data, "calls": calls}


def kinds(call: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted((f["kind"], f["subject"]) for f in call["findings"])


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_path_and_exactly_the_known_deviations(batch: dict[str, Any], name: str) -> None:
    call = batch["calls"][name]
    expected = MANIFEST[name]
    assert call["path"] == expected["path"]
    found = kinds(call)
    known = sorted((d["kind"], d.get("step") or d.get("reminder")) for d in expected["deviations"])
    assert found == known, json.dumps(call["steps"], indent=1)


def test_skipped_verbatim_line_and_missed_reminder(batch: dict[str, Any]) -> None:
    call = batch["calls"]["qc_deviation"]
    consent = next(s for s in call["steps"] if s["step"] == "consent")
    assert consent["verbatim"] and consent["mode"] == "strict"
    assert consent["status"] == "not_said" and consent["score"] == 0
    not_said = consent["missing"] + [e for e, _ in consent["substituted"]]
    assert {"agree", "ticket", "yes"} <= set(not_said)
    reminders = {r["reminder"]: r["said"] for r in call["reminders"]}
    assert reminders == {"recording": True, "offer_sms": False}
    ints = call["timings"]["interruptions"]
    assert len(ints) == MANIFEST["qc_deviation"]["interruptions"] and ints[0]["by"] == "customer"


def test_perfect_reading_scores_at_the_top(batch: dict[str, Any]) -> None:
    perfect, deviation = batch["calls"]["qc_perfect"], batch["calls"]["qc_deviation"]
    assert perfect["findings"] == []
    assert all(s["status"] == "ok" for s in perfect["steps"])
    assert perfect["score_parts"]["reminders"] == 100 and perfect["score_parts"]["fields"] == 100
    # PocketSphinx mishears a few words of a perfect reading (northwind, router): 80+ is the top
    assert perfect["score"] >= 80
    assert perfect["score"] >= deviation["score"] + 15
    assert {s["step"]: s["status"] for s in deviation["steps"]}["greeting"] == "ok"


def test_transfer_and_no_match(batch: dict[str, Any]) -> None:
    call = batch["calls"]["qc_billing"]
    assert [(t["transfer"], t["done"], t["how"]) for t in call["transfers"]] == [
        ("to_manager", True, "said")
    ]
    assert call["ended"]["outcome"] == "incomplete" and call["ended"]["step"] == "billing_info"
    assert {f["field"]: (f["asked"], f["empty"]) for f in call["fields"]} == {
        "resolved": (False, True)
    }


def test_timings(batch: dict[str, Any]) -> None:
    for name, call in batch["calls"].items():
        t = call["timings"]
        turns = MANIFEST[name]["turns"]
        op_s = sum(x["end_s"] - x["start_s"] for x in turns if x["side"] == "op")
        assert t["talk_s"]["operator"] == pytest.approx(op_s, rel=0.2)
        assert 0.5 < t["longest_customer_silence_s"] < 3.0
        assert next(iter(t["stage_at_s"])) == "contact"
    perfect = batch["calls"]["qc_perfect"]["timings"]
    assert perfect["interruptions"] == []
    assert list(perfect["stage_at_s"]) == ["contact", "needs", "closing"]


def test_batch_statistics(batch: dict[str, Any]) -> None:
    stats = batch["data"]["stats"]
    assert stats["calls"] == 3 and stats["goal"] == "goodbye"
    answers = {(a["step"], a["answer"]): (a["calls"], a["conversion"]) for a in stats["answers"]}
    assert answers[("greeting", "slow_internet")] == (2, 1.0)
    assert answers[("greeting", "billing")] == (1, 0.0)
    assert {(e["step"], e["calls"]) for e in stats["ended"]} == {
        ("goodbye", 2),
        ("billing_info", 1),
    }
    assert stats["lowest_steps"][0]["step"] == "consent"
    assert stats["lowest_steps"][0]["not_said"] == 1
    # the off-script remark (espeak voice) and the request for a manager, both at billing_info
    assert [n["step"] for n in stats["no_match"]] == ["billing_info", "billing_info"]
    assert stats["findings"] == {"reminder_missed": 1, "step_not_said": 1}


def test_batch_files(batch: dict[str, Any]) -> None:
    out = batch["out"]
    rows = list(csv.DictReader((out / "summary.csv").open()))
    assert [Path(r["recording"]).stem for r in rows] == sorted(MANIFEST)
    dev = next(r for r in rows if "deviation" in r["recording"])
    assert dev["findings"] == "reminder_missed:offer_sms step_not_said:consent"
    index = (out / "html" / "index.html").read_text()
    for name in MANIFEST:
        page = out / "html" / "calls" / f"{name}.html"
        assert f'href="calls/{name}.html"' in index
        html = page.read_text()
        assert html.count("<svg") == 2 and "http://" not in html.replace(
            'xmlns="http://www.w3.org/2000/svg"', ""
        )
        assert "<script" not in html and "<link" not in html
    assert "slow_internet" in index and "speak to a manager" in index
    with sqlite3.connect(out / "calls.db") as db:
        rows_db = db.execute("SELECT source, outcome FROM calls ORDER BY id").fetchall()
    assert sorted(o for _, o in rows_db) == ["goodbye", "goodbye", "incomplete"]
    assert all(s.startswith("replay ") for s, _ in rows_db)


def test_json_keys_are_stable(batch: dict[str, Any]) -> None:
    call = batch["calls"]["qc_perfect"]
    assert list(call) == [
        "format",
        "recording",
        "scenario",
        "engine",
        "stereo",
        "sides",
        "notes",
        "score",
        "score_parts",
        "findings",
        "path",
        "ended",
        "advances",
        "steps",
        "reminders",
        "fields",
        "transfers",
        "no_match",
        "timings",
        "transcript",
    ]
    assert call["format"] == "voice-assist-qc/1"
    assert set(call["steps"][0]) >= {
        "step",
        "verbatim",
        "mode",
        "status",
        "score",
        "missing",
        "extra",
        "substituted",
        "diff",
    }
    sides = {line["side"] for line in call["transcript"]}
    assert sides == {"operator", "customer"}


def test_mono_recording_is_customer_side_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with wave.open(str(QC / "qc_deviation.wav"), "rb") as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), "<i2").reshape(-1, 2)[:, 1].copy()
    mono = tmp_path / "mono.wav"
    with wave.open(str(mono), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(pcm.tobytes())
    out = tmp_path / "mono.json"
    assert (
        main(
            [
                "replay",
                str(mono),
                "--scenario",
                str(SCENARIO),
                "--engine",
                "pocketsphinx",
                "--json",
                str(out),
                "--html",
                str(tmp_path / "mono.html"),
            ]
        )
        == 0
    )
    report = json.loads(out.read_text())
    assert report["stereo"] is False and report["sides"] == ["customer"]
    assert report["score"] is None and report["findings"] == []
    assert "mono" in report["notes"][0]
    assert report["path"] == MANIFEST["qc_deviation"]["path"]
    assert {s["status"] for s in report["steps"]} == {"not_checked"}
    assert report["timings"]["talk_s"]["operator"] is None
    assert "customer side only" in (tmp_path / "mono.html").read_text()
    assert "n/a (mono" in capsys.readouterr().out


def _bad(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    code = main(["replay", *args, "--scenario", str(SCENARIO), "--engine", "pocketsphinx"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    return err


def test_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "no such recording" in _bad([str(tmp_path / "nope.wav")], capsys)
    fake = tmp_path / "fake.wav"
    fake.write_text("this is not audio")
    assert "fake.wav" in _bad([str(fake)], capsys)
    call = str(QC / "qc_perfect.wav")
    assert "customer channel 3" in _bad([call, "--customer-channel", "3"], capsys)
    assert "cannot both be channel 0" in _bad([call, "--customer-channel", "0"], capsys)
    assert "--workers" in _bad([call, "--workers", "0"], capsys)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "no .wav recordings" in _bad([str(empty)], capsys)
    bad_scenario = tmp_path / "bad.yaml"
    bad_scenario.write_text("id: x\n")
    code = main(["replay", call, "--scenario", str(bad_scenario)])
    assert code == 2 and "bad.yaml" in capsys.readouterr().err


def test_bad_file_in_a_batch_does_not_stop_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = tmp_path / "broken.wav"
    fake.write_bytes(b"RIFF\x00\x00")
    listing = tmp_path / "calls.txt"
    listing.write_text(f"{fake}\n")
    out = tmp_path / "b.json"
    assert (
        main(
            [
                "replay",
                str(listing),
                "--scenario",
                str(SCENARIO),
                "--json",
                str(out),
                "--quiet",
                "--min-score",
                "50",
            ]
        )
        == 1
    )
    data = json.loads(out.read_text())
    assert data["calls"] == [] and "broken.wav" in data["errors"][0]["error"]
    assert "below 50" in capsys.readouterr().err


def test_cli_help_runs() -> None:
    done = subprocess.run(
        [str(ROOT / ".venv/bin/voice-assist"), "replay", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--operator-channel" in done.stdout and "--workers" in done.stdout
