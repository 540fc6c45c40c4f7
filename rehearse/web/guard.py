"""The app's door: every request must name this machine and carry this run's secret.

- ``Host`` must be the bound address or a loopback name, else 400 (DNS rebinding).
- ``Origin``, when sent (every cross-origin request, every POST, WebSocket), must be the app's own,
  else 403.
- The secret comes as ``?token=`` once (it is then set as an HttpOnly, SameSite=Strict cookie and
  the URL is cleaned by a redirect), then from the cookie; without it: 403.
- A POST must also carry the secret itself, as the ``X-Rehearse-Token`` header or a ``token``
  form field: a cookie alone never changes state.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

COOKIE = "rehearse_token"
HEADER = "x-rehearse-token"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
MAX_FORM_BYTES = 20 * 1024 * 1024  # an uploaded notes file or deck
# a second line of defence behind escaping: only the app's own script and styles ever run (no inline
# script, no script from elsewhere, no string evaluated as code)
POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          "media-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
HEADERS = [(b"content-security-policy", POLICY.encode()), (b"x-content-type-options", b"nosniff"),
           (b"referrer-policy", b"same-origin"), (b"x-frame-options", b"DENY")]


def split_host(value: str) -> tuple[str, int | None]:
    """``"[::1]:8000"`` → ``("::1", 8000)``; ``"localhost"`` → ``("localhost", None)``."""
    value = value.strip().lower()
    if value.startswith("["):
        name, _, rest = value[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    elif value.count(":") == 1:
        name, _, port = value.partition(":")
    else:
        name, port = value, ""
    if port and not port.isdigit():
        return name, -1
    return name.rstrip("."), int(port) if port else None


class Guard:
    """ASGI middleware enforcing the rules above for the app it wraps."""

    def __init__(self, app: ASGIApp, token: str, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.app = app
        self.token = token
        self.port = port
        self.hosts = LOOPBACK | {split_host(host)[0]}

    def host_ok(self, value: str | None) -> bool:
        if not value:
            return False
        name, port = split_host(value)
        if name not in self.hosts or port == -1:
            return False
        return self.port is None or port is None or port == self.port

    def origin_ok(self, origin: str | None) -> bool:
        if origin is None:
            return True
        scheme, sep, rest = origin.partition("://")
        return sep == "://" and scheme in ("http", "https") and "/" not in rest and self.host_ok(rest)

    def secret_ok(self, value: str | None) -> bool:
        return value is not None and hmac.compare_digest(value.encode(), self.token.encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if not self.host_ok(headers.get("host")):
            await self._deny(scope, receive, send, 400, "Bad Host header.")
            return
        if not self.origin_ok(headers.get("origin")):
            await self._deny(scope, receive, send, 403, "Requests from other sites are refused.")
            return
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        from_query = self.secret_ok(query.get("token"))
        from_cookie = self.secret_ok(Request(scope).cookies.get(COOKIE))
        if not (from_query or from_cookie):
            await self._deny(scope, receive, send, 403,
                             "Open the address rehearse printed when it started (it carries the key).")
            return
        method = scope.get("method", "GET")
        if scope["type"] == "http" and method in ("GET", "HEAD") and from_query:
            # keep the secret out of the address bar and history: cookie, then the clean URL
            rest = urlencode([(k, v) for k, v in parse_qsl(scope.get("query_string", b"").decode("latin-1"))
                              if k != "token"])
            target = scope.get("path", "/") + (f"?{rest}" if rest else "")
            response = RedirectResponse(target, status_code=303)
            response.set_cookie(COOKIE, self.token, httponly=True, samesite="strict", path="/")
            await response(scope, receive, send)
            return
        if scope["type"] == "http" and method not in ("GET", "HEAD"):
            if not self.secret_ok(headers.get(HEADER)):
                replay = await self._form_secret(scope, receive, headers)
                if replay is None:
                    await self._deny(scope, receive, send, 403,
                                     "This change needs the page's key; reload the page and try again.")
                    return
                receive = replay
        await self.app(scope, receive, _with_headers(send) if scope["type"] == "http" else send)

    async def _form_secret(self, scope: Scope, receive: Receive, headers: Headers) -> Receive | None:
        """A form POST's ``token`` field; the body is read here and handed on unchanged."""
        kind = headers.get("content-type", "")
        if not kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            return None
        body = b""
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > MAX_FORM_BYTES:
                return None
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        form = await Request(scope, replay).form()
        ok = self.secret_ok(str(form.get("token") or ""))
        await form.close()
        if not ok:
            return None
        sent = False
        return replay

    async def _deny(self, scope: Scope, receive: Receive, send: Send, status: int, text: str) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        await PlainTextResponse(text, status_code=status)(scope, receive, send)


def _with_headers(send: Send) -> Send:
    """``send`` adding `HEADERS` to every response (the HTML report download keeps its own policy)."""

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            have = {k.lower() for k, _ in message.get("headers", [])}
            message["headers"] = [*message.get("headers", []), *(h for h in HEADERS if h[0] not in have)]
        await send(message)

    return wrapped
