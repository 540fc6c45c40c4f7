"""A practice session: speak → record → transcribe → score → store, question after question.

`PracticeSession` is the session core every front end drives, step by step; its collaborators
come from a `rehearse.parts.Parts`. Front ends pass a `SessionEvents` subclass that shows what
happens; the core never prints.
"""

from __future__ import annotations

import queue
import random
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from rehearse import meaning
from rehearse.deck import Deck, Question
from rehearse.errors import DeviceError, Message, RehearseError
from rehearse.evaluate import deck_texts, evaluate
from rehearse.lock import SessionLock, hold_session_lock
from rehearse.models import language_fit
from rehearse.parts import AnswerFolder, Hooks, Microphone, Parts, Silent, TtsSpeaker
from rehearse.paths import Workspace, safe_name, unique_path, workspace
from rehearse.record import Progress, Recording, RecordOptions
from rehearse.recover import Recovered, repair_crashed
from rehearse.schedule import order_questions
from rehearse.score import Score, ScoreOptions
from rehearse.score import warm_up as warm_scoring
from rehearse.speak import SpeakOptions
from rehearse.store import Store, real_time
from rehearse.transcribe import TranscribeOptions
from rehearse.transcript import Transcript


@dataclass
class PracticeOptions:
    """What a session asks and how."""

    only: list[str] | None = None  # question ids to ask (in deck order); None = all
    follow_ups: bool = True  # ask follow-ups right after their parent
    answers_from: Path | None = None  # take DIR/<question-id>.wav instead of the microphone
    realtime: bool = False  # play --answers-from files at speaking pace, transcribed as they play
    output_device: int | None = None  # None = the default output
    speak: SpeakOptions = field(default_factory=SpeakOptions)
    record: RecordOptions = field(default_factory=RecordOptions)
    transcribe: TranscribeOptions = field(default_factory=TranscribeOptions)
    seed: int | None = None  # for picking question variants (and --shuffle) reproducibly
    due: bool = False  # ask due and weakest questions first (FSRS; see rehearse.schedule)
    limit: int | None = None  # ask at most this many questions
    shuffle: bool = False  # ask in random order (follow-ups stay after their parent)
    tag: str | None = None  # ask only questions with this tag
    live: bool = False  # score the answer as it is spoken, at every pause (`SessionEvents.live`)


@dataclass
class AttemptResult:
    """One answered question."""

    question: Question
    asked: str  # the phrasing that was spoken
    recording: Recording
    transcript: Transcript
    score: Score
    attempt_id: int


@dataclass
class SessionResult:
    """A finished (or interrupted) session."""

    session_id: str
    deck: str
    attempts: list[AttemptResult]
    skipped: list[tuple[str, str]]  # (question id, why)
    interrupted: bool = False

    @property
    def average_score(self) -> float | None:
        scored = [a.score.score for a in self.attempts if not a.score.no_words]
        return sum(scored) / len(scored) if scored else None


class SessionEvents:
    """What a session reports as it goes; the CLI overrides these to show them."""

    def loading_model(self, model: str) -> None: ...
    def question(self, index: int, total: int, question: Question, asked: str) -> None: ...
    def warning(self, message: str) -> None: ...
    def recording(self, question: Question, options: RecordOptions) -> None: ...
    def progress(self, progress: Progress) -> None: ...
    def should_stop(self) -> bool:
        return False
    def live(self, partial: Score, elapsed_s: float) -> None:
        """With ``PracticeOptions.live``: the answer so far scored, at each pause the stream
        decoded (on the transcriber's thread, while recording goes on); ``elapsed_s`` is the
        answer's length when it was scored."""
    def recorded(self, recording: Recording) -> None: ...
    def transcribing(self, recording: Recording) -> None: ...
    def feedback(self, result: AttemptResult) -> None: ...
    def recovered(self, recovered: Recovered) -> None: ...


def new_session_id(clock: Callable[[], datetime] = real_time) -> str:
    """A sortable, unique session id: local time plus a short random suffix."""
    return clock().astimezone().strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)


def select_questions(deck: Deck, options: PracticeOptions) -> list[Question]:
    """The questions a session asks, in order, honouring ``--only`` and follow-up choice."""
    # an id, or the beginning of one (unknown ids are an error before anything is asked)
    wanted = {deck.find(qid, begins=True).id for qid in options.only or []}
    chosen: list[Question] = []

    def visit(q: Question, parent_taken: bool, top: bool) -> None:
        follows = parent_taken and options.follow_ups
        take = (q.id in wanted or follows) if wanted else (top or follows)
        if take:
            chosen.append(q)
        for f in q.follow_ups:  # follow-ups of follow-ups too, right after their parent
            visit(f, take, False)

    for q in deck.questions:
        visit(q, False, True)
    return chosen



