"""The practice session behind the page: `rehearse.practice.PracticeSession` run step by step in a
worker thread, its events broadcast to every open page (server-sent events).

Nothing here repeats the session loop's work: the worker calls ``next()`` and ``answer()`` and
waits for the page's Next, Retry or End in between; what happens is told by `WebEvents`, a
`rehearse.practice.SessionEvents`.
"""

from __future__ import annotations

import asyncio
import importlib
import queue
import sys
import threading
import traceback
from dataclasses import dataclass, field
from typing import Any

from rehearse.deck import Deck
from rehearse.errors import RehearseError
from rehearse.parts import Parts
from rehearse.paths import Workspace
from rehearse.practice import AttemptResult, PracticeOptions, PracticeSession, SessionEvents
from rehearse.record import Progress, Recording, RecordOptions
from rehearse.recover import Recovered
from rehearse.score import Score
from rehearse.web.views import LANGUAGES, feedback_view, save_word_timings
from rehearse.web.words import error_text, say, web_message


class Broadcaster:
    """Events from any thread to every subscriber's asyncio queue; keeps the latest of each kind
    so that a page opened (or reloaded) mid-session shows where the session stands."""

    # replayed in this order to a page opened mid-session: the state last, as the page ends up
    KEPT = ("session", "loading_model", "question", "recording", "live", "feedback", "error", "done", "state")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: list[tuple[asyncio.AbstractEventLoop, asyncio.Queue]] = []
        self.latest: dict[str, Any] = {"state": {"state": "idle"}}
        self.warnings: list[str] = []

    def subscribe(self) -> asyncio.Queue:
        """A queue receiving ``(event, data)`` from now on (call in the event loop)."""
        q: asyncio.Queue = asyncio.Queue(maxsize=1000)
        with self._lock:
            self._subscribers.append((asyncio.get_running_loop(), q))
        return q

    def unsubscribe(self, q: asyncio.Queue) -> None:
        with self._lock:
            self._subscribers = [(loop, s) for loop, s in self._subscribers if s is not q]

    def snapshot(self) -> list[tuple[str, Any]]:
        """The events a new subscriber is sent first, in a sensible order."""
        with self._lock:
            return [(k, self.latest[k]) for k in self.KEPT if k in self.latest]

    def forget(self, *events: str) -> None:
        with self._lock:
            for e in events:
                self.latest.pop(e, None)

    def reset(self) -> None:
        with self._lock:
            self.latest.clear()
            self.latest["state"] = {"state": "idle"}
            self.warnings.clear()

    def publish(self, event: str, data: Any) -> None:
        with self._lock:
            if event in self.KEPT:
                self.latest[event] = data
            if event == "warning":
                self.warnings.append(data["message"])
            subscribers = list(self._subscribers)
        for loop, q in subscribers:
            try:
                loop.call_soon_threadsafe(_put, q, (event, data))
            except RuntimeError:  # that loop has closed
                self.unsubscribe(q)


def _put(q: asyncio.Queue, item: tuple[str, Any]) -> None:
    if q.full():  # a page that stopped reading: drop the oldest, never block the session
        q.get_nowait()
    q.put_nowait(item)


class WebEvents(SessionEvents):
    """A session's events as JSON for the page."""

    def __init__(self, out: Broadcaster, ending: threading.Event,
                 options: PracticeOptions | None = None) -> None:
        self.out = out
        self.ending = ending  # the session is being ended: so is the answer being recorded
        self.waiting = threading.Event()  # the feedback is out: Next or Retry may come
        self.deck: Deck | None = None
        self.options = options or PracticeOptions()  # the session's own: ``live`` may change meanwhile

    def state(self, state: str) -> None:
        self.out.publish("state", {"state": state})

    def loading_model(self, model: str) -> None:
        self.out.publish("loading_model", {"model": model})

    def question(self, index, total, question, asked) -> None:
        limit = question.time_limit or (self.deck.time_limit if self.deck else None)
        self.out.forget("feedback", "recording", "live")
        self.out.publish("question", {"index": index, "total": total, "id": question.id, "asked": asked,
                                      "time_limit_s": limit})
        self.state("asking")

    def warning(self, message: str) -> None:
        """A core warning (a `rehearse.errors.Message` where it has a key), in each page language."""
        self.out.publish("warning", {"message": say(message, "en"),
                                     "text": {lang: say(message, lang) for lang in LANGUAGES}})

    def recording(self, question, options: RecordOptions) -> None:
        self.out.forget("feedback", "live")
        self.out.publish("recording", {"question_id": question.id, "time_limit_s": options.time_limit_s})
        self.state("recording")

    def progress(self, progress: Progress) -> None:
        self.out.publish("progress", {"elapsed_s": round(progress.elapsed_s, 2),
                                      "level_db": round(progress.level_db, 1),
                                      "speech_started": progress.speech_started,
                                      "silence_s": round(progress.silence_s, 2)})

    def live(self, partial: Score, elapsed_s: float) -> None:
        """The key points said so far (on the core's scoring thread: published, never waited on)."""
        if not self.options.live or not partial.key_points:  # turned off during this answer
            return
        points = [{"text": k.text, "status": k.status} for k in partial.key_points]
        self.out.publish("live", {"elapsed_s": round(elapsed_s, 2), "key_points": points})

    def should_stop(self) -> bool:
        return self.ending.is_set()

    def recorded(self, recording: Recording) -> None:
        self.out.publish("recorded", {"duration_s": round(recording.duration_s, 2),
                                      "ended_by": recording.ended_by})

    def transcribing(self, recording: Recording) -> None:
        self.out.publish("transcribing", {})
        self.state("transcribing")

    def feedback(self, result: AttemptResult) -> None:
        self.waiting.set()  # before the page can see it and press Next
        self.out.forget("live")
        self.out.publish("feedback", feedback_view(result.score, result.question.answer, result.attempt_id,
                                                   result.question.id))
        self.state("feedback")
        save_word_timings(result.recording.path, result.transcript)

    def recovered(self, recovered: Recovered) -> None:
        n = len(recovered.repaired)
        text = {lang: web_message("web.recovered", lang, n=n) for lang in LANGUAGES}
        self.out.publish("warning", {"message": text["en"], "text": text})


