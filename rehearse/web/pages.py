"""The screens: decks, a deck, practice, playback (one attempt, or best vs latest), history, settings."""

from __future__ import annotations

import functools
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from rehearse.deck import load_deck
from rehearse.errors import RehearseError
from rehearse.store import Attempt, Store
from rehearse.web.i18n import translator
from rehearse.web.state import WebApp, parse_id
from rehearse.web.views import (
    describe,
    feedback_view,
    known_decks,
    load_word_timings,
)
from rehearse.web.words import LANGUAGES

# ---------------------------------------------------------------- pages


def decks_page(request: Request) -> Response:
    app: WebApp = request.app.state.web
    entries = [describe(e) for e in known_decks(app.ws, app.recent())]
    return app.page(request, "decks.html", decks=entries)


def deck_page(request: Request) -> Response:
    app: WebApp = request.app.state.web
    entry = app.deck_entry(request.path_params["key"])
    try:
        deck = load_deck(entry.path)
    except RehearseError as e:
        return app.error_page(request, app.error_text(e))
    tags = sorted({t for q in deck.walk() for t in q.tags}, key=str.casefold)
    return app.page(request, "deck.html", deck_language=deck.language, deck=deck, key=entry.key,
                    where=entry.where, tags=tags, unplaced=app.unplaced.get(entry.key, []))


def practice_page(request: Request) -> Response:
    app: WebApp = request.app.state.web
    return app.page(request, "practice.html", live=app.settings().live)


def attempt_page(request: Request) -> Response:
    app: WebApp = request.app.state.web
    attempt_id = parse_id(request.path_params["attempt_id"])
    store = app.store()
    try:
        attempt = store.attempt(attempt_id) if attempt_id is not None else None
        if attempt is None:
            return app.error_page(request, app.say("web.no_attempt"), 404)
        view = _attempt_view(app, store, attempt)
    finally:
        store.close()
    return app.page(request, "attempt.html", deck_language=view["language"], views=[view], compare=False)


def compare_page(request: Request) -> Response:
    from rehearse.history import question_history

    app: WebApp = request.app.state.web
    deck, qid = request.query_params.get("deck"), request.query_params.get("q")
    if not deck or not qid:
        return app.error_page(request, app.say("web.compare_pick"), 404)
    store = app.store()
    try:
        try:
            history = question_history(store, qid, deck)
        except RehearseError as e:
            return app.error_page(request, app.error_text(e), 404)
        views = []
        best, latest = history.best, history.latest
        pairs = [("play.best", best), ("play.latest", latest)]
        if best is not None and latest is not None and best.attempt.id == latest.attempt.id:
            pairs = [("play.both", best)]
        for label, n in pairs:
            if n is not None:
                views.append(_attempt_view(app, store, n.attempt, label=label, number=n.number))
    finally:
        store.close()
    if not views:
        return app.error_page(request, app.say("web.compare_none"), 404)
    return app.page(request, "attempt.html", deck_language=views[0]["language"], views=views, compare=True)


def _attempt_view(app: WebApp, store: Store, attempt: Attempt, label: str = "play.title",
                  number: int | None = None) -> dict[str, Any]:
    from rehearse.history import stored_deck

    deck = stored_deck(store, attempt.deck)
    scored = attempt.score_result
    prepared, language = "", scored.language if scored else ""
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
        "feedback": feedback_view(scored, prepared, attempt.id, attempt.question_id) if scored else None,
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
    # the plots are images of their own (`plot`): the page shows before matplotlib has drawn them
    return app.page(request, "history.html", deck_language=deck.language if deck else None, decks=decks,
                    chosen=chosen, histories=histories, summaries=summaries, due=due, now=now)


def plot(request: Request) -> Response:
    """A history plot as SVG (`rehearse.report`'s): ``?deck=NAME`` the sessions, ``&q=ID`` one question."""
    from rehearse.history import question_histories, session_summaries

    app: WebApp = request.app.state.web
    deck, qid = request.query_params.get("deck"), request.query_params.get("q")
    language = request.query_params.get("lang")
    labels = _plot_labels(language if language in LANGUAGES else app.language())
    store = app.store()
    try:
        if deck not in store.decks():
            return Response("No such deck.", status_code=404, media_type="text/plain")
        if qid is None:
            summaries = tuple(s for s in session_summaries(store, deck) if s.questions)
            svg = _sessions_svg(summaries, labels) if summaries else None
        else:
            scores = next((h.scores for h in question_histories(store, deck) if h.question_id == qid), [])
            svg = _scores_svg(tuple(scores), labels) if scores else None
    finally:
        store.close()
    if svg is None:
        return Response("Nothing to plot yet.", status_code=404, media_type="text/plain")
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})


def _svg(data_uri: str) -> bytes:
    import base64

    return base64.b64decode(data_uri.split(",", 1)[1])


def _plot_labels(language: str) -> tuple[tuple[str, str], ...]:
    """The plots' axis labels (`rehearse.report.PLOT_LABELS`) in the page's language."""
    from rehearse.report import PLOT_LABELS

    t = translator(language)
    labels = {key: t(f"plot.{key}") for key in PLOT_LABELS}
    labels |= {f"unit.{unit}": t(f"feedback.unit.{unit}") for unit in ("wpm", "syllables/min")}
    return tuple(sorted(labels.items()))


@functools.lru_cache(maxsize=256)
def _scores_svg(scores: tuple[int, ...], labels: tuple[tuple[str, str], ...]) -> bytes:
    from rehearse.report import score_plot

    return _svg(score_plot(list(scores), dict(labels)))


def _sessions_svg(summaries: tuple, labels: tuple[tuple[str, str], ...]) -> bytes:
    from rehearse.report import sessions_plot

    key = (labels, tuple((s.id, s.questions, s.average_score, s.pace, s.fillers_per_minute)
                         for s in summaries))
    if key not in _SESSION_PLOTS:
        if len(_SESSION_PLOTS) > 64:
            _SESSION_PLOTS.clear()
        _SESSION_PLOTS[key] = _svg(sessions_plot(list(summaries), dict(labels)))
    return _SESSION_PLOTS[key]


_SESSION_PLOTS: dict[tuple, bytes] = {}


def report_download(request: Request) -> Response:
    from rehearse.report import ReportOptions, build_report, render_report

    app: WebApp = request.app.state.web
    deck = request.query_params.get("deck")
    store = app.store()
    try:
        if deck is not None and deck not in store.decks():
            return app.error_page(request, app.say("web.deck_not_practised"), 404)
        try:
            html = render_report(build_report(store, ReportOptions(deck=deck)))
        except RehearseError as e:
            return app.error_page(request, app.error_text(e), 404)
    finally:
        store.close()
    name = f"report-{deck or 'latest'}.html"
    from rehearse.paths import safe_name

    # the report's own policy (it carries it in a meta tag too): inline styles, embedded media
    policy = ("default-src 'none'; img-src data:; media-src data:; style-src 'unsafe-inline'; "
              "base-uri 'none'; form-action 'none'")
    return HTMLResponse(html, headers={"Content-Disposition": f'attachment; filename="{safe_name(name)}"',
                                       "Content-Security-Policy": policy})


def settings_page(request: Request) -> Response:
    """Sent at once: the devices and voices are listed in the background (PortAudio takes up to a
    second to start) and the page fills its lists from ``/api/devices`` once it is shown."""
    app: WebApp = request.app.state.web
    app.catalog.start()
    return app.page(request, "settings.html", settings=app.settings(),
                    saved=request.query_params.get("saved") == "1")


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
        return app.error_page(request, app.say("web.silence_number"))
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