@dataclass
class Turn:
    """The question being asked."""

    index: int  # 1-based position in the session
    total: int
    question: Question
    asked: str  # the phrasing that was spoken (one of the question's variants)


class PracticeSession:
    """A practice session a front end drives step by step; `run_session` is the loop the CLI uses.

    ``next()`` asks the next question (speaks it), ``answer()`` records, transcribes, scores and
    stores the answer, ``stop()`` ends the answer being recorded (from any thread), ``retry()``
    asks the same question again, ``skip()`` passes it, ``close()`` ends the session. Everything
    that happens is told to ``events``.

    Args:
        deck: the loaded deck.
        options: which questions, devices and engines.
        parts: the collaborators (`rehearse.parts.Parts`); defaults from ``options``.
        events: receives progress for display.
        ws: the workspace (default: `rehearse.paths.workspace()`).
    """

    def __init__(self, deck: Deck, options: PracticeOptions | None = None, parts: Parts | None = None,
                 events: SessionEvents | None = None, ws: Workspace | None = None) -> None:
        self.deck = deck
        self.options = opts = options or PracticeOptions()
        self.events = events or SessionEvents()
        self.ws = ws or workspace()
        parts = parts or Parts()
        self.clock = parts.clock
        self.source = parts.source or (AnswerFolder(opts.answers_from, realtime=opts.realtime)
                                       if opts.answers_from is not None else Microphone(opts.record))
        self.speaker = parts.speaker or (TtsSpeaker(opts.speak, self.ws.tts_cache, opts.output_device)
                                         if opts.speak.enabled else Silent())
        self.transcriber = parts.transcriber(deck, opts.transcribe)
        self._store = parts.store
        self._own_store = parts.store is None
        self.questions = self._choose()
        rng = random.Random(opts.seed)
        self._asked = [rng.choice([q.question, *q.variants]) if q.variants else q.question
                       for q in self.questions]
        self.session_id = new_session_id(self.clock)
        self.result = SessionResult(self.session_id, deck.name, [], [])
        self.recovered = Recovered()
        self.turn: Turn | None = None
        self._pos = -1
        self._again = False
        self._suggested_doctor = False
        self._stop = threading.Event()
        self._lock: SessionLock | None = None
        self._opened = False
        self._closed = False

    # ------------------------------------------------------------ opening and closing

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store(self.ws.history_db, clock=self.clock)
        return self._store

    def _choose(self) -> list[Question]:
        opts = self.options
        questions = select_questions(self.deck, opts)
        if opts.due or opts.limit or opts.shuffle or opts.tag:
            questions = order_questions(self.deck, questions, self.store, due=opts.due, limit=opts.limit,
                                        shuffle=opts.shuffle, tag=opts.tag, rng=random.Random(opts.seed))
        return questions

    def open(self) -> PracticeSession:
        """Check the parts, repair answers a crash cut off, and start the session in the history.

        Raises `RehearseError` (a missing model, device or folder) before anything is asked.
        """
        if self._opened:
            return self
        self.source.check()
        self.transcriber.check()
        self.events.loading_model(self.options.transcribe.model)
        self.transcriber.warm_up()
        fit, advice = language_fit(self.options.transcribe.model, self.deck.language)
        if fit != "ok":
            self.events.warning(advice)
        warning = self.speaker.prepare(self.deck.language, self.deck.voice)
        if warning:
            self.events.warning(warning)
        self.recovered = repair_crashed(self.ws, self.store)
        if self.recovered.repaired:
            self.events.recovered(self.recovered)
        self._lock = hold_session_lock(self.session_dir)
        self.store.start_session(self.session_id, self.deck.name,
                                 str(self.deck.path) if self.deck.path else None, self.deck.language)
        self._opened = True
        return self

    @property
    def session_dir(self) -> Path:
        """Where this session's answers are kept."""
        return self.ws.recordings / self.deck.name / self.session_id

    def close(self) -> SessionResult:
        """End the session (once); the attempts so far stay in the history."""
        if self._closed:
            return self.result
        self._closed = True
        try:
            if self._opened:
                self.store.end_session(self.session_id)
        finally:
            if self._own_store and self._store is not None:
                self._store.close()
            if self._lock is not None:
                self._lock.close()
        return self.result

    def __enter__(self) -> PracticeSession:
        return self.open()

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------ the steps

    def next(self) -> Turn | None:
        """Ask the next question (or the same one after `retry`): show and speak it.

        Returns:
            The question asked, or None when every question has been asked.
        """
        self.open()
        if not self._again:
            self._pos += 1
        self._again = False
        if self._pos >= len(self.questions):
            self.turn = None
            return None
        q = self.questions[self._pos]
        self.turn = Turn(self._pos + 1, len(self.questions), q, self._asked[self._pos])
        self.events.question(self.turn.index, self.turn.total, q, self.turn.asked)
        warning = self.speaker.say(self.turn.asked)
        if warning:
            self.events.warning(warning)
        if self._pos + 1 < len(self.questions):  # the next question, while this one is answered
            self.speaker.say_ahead(self._asked[self._pos + 1])
        return self.turn

    def answer(self) -> AttemptResult | None:
        """Take the answer to the question asked, transcribe, score and store it.

        The answer ends at `stop`, at the question's time limit, after the silence the options
        allow, or on Ctrl+C; its audio is kept in every case, and written to disk as it comes.

        Returns:
            The attempt, or None when the question had no answer to take (it is skipped).

        Raises:
            DeviceError: the device failed mid-answer (what was captured is kept and scored first).
        """
        if self.turn is None:
            raise RehearseError("no question has been asked")
        q, asked = self.turn.question, self.turn.asked
        why = self.source.missing(q.id)
        if why is not None:
            self.skip(why)
            return None
        self._stop.clear()
        wav = unique_path(self.session_dir, safe_name(q.id), ".wav")
        # the attempt exists before its audio does: a crash mid-answer leaves a row in state
        # "recording" that `rehearse recover` repairs, transcribes and scores
        attempt_id = self.store.add_attempt(
            session_id=self.session_id, deck=self.deck.name, question_id=q.id, question=asked,
            started_at=self.store.now(), audio_path=str(wav),
            duration_s=None, status="recording",
        )
        if self.source.live:
            # loading Whisper and kiwi holds the GIL for seconds at a time, which would starve
            # the input callback and drop the start of the first answer: finish it first
            self.transcriber.ready()
        # transcribed while it is spoken, so feedback waits only for the last few seconds
        incremental = self.transcriber.stream(self.source.samplerate) if self.source.live else None
        live = None
        if incremental is not None:  # scored off the stream's worker thread
            live = self._scores_at_pauses(q)
            incremental.on_partial = lambda t, inc=incremental: live.offer(t, inc.fed_s)
        limit = q.time_limit or self.deck.time_limit
        record_options = replace(self.options.record, time_limit_s=limit)
        hooks = Hooks(
            on_progress=self.events.progress,
            should_stop=lambda: self._stop.is_set() or self.events.should_stop(),
            on_block=incremental.feed if incremental is not None else None,
            on_started=lambda: self.events.recording(q, record_options),
        )
        try:
            rec = self.source.record(q.id, wav, limit, hooks)
        except BaseException:
            if incremental is not None:
                incremental.close()  # its worker stops after the stretch in hand; the WAV is kept
            raise
        finally:
            if live is not None:
                live.close()  # the answer has ended: its feedback follows
        self.events.recorded(rec)
        self.store.mark_recorded(attempt_id, rec.duration_s)
        self.events.transcribing(rec)
        self.transcriber.ready()
        # the WAV on disk is whole even when the incremental transcript is not: it is the fallback
        transcript = self.transcriber.transcribe(rec.path, incremental)
        if incremental is not None and incremental.fallback_reason:
            self.events.warning(Message(f"{incremental.fallback_reason}; the whole answer was transcribed "
                                        "instead", "warn.whole_answer", reason=incremental.fallback_reason))
        score = evaluate(self.deck, q, transcript, self.transcriber.prompt)
        self.store.complete_attempt(attempt_id, transcript, score.score, score.coverage, score.to_dict())
        attempt = AttemptResult(q, asked, rec, transcript, score, attempt_id)
        self.result.attempts.append(attempt)
        self.events.feedback(attempt)
        if score.no_speech and isinstance(self.source, Microphone) and not self._suggested_doctor \
                and not self.ws.level_test_mark.exists():
            self._suggested_doctor = True  # the microphone was never tested here: a likely cause
            self.events.warning(Message("no voice was heard in that answer: `rehearse doctor` tests the "
                                        "microphone (muted, wrong device, too quiet) in a few seconds",
                                        "warn.no_voice"))
        if rec.ended_by == "device_error":
            raise DeviceError(Message(f"{rec.error}; the answer so far is kept in {rec.path}",
                                      "device.lost_kept", cause=rec.error, path=rec.path))
        return attempt

    def _scores_at_pauses(self, q: Question) -> _LiveScores:
        """The scorer of the answer so far at each pause: shown with `PracticeOptions.live`;
        without it unseen, so that scoring after Enter has only what came after the last pause
        left. Unseen scores embed the answer's sentences only once the sentence encoder is loaded
        (they never load its ~150 MB themselves)."""
        shown = self.options.live
        prompt = self.transcriber.prompt

        def score(transcript: Transcript) -> Score:
            options = None if shown else ScoreOptions(meaning=meaning.loaded())
            return evaluate(self.deck, q, transcript, prompt, options)

        def warm() -> None:
            warm_scoring(q.key_points, self.deck.language, q.answer or "", deck_texts(self.deck),
                         embed=shown or meaning.loaded())

        return _LiveScores(score, self.events.live if shown else None, warm)

    def stop(self) -> None:
        """End the answer being recorded (safe from any thread; the audio so far is kept)."""
        self._stop.set()

    def retry(self) -> None:
        """Make the next `next()` ask the current question again."""
        if self.turn is not None:
            self._again = True

    def skip(self, why: str = "skipped") -> None:
        """Pass the current question without an answer (``why``: a `Message` where it has a key)."""
        if self.turn is not None:
            qid = self.turn.question.id
            self.result.skipped.append((qid, why))
            self.events.warning(Message(f"'{qid}': {why}; question skipped", "warn.skipped", id=qid, why=why))


