"""Stream: transcribe an answer while it is being spoken, so feedback waits only for its tail.

The recorder hands every 0.1 s block to `IncrementalTranscriber.feed`. A voice-activity detector
marks the pauses; a background worker, whenever it is free, takes the audio up to the latest pause
and transcribes that stretch while recording goes on. When the answer ends, `finish` transcribes
only what is left after the last cut and joins the parts, timings shifted to the whole answer.
A stretch shorter than ``context_s`` (a speculative pass or the tail: ``tail_context_s``) is heard
with the speech before it, and only the words whose middle falls inside it are kept: Whisper guesses
a few seconds heard alone much worse. The context's words, decoded already, are handed to the engine as
a timed prefix (`TranscribeOptions.prefix`), which openai-whisper takes as given for English rather
than decoding them again (elsewhere they are decoded again and dropped); there a longer stretch is
heard with ``lead_in_s`` (3 s) of the speech before it too, so that its first word is not at the
window's edge.

Speculative passes: when the worker has nothing to cut and a pause of ``speculate_pause_s`` (0.3 s)
arrives with voice before it that no pass has decoded (or a comma's pause, ``comma_pause_s``, once
``speculate_long_s`` have gone by since the last pass: a long sentence's commas), it decodes the
audio no pass has decoded since the last cut, up to that pause (the first pass from the cut; each
later one from where the one before ended, heard with the speech before it by the same context
rule), in case the answer ends there. Where each call costs a whole 30 s window (faster-whisper),
a pass begins at ``provisional_pause_s`` (0.2 s) of quiet already, and is dropped if voice comes
back before the pause reaches ``speculate_pause_s``, so that no piece ends at a comma. With
``speculate_quiet_s`` set (off by default: see its
comment), a speaker who runs on without a comma's pause gets a pass all the same, ending at the
quietest 60 ms of the last ``speculate_quiet_s``, perhaps inside a word: it leaves out its last word
(`words_before`), which the next pass, by the context rule's word middles, hears whole. The passes
commit nothing while the answer goes on: every stretch is still the cut rules' and is decoded whole,
except where a single pass heard exactly its audio but for quiet (then its words are the stretch's).
At the end of the answer `finish` commits the passes since the last cut: if nothing was said after
the last one the transcript needs no Whisper call at all, otherwise only what came after it is
decoded; and when the worker is at that moment decoding a cut rules' stretch that the passes heard
at least half of, that call is given up (``TranscribeOptions.cancel``; openai-whisper stops at its
next token), the passes' words stand for what they heard and only what came after them is decoded.
Where a decoded stretch leaves ``redecode_gap_s`` of voice after a word without words, the rest is
decoded again from there (Whisper sometimes ends a window early). Each pass also hands the running
transcript to ``on_partial`` (live key points). This is a stricter rule than the streaming
projects': whisper_streaming's LocalAgreement-2 commits the longest common prefix of two successive
hypotheses over a growing buffer, and WhisperLive commits every segment but the last, and the last
once it comes back unchanged N times; both commit text from partly heard audio, which here would
cost the joined transcript its accuracy.

Why an energy detector (measured by ``bench/bench_latency.py`` on its 122 s espeak-ng answer, see
``bench/README.md``): the detector here only chooses *where to cut*; it never drops audio, since
every stretch, pauses included, goes to Whisper. The detector is `rehearse.voice`'s rule, the one
the recorder and the voice gate use. Measured when its margin over the adaptive noise floor was 6 dB
(it is now `rehearse.voice.VOICE_MARGIN_DB`, 10 dB, so that pink noise is not voice): it found 31
pauses, every one inside one of the 32 gaps Silero (the VAD bundled with faster-whisper) finds, on
the clean answer and with white noise added at -55 dBFS; at -45 dBFS 2 more. It costs 0.2 ms of CPU
per second of audio (Silero: 2-2.5 ms; both negligible next to Whisper) and needs numpy only, so it
serves the default engine without onnxruntime (Silero ships only inside the optional faster-whisper
extra; webrtcvad would add a compiled dependency). Where it is worse: with noise at -35 dBFS (~15 dB
below the speech) it also finds 24 "pauses" inside speech that Silero leaves alone. Cuts prefer
sentence pauses (>= 0.4 s), so most of those are never used, but a noisy room can put a seam inside
a word; the margin is the knob.

Guarantees: `feed` never raises into the recorder (a failure is kept and reported by `finish`);
`close` never waits; `finish` raises `TranscriptionError` when the worker failed or did not see
every sample of the recording, and `transcribe_answer` then transcribes the WAV on disk whole.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from rehearse.audio import SAMPLE_RATE, resample
from rehearse.decoding import COMPRESSION_MAX, LOGPROB_MIN, Cancelled
from rehearse.errors import TranscriptionError
from rehearse.pauses import EnergyVad, Pause
from rehearse.seams import NO_SPACES, shifted, window_start, words_after, words_before, words_until
from rehearse.streamopts import StreamOptions
from rehearse.transcribe import TranscribeOptions, takes_prefix, transcribe, whole_window
from rehearse.transcript import Segment, Transcript

TranscribeFn = Callable[[np.ndarray, str, TranscribeOptions], Transcript]


@dataclass
class Chunk:
    """One transcribed stretch, with the worker's own timestamps (``time.monotonic()``)."""

    start: int  # first sample of the stretch
    end: int  # one past the last sample
    heard_from: int  # first sample Whisper heard (< start: context; its words are not kept)
    cut_at: float  # when the stretch was cut (all of its audio had arrived)
    started_at: float
    done_at: float
    by: str  # "worker" (while recording), "finish" (the tail) or "speculative" (a pass at a pause)
    voiced: bool  # False: silence only, not sent to Whisper
    text: str = ""
    reused: bool = False  # its text is a speculative pass's: no Whisper call of its own
    dropped: bool = False  # a speculative pass whose result Whisper would have decoded again


