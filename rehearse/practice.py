"""A practice session: speak → record → transcribe → score → store, question after question.

The CLI passes a `SessionEvents` subclass that shows what happens; the core never prints.
"""

from __future__ import annotations

import random
import secrets
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from rehearse.audio import MIN_VOICE_DB
from rehearse.deck import Deck, Question
from rehearse.errors import DeviceError, RehearseError, TTSError
from rehearse.paths import Workspace, answer_file, safe_name, unique_path, workspace
from rehearse.record import Progress, Recording, RecordOptions
from rehearse.recover import hold_session_lock
from rehearse.score import Score
from rehearse.speak import SpeakOptions
from rehearse.transcribe import TranscribeOptions
from rehearse.transcript import Transcript

if TYPE_CHECKING:
    import numpy as np

SECOND_INTERRUPT_S = 2.0  # a second Ctrl+C this soon after the first ends the session


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
        scored = [a.score.score for a in self.attempts if not a.score.no_speech]
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
    def recorded(self, recording: Recording) -> None: ...
    def transcribing(self, recording: Recording) -> None: ...
    def feedback(self, result: AttemptResult) -> None: ...


def new_session_id() -> str:
    """A sortable, unique session id: local time plus a short random suffix."""
    return datetime.now().strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)


def select_questions(deck: Deck, options: PracticeOptions) -> list[Question]:
    """The questions a session asks, in order, honouring ``--only`` and follow-up choice."""
    wanted = set(options.only or [])
    for qid in wanted:
        deck.find(qid)  # unknown ids are an error before anything is asked
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


def evaluate(deck: Deck, question: Question, transcript: Transcript, prompt: str | None = None) -> Score:
    """Score a transcript against a question's prepared answer.

    Args:
        prompt: the initial prompt Whisper was given, so that an echo of it is not scored.
    """
    from rehearse.score import score_answer

    limit = question.time_limit or deck.time_limit
    return score_answer(
        question.id,
        question.answer,
        question.key_points,
        transcript,
        language=deck.language,
        time_limit_s=limit,
        deck_texts=deck_texts(deck),
        prompt=prompt,
    )


def deck_texts(deck: Deck) -> tuple[str, ...]:
    """Every prepared answer of the deck: the scorer weighs words common to all of them less."""
    return tuple(q.answer for q in deck.walk() if q.answer)


def deck_transcribe_options(deck: Deck, options: TranscribeOptions) -> TranscribeOptions:
    """``options`` with the deck's Whisper prompt (:func:`rehearse.score.whisper_prompt`: written
    with fillers, so that Whisper keeps the user's), unless a prompt was given."""
    from rehearse.prompts import whisper_prompt

    if options.initial_prompt is not None:
        return options
    return replace(options, initial_prompt=whisper_prompt(list(deck_texts(deck)), deck.language))


MIN_VOICE_S = 0.3  # s of voice an answer needs before Whisper is asked to transcribe it
VOICE_OVER_FLOOR_DB = 10.0  # dB over the answer's noise floor (its quietest tenth) that is voice


def heard_voice(samples: np.ndarray, samplerate: int) -> bool:
    """Whether an answer holds any voice: `MIN_VOICE_S` of 20 ms frames `VOICE_OVER_FLOOR_DB`
    above its own noise floor.

    Whisper given silence or steady noise invents text, and with an initial prompt it first
    retries at higher temperatures for 26-39 s (bench/PROMPTS.md); an answer without voice skips
    it. Silence, white and pink noise and mains hum vary by under 10 dB from frame to frame;
    speech, even 26 dB down or over noise, spends seconds above that (tests/test_score_audio.py).
    """
    import numpy as np

    frame = max(1, int(0.02 * samplerate))
    n = samples.size // frame
    if n == 0:
        return False
    frames = samples[: n * frame].reshape(n, frame).astype(np.float64)
    levels = 20.0 * np.log10(np.sqrt(np.mean(np.square(frames), axis=1)) + 1e-12)
    threshold = max(float(np.percentile(levels, 10)) + VOICE_OVER_FLOOR_DB, MIN_VOICE_DB)
    return int(np.count_nonzero(levels > threshold)) * frame / samplerate >= MIN_VOICE_S


def transcribe_heard(samples: np.ndarray, language: str, options: TranscribeOptions) -> Transcript:
    """Transcribe 16 kHz audio, or return an empty transcript (no answer) if it holds no voice."""
    from rehearse.audio import SAMPLE_RATE
    from rehearse.transcribe import transcribe

    if not heard_voice(samples, SAMPLE_RATE):
        return Transcript(text="", language=language, segments=[],
                          duration_s=samples.size / SAMPLE_RATE, engine=options.engine,
                          model=options.model)
    return transcribe(samples, language, options)


class _ModelWarmup(threading.Thread):
    """Loads Whisper and the deck's text analysis in the background while the first question
    is being spoken, so the first answer does not wait for them."""

    def __init__(self, options: TranscribeOptions, deck: Deck) -> None:
        super().__init__(daemon=True)
        self.options = options
        self.deck = deck
        self.error: BaseException | None = None

    def run(self) -> None:
        from rehearse.score import warm_up
        from rehearse.transcribe import load_model

        try:
            load_model(self.options)
            warm_up([], self.deck.language, deck_texts=deck_texts(self.deck))
        except BaseException as e:  # handed to the session thread, which raises it
            self.error = e

    def wait(self) -> None:
        self.join()
        if self.error is not None:
            raise self.error


