"""The operator's web workspace: a local page driven by the call's events (issue 7).

`WebPresenter` is a pipeline sink; `WebServer` serves the page and its websocket on a thread.
FastAPI and uvicorn are the `web` extra, so importing this package needs them installed.
"""

from __future__ import annotations

from .presenter import WebPresenter
from .server import DEFAULT_HOST, DEFAULT_PORT, WebServer

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "WebPresenter", "WebServer"]
