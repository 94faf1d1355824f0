"""The call-record schema, version by version: `MIGRATIONS[n]` takes a file from version n to n + 1.

Append only: a released migration is never edited, so every file ever written can be brought up
to date in order. `PRAGMA user_version` holds the version a file is at.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

APPLICATION_ID = 0x56415352  # "VASR": marks the file as voice-assist call records

V1_DDL = f"""
PRAGMA application_id = {APPLICATION_ID};
CREATE TABLE calls (
    id INTEGER PRIMARY KEY,
    scenario_id TEXT NOT NULL,
    scenario_version TEXT NOT NULL DEFAULT '',
    scenario_path TEXT NOT NULL DEFAULT '',
    operator TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    engine TEXT NOT NULL DEFAULT '',
    started_at TEXT NOT NULL,
    ended_at TEXT,
    duration_s REAL,
    outcome TEXT,
    reason TEXT
);
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    type TEXT NOT NULL,
    at_s REAL NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX events_by_call ON events(call_id);
"""
"""Schema version 1, the first release: calls and their events."""

V2_DDL = """
ALTER TABLE calls ADD COLUMN last_at_s REAL NOT NULL DEFAULT 0;
UPDATE calls SET last_at_s = COALESCE((SELECT MAX(at_s) FROM events WHERE call_id = calls.id), 0);
CREATE INDEX events_by_call_type ON events(call_id, type);
CREATE INDEX calls_by_scenario ON calls(scenario_id);
CREATE INDEX calls_by_operator ON calls(operator);
"""
"""Version 2: `last_at_s` (how far an unfinished call got, without scanning its events) and
indexes for the listing filters and the path summary."""

Migration = Callable[[sqlite3.Connection], None]


def _script(sql: str) -> Migration:
    def run(conn: sqlite3.Connection) -> None:
        for statement in sql.split(";"):
            if statement.strip():
                conn.execute(statement)

    return run


MIGRATIONS: tuple[Migration, ...] = (_script(V1_DDL), _script(V2_DDL))
"""`MIGRATIONS[n]` takes a database from version n to n + 1. Append only; never edit one."""

SCHEMA_VERSION = len(MIGRATIONS)
