"""Who may talk to the workspace: loopback by default, a token for any other host, Origin checks.

Pure helpers over header values, so the rules are testable without a server.
"""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

TOKEN_COOKIE = "va_token"
TOKEN_HEADER = "x-voice-assist-token"
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def is_loopback(host: str) -> bool:
    """True for names and addresses that only this machine can reach."""
    name = host.strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def new_token() -> str:
    """A fresh random token for a non-loopback bind (printed once, at start)."""
    return secrets.token_urlsafe(18)


def host_name(host_header: str) -> str:
    """`127.0.0.1:8765` -> `127.0.0.1`; `[::1]:80` -> `::1`."""
    value = host_header.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


@dataclass(frozen=True)
class Guard:
    """The access rules of one server: the bind host and, unless loopback, the token."""

    bind_host: str
    token: str | None

    @classmethod
    def for_host(cls, host: str, token: str | None = None) -> Guard:
        """Loopback binds need no token (unless one is given); others always get one."""
        if token is None and not is_loopback(host):
            token = new_token()
        return cls(host, token)

    def token_ok(self, *candidates: str | None) -> bool:
        """True when no token is needed or one of the candidates is the token."""
        if self.token is None:
            return True
        return any(
            c is not None and secrets.compare_digest(c.encode(), self.token.encode())
            for c in candidates
        )

    def host_ok(self, host_header: str | None) -> bool:
        """On a loopback bind, the Host header must be loopback too (no DNS rebinding)."""
        if self.token is not None:
            return True  # the token protects it; the host can be any name of this machine
        return bool(host_header) and is_loopback(host_name(host_header or ""))

    def origin_ok(self, origin: str | None, host_header: str | None) -> bool:
        """A websocket's Origin must be this very server (same host and port as Host)."""
        if not origin or not host_header:
            return False
        parts = urlsplit(origin)
        return parts.scheme in ("http", "https") and parts.netloc.lower() == host_header.lower()
