"""What the pages call: import a deck, drive the session, stream its events, serve recordings."""

from __future__ import annotations

import asyncio
import json
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response

from rehearse.deck import load_deck
from rehearse.errors import Message, RehearseError
from rehearse.web.live import SessionRequest
from rehearse.web.state import MAX_UPLOAD_BYTES, WEAKEST, WebApp, json_error, parse_id, wants_json
from rehearse.web.views import describe
from rehearse.web.words import error_text

# ---------------------------------------------------------------- import


async def import_deck(request: Request) -> Response:
    """An uploaded notes file or YAML deck, imported into questions/ (never overwriting)."""
    from rehearse.deck import dump_deck_yaml
    from rehearse.notes import import_notes
    from rehearse.paths import safe_name, unique_path
    from rehearse.reader import looks_like_yaml, read_source
    from rehearse.web.views import deck_key

    app: WebApp = request.app.state.web
    form = await request.form(max_part_size=MAX_UPLOAD_BYTES)
    upload = form.get("file")
    if upload is None or isinstance(upload, str) or not upload.filename:
        return _reply(request, app, app.say("web.choose_file"))
    data = await upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        return _reply(request, app, app.say("web.too_large", name=upload.filename))
    original = Path(upload.filename).name
    stem, suffix = safe_name(Path(original).stem), Path(original).suffix.lower()
    if suffix not in NOTES_SUFFIXES:
        suffix = ".txt"  # read as text: the reader recognises a spreadsheet or Word file by its bytes
    with tempfile.TemporaryDirectory(prefix="rehearse-import-") as tmp:
        src = Path(tmp) / f"{stem}{suffix}"
        src.write_bytes(data)

        def plain(message: str) -> str:
            return message.replace(str(src), original).replace(tmp + "/", "")

        try:
            source = read_source(src)
            app.ws.questions.mkdir(parents=True, exist_ok=True)
            if source.kind == "text" and looks_like_yaml(src, source.text):
                load_deck(src)  # errors as file:line before anything is kept
                out = unique_path(app.ws.questions, stem, ".yaml")
                out.write_bytes(data)
                unplaced: list[tuple[int, str]] = []
            else:
                result = import_notes(src, source=source)
                out = unique_path(app.ws.questions, stem, ".yaml")
                header = f"Imported by rehearse from {original}; edit freely."
                out.write_text(dump_deck_yaml(result.deck, header), encoding="utf-8")
                unplaced = [(line, t.strip()) for line, t in result.unplaced]
        except RehearseError as e:
            return _reply(request, app, plain(app.error_text(e)))
        except OSError as e:
            return _reply(request, app, app.say("web.not_saved",
                                                path=app.ws.questions, reason=e.strerror))
    key = deck_key(out)
    app.unplaced[key] = unplaced
    s = app.settings()
    s.used(out)
    s.save(app.ws)
    if wants_json(request):
        deck = load_deck(out)
        return JSONResponse({"key": key, "title": deck.title, "url": f"/decks/{key}",
                             "unplaced": [list(u) for u in unplaced]})
    return RedirectResponse(f"/decks/{key}", status_code=303)


#: what the importer reads (`rehearse.reader`): YAML decks, text and Markdown notes, spreadsheets, Word
NOTES_SUFFIXES = (".yaml", ".yml", ".txt", ".md", ".csv", ".tsv", ".xlsx", ".docx", "")


def _reply(request: Request, app: WebApp, message: str) -> Response:
    if wants_json(request):
        return json_error(message)
    return app.error_page(request, message)


# ---------------------------------------------------------------- session API


async def session_start(request: Request) -> Response:
    app: WebApp = request.app.state.web
    try:
        body = await request.json()
    except ValueError:
        return json_error(app.say("web.not_understood"))
    if not isinstance(body, dict):
        return json_error(app.say("web.not_understood"))
    entry = app.deck_entry(str(body.get("deck", "")))
    language = app.language(describe(entry).language)
    mode = body.get("mode", "all")
    ids = [str(i) for i in body.get("ids") or [] if isinstance(i, (str, int))]
    tag = body.get("tag") or None
    try:
        request_ = await asyncio.to_thread(_session_request, app, entry.path, mode, ids,
                                           str(tag) if tag else None)
    except RehearseError as e:
        return json_error(error_text(e, language))
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
    if tag is not None:
        tags = {t.casefold() for q in deck.walk() for t in q.tags}
        if tag.casefold() not in tags:
            raise RehearseError(Message(f"No question in this deck has the tag '{tag}'.", "web.no_tag",
                                        tag=tag))
    options.tag = tag
    if mode == "these":
        if not ids:
            raise RehearseError(Message("Tick the questions to practise first.", "web.none_ticked"))
        options.only, options.follow_ups = ids, False
    elif mode in ("due", "weakest"):
        store = app.store()
        try:
            if mode == "due":
                now = datetime.now(timezone.utc)
                items = schedules(deck.name, deck.walk(), store, now)
                chosen = [s.question_id for s in items if s.is_due(now)]
                if not chosen:
                    raise RehearseError(Message("Nothing in this deck is due now; practise all or the "
                                                "weakest.", "web.none_due"))
                options.only, options.follow_ups, options.due = chosen, False, True
            else:
                known = {q.id for q in deck.walk()}
                scored = [(h.latest.attempt.score, h.question_id)
                          for h in question_histories(store, deck.name)
                          if h.latest is not None and h.question_id in known]
                if not scored:
                    raise RehearseError(Message("No answer in this deck has a score yet; practise all first.",
                                                "web.none_scored"))
                options.only = [qid for _, qid in sorted(scored)[:WEAKEST]]
                options.follow_ups = False
        finally:
            store.close()
    elif mode != "all":
        raise RehearseError(Message("Choose all, due, weakest or these.", "web.bad_mode"))
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
        return json_error("Unknown command.", 404)
    if not ok and not app.runner.running:
        return json_error(app.say("web.no_session"), 409)
    if not ok:
        return json_error(app.say("web.wait_feedback"), 409)
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


# ---------------------------------------------------------------- settings

DEVICES_WAIT_S = 20.0  # s a request waits for the devices to be listed before the page asks again


async def devices(request: Request) -> Response:
    """The audio devices and the voices Settings offers (`rehearse.web.catalog`), once listed:
    ``{"ready": false}`` while they are still being listed after ``DEVICES_WAIT_S``."""
    app: WebApp = request.app.state.web
    found = await asyncio.to_thread(app.catalog.get, DEVICES_WAIT_S)
    if found is None:
        return JSONResponse({"ready": False}, headers={"Cache-Control": "no-store"})
    from rehearse.web.catalog import in_language

    return JSONResponse({"ready": True, **in_language(found, app.language())},
                        headers={"Cache-Control": "no-store"})


async def live_save(request: Request) -> Response:
    """``{"live": true|false}``: tick the key points off on the practice screen as they are said
    (kept in the settings; the running session follows from its next answer)."""
    app: WebApp = request.app.state.web
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("live"), bool):
        return json_error(app.say("web.not_understood"))
    s = app.settings()
    s.live = body["live"]
    s.save(app.ws)
    app.runner.set_live(s.live)
    return JSONResponse({"ok": True, "live": s.live})


# ---------------------------------------------------------------- audio


def audio(request: Request) -> Response:
    """An attempt's recording, by attempt id only; 404 for anything else."""
    app: WebApp = request.app.state.web
    attempt_id = parse_id(request.path_params["attempt_id"])
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




