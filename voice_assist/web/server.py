"""Runs the workspace's web server (uvicorn) on its own thread, next to the call's pipeline.

The socket is bound here, before the thread starts, so a busy port is a clear error at once
and `--port 0` gets a free port whose real number goes into the printed address.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from urllib.parse import quote

import uvicorn

from ..errors import VoiceAssistError
from .app import create_app
from .presenter import WebPresenter
from .security import Guard

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


class WebServer:
    """The workspace for one call, served at `url` until `stop()`."""

    def __init__(
        self,
        presenter: WebPresenter,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        token: str | None = None,
    ) -> None:
        self.presenter = presenter
        self.guard = Guard.for_host(host, token)
        self.host = host
        self._sock = _bind(host, port)
        self.port = int(self._sock.getsockname()[1])
        config = uvicorn.Config(
            create_app(presenter, self.guard),
            log_level="warning",
            access_log=False,
            lifespan="on",
            ws=_websocket_impl(),
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, name="web", daemon=True)
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        """The address to open (with the token when one is needed)."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        host = f"[{host}]" if ":" in host else host
        base = f"http://{host}:{self.port}/"
        return base + (f"?token={quote(self.guard.token)}" if self.guard.token else "")

    def start(self, timeout_s: float = 10.0) -> None:
        """Start serving; returns once the server accepts connections."""
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._server.started:
            if self._error is not None or not self._thread.is_alive():
                where = f"{self.host}:{self.port}"
                raise VoiceAssistError(f"web server on {where} failed: {self._error}")
            if time.monotonic() > deadline:
                raise VoiceAssistError(f"web server on {self.host}:{self.port} did not start")
            time.sleep(0.02)

    def _run(self) -> None:
        try:
            asyncio.run(self._server.serve(sockets=[self._sock]))
        except BaseException as exc:  # reported by start(); the thread must not die silently
            self._error = exc

    def flush(self, timeout_s: float = 2.0) -> None:
        """Let the pages receive the last events before the server goes away."""
        loop = getattr(self.presenter, "_loop", None)
        if loop is None or not self._thread.is_alive():
            return
        # the events the pipeline handed over may still sit in the loop's callback queue
        done = asyncio.run_coroutine_threadsafe(self.presenter.drain(timeout_s), loop)
        with contextlib.suppress(Exception):
            done.result(timeout_s + 1)

    def stop(self) -> None:
        """Close every page's socket and stop serving."""
        self._server.should_exit = True
        self._thread.join(timeout=5)
        self._sock.close()


def _websocket_impl() -> str:
    """uvicorn's sans-I/O websockets protocol where it has one (no deprecation noise), else auto."""
    try:
        import uvicorn.protocols.websockets.websockets_sansio_impl  # noqa: F401
    except ImportError:
        return "auto"
    return "websockets-sansio"


def _bind(host: str, port: int) -> socket.socket:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise VoiceAssistError(f"--host {host}: not an address of this machine ({exc})") from None
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(64)
    except OSError as exc:
        sock.close()
        raise VoiceAssistError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.set_inheritable(True)
    return sock
