"""The local web app: decks, practice, playback, history and settings in the browser.

The browser is the screen and the controls; the question is spoken and the answer recorded on
this machine by the same core as the command line (`rehearse.practice.PracticeSession`, driven by
`rehearse.web.live.Runner`). See `create_app`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import jinja2
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from rehearse.deck import Deck, load_deck
from rehearse.errors import RehearseError
from rehearse.parts import Parts
from rehearse.paths import Workspace, workspace
from rehearse.practice import PracticeOptions
from rehearse.store import Attempt, Store
from rehearse.web.guard import Guard
from rehearse.web.i18n import translator
from rehearse.web.live import Runner, SessionRequest
from rehearse.web.views import (
    Settings,
    describe,
    feedback_view,
    known_decks,
    load_word_timings,
)

HERE = Path(__file__).resolve().parent
WEAKEST = 5  # questions "practise weakest" asks
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
PartsSpec = Parts | Callable[[Deck], Parts] | None


class WebApp:
    """The app's state: the workspace, the secret, the session runner and the templates."""

    def __init__(self, ws: Workspace, parts: PartsSpec, token: str) -> None:
        self.ws = ws
        self.parts = parts
        self.token = token
        self.runner = Runner(ws)
        self.unplaced: dict[str, list[tuple[int, str]]] = {}  # deck key → lines its import left
        self.env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")),
                                      autoescape=True, trim_blocks=True, lstrip_blocks=True)
        self.env.globals.update(dom_id=_dom_id, clock=_clock)

    # ------------------------------------------------------------ helpers

    def warm_up(self) -> None:
        """Read the decks and compile the templates before the first page is asked for; import the
        history screen's plotting a little later, in the background."""
        for entry in known_decks(self.ws, self.settings().recent):
            describe(entry)
        for name in ("decks.html", "deck.html", "practice.html"):
            self.env.get_template(name)

        def plots() -> None:
            with contextlib.suppress(Exception):
                from rehearse.report import _pyplot

                _pyplot()

        timer = threading.Timer(3.0, plots)
        timer.daemon = True
        timer.start()

    def settings(self) -> Settings:
        return Settings.load(self.ws)

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

    def error_page(self, request: Request, message: str, status: int = 400) -> HTMLResponse:
        return self.page(request, "error.html", status=status, message=message)

    def deck_entry(self, key: str):
        for entry in known_decks(self.ws, self.settings().recent):
            if entry.key == key:
                return entry
        raise HTTPException(404, "No such deck.")

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