class _LiveScores:
    """Scores the running transcripts of `IncrementalTranscriber.on_partial` in order, on a
    thread of its own (the first score may load the sentence encoder: the stream's worker must
    not wait for it), and hands each to ``show`` with the answer's length when it was offered.
    Without ``show`` the scores only fill the analysis and embedding caches (`textnorm.analyse`,
    `meaning.embed`) that the answer's own score then finds."""

    def __init__(self, score: Callable[[Transcript], Score], show: Callable[[Score, float], None] | None,
                 warm: Callable[[], None] | None = None) -> None:
        self._score, self._show = score, show
        self._closed = False
        self.error: Exception | None = None  # the last failure to score or show (not raised)
        self._todo: queue.Queue[tuple[Transcript, float] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, args=(warm,), name="rehearse-live", daemon=True)
        self._thread.start()

    def offer(self, partial: Transcript, elapsed_s: float) -> None:
        self._todo.put((partial, elapsed_s))

    def close(self) -> None:
        """Stop after the score in hand; what is still waiting is dropped."""
        self._closed = True
        self._todo.put(None)

    def _run(self, warm: Callable[[], None] | None) -> None:
        try:
            if warm is not None:  # load what scoring needs while the answer begins
                warm()
        except Exception as e:
            self.error = e
        while (item := self._todo.get()) is not None and not self._closed:
            try:
                score = self._score(item[0])
                if not self._closed and self._show is not None:  # nothing after the answer has ended
                    self._show(score, item[1])
            except Exception as e:  # live feedback is a courtesy: the answer's own score follows
                self.error = e


def run_session(
    deck: Deck,
    options: PracticeOptions | None = None,
    events: SessionEvents | None = None,
    ws: Workspace | None = None,
    parts: Parts | None = None,
) -> SessionResult:
    """Run one practice session over a deck and keep every attempt: each question in turn,
    answered once. Ctrl+C during an answer keeps it; at any other moment it ends the session.

    Args:
        deck: the loaded deck.
        options: which questions, devices and engines.
        events: receives progress for display.
        ws: the workspace (default: `rehearse.paths.workspace()`).
        parts: the session's collaborators (default: from ``options``).

    Returns:
        The attempts made, in order.
    """
    session = PracticeSession(deck, options, parts, events, ws)
    with session:
        try:
            while session.next() is not None:
                session.answer()
        except KeyboardInterrupt:
            session.result.interrupted = True
    return session.result
