"""The parts a practice session is built from, with the defaults a real session uses.

A session (`rehearse.practice.PracticeSession`) asks a `Parts` for its collaborators instead of
building them: where answers come from (`Microphone`, `AnswerFolder`, `PushedAnswers`), who
speaks the questions (`TtsSpeaker`, `Silent`), what transcribes (`WhisperTranscriber`, or any
factory with the same signature), the history store and the clock. A front end or a test passes
its own; nothing patches an import site.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Protocol

import numpy as np

from rehearse import speak
from rehearse.audio import BLOCK_S, SAMPLE_RATE, level_dbfs, resolve_device
from rehearse.deck import Deck
from rehearse.errors import DeviceError, Message, RehearseError, TTSError
from rehearse.evaluate import deck_texts, deck_transcribe_options, transcribe_heard
from rehearse.paths import answer_file
from rehearse.record import AnswerFile, Progress, Recording, RecordOptions, answer_from_file, record_answer
from rehearse.score import warm_up
from rehearse.speak import SpeakOptions
from rehearse.store import Store, real_time
from rehearse.stream import IncrementalTranscriber, transcribe_answer
from rehearse.transcribe import TranscribeOptions, check_model, load_model
from rehearse.transcript import Transcript


@dataclass
class Hooks:
    """What an answer source reports while an answer is recorded."""

    on_progress: Callable[[Progress], None] | None = None  # about ten times a second
    should_stop: Callable[[], bool] | None = None  # polled every block; True ends the answer
    on_block: Callable[[np.ndarray], None] | None = None  # every block, as it is written
    on_started: Callable[[], None] | None = None  # the moment to tell the user to speak


class AnswerSource(Protocol):
    """Where spoken answers come from."""

    live: bool  # blocks arrive at the pace of speech: transcribe while the answer goes on
    samplerate: int  # Hz of the blocks given to ``Hooks.on_block``

    def check(self) -> None:
        """Raise a `RehearseError` now if no answer can be taken (before anything is asked)."""

    def missing(self, question_id: str) -> str | None:
        """Why this question cannot be answered (it is then skipped), or None."""

    def record(self, question_id: str, path: Path, time_limit_s: float | None, hooks: Hooks) -> Recording:
        """Take one answer into the WAV at ``path``."""


@dataclass
class Microphone:
    """Answers spoken into an input device (`rehearse.record.record_answer`)."""

    options: RecordOptions = field(default_factory=RecordOptions)
    live: bool = True

    @property
    def samplerate(self) -> int:
        return self.options.samplerate

    def check(self) -> None:
        resolve_device(self.options.device, "input")

    def missing(self, question_id: str) -> str | None:
        return None

    def record(self, question_id: str, path: Path, time_limit_s: float | None, hooks: Hooks) -> Recording:
        return record_answer(path, replace(self.options, time_limit_s=time_limit_s), hooks.on_progress,
                             hooks.should_stop, on_block=hooks.on_block, on_started=hooks.on_started)


@dataclass
class AnswerFolder:
    """``DIR/<question-id>.wav`` (or any format `read_audio` reads) as each answer (``--answers-from``).

    Args:
        folder: where the answer files are.
        realtime: deliver each file at the pace of speech, transcribed as it plays.
    """

    folder: Path
    realtime: bool = False
    samplerate: int = SAMPLE_RATE

    @property
    def live(self) -> bool:
        return self.realtime

    def check(self) -> None:
        if not self.folder.is_dir():
            raise RehearseError(f"{self.folder}: no such folder of answers")

    def missing(self, question_id: str) -> str | None:
        source = answer_file(self.folder, question_id)
        return None if source.is_file() else Message(f"no answer file {source}", "skip.no_answer_file",
                                                      path=source)

    def record(self, question_id: str, path: Path, time_limit_s: float | None, hooks: Hooks) -> Recording:
        return answer_from_file(answer_file(self.folder, question_id), path, realtime=self.realtime,
                                on_block=hooks.on_block)


class PushedAnswers:
    """Answers whose samples a caller pushes (another audio path, a test): `push` blocks of
    16 kHz mono float32, then `end`. The answer also ends at `PracticeSession.stop` or its limit.
    Written to disk block by block like a microphone answer."""

    live = True
    samplerate = SAMPLE_RATE

    def __init__(self) -> None:
        self._blocks: queue.Queue[np.ndarray | None] = queue.Queue()
        self.started = threading.Event()  # set while an answer is being taken

    def push(self, block: np.ndarray) -> None:
        """Add samples to the answer being taken (or the next one)."""
        self._blocks.put(block)

    def end(self) -> None:
        """End the answer after the samples pushed so far."""
        self._blocks.put(None)

    def check(self) -> None:
        return None

    def missing(self, question_id: str) -> str | None:
        return None

    def record(self, question_id: str, path: Path, time_limit_s: float | None, hooks: Hooks) -> Recording:
        path.parent.mkdir(parents=True, exist_ok=True)
        out = AnswerFile(path, self.samplerate)
        ended_by = "enter"
        self.started.set()
        if hooks.on_started:
            hooks.on_started()
        try:
            while True:
                if hooks.should_stop and hooks.should_stop():
                    break
                try:
                    block = self._blocks.get(timeout=BLOCK_S)
                except queue.Empty:
                    continue
                if block is None:
                    ended_by = "file"
                    break
                block = np.asarray(block, dtype=np.float32)
                if not out.write(block):
                    break
                if hooks.on_block:
                    hooks.on_block(block)
                elapsed = out.frames / self.samplerate
                if hooks.on_progress:
                    hooks.on_progress(Progress(elapsed, level_dbfs(block), True, 0.0))
                if time_limit_s and elapsed >= time_limit_s:
                    ended_by = "time_limit"
                    break
        finally:
            self.started.clear()
            out.close()
        if out.error is not None:
            raise out.failure() from out.error
        return Recording(path=path, duration_s=out.frames / self.samplerate, ended_by=ended_by)


class Speaker(Protocol):
    """Who speaks the questions."""

    def prepare(self, language: str, voice: str | None) -> str | None:
        """Get ready for a deck's language; a warning if questions will be shown only, else None."""

    def say(self, text: str) -> str | None:
        """Speak a question; a warning if it could not be (and none are spoken from then on)."""

    def say_ahead(self, text: str) -> None:
        """Prepare the next question in the background while the current one is answered."""


