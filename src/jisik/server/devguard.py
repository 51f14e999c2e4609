"""Development mode answers only this machine, and changes come only from its own pages.

``jisik serve --dev`` lets keyless requests act as an admin. Binding to loopback keeps other
machines out, but not web pages in the local browser: a page on evil.example can re-point its
own name at 127.0.0.1 (DNS rebinding) and then read the API as "evil.example", and any page can
post a form to http://127.0.0.1:8000. So in dev mode:

- every request must carry a loopback ``Host`` (127.0.0.1, localhost, [::1] or the bound
  address, any port); others are answered 421;
- a state-changing request (POST, PUT, PATCH, DELETE) must not come from another origin:
  ``Sec-Fetch-Site`` must be absent, ``same-origin`` or ``none``, and ``Origin`` (or, when a
  browser left it out, ``Referer``) absent or this very origin; others are answered 403.

Outside dev mode every request but the health checks needs a bearer key, which browsers never
attach on their own, so neither attack gets anything; a reverse proxy in front of a loopback
server passes its public Host, so the Host check would break real deployments there.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from jisik.server.problems import problem_response

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]"})
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SAME_ORIGIN_FETCHES = frozenset({"same-origin", "none"})  # "none": typed in, or a bookmark
_USE_KEYS = "drop --dev and use API keys (`jisik users add NAME --role admin`)"
_DEFAULT_PORTS = {"http": "80", "https": "443"}
# host[:port]: a bracketed IPv6 address or a name without delimiters, then decimal digits.
_AUTHORITY = re.compile(r"(\[[0-9a-f:.]+\]|[^\[\]:/@?#\s]+)(?::([0-9]{1,5}))?")


def loopback_names(bind_host: str) -> frozenset[str]:
    """The Host names a dev server answers to: loopback, and the address it is bound to."""
    bound = f"[{bind_host}]" if ":" in bind_host else bind_host
    return LOOPBACK_NAMES | {bound.lower()}


def authority(value: str, scheme: str = "http") -> str | None:
    """``host[:port]`` lower-cased, the scheme's default port dropped; None if it is not one."""
    match = _AUTHORITY.fullmatch(value.lower())
    if match is None:
        return None
    name, port = match.groups()
    return name if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{name}:{port}"


def host_allowed(host: str, names: frozenset[str]) -> bool:
    match = _AUTHORITY.fullmatch(host.lower())
    return match is not None and match.group(1) in names


def same_origin(url: str, host: str, scheme: str) -> bool:
    """Whether ``url`` (an Origin, or a Referer with its path) is this request's origin."""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return False
    if parts.scheme.lower() != scheme or "@" in parts.netloc:
        return False
    ours = authority(host, scheme)
    return ours is not None and authority(parts.netloc, scheme) == ours


def refusal(scope: Scope, names: frozenset[str]) -> tuple[int, str] | None:
    """Why a dev-mode request is refused (status, detail), or None to serve it."""
    headers = Headers(scope=scope)
    hosts = headers.getlist("host")
    if len(hosts) != 1 or not host_allowed(hosts[0], names):
        port = (scope.get("server") or ("", 8000))[1]
        # The Host is not echoed: it is whatever the caller chose to send.
        return 421, (
            "development mode (--dev) serves only requests addressed to this machine "
            "(Host 127.0.0.1, localhost or [::1]), not the name this one was sent to: open "
            f"http://127.0.0.1:{port}/ on this machine, or {_USE_KEYS}"
        )
    if scope["method"] not in STATE_CHANGING:
        return None
    scheme = scope.get("scheme", "http")
    site = headers.get("sec-fetch-site")
    origin = headers.get("origin")
    referer = headers.get("referer") if origin is None else None
    if site is not None and site.lower() not in SAME_ORIGIN_FETCHES:
        source = "its Sec-Fetch-Site"
    elif origin is not None and not same_origin(origin, hosts[0], scheme):
        source = "its Origin"
    elif referer is not None and not same_origin(referer, hosts[0], scheme):
        source = "its Referer"
    else:
        return None
    return 403, (
        f"development mode (--dev) refuses changes sent by another web page ({source} is "
        "not this server's origin): send them from a page of this server or from a client "
        f"that is not a browser, or {_USE_KEYS}"
    )


class DevGuard:
    """ASGI middleware applying ``refusal`` to every HTTP request (dev mode only)."""

    def __init__(self, app: ASGIApp, *, names: frozenset[str]) -> None:
        self.app = app
        self.names = names

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (refused := refusal(scope, self.names)):
            status, detail = refused
            response = problem_response(Request(scope), status, detail, {"Connection": "close"})
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