@dataclass
class _State:
    audio: np.ndarray = field(default_factory=lambda: np.zeros(SAMPLE_RATE * 30, np.float32))
    fed: int = 0  # samples received
    done: int = 0  # samples transcribed (or skipped as silence) by the worker
    finishing: bool = False
    closed: bool = False


class IncrementalTranscriber:
    """Transcribes an answer stretch by stretch while it is being recorded.

    Use ``feed`` as the recorder's ``on_block``; then ``finish()`` once, or ``close()`` to give up.

    Args:
        language: the deck's language code.
        options: engine, model and decoding settings (the same for every stretch).
        stream: where to cut.
        samplerate: the rate of the fed blocks (Hz); stretches are resampled to 16 kHz.
        transcribe_fn: the transcriber (tests pass a fake).
    """

    def __init__(
        self,
        language: str,
        options: TranscribeOptions | None = None,
        stream: StreamOptions | None = None,
        samplerate: int = SAMPLE_RATE,
        transcribe_fn: TranscribeFn | None = None,
    ) -> None:
        self.language = language
        self.options = options or TranscribeOptions()
        self.stream = stream or StreamOptions()
        self.samplerate = samplerate
        self.transcribe_fn = transcribe_fn or transcribe
        self.chunks: list[Chunk] = []  # the committed stretches, in the order they were done
        self.passes: list[Chunk] = []  # every speculative pass, with the worker's timestamps
        self.error: BaseException | None = None  # what stopped the worker (or feed)
        # called on the worker's thread with the transcript so far (committed stretches and the
        # speculative passes since the last cut), after every pass and every committed stretch
        self.on_partial: Callable[[Transcript], None] | None = None
        self.partial_error: Exception | None = None  # what ``on_partial`` raised last
        # the speculative passes since the last commit: each decoded the audio after the one
        # before it (the first, from the last cut), up to a pause
        self._specs: list[tuple[Chunk, Transcript]] = []
        self._tried = 0  # where the last pass ended before it was trimmed or dropped
        self._provisional: Pause | None = None  # the last pass's pause, while it may prove too short
        # the cut rules' stretch being decoded, and the event that gives it up (`finish`)
        self._committing: tuple[int, int] | None = None
        self._cancel = threading.Event()
        self.fallback_reason: str | None = None  # set by `transcribe_answer` when it fell back
        self._parts: list[tuple[Chunk, Transcript]] = []  # timings from ``chunk.heard_from``
        self._state = _State()
        self._vad = EnergyVad(self.stream, samplerate)
        self._cond = threading.Condition()
        self._worker = threading.Thread(target=self._work, name="rehearse-incremental", daemon=True)
        self._worker.start()

    # ------------------------------------------------------------ the recorder's side

    def feed(self, block: np.ndarray) -> None:
        """Take the next block of samples (the recorder's ``on_block``); never raises an Exception."""
        try:
            with self._cond:
                s = self._state
                if s.closed or s.finishing or self.error is not None:
                    return
                samples = np.asarray(block, dtype=np.float32).reshape(-1)
                if s.fed + samples.size > s.audio.size:
                    grown = np.zeros(max(s.audio.size * 2, s.fed + samples.size), np.float32)
                    grown[:s.fed] = s.audio[:s.fed]
                    s.audio = grown
                s.audio[s.fed:s.fed + samples.size] = samples
                s.fed += samples.size  # counted only once stored: an interrupted feed is visible
                self._vad.update(s.audio, s.fed)
                self._cond.notify_all()
        except Exception as e:  # the recorder must keep recording; `finish` reports this
            self.error = e

    @property
    def fed_s(self) -> float:
        """Seconds of audio received so far."""
        return self._state.fed / self.samplerate

    # ------------------------------------------------------------ the worker

    def _next_cut(self) -> int | None:
        s, o, rate = self._state, self.stream, self.samplerate
        ended = [p.cut for p in self._vad.pauses if p.seconds >= o.end_pause_s and p.cut > s.done]
        if ended:
            return ended[-1]
        lo, hi = s.done + int(o.min_chunk_s * rate), s.done + int(o.max_chunk_s * rate)
        if s.fed < lo:
            return None
        # the latest pause: one bigger stretch costs less than two, and gives Whisper more context
        cuts = [(p, p.cut_after(lo)) for p in self._vad.pauses]
        pauses = [(p, c) for p, c in cuts
                  if c is not None and c <= min(hi, s.fed) and p.seconds >= o.pause_s]
        sentences = [c for p, c in pauses if p.seconds >= o.sentence_pause_s]
        if sentences:
            return sentences[-1]
        if pauses and s.fed >= s.done + int(o.long_chunk_s * rate):
            return pauses[-1][1]
        if s.fed >= hi:
            return self._vad.quietest(s.done + (hi - s.done) // 2, hi)
        return None

    def _next_speculation(self) -> tuple[int, bool, Pause | None] | None:
        """Where a speculative pass would end: in the latest pause of at least
        ``speculate_pause_s`` that has voice before it no pass has decoded yet, or any pause once
        ``speculate_long_s`` have gone by; with none by then, at the quietest point of the last
        ``speculate_quiet_s`` (True: forced, perhaps inside a word). None if no pass is due."""
        s, o, rate = self._state, self.stream, self.samplerate
        if not o.speculate_pause_s:
            return None
        self._drop_provisional()
        since = self._specs[-1][0].end if self._specs else s.done
        long_ = since + int(o.speculate_long_s * rate)
        short = o.provisional_pause_s if whole_window(self.options, self.language) else 0.0
        due = [p for p in self._vad.pauses if p.cut > max(since, self._tried) and (
            p.seconds >= o.speculate_pause_s or (p.cut >= long_ and p.seconds >= o.comma_pause_s))]
        pauses = [p for p in self._vad.pauses if p.cut > max(since, self._tried) and (
            p in due or (short and p.seconds >= short and self._ongoing(p)))]
        end = pauses[-1].cut if pauses else None
        provisional = pauses[-1] if pauses and pauses[-1] not in due else None
        if end is not None and self._vad.voiced_s(since, end) < o.min_voiced_s:
            end = provisional = None  # a pause with nothing said before it (the quiet before the answer)
        forced, quiet = end is None, int(o.speculate_quiet_s * rate)
        if forced and quiet and s.fed >= max(long_ + quiet // 2, self._tried + quiet):
            end = self._vad.quietest(s.fed - quiet, s.fed - int(0.1 * rate))
        if end is None:
            return None
        if end <= self._tried or self._vad.voiced_s(self._tried, end) < o.min_voiced_s:
            # a pass to there (or to this pause as it was 20 ms ago: its cut moves while it
            # grows) was dropped: the next one goes further, once something more is said
            return None
        if self._vad.voiced_s(since, end) < o.min_voiced_s:
            return None  # nothing said since the last pass
        return end, forced, provisional

    def _ongoing(self, pause: Pause) -> bool:
        """Whether ``pause`` goes on to the last sample heard (no voice has come after it yet)."""
        return pause.start + pause.frames >= len(self._vad.voiced)

    def _drop_provisional(self) -> None:
        """Drop the last pass if voice came back before its pause reached ``speculate_pause_s``
        (`StreamOptions.provisional_pause_s`): the next pass decodes from where it began."""
        p, o = self._provisional, self.stream
        if p is None or self._ongoing(p):
            return
        self._provisional = None
        if p.seconds < o.speculate_pause_s and self._specs:
            chunk, _ = self._specs.pop()
            chunk.dropped = True

    def _work(self) -> None:
        try:
            while True:
                with self._cond:
                    cut = spec = None
                    while not (self._state.closed or self._state.finishing):
                        cut = self._next_cut()
                        if cut is None:
                            spec = self._next_speculation()
                        if cut is not None or spec is not None:
                            break
                        self._cond.wait(0.5)
                    if cut is None and spec is None:
                        return
                    start = self._state.done
                if spec is not None:
                    self._speculate(self._specs[-1][0].end if self._specs else start, *spec)
                    continue
                self._provisional = None
                # one pass that heard what this stretch holds, but for quiet, is its text; several
                # (heard in pieces) are not: the stretch is decoded whole, as the cut rules want
                if len(self._specs) == 1 and self._reusable(cut):
                    self._commit_reused(self._specs[0], cut, time.monotonic(), "worker")
                else:
                    with self._cond:
                        self._committing = (start, cut)
                    try:
                        self._transcribe(start, cut, time.monotonic(), "worker",
                                         replace(self.options, cancel=self._cancel))
                    except Cancelled:
                        return  # `finish` gave it up: the passes since the last cut hold its words
                    finally:
                        with self._cond:
                            self._committing = None
                self._specs = []
                with self._cond:
                    self._state.done = cut
                    # pauses before the cut can no longer be cut at; those within reach of a
                    # later stretch's context (`window_start`) are kept for where it begins
                    keep = cut - int((max(self.stream.context_s, self.stream.tail_context_s) + 1.0)
                                     * self.samplerate)
                    self._vad.pauses = [p for p in self._vad.pauses if (p.start + p.frames) * p.frame > keep]
                    self._cond.notify_all()
                self._tell_partial()
        except BaseException as e:  # kept for `finish`, which falls back to the whole file
            self.error = e

    def _decode(self, start: int, end: int, options: TranscribeOptions | None = None,
                context_s: float | None = None) -> tuple[int, Transcript]:
        """Whisper on the stretch ``start:end``, heard from `window_start` (the context rule); the
        words of the context dropped. Where ``redecode_gap_s`` of voice is left without words,
        what follows is decoded again from there (twice at most) and replaces what Whisper gave
        for it. Returns where Whisper's window began, and the words."""
        heard_from, part = self._decode_once(start, end, options, with_prefix=True, context_s=context_s)
        for _ in range(2):
            gap = self._uncovered(heard_from, start, end, part)
            if gap is None:
                break
            again_from, again = self._decode_once(gap, end, options, context_s=context_s)
            again = shifted(again, (again_from - heard_from) / self.samplerate)
            kept = words_until(part, (gap - heard_from) / self.samplerate)
            if not any(seg.words or seg.text.strip() for seg in again.segments):
                break  # Whisper hears nothing there either: keep what it gave the first time
            segments = [*kept.segments, *again.segments]
            part = replace(part, segments=segments,
                           text=" ".join(seg.text.strip() for seg in segments if seg.text.strip()))
        return heard_from, part

    def _decode_once(self, start: int, end: int, options: TranscribeOptions | None = None,
                     with_prefix: bool = False, context_s: float | None = None) -> tuple[int, Transcript]:
        heard_from = window_start(self._vad.pauses, start, end, context_s or self.stream.context_s,
                                  self.samplerate)
        lead = self.stream.lead_in_s if takes_prefix(self.options.engine, self.language) else 0.0
        if lead and with_prefix and 0 < heard_from == start:
            heard_from = window_start(self._vad.pauses, start, start + 1, lead, self.samplerate)
        audio = self._state.audio[heard_from:end].copy()
        options = options or self.options
        said = self._said(heard_from, start) if with_prefix and heard_from < start else None
        if said:  # the context's words are known: the engine takes them as given (`prefix`)
            options = replace(options, prefix=said, prefix_s=(start - heard_from) / self.samplerate)
        part = self.transcribe_fn(resample(audio, self.samplerate, SAMPLE_RATE), self.language, options)
        return heard_from, words_after(part, (start - heard_from) / self.samplerate)

    def _said(self, lo: int, hi: int) -> str | None:
        """The words decoded so far (committed or passes) whose middle falls in ``lo:hi``, or
        None when a stretch there has text without word timings."""
        words = []
        for chunk, part in [*self._parts, *self._specs]:
            for seg in part.segments:
                if seg.text.strip() and not seg.words:
                    return None
                words += [(mid, w.text) for w in seg.words
                          if lo <= (mid := chunk.heard_from + (w.start + w.end) / 2 * self.samplerate) < hi]
        return ("" if self.language in NO_SPACES else " ").join(t for _, t in sorted(words)) or None

    def _uncovered(self, heard_from: int, start: int, end: int, part: Transcript) -> int | None:
        """Where the first stretch of ``redecode_gap_s`` of voice after a word of ``part`` (timed
        from ``heard_from``) that no word covers begins, before ``end``; None if there is none or
        a segment has no word timings to tell by."""
        gap_s = self.stream.redecode_gap_s
        if not gap_s or any(seg.text.strip() and not seg.words for seg in part.segments):
            return None
        rate = self.samplerate
        words = [w for seg in part.segments for w in seg.words]
        if not words:
            return None
        # after a word only: the same window again would give the same words (a stretch Whisper
        # makes nothing of is left as it is, bounding the time spent on voice without words)
        ends = [heard_from + int(w.end * rate) for w in words]
        starts = [*(heard_from + int(w.start * rate) for w in words[1:]), end]
        for lo, hi in zip(ends, starts, strict=True):
            if hi - lo >= gap_s * rate and self._vad.voiced_s(max(lo, start), min(hi, end)) >= gap_s:
                return max(lo, start)
        return None

    def _transcribe(self, start: int, end: int, cut_at: float, by: str,
                    options: TranscribeOptions | None = None) -> None:
        """Transcribe the stretch ``start:end`` (the audio is kept until `finish`: only the
        recorder's thread appends to it, and only beyond ``fed``)."""
        began = time.monotonic()
        chunk = Chunk(start, end, start, cut_at, began, began, by, False)
        chunk.voiced = self._vad.voiced_s(start, end) >= self.stream.min_voiced_s
        if chunk.voiced:  # silence alone would only tempt Whisper into "Thank you for watching"
            chunk.heard_from, part = self._decode(start, end, options,
                                                  self._tail_context_s() if by == "finish" else None)
            self._parts.append((chunk, part))
            chunk.text = part.text
        chunk.done_at = time.monotonic()
        self.chunks.append(chunk)

    def _speculate(self, start: int, end: int, forced: bool = False,
                   provisional: Pause | None = None) -> None:
        """Decode what no pass has decoded since the last cut, up to a pause (the context rule
        as for any stretch): kept aside, not committed. A ``forced`` pass (no pause, perhaps
        inside a word) keeps all but its last word and ends where that word begins.

        A pass decodes once, without Whisper's temperature fallback, so that it never keeps the
        worker long (with it, one 8 s window took over 40 s on a loaded machine, and the end of
        the answer waits for the call in hand); a result Whisper itself would have retried is
        dropped, and that audio is decoded again later, by the next pass or the end, normally."""
        began = time.monotonic()
        self._tried = end
        heard_from, part = self._decode(start, end, replace(self.options, fallback=False),
                                        self._tail_context_s())
        chunk = Chunk(start, end, heard_from, began, began, time.monotonic(), "speculative", True, part.text)
        self.passes.append(chunk)
        if any(seg.compression_ratio > COMPRESSION_MAX or seg.avg_logprob < LOGPROB_MIN
               for seg in part.segments):
            chunk.dropped = True  # kept in `passes` to be seen; its words are not used
            return
        if forced:
            trimmed = words_before(part, (end - heard_from) / self.samplerate)
            seam = None if trimmed is None else heard_from + round(trimmed[1] * self.samplerate)
            if seam is None or seam <= start:
                chunk.dropped = True  # nothing could be kept whole: the next pass decodes it all
                return
            part, chunk.end, chunk.text = trimmed[0], seam, trimmed[0].text
        self._specs.append((chunk, part))
        with self._cond:
            self._provisional = provisional
            self._drop_provisional()  # voice came back while it was decoded
        self._tell_partial()

    def _tail_context_s(self) -> float:
        o = self.stream
        return o.tail_context_s if takes_prefix(self.options.engine, self.language) else o.context_s

    def _reusable(self, end: int) -> bool:
        """Whether the passes since the last cut heard everything up to ``end`` but quiet."""
        if not self._specs:
            return False
        lo, hi = sorted((self._specs[-1][0].end, end))
        return self._vad.voiced_s(lo, hi) < self.stream.min_voiced_s

    def _commit_reused(self, spec: tuple[Chunk, Transcript], end: int, cut_at: float, by: str) -> None:
        """Commit a speculative pass's words as the stretch from its start to ``end``."""
        now = time.monotonic()
        done, part = spec
        chunk = Chunk(done.start, end, done.heard_from, cut_at, now, now, by, True, part.text, reused=True)
        self._parts.append((chunk, part))
        self.chunks.append(chunk)

    def _tell_partial(self) -> None:
        """Hand the transcript so far (committed stretches and the passes since the last cut) to
        ``on_partial``; what it raises is kept in ``partial_error``, never stops the worker."""
        if self.on_partial is None:
            return
        parts = [*self._parts, *self._specs]
        try:
            self.on_partial(self._joined(parts, max(c.end for c, _ in parts) if parts else 0))
        except Exception as e:  # a display's failure must not cost the answer its transcript
            self.partial_error = e

    # ------------------------------------------------------------ the caller's side

    def finish(self, samples: int | None = None, timeout_s: float | None = None) -> Transcript:
        """Transcribe what is left after the last cut and join it with the rest.

        Args:
            samples: how many samples the answer has (the WAV's length: the recorder trims
                trailing silence); None = everything fed.
            timeout_s: longest wait for the worker's current stretch (None: as long as it takes).

        Returns:
            The whole answer's transcript, timings from its start, with the seconds of voice
            the answer held (``voiced_s``).

        Raises:
            TranscriptionError: the worker failed, is still busy after ``timeout_s``, or did not
                receive all ``samples``; the caller then transcribes the WAV whole.
        """
        with self._cond:
            self._state.finishing = True
            busy = self._committing
            heard = self._specs[-1][0].end - busy[0] if busy is not None and self._specs else 0
            if busy is not None and heard > 0 and 2 * heard >= busy[1] - busy[0]:
                # the passes since the last cut heard at least half of the stretch being decoded
                # whole: the answer's end does not wait for that call (openai-whisper gives it up at
                # its next token); their words are the stretch's, and only what came after them is
                # decoded (one call instead of the rest of that one and another after it)
                self._cancel.set()
            self._cond.notify_all()
        self._worker.join(timeout_s)
        if self._worker.is_alive():
            raise TranscriptionError("incremental transcription is still busy with an earlier stretch")
        if self.error is not None:
            raise TranscriptionError(f"incremental transcription failed: {self.error!r}") from self.error
        s = self._state
        total = s.fed if samples is None else samples
        if total > s.fed:
            raise TranscriptionError(
                f"incremental transcription received {s.fed / self.samplerate:.2f} s of "
                f"{total / self.samplerate:.2f} s of audio"
            )
        if total > s.done:
            now = time.monotonic()
            self._vad.update(s.audio, total)
            self._drop_provisional()
            specs, reusable = self._specs, self._reusable(total)
            self._specs = []
            try:
                if specs and reusable:  # nothing said since the last pass: no Whisper call
                    for spec in specs[:-1]:
                        self._commit_reused(spec, spec[0].end, now, "finish")
                    self._commit_reused(specs[-1], total, now, "finish")
                elif specs and specs[-1][0].end < total:
                    for spec in specs:
                        self._commit_reused(spec, spec[0].end, now, "finish")
                    self._transcribe(specs[-1][0].end, total, now, "finish")  # only what came after them
                else:
                    self._transcribe(s.done, total, now, "finish")
            except Exception as e:  # whatever the engine raised: the caller falls back to the WAV
                self.error = e
                raise TranscriptionError(f"incremental transcription failed on the tail: {e!r}") from e
        # the voice heard in the whole answer: Whisper making no words of it is not silence
        return replace(self._joined(self._parts, total), voiced_s=round(self._vad.voiced_s(0, total), 2))

    def close(self) -> None:
        """Stop the worker after its current stretch, without waiting (Ctrl+C, errors)."""
        with self._cond:
            self._state.closed = True
            self._cond.notify_all()

    def __enter__(self) -> IncrementalTranscriber:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _joined(self, parts: list[tuple[Chunk, Transcript]], total: int) -> Transcript:
        segments: list[Segment] = []
        parts = sorted(parts, key=lambda p: p[0].start)
        for chunk, part in parts:
            segments.extend(shifted(part, chunk.heard_from / self.samplerate).segments)
        texts = [part.text.strip() for _, part in parts]
        return Transcript(
            text=" ".join(t for t in texts if t),
            language=self.language,
            segments=segments,
            duration_s=total / self.samplerate,
            engine=self.options.engine,
            model=self.options.model,
        )


def transcribe_answer(
    path: Path,
    language: str,
    options: TranscribeOptions | None = None,
    incremental: IncrementalTranscriber | None = None,
    transcribe_fn: TranscribeFn | None = None,
) -> Transcript:
    """The answer's transcript: the incremental one when it is whole, else the WAV transcribed whole.

    Args:
        path: the recorded answer (the WAV on disk is the truth: it holds every sample).
        language: the deck's language code.
        options: engine, model and decoding settings.
        incremental: the transcriber that was fed the answer while it was recorded, if any.
        transcribe_fn: the whole-file transcriber (tests pass a fake).

    Returns:
        The transcript; ``incremental.fallback_reason`` says why the whole file was used instead.
    """
    import soundfile as sf

    from rehearse.audio import read_audio

    if incremental is not None:
        try:
            frames = sf.info(str(path)).frames
        except (RuntimeError, OSError) as e:  # an unreadable header: read_audio below says why
            incremental.fallback_reason = f"could not read {path}: {e}"
            incremental.close()
        else:
            try:
                return incremental.finish(samples=frames)
            except TranscriptionError as e:
                incremental.fallback_reason = str(e)
            finally:
                incremental.close()
    return (transcribe_fn or transcribe)(read_audio(path), language, options or TranscribeOptions())