class Silent:
    """Speaks nothing: questions are shown only (``--no-speak``)."""

    def prepare(self, language: str, voice: str | None) -> str | None:
        return None

    def say(self, text: str) -> str | None:
        return None

    def say_ahead(self, text: str) -> None:
        return None


@dataclass
class TtsSpeaker:
    """Questions rendered by pyttsx3 (cached per text and voice) and played by sounddevice."""

    options: SpeakOptions
    cache_dir: Path
    output_device: int | None = None
    voice: str | None = None  # chosen by `prepare`; None: not speaking

    def prepare(self, language: str, voice: str | None) -> str | None:
        try:
            self.voice = speak.choose_voice(language, self.options.voice or voice)
        except TTSError as e:
            self.voice = None
            return Message(f"{e}; questions will be shown only", "speak.shown_only", cause=e)
        return None

    def say(self, text: str) -> str | None:
        if self.voice is None:
            return None
        try:
            speak.speak(speak.render(text, self.voice, self.cache_dir, self.options.rate), self.output_device)
        except (TTSError, DeviceError) as e:
            self.voice = None
            return Message(f"{e}; questions will be shown only", "speak.shown_only", cause=e)
        return None

    def say_ahead(self, text: str) -> None:
        if self.voice is not None:
            speak.render_ahead(text, self.voice, self.cache_dir, self.options.rate)


class Transcriber(Protocol):
    """Turns a recorded answer into a transcript, for one deck."""

    prompt: str | None  # what Whisper was told first: its echo is not scored

    def check(self) -> None:
        """Raise a `RehearseError` now if it cannot work (a model is missing)."""

    def warm_up(self) -> None:
        """Start loading what it needs in the background."""

    def ready(self) -> None:
        """Wait until `warm_up` is done (re-raising what it failed with)."""

    def stream(self, samplerate: int) -> IncrementalTranscriber | None:
        """A transcriber to feed while the answer is recorded, or None."""

    def transcribe(self, path: Path, incremental: IncrementalTranscriber | None) -> Transcript:
        """The answer's transcript (``incremental``'s when it is whole, else the file's)."""


class WhisperTranscriber:
    """openai-whisper or faster-whisper (``options.engine``), with the deck's filler prompt and
    the voice gate: an answer with no voice in it never reaches Whisper.

    Args:
        deck: the deck whose answers are transcribed (language, prompt).
        options: engine, model and decoding settings.
        transcribe_fn: the engine call (default `rehearse.transcribe.transcribe`; tests pass a fake).
    """

    def __init__(self, deck: Deck, options: TranscribeOptions,
                 transcribe_fn: Callable[..., Transcript] | None = None) -> None:
        self.deck = deck
        self.options = deck_transcribe_options(deck, options)
        self.prompt = self.options.initial_prompt
        self.transcribe_fn = transcribe_fn
        self.fallback_reason: str | None = None  # why the last answer was transcribed whole
        self._warmup: threading.Thread | None = None
        self._error: BaseException | None = None

    def check(self) -> None:
        if self.transcribe_fn is None:
            check_model(self.options)

    def warm_up(self) -> None:
        def run() -> None:
            try:
                if self.transcribe_fn is None:
                    load_model(self.options)
                warm_up([], self.deck.language, deck_texts=deck_texts(self.deck))
            except BaseException as e:  # handed to the session thread by `ready`
                self._error = e

        self._warmup = threading.Thread(target=run, name="rehearse-warmup", daemon=True)
        self._warmup.start()

    def ready(self) -> None:
        if self._warmup is not None:
            self._warmup.join()
        if self._error is not None:
            raise self._error

    def stream(self, samplerate: int) -> IncrementalTranscriber | None:
        return IncrementalTranscriber(self.deck.language, self.options, samplerate=samplerate,
                                      transcribe_fn=self.transcribe_fn)

    def transcribe(self, path: Path, incremental: IncrementalTranscriber | None) -> Transcript:
        def whole(samples, language, options):
            return transcribe_heard(samples, language, options, self.transcribe_fn)

        transcript = transcribe_answer(path, self.deck.language, self.options, incremental,
                                       transcribe_fn=whole)
        self.fallback_reason = incremental.fallback_reason if incremental is not None else None
        return transcript


TranscriberFactory = Callable[[Deck, TranscribeOptions], Transcriber]


@dataclass
class Parts:
    """A session's collaborators. None means the default for the session's options: the
    microphone (or ``--answers-from``'s folder), pyttsx3 (or silence), Whisper, the workspace's
    history file and the wall clock."""

    source: AnswerSource | None = None
    speaker: Speaker | None = None
    transcriber: TranscriberFactory = WhisperTranscriber
    store: Store | None = None  # an open store; the session opens the workspace's when None
    clock: Callable[[], datetime] = real_time  # every stored time and the session id come from it
