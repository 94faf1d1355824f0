"""Quality control: replay recorded calls, check script adherence, write reports, batch stats."""

from __future__ import annotations

from .replay import Replay, replay
from .report import QcReport, build

__all__ = ["QcReport", "Replay", "build", "replay"]