def _json_error(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


# ---------------------------------------------------------------- pages


def decks_page(request: Request) -> Response:
    app: WebApp = request.app.state.web
    entries = [describe(e) for e in known_decks(app.ws, app.settings().recent)]
    return app.page(request, "decks.html", decks=entries)


def deck_page(request: Request) -> Response:
    app: WebApp = request.app.state.web
    entry = app.deck_entry(request.path_params["key"])
    try:
        deck = load_deck(entry.path)
    except RehearseError as e:
        return app.error_page(request, str(e))
    tags = sorted({t for q in deck.walk() for t in q.tags}, key=str.casefold)
    return app.page(request, "deck.html", deck_language=deck.language, deck=deck, key=entry.key,
                    where=entry.where, tags=tags, unplaced=app.unplaced.get(entry.key, []))


def practice_page(request: Request) -> Response:
    app: WebApp = request.app.state.web
    return app.page(request, "practice.html")


def attempt_page(request: Request) -> Response:
    app: WebApp = request.app.state.web
    attempt_id = _int(request.path_params["attempt_id"])
    store = app.store()
    try:
        attempt = store.attempt(attempt_id) if attempt_id is not None else None
        if attempt is None:
            return app.error_page(request, "No such attempt; choose one from History.", 404)
        view = _attempt_view(app, store, attempt)
    finally:
        store.close()
    return app.page(request, "attempt.html", deck_language=view["language"], views=[view], compare=False)


def compare_page(request: Request) -> Response:
    from rehearse.history import question_history

    app: WebApp = request.app.state.web
    deck, qid = request.query_params.get("deck"), request.query_params.get("q")
    if not deck or not qid:
        return app.error_page(request, "Choose a question from History to compare its attempts.", 404)
    store = app.store()
    try:
        try:
            history = question_history(store, qid, deck)
        except RehearseError as e:
            return app.error_page(request, str(e), 404)
        views = []
        for label, n in (("play.best", history.best), ("play.latest", history.latest)):
            if n is not None:
                views.append(_attempt_view(app, store, n.attempt, label=label, number=n.number))
    finally:
        store.close()
    if not views:
        return app.error_page(request, "No scored attempt at this question yet; practise it first.", 404)
    return app.page(request, "attempt.html", deck_language=views[0]["language"], views=views, compare=True)


def _attempt_view(app: WebApp, store: Store, attempt: Attempt, label: str = "play.title",
                  number: int | None = None) -> dict[str, Any]:
    from rehearse.history import stored_deck

    deck = stored_deck(store, attempt.deck)
    prepared, language = "", (attempt.result or {}).get("language") or ""
    if deck is not None:
        language = language or deck.language
        try:
            prepared = deck.find(attempt.question_id).answer
        except RehearseError:
            prepared = ""
    audio = app.audio_file(attempt)
    words, timed = load_word_timings(Path(attempt.audio_path) if attempt.audio_path else None,
                                     attempt.transcript or "")
    return {
        "attempt": attempt, "label": label, "number": number, "audio": audio is not None,
        "words": words, "timed": timed, "language": language or "en",
        "feedback": feedback_view(attempt.result, prepared, attempt.id, attempt.question_id)
        if attempt.result else None,
    }


def history_page(request: Request) -> Response:
    from rehearse.history import question_histories, session_summaries
    from rehearse.schedule import due_lists

    app: WebApp = request.app.state.web
    store = app.store()
    try:
        decks = store.decks()
        chosen = request.query_params.get("deck")
        if chosen not in decks:
            chosen = decks[0] if decks else None
        histories = question_histories(store, chosen) if chosen else []
        summaries = [s for s in session_summaries(store, chosen) if s.questions] if chosen else []
        now = datetime.now(timezone.utc)
        try:
            due = due_lists(store, chosen, now) if chosen else []
        except RehearseError:
            due = []
        deck = None
        if chosen:
            from rehearse.history import stored_deck

            deck = stored_deck(store, chosen)
    finally:
        store.close()
    plots = {}
    sessions_plot = None
    if histories:
        from rehearse import report

        plots = {h.question_id: report.score_plot(h.scores) for h in histories if len(h.scores) >= 2}
        sessions_plot = report.sessions_plot(summaries) if summaries else None
    return app.page(request, "history.html", deck_language=deck.language if deck else None, decks=decks,
                    chosen=chosen, histories=histories, summaries=summaries, due=due, now=now, plots=plots,
                    sessions_plot=sessions_plot)


def report_download(request: Request) -> Response:
    from rehearse.report import ReportOptions, build_report, render_report

    app: WebApp = request.app.state.web
    deck = request.query_params.get("deck")
    store = app.store()
    try:
        if deck is not None and deck not in store.decks():
            return app.error_page(request, "No practice of that deck is recorded.", 404)
        try:
            html = render_report(build_report(store, ReportOptions(deck=deck)))
        except RehearseError as e:
            return app.error_page(request, str(e), 404)
    finally:
        store.close()
    name = f"report-{deck or 'latest'}.html"
    from rehearse.paths import safe_name

    return HTMLResponse(html, headers={"Content-Disposition": f'attachment; filename="{safe_name(name)}"'})


def settings_page(request: Request) -> Response:
    from rehearse.audio import list_devices

    app: WebApp = request.app.state.web
    devices, device_error = [], None
    try:
        devices = list_devices()
    except RehearseError as e:
        device_error = str(e)
    return app.page(request, "settings.html", settings=app.settings(), devices=devices,
                    device_error=device_error, saved=request.query_params.get("saved") == "1")


async def settings_save(request: Request) -> Response:
    app: WebApp = request.app.state.web
    form = await request.form()
    s = app.settings()
    s.input_device = str(form.get("input_device") or "")
    s.output_device = str(form.get("output_device") or "")
    s.voice = str(form.get("voice") or "").strip()
    s.speak = form.get("speak") == "on"
    s.engine = str(form.get("engine") or "") if form.get("engine") in ("", "openai-whisper",
                                                                      "faster-whisper") else ""
    s.model = str(form.get("model") or "").strip()
    try:
        s.silence_s = max(0.0, min(60.0, float(str(form.get("silence_s") or "4"))))
    except ValueError:
        return app.error_page(request, "Silence must be a number of seconds, such as 4.")
    s.save(app.ws)
    return RedirectResponse("/settings?saved=1", status_code=303)


async def language_save(request: Request) -> Response:
    app: WebApp = request.app.state.web
    form = await request.form()
    s = app.settings()
    lang = str(form.get("lang") or "auto")
    s.ui_language = lang if lang in ("en", "ko", "auto") else "auto"
    s.save(app.ws)
    back = str(form.get("next") or "/")
    if not back.startswith("/") or back.startswith("//") or "\\" in back:
        back = "/"
    return RedirectResponse(back, status_code=303)


# ---------------------------------------------------------------- import


async def import_deck(request: Request) -> Response:
    """An uploaded notes file or YAML deck, imported into questions/ (never overwriting)."""
    from rehearse.deck import dump_deck_yaml
    from rehearse.notes import import_notes, looks_like_yaml
    from rehearse.paths import safe_name, unique_path
    from rehearse.web.views import deck_key

    app: WebApp = request.app.state.web
    form = await request.form(max_part_size=MAX_UPLOAD_BYTES)
    upload = form.get("file")
    if upload is None or isinstance(upload, str) or not upload.filename:
        return _reply(request, app, "Choose a notes file or a YAML deck to open.")
    data = await upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        return _reply(request, app, f"{upload.filename}: the file is larger than 5 MB; open a smaller one.")
    original = Path(upload.filename).name
    stem, suffix = safe_name(Path(original).stem), Path(original).suffix.lower()
    if suffix not in (".yaml", ".yml", ".txt", ".md", ""):
        suffix = ".txt"
    with tempfile.TemporaryDirectory(prefix="rehearse-import-") as tmp:
        src = Path(tmp) / f"{stem}{suffix}"
        src.write_bytes(data)

        def plain(message: str) -> str:
            return message.replace(str(src), original).replace(tmp + "/", "")

        try:
            from rehearse.notes import read_text

            text = read_text(src)
            app.ws.questions.mkdir(parents=True, exist_ok=True)
            if looks_like_yaml(src, text):
                load_deck(src)  # errors as file:line before anything is kept
                out = unique_path(app.ws.questions, stem, ".yaml")
                out.write_bytes(data)
                unplaced: list[tuple[int, str]] = []
            else:
                result = import_notes(src, text=text)
                out = unique_path(app.ws.questions, stem, ".yaml")
                header = f"Imported by rehearse from {original}; edit freely."
                out.write_text(dump_deck_yaml(result.deck, header), encoding="utf-8")
                unplaced = [(line, t.strip()) for line, t in result.unplaced]
        except RehearseError as e:
            return _reply(request, app, plain(str(e)))
        except OSError as e:
            return _reply(request, app, f"{app.ws.questions}: the deck could not be saved ({e.strerror}).")
    key = deck_key(out)
    app.unplaced[key] = unplaced
    s = app.settings()
    s.used(out)
    s.save(app.ws)
    if _wants_json(request):
        deck = load_deck(out)
        return JSONResponse({"key": key, "title": deck.title, "url": f"/decks/{key}",
                             "unplaced": [list(u) for u in unplaced]})
    return RedirectResponse(f"/decks/{key}", status_code=303)


def _reply(request: Request, app: WebApp, message: str) -> Response:
    if _wants_json(request):
        return _json_error(message)
    return app.error_page(request, message)


# ---------------------------------------------------------------- session API


async def session_start(request: Request) -> Response:
    app: WebApp = request.app.state.web
    try:
        body = await request.json()
    except ValueError:
        return _json_error("The request was not understood; reload the page.")
    if not isinstance(body, dict):
        return _json_error("The request was not understood; reload the page.")
    entry = app.deck_entry(str(body.get("deck", "")))
    mode = body.get("mode", "all")
    ids = [str(i) for i in body.get("ids") or [] if isinstance(i, (str, int))]
    tag = body.get("tag") or None
    try:
        request_ = await asyncio.to_thread(_session_request, app, entry.path, mode, ids,
                                           str(tag) if tag else None)
    except RehearseError as e:
        return _json_error(str(e))
    await asyncio.to_thread(app.runner.start, request_)
    s = app.settings()
    s.used(entry.path)
    s.save(app.ws)
    return JSONResponse({"ok": True, "url": "/practice"})


def _session_request(app: WebApp, path: Path, mode: str, ids: list[str], tag: str | None) -> SessionRequest:
    from rehearse.history import question_histories
    from rehearse.schedule import schedules

    deck = load_deck(path)
    options = app.options()
    options.tag = tag
    if mode == "these":
        if not ids:
            raise RehearseError("Tick the questions to practise first.")
        options.only, options.follow_ups = ids, False
    elif mode in ("due", "weakest"):
        store = app.store()
        try:
            if mode == "due":
                now = datetime.now(timezone.utc)
                items = schedules(deck.name, deck.walk(), store, now)
                chosen = [s.question_id for s in items if s.is_due(now)]
                if not chosen:
                    raise RehearseError("Nothing in this deck is due now; practise all or the weakest.")
                options.only, options.follow_ups, options.due = chosen, False, True
            else:
                known = {q.id for q in deck.walk()}
                scored = [(h.latest.attempt.score, h.question_id)
                          for h in question_histories(store, deck.name)
                          if h.latest is not None and h.question_id in known]
                if not scored:
                    raise RehearseError("No answer in this deck has a score yet; practise all first.")
                options.only = [qid for _, qid in sorted(scored)[:WEAKEST]]
                options.follow_ups = False
        finally:
            store.close()
    elif mode != "all":
        raise RehearseError("Choose all, due, weakest or these.")
    return SessionRequest(deck, options, app.parts_for(deck))


async def session_command(request: Request) -> Response:
    app: WebApp = request.app.state.web
    name = request.path_params["command"]
    if name == "stop":
        ok = app.runner.stop()
    elif name == "end":  # ending no session is done already
        app.runner.command(name)
        ok = True
    elif name in ("next", "retry"):
        ok = app.runner.command(name)
    else:
        return _json_error("Unknown command.", 404)
    if not ok:
        return _json_error("No session is running; choose a deck to start one.", 409)
    return JSONResponse({"ok": True})


def session_state(request: Request) -> Response:
    app: WebApp = request.app.state.web
    return JSONResponse({"running": app.runner.running, **{k: v for k, v in app.runner.out.snapshot()},
                         "warnings": list(app.runner.out.warnings)})


async def events(request: Request) -> Response:
    from sse_starlette import EventSourceResponse

    app: WebApp = request.app.state.web
    out = app.runner.out
    q = out.subscribe()

    async def stream():
        try:
            for name, data in out.snapshot():
                yield {"event": name, "data": json.dumps(data, ensure_ascii=False)}
            while True:
                name, data = await q.get()
                yield {"event": name, "data": json.dumps(data, ensure_ascii=False)}
        finally:
            out.unsubscribe(q)

    return EventSourceResponse(stream(), ping=10, headers={"Cache-Control": "no-store"})


# ---------------------------------------------------------------- audio


def audio(request: Request) -> Response:
    """An attempt's recording, by attempt id only; 404 for anything else."""
    app: WebApp = request.app.state.web
    attempt_id = _int(request.path_params["attempt_id"])
    if attempt_id is None:
        raise HTTPException(404, "No such recording.")
    store = app.store()
    try:
        path = app.audio_file(store.attempt(attempt_id))
    finally:
        store.close()
    if path is None:
        raise HTTPException(404, "No such recording.")
    media = {".wav": "audio/wav", ".flac": "audio/flac", ".ogg": "audio/ogg", ".mp3": "audio/mpeg"}
    return FileResponse(path, media_type=media.get(path.suffix.lower(), "application/octet-stream"),
                        headers={"Cache-Control": "no-store"})


def _int(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else None


# ---------------------------------------------------------------- the app


def create_app(ws: Workspace | None = None, *, parts: PartsSpec = None, token: str | None = None,
               host: str = "127.0.0.1", port: int | None = None) -> Starlette:
    """The web app, ready for uvicorn (or a test client).

    Args:
        ws: the workspace (default: `rehearse.paths.workspace()`).
        parts: the session's collaborators: a `Parts` for every session, or ``parts(deck)``
            called per session (default: the microphone, pyttsx3 and Whisper of the settings).
        token: the secret every request must carry (default: a new random one); ``app.state.token``.
        host: the address the server is bound to (requests must name it or a loopback name).
        port: the bound port, when known (then the Host header's port must match).

    Returns:
        The Starlette app; ``app.state.web.runner`` runs the practice session.
    """
    web = WebApp(ws or workspace(), parts, token or secrets.token_urlsafe(24))

    async def not_found(request: Request, exc: Exception) -> Response:
        detail = getattr(exc, "detail", None) or "Not found."
        status = getattr(exc, "status_code", 404)
        if request.url.path.startswith(("/api/", "/audio/", "/static/")):
            return _json_error(str(detail), status) if request.url.path.startswith("/api/") else \
                Response(str(detail), status_code=status, media_type="text/plain")
        return web.error_page(request, str(detail), status)

    async def crashed(request: Request, exc: Exception) -> Response:
        traceback.print_exception(exc, file=sys.stderr)
        message = f"Something went wrong ({type(exc).__name__}); reload the page, or restart rehearse app."
        if request.url.path.startswith("/api/"):
            return _json_error(message, 500)
        return HTMLResponse(f"<!doctype html><title>rehearse</title><p>{_escape(message)}</p>", 500)

    async def rehearse_error(request: Request, exc: Exception) -> Response:
        if request.url.path.startswith("/api/"):
            return _json_error(str(exc))
        return web.error_page(request, str(exc))

    routes = [
        Route("/", decks_page),
        Route("/decks/{key}", deck_page),
        Route("/practice", practice_page),
        Route("/attempts/{attempt_id}", attempt_page),
        Route("/compare", compare_page),
        Route("/history", history_page),
        Route("/report", report_download),
        Route("/settings", settings_page, methods=["GET"]),
        Route("/settings", settings_save, methods=["POST"]),
        Route("/lang", language_save, methods=["POST"]),
        Route("/api/import", import_deck, methods=["POST"]),
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
        await asyncio.to_thread(web.runner.end, 15.0)  # the answer being recorded is kept

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
