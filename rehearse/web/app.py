"""The local web app: decks, practice, playback, history and settings in the browser.

The browser is the screen and the controls; the question is spoken and the answer recorded on
this machine by the same core as the command line (`rehearse.practice.PracticeSession`, driven by
`rehearse.web.live.Runner`). See `create_app`.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import sys
import traceback

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from rehearse.errors import RehearseError
from rehearse.paths import Workspace, workspace
from rehearse.web.api import (
    audio,
    devices,
    events,
    import_deck,
    live_save,
    session_command,
    session_start,
    session_state,
)
from rehearse.web.catalog import Catalog
from rehearse.web.guard import Guard
from rehearse.web.pages import (
    attempt_page,
    compare_page,
    deck_page,
    decks_page,
    history_page,
    language_save,
    plot,
    practice_page,
    report_download,
    settings_page,
    settings_save,
)
from rehearse.web.state import HERE, PartsSpec, WebApp, json_error

SHUTDOWN_WAIT_S = 600.0  # s the app waits, stopping, for the answer in hand to be scored

# ---------------------------------------------------------------- the app


def create_app(ws: Workspace | None = None, *, parts: PartsSpec = None, token: str | None = None,
               host: str = "127.0.0.1", port: int | None = None, catalog: Catalog | None = None) -> Starlette:
    """The web app, ready for uvicorn (or a test client).

    Args:
        ws: the workspace (default: `rehearse.paths.workspace()`).
        parts: the session's collaborators: a `Parts` for every session, or ``parts(deck)``
            called per session (default: the microphone, pyttsx3 and Whisper of the settings).
        token: the secret every request must carry (default: a new random one); ``app.state.token``.
        host: the address the server is bound to (requests must name it or a loopback name).
        port: the bound port, when known (then the Host header's port must match).
        catalog: lists the audio devices and voices Settings offers (default: PortAudio's and
            pyttsx3's, listed in the background once the app has started).

    Returns:
        The Starlette app; ``app.state.web.runner`` runs the practice session.
    """
    web = WebApp(ws or workspace(), parts, token or secrets.token_urlsafe(24), catalog)

    async def not_found(request: Request, exc: Exception) -> Response:
        detail = getattr(exc, "detail", None) or "Not found."
        status = getattr(exc, "status_code", 404)
        if request.url.path.startswith(("/api/", "/audio/", "/static/")):
            return json_error(str(detail), status) if request.url.path.startswith("/api/") else \
                Response(str(detail), status_code=status, media_type="text/plain")
        return web.error_page(request, str(detail), status)

    async def crashed(request: Request, exc: Exception) -> Response:
        traceback.print_exception(exc, file=sys.stderr)
        message = f"Something went wrong ({type(exc).__name__}); reload the page, or restart rehearse app."
        if request.url.path.startswith("/api/"):
            return json_error(message, 500)
        return HTMLResponse(f"<!doctype html><title>rehearse</title><p>{_escape(message)}</p>", 500)

    async def rehearse_error(request: Request, exc: Exception) -> Response:
        message = web.error_text(exc) if isinstance(exc, RehearseError) else str(exc)
        if request.url.path.startswith("/api/"):
            return json_error(message)
        return web.error_page(request, message)

    routes = [
        Route("/", decks_page),
        Route("/decks/{key}", deck_page),
        Route("/practice", practice_page),
        Route("/attempts/{attempt_id}", attempt_page),
        Route("/compare", compare_page),
        Route("/history", history_page),
        Route("/report", report_download),
        Route("/plots", plot),
        Route("/settings", settings_page, methods=["GET"]),
        Route("/settings", settings_save, methods=["POST"]),
        Route("/lang", language_save, methods=["POST"]),
        Route("/api/devices", devices, methods=["GET"]),
        Route("/api/import", import_deck, methods=["POST"]),
        Route("/api/live", live_save, methods=["POST"]),
        Route("/api/session", session_start, methods=["POST"]),
        Route("/api/session", session_state, methods=["GET"]),
        Route("/api/session/{command}", session_command, methods=["POST"]),
        Route("/events", events),
        Route("/audio/{attempt_id}", audio),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        await asyncio.to_thread(web.warm_up)
        yield
        # the answer being recorded is kept, transcribed and scored before the app stops
        await asyncio.to_thread(web.runner.end, SHUTDOWN_WAIT_S)

    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={HTTPException: not_found, RehearseError: rehearse_error,
                                        Exception: crashed})
    app.state.web = web
    app.state.token = web.token
    app.add_middleware(Guard, token=web.token, host=host, port=port)
    return app


def _escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))