@dataclass
class SessionRequest:
    """What the page asked to practise."""

    deck: Deck
    options: PracticeOptions
    parts: Parts


@dataclass
class Runner:
    """At most one practice session at a time (there is one microphone), driven by the page."""

    ws: Workspace
    out: Broadcaster = field(default_factory=Broadcaster)
    session: PracticeSession | None = None
    _thread: threading.Thread | None = None
    _commands: queue.Queue = field(default_factory=queue.Queue)
    _ending: threading.Event = field(default_factory=threading.Event)
    _waiting: threading.Event = field(default_factory=threading.Event)  # for Next, Retry or End
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _options: PracticeOptions | None = None  # the running session's

    def set_live(self, on: bool) -> None:
        """Score the answers as they are spoken, or not, from the next answer of the running session
        on (the one being recorded stops showing its points at once)."""
        if self._options is not None:
            self._options.live = on

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, request: SessionRequest) -> None:
        """End the session running (its answer is kept), then start this one."""
        with self._lock:
            self.end(wait_s=30.0)
            self.out.reset()
            self._commands = queue.Queue()
            self._ending = threading.Event()
            self.session = None
            events = WebEvents(self.out, self._ending, request.options)
            self._options = request.options
            self._waiting = events.waiting
            events.deck = request.deck
            self.out.publish("session", {"deck": request.deck.name, "title": request.deck.title,
                                         "language": request.deck.language})
            self.out.publish("state", {"state": "starting"})
            self._thread = threading.Thread(target=self._run, args=(request, events, self._commands),
                                            name="rehearse-web-session", daemon=True)
            self._thread.start()

    def command(self, name: str) -> bool:
        """``next``, ``retry`` or ``end`` after feedback; False when no session waits for one."""
        if not self.running:
            return False
        if name == "end":
            self._ending.set()
        elif not self._waiting.is_set():  # Next and Retry come after the feedback, not during an answer
            return False
        self._commands.put(name)
        return True

    def stop(self) -> bool:
        """End the answer being recorded (kept and scored); nothing else is stopped."""
        session = self.session
        if not self.running or session is None:
            return False
        session.stop()
        return True

    def end(self, wait_s: float = 10.0) -> None:
        """End the session: the answer being recorded is kept; waits up to ``wait_s`` for it."""
        thread = self._thread
        if thread is None or not thread.is_alive():
            return
        self._ending.set()
        self._commands.put("end")
        thread.join(wait_s)

    def _run(self, request: SessionRequest, events: WebEvents, commands: queue.Queue) -> None:
        session: PracticeSession | None = None
        failed = False
        try:
            # the feedback card's diff (rich) is imported now, not in the moment the answer is scored
            importlib.import_module("rehearse.feedback")
            session = PracticeSession(request.deck, request.options, request.parts, events, self.ws)
            self.session = session
            events.state("loading")
            session.open()
            command = "next"
            while command != "end":
                if command == "retry":
                    session.retry()
                if session.next() is None:
                    break
                if self._ending.is_set():  # ended while the question was spoken
                    break
                attempt = session.answer()
                if attempt is None:  # no answer to take (skipped): go on
                    continue
                try:
                    command = commands.get()
                finally:
                    events.waiting.clear()
        except RehearseError as e:
            failed = True
            self._error(e)
            events.state("error")
        except Exception as e:  # a bug: one sentence on the page, the traceback on the terminal
            failed = True
            traceback.print_exc(file=sys.stderr)
            text = {lang: web_message("web.bug", lang, name=type(e).__name__) for lang in LANGUAGES}
            self.out.publish("error", {"message": text["en"], "text": text})
            events.state("error")
        finally:
            if session is not None:
                try:
                    result = session.close()
                except RehearseError as e:
                    failed = True
                    self._error(e)
                    events.state("error")
                else:
                    avg = result.average_score
                    if not failed:
                        self.out.publish("done", {"attempts": [a.attempt_id for a in result.attempts],
                                                  "skipped": [q for q, _ in result.skipped],
                                                  "average_score": None if avg is None else round(avg)})
            if not failed:
                events.state("done")

    def _error(self, e: RehearseError) -> None:
        """The error as one sentence in each page language (the page shows its own)."""
        text = {lang: error_text(e, lang) for lang in LANGUAGES}
        self.out.publish("error", {"message": text["en"], "text": text})