def run_session(
    deck: Deck,
    options: PracticeOptions | None = None,
    events: SessionEvents | None = None,
    ws: Workspace | None = None,
) -> SessionResult:
    """Run one practice session over a deck and keep every attempt.

    Args:
        deck: the loaded deck.
        options: which questions, devices and engines.
        events: receives progress for display.
        ws: the workspace (default: `rehearse.paths.workspace()`).

    Returns:
        The attempts made, in order.
    """
    from rehearse import audio, speak
    from rehearse.record import answer_from_file, record_answer
    from rehearse.store import Store, now_iso
    from rehearse.stream import IncrementalTranscriber, transcribe_answer
    from rehearse.transcribe import check_model

    opts = options or PracticeOptions()
    ev = events or SessionEvents()
    ws = ws or workspace()
    questions = select_questions(deck, opts)
    if opts.due or opts.limit or opts.shuffle or opts.tag:
        from rehearse.schedule import order_questions
        from rehearse.store import Store

        history = Store(ws.history_db)
        try:
            questions = order_questions(deck, questions, history, due=opts.due, limit=opts.limit,
                                        shuffle=opts.shuffle, tag=opts.tag,
                                        rng=random.Random(opts.seed))
        finally:
            history.close()
    if opts.answers_from is not None and not opts.answers_from.is_dir():
        raise RehearseError(f"{opts.answers_from}: no such folder of answers")
    check_model(opts.transcribe)  # a missing model is reported before anything is asked
    ev.loading_model(opts.transcribe.model)
    warmup = _ModelWarmup(opts.transcribe, deck)
    heard = deck_transcribe_options(deck, opts.transcribe)
    warmup.start()

    voice = None
    if opts.speak.enabled:
        try:
            voice = speak.choose_voice(deck.language, opts.speak.voice or deck.voice)
        except TTSError as e:
            ev.warning(f"{e}; questions will be shown only")
    if opts.answers_from is None:
        audio.resolve_device(opts.record.device, "input")

    name = deck.name
    session_id = new_session_id()
    session_dir = ws.recordings / name / session_id
    lock = hold_session_lock(session_dir)
    store = Store(ws.history_db)
    store.start_session(session_id, name, str(deck.path) if deck.path else None, deck.language)
    rng = random.Random(opts.seed)
    result = SessionResult(session_id, name, [], [])
    incremental: IncrementalTranscriber | None = None
    asked_texts = [rng.choice([q.question, *q.variants]) if q.variants else q.question
                   for q in questions]
    try:
        for index, (q, asked) in enumerate(zip(questions, asked_texts, strict=True), 1):
            ev.question(index, len(questions), q, asked)
            if voice is not None:
                try:
                    clip = speak.render(asked, voice, ws.tts_cache, opts.speak.rate)
                    speak.speak(clip, opts.output_device)
                except (TTSError, DeviceError) as e:
                    ev.warning(f"{e}; questions will be shown only")
                    voice = None
            if voice is not None and index < len(questions):  # the next question, while this is answered
                speak.render_ahead(asked_texts[index], voice, ws.tts_cache, opts.speak.rate)
            wav = unique_path(session_dir, safe_name(q.id), ".wav")
            source = None
            if opts.answers_from is not None:
                source = answer_file(opts.answers_from, q.id)
                if not source.is_file():
                    result.skipped.append((q.id, f"no answer file {source}"))
                    ev.warning(f"{source}: no answer file for '{q.id}'; question skipped")
                    continue
            # the attempt exists before its audio does: a crash mid-answer leaves a row in state
            # "recording" that `rehearse recover` repairs, transcribes and scores
            attempt_id = store.add_attempt(
                session_id=session_id, deck=name, question_id=q.id, question=asked,
                started_at=now_iso(), audio_path=str(wav), duration_s=None, status="recording",
            )
            # transcribed while it is spoken, so feedback waits only for the last few seconds
            incremental = None
            if source is None or opts.realtime:
                rate = opts.record.samplerate if source is None else audio.SAMPLE_RATE
                incremental = IncrementalTranscriber(deck.language, heard, samplerate=rate)
            feed = incremental.feed if incremental is not None else None
            if source is not None:
                rec = answer_from_file(source, wav, realtime=opts.realtime, on_block=feed)
            else:
                rec_opts = RecordOptions(**{**opts.record.__dict__})
                rec_opts.time_limit_s = q.time_limit or deck.time_limit
                # loading Whisper and kiwi holds the GIL for seconds at a time, which would starve
                # the input callback and drop the start of the first answer: finish it first
                warmup.wait()
                rec = record_answer(wav, rec_opts, ev.progress, ev.should_stop, on_block=feed,
                                    on_started=lambda q=q, o=rec_opts: ev.recording(q, o))
            ev.recorded(rec)
            store.mark_recorded(attempt_id, rec.duration_s)
            ev.transcribing(rec)
            warmup.wait()
            # the WAV on disk is whole even when the incremental transcript is not: it is the fallback
            transcript = transcribe_answer(rec.path, deck.language, heard, incremental,
                                           transcribe_fn=transcribe_heard)
            if incremental is not None and incremental.fallback_reason:
                ev.warning(f"{incremental.fallback_reason}; the whole answer was transcribed instead")
            score = evaluate(deck, q, transcript, heard.initial_prompt)
            store.complete_attempt(attempt_id, transcript, score.score, score.coverage,
                                   score.to_dict())
            attempt = AttemptResult(q, asked, rec, transcript, score, attempt_id)
            result.attempts.append(attempt)
            ev.feedback(attempt)
            if rec.ended_by == "device_error":
                raise DeviceError(f"{rec.error}; the answer so far is kept in {rec.path}")
    except KeyboardInterrupt:
        result.interrupted = True
    finally:
        if incremental is not None:
            incremental.close()  # its worker stops after the stretch in hand; the WAV is kept
        store.end_session(session_id)
        store.close()
        lock.close()
    return result
