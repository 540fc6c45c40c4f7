"""The web app's state and what every screen shares: the workspace, the secret, the session runner,
the templates and the settings."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse

from rehearse.deck import Deck
from rehearse.errors import RehearseError
from rehearse.parts import Parts
from rehearse.paths import Workspace
from rehearse.practice import PracticeOptions
from rehearse.store import Attempt, Store
from rehearse.web.catalog import Catalog
from rehearse.web.i18n import translator
from rehearse.web.live import Runner
from rehearse.web.views import (
    Settings,
    describe,
    known_decks,
)
from rehearse.web.words import due_why, error_text, web_message

HERE = Path(__file__).resolve().parent
WEAKEST = 5  # questions "practise weakest" asks
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
PartsSpec = Parts | Callable[[Deck], Parts] | None


class WebApp:
    """The app's state: the workspace, the secret, the session runner and the templates."""

    def __init__(self, ws: Workspace, parts: PartsSpec, token: str, catalog: Catalog | None = None) -> None:
        self.ws = ws
        self.parts = parts
        self.token = token
        self.catalog = catalog or Catalog()  # the devices and voices Settings offers
        self.runner = Runner(ws)
        self.unplaced: dict[str, list[tuple[int, str]]] = {}  # deck key → lines its import left
        self.env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")),
                                      autoescape=True, trim_blocks=True, lstrip_blocks=True)
        self.env.globals.update(dom_id=_dom_id, clock=_clock, error_text=error_text, due_why=due_why)

    # ------------------------------------------------------------ helpers

    def warm_up(self) -> None:
        """Read the decks and compile the templates before the first page is asked for; import the
        history screen's plotting a little later, in the background."""
        for entry in known_decks(self.ws, self.recent()):
            describe(entry)
        for name in ("decks.html", "deck.html", "practice.html", "settings.html"):
            self.env.get_template(name)

        def plots() -> None:  # matplotlib for History: seconds, done early
            with contextlib.suppress(Exception):
                from rehearse.report import _pyplot

                _pyplot()
            self.catalog.start()  # PortAudio and the voices for Settings (sooner if it is opened)

        timer = threading.Timer(3.0, plots)  # after the first pages, not competing with them
        timer.daemon = True
        timer.start()

    def settings(self) -> Settings:
        return Settings.load(self.ws)

    def recent(self) -> list[str]:
        """Deck files used lately: opened here, then practised from the command line."""
        paths = list(self.settings().recent)
        if self.ws.history_db.is_file():
            store = self.store()
            try:
                paths += [s.deck_path for s in reversed(store.sessions()) if s.deck_path]
            finally:
                store.close()
        return list(dict.fromkeys(paths))[:20]

    def store(self) -> Store:
        return Store(self.ws.history_db)

    def language(self, deck_language: str | None = None) -> str:
        chosen = self.settings().ui_language
        if chosen in ("en", "ko"):
            return chosen
        if deck_language in ("en", "ko"):
            return deck_language  # type: ignore[return-value]
        session = self.runner.out.latest.get("session")
        return session["language"] if session and session.get("language") in ("en", "ko") else "en"

    def page(self, request: Request, name: str, status: int = 200, deck_language: str | None = None,
             **context: Any) -> HTMLResponse:
        lang = self.language(deck_language)
        html = self.env.get_template(name).render(
            t=translator(lang), lang=lang, token=self.token, path=request.url.path,
            session=self.runner.out.latest.get("session"), **context)
        return HTMLResponse(html, status_code=status)

    def error_text(self, error: RehearseError, deck_language: str | None = None) -> str:
        """A `RehearseError` as one sentence in the page's language."""
        return error_text(error, self.language(deck_language))

    def say(self, key: str, deck_language: str | None = None, **params: Any) -> str:
        """One of the app's own sentences in the page's language (`rehearse.web.words`)."""
        return web_message(key, self.language(deck_language), **params)

    def error_page(self, request: Request, message: str, status: int = 400) -> HTMLResponse:
        return self.page(request, "error.html", status=status, message=message)

    def deck_entry(self, key: str):
        for entry in known_decks(self.ws, self.recent()):
            if entry.key == key:
                return entry
        raise HTTPException(404, self.say("web.no_deck"))

    def parts_for(self, deck: Deck) -> Parts:
        if self.parts is None:
            return Parts()
        if isinstance(self.parts, Parts):
            return self.parts
        return self.parts(deck)

    def options(self) -> PracticeOptions:
        """The session options the settings describe."""
        from rehearse.audio import resolve_device
        from rehearse.record import RecordOptions
        from rehearse.speak import SpeakOptions
        from rehearse.transcribe import TranscribeOptions, engine_spec, model_spec

        s = self.settings()
        return PracticeOptions(
            output_device=resolve_device(s.output_device, "output") if s.output_device else None,
            speak=SpeakOptions(voice=s.voice or None, enabled=s.speak),
            record=RecordOptions(device=resolve_device(s.input_device, "input") if s.input_device else None,
                                 silence_s=s.silence_s),
            transcribe=TranscribeOptions(model=s.model or model_spec(), engine=s.engine or engine_spec()),
            live=s.live,
        )

    def audio_file(self, attempt: Attempt | None) -> Path | None:
        """The attempt's recording, only when it lies inside the workspace's recordings/."""
        if attempt is None or not attempt.audio_path:
            return None
        root = self.ws.recordings.resolve()
        try:
            path = Path(attempt.audio_path).resolve()
        except (OSError, ValueError):
            return None
        if not path.is_relative_to(root) or not path.is_file():
            return None
        return path


def _dom_id(text: str) -> str:
    import hashlib

    return "q" + hashlib.sha1(text.encode("utf-8", "surrogateescape")).hexdigest()[:12]


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    s = round(seconds)
    return f"{s // 60}:{s % 60:02d}"


def json_error(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")

def parse_id(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else None
