"""Call records in one SQLite file: a row per call, a row per event, each committed as it happens.

WAL mode with full sync, so a crash or power cut loses at most the event in flight; the file is
created 0600 because fields hold personal data. `PRAGMA user_version` is the schema version and
`MIGRATIONS` brings any older file up to date, in order, from the first release on.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import Any

from .errors import StoreError
from .events import EVENT_TYPES, from_json, to_json
from .records import (
    IN_PROGRESS,
    INTERRUPTED,
    CallHeader,
    CallRecord,
    CallSummary,
    derive,
    vars_of,
)
from .store_schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION


def default_path() -> Path:
    """`$VOICE_ASSIST_DB`, else `$XDG_DATA_HOME/voice-assist/calls.db`, else ~/.local/share/..."""
    env = os.environ.get("VOICE_ASSIST_DB")
    if env:
        return Path(env).expanduser()
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data).expanduser() / "voice-assist" / "calls.db"


def _utc(at: datetime) -> datetime:
    """Aware UTC; a naive time is taken as local time."""
    return at.astimezone(timezone.utc)


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _private(path: Path) -> None:
    """Owner-only permissions on the database and its -wal/-shm companions."""
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if p.exists() and (p.stat().st_mode & 0o077):
                os.chmod(p, 0o600)
        except OSError:
            pass  # not ours to change (read-only copy): reading it is still fine


class CallStore:
    """The call-record database. One writer thread (the pipeline's sink) and any readers."""

    def __init__(self, path: str | Path | None = None, *, create: bool = True) -> None:
        self.path = Path(path).expanduser() if path is not None else default_path()
        if not self.path.exists():
            if not create:
                raise StoreError(f"no call records at {self.path} yet")
            self._create_file()
        elif self.path.is_dir():
            raise StoreError(f"{self.path} is a directory, not a call-record database")
        _private(self.path)
        self._lock = threading.RLock()
        self._open: set[int] = set()
        self._private_checked = False
        try:
            self._conn = sqlite3.connect(
                self.path, check_same_thread=False, isolation_level=None, timeout=10.0
            )
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open call records {self.path}: {exc}") from exc
        self._conn.row_factory = sqlite3.Row
        try:
            self._setup()
        except sqlite3.OperationalError as exc:  # locked, read-only, disk full...
            self._conn.close()
            raise StoreError(f"cannot use call records {self.path}: {exc}") from exc
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise StoreError(f"{self.path} is not a call-record database ({exc})") from exc
        except StoreError:
            self._conn.close()
            raise

    def _create_file(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600)
        except OSError as exc:
            raise StoreError(f"cannot create call records at {self.path}: {exc}") from exc
        os.close(fd)

    def _setup(self) -> None:
        conn = self._conn
        conn.execute("PRAGMA foreign_keys = ON")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StoreError(f"{self.path}: cannot switch to WAL mode (got {mode})")
        conn.execute("PRAGMA synchronous = FULL")
        self._migrate()
        _private(self.path)

    def _migrate(self) -> None:
        conn = self._conn
        while True:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            self._check_version(version)
            if version == SCHEMA_VERSION:
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                version = int(conn.execute("PRAGMA user_version").fetchone()[0])
                self._check_version(version)
                if version < SCHEMA_VERSION:  # another process may have migrated meanwhile
                    MIGRATIONS[version](conn)
                    conn.execute(f"PRAGMA user_version = {version + 1}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def _check_version(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} has call-record schema version {version}; this voice-assist "
                f"knows versions up to {SCHEMA_VERSION}: upgrade voice-assist to read it"
            )
        if version == 0:
            sql = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'"
            foreign = bool(self._conn.execute(sql).fetchone()[0])
        else:
            app = int(self._conn.execute("PRAGMA application_id").fetchone()[0])
            foreign = app != APPLICATION_ID
        if foreign:
            raise StoreError(f"{self.path} is an SQLite file of another program, not call records")

    # -- writing (the pipeline's sink thread) ---------------------------------------------------

    def start_call(
        self,
        *,
        scenario_id: str,
        scenario_version: str,
        scenario_path: str,
        operator: str,
        source: str,
        engine: str,
        started_at: datetime | None = None,
    ) -> int:
        """Open a call record and return its id."""
        started = _utc(started_at or datetime.now(timezone.utc))
        with self._lock:
            cur = self._conn.execute(
                "INSERT INTO calls (scenario_id, scenario_version, scenario_path, operator,"
                " source, engine, started_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (scenario_id, scenario_version, scenario_path, operator, source, engine,
                 started.isoformat()),
            )
            call_id = int(cur.lastrowid or 0)
            self._open.add(call_id)
            return call_id

    def append(self, call_id: int, event: Any) -> None:
        """Store one event of a call, committed before returning."""
        data = to_json(event)
        text = json.dumps(data, ensure_ascii=False, default=str)
        at_s = float(data.get("at_s", 0.0))
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                cur = conn.execute(
                    "UPDATE calls SET last_at_s = MAX(last_at_s, ?) WHERE id = ?", (at_s, call_id)
                )
                if cur.rowcount == 0:
                    raise self._no_call(call_id)
                conn.execute(
                    "INSERT INTO events (call_id, type, at_s, data) VALUES (?, ?, ?, ?)",
                    (call_id, data["type"], at_s, text),
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            if not self._private_checked:  # the -wal file appears with the first write
                _private(self.path)
                self._private_checked = True

    def end_call(
        self,
        call_id: int,
        *,
        outcome: str,
        reason: str,
        duration_s: float,
        ended_at: datetime | None = None,
    ) -> None:
        """Close a call record: how it ended and how long it ran (audio seconds)."""
        ended = _utc(ended_at or datetime.now(timezone.utc))
        with self._lock:
            cur = self._conn.execute(
                "UPDATE calls SET ended_at = ?, outcome = ?, reason = ?, duration_s = ?"
                " WHERE id = ?",
                (ended.isoformat(), outcome, reason, duration_s, call_id),
            )
            if cur.rowcount == 0:
                raise self._no_call(call_id)
            self._open.discard(call_id)

    # -- reading --------------------------------------------------------------------------------

    def list_calls(
        self, limit: int | None = 50, scenario: str | None = None, operator: str | None = None
    ) -> list[CallSummary]:
        """The latest calls first (all of them with `limit=None`), optionally filtered."""
        where, params = [], []
        if scenario is not None:
            where.append("scenario_id = ?")
            params.append(scenario)
        if operator is not None:
            where.append("operator = ?")
            params.append(operator)
        sql = "SELECT * FROM calls"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with self._lock:
            rows = self._rows(sql, params)
            paths = self._paths([int(r["id"]) for r in rows])
        return [
            CallSummary(**vars_of(self._header(r)), path=paths.get(int(r["id"]), ()))
            for r in rows
        ]

    def call_ids(self) -> list[int]:
        """Every call id, oldest first."""
        with self._lock:
            return [int(r[0]) for r in self._conn.execute("SELECT id FROM calls ORDER BY id")]

    def header(self, call_id: int) -> CallHeader:
        with self._lock:
            rows = self._rows("SELECT * FROM calls WHERE id = ?", [call_id])
        if not rows:
            raise self._no_call(call_id)
        return self._header(rows[0])

    def get_call(self, call_id: int) -> CallRecord:
        """The call's header and everything derived from its events."""
        with self._lock:
            header = self.header(call_id)
            return derive(header, self.events(call_id))

    def raw_events(self, call_id: int) -> list[dict[str, Any]]:
        """The call's events as stored (JSON objects), in order; unknown types included."""
        with self._lock:
            self.header(call_id)
            cur = self._conn.execute(
                "SELECT data FROM events WHERE call_id = ? ORDER BY id", (call_id,)
            )
            return [json.loads(row[0]) for row in cur]

    def events(self, call_id: int) -> list[Any]:
        """The call's events as event objects, in order (types this version lacks are skipped)."""
        return [from_json(d) for d in self.raw_events(call_id) if d.get("type") in EVENT_TYPES]

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> CallStore:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- helpers --------------------------------------------------------------------------------

    def _rows(self, sql: str, params: Sequence[Any]) -> list[sqlite3.Row]:
        return list(self._conn.execute(sql, params).fetchall())

    def _paths(self, call_ids: list[int]) -> dict[int, tuple[str, ...]]:
        if not call_ids:
            return {}
        marks = ",".join("?" * len(call_ids))
        cur = self._conn.execute(
            "SELECT call_id, json_extract(data, '$.step') FROM events"
            f" WHERE type = 'step_entered' AND call_id IN ({marks}) ORDER BY id",
            call_ids,
        )
        out: dict[int, list[str]] = {}
        for call_id, step in cur:
            out.setdefault(int(call_id), []).append(str(step))
        return {k: tuple(v) for k, v in out.items()}

    def _header(self, r: sqlite3.Row) -> CallHeader:
        ended = r["ended_at"] is not None
        call_id = int(r["id"])
        if ended:
            outcome = r["outcome"] or ""
        else:
            outcome = IN_PROGRESS if call_id in self._open else INTERRUPTED
        started = _time(r["started_at"])
        assert started is not None
        return CallHeader(
            id=call_id,
            scenario_id=r["scenario_id"],
            scenario_version=r["scenario_version"],
            scenario_path=r["scenario_path"],
            operator=r["operator"],
            source=r["source"],
            engine=r["engine"],
            started_at=started,
            ended_at=_time(r["ended_at"]),
            duration_s=float(r["duration_s"] if r["duration_s"] is not None else r["last_at_s"]),
            outcome=outcome,
            reason=r["reason"] or "",
        )

    def _no_call(self, call_id: int) -> StoreError:
        return StoreError(f"no call {call_id} in {self.path}")
