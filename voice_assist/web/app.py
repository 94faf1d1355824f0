"""The workspace's HTTP and websocket surface (FastAPI): one page, its assets, one socket.

Assets are read from the package once, at start, into a fixed table: a request names an entry
of that table, never a file, so no path from a client is ever opened.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.middleware.base import RequestResponseEndpoint

from .presenter import Client, WebPresenter
from .security import TOKEN_COOKIE, TOKEN_HEADER, Guard

ASSETS = {
    "app.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def load_assets() -> dict[str, bytes]:
    """The page and its assets, from the installed package (works offline, no build step)."""
    folder = resources.files("voice_assist.web") / "static"
    names = ["index.html", *ASSETS]
    return {name: (folder / name).read_bytes() for name in names}


def create_app(presenter: WebPresenter, guard: Guard) -> FastAPI:
    """The app for one call; `guard` holds the bind host and token rules."""
    assets = load_assets()

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        presenter.bind_loop(asyncio.get_running_loop())
        clock = asyncio.create_task(presenter.clock())
        try:
            yield
        finally:
            clock.cancel()
            presenter.unbind_loop()

    app = FastAPI(lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)

    @app.middleware("http")
    async def check_access(request: Request, call_next: RequestResponseEndpoint) -> Response:
        query_token = request.query_params.get("token")
        response: Response
        if not guard.host_ok(request.headers.get("host")):
            response = PlainTextResponse("forbidden: unknown Host header", status_code=403)
        elif not guard.token_ok(
            query_token, request.cookies.get(TOKEN_COOKIE), request.headers.get(TOKEN_HEADER)
        ):
            response = PlainTextResponse(
                "forbidden: this workspace needs the token printed at start (?token=...)",
                status_code=403,
            )
        else:
            response = await call_next(request)
            if guard.token is not None and query_token:
                response.set_cookie(TOKEN_COOKIE, guard.token, httponly=True, samesite="strict")
        response.headers.update(SECURITY_HEADERS)
        return response

    @app.get("/")
    async def index() -> Response:
        return Response(assets["index.html"], media_type="text/html; charset=utf-8")

    @app.get("/static/{name}")
    async def static(name: str) -> Response:
        if name not in ASSETS:
            return PlainTextResponse("not found", status_code=404)
        return Response(assets[name], media_type=ASSETS[name])

    @app.get("/api/state")
    async def state() -> JSONResponse:
        """The snapshot a page gets on connect (for scripts and quick checks)."""
        return JSONResponse(presenter.snapshot())

    @app.websocket("/ws")
    async def socket(ws: WebSocket) -> None:
        host = ws.headers.get("host")
        allowed = (
            guard.host_ok(host)
            and guard.origin_ok(ws.headers.get("origin"), host)
            and guard.token_ok(ws.query_params.get("token"), ws.cookies.get(TOKEN_COOKIE))
        )
        if not allowed:
            await ws.close(code=1008)  # before accept: the handshake is refused with 403
            return
        await ws.accept()
        client, hello = presenter.register()
        sender = asyncio.create_task(_send(ws, client, hello))
        try:
            await _receive(ws, presenter, client)
        finally:
            presenter.unregister(client)
            sender.cancel()

    return app


async def _send(ws: WebSocket, client: Client, hello: str) -> None:
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        await ws.send_text(hello)
        while not client.overflowed:
            await ws.send_text(await client.queue.get())
        await ws.close(code=1013)


async def _receive(ws: WebSocket, presenter: WebPresenter, client: Client) -> None:
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            text = await ws.receive_text()
            try:
                data: Any = json.loads(text)
            except ValueError:
                data = None
            error = presenter.command(data)
            if error is not None:
                client.push(json.dumps({"kind": "error", "text": error}))
