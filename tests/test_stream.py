"""Incremental transcription: cuts at pauses, overlap with recording, and never losing audio.

Fast tests use synthetic "speech" (tone bursts between pauses) and a fake Whisper that reports one
word per burst, so a lost, doubled or misplaced stretch shows up as a wrong word list. The real
tests play espeak-ng answers at speaking pace through the real recorder, with real weights.
"""

from __future__ import annotations

import re
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from rehearse.audio import BLOCK_S, SAMPLE_RATE, read_audio
from rehearse.decoding import Cancelled
from rehearse.errors import TranscriptionError
from rehearse.record import answer_from_file
from rehearse.stream import IncrementalTranscriber, StreamOptions, transcribe_answer
from rehearse.transcribe import TranscribeOptions
from rehearse.transcript import Segment, Transcript, Word

BLOCK = int(SAMPLE_RATE * BLOCK_S)


def bursts(onsets: list[tuple[float, float]], total_s: float, seed: int = 0) -> np.ndarray:
    """Tone bursts (onset s, length s) over faint noise: syllables and pauses without a voice."""
    rng = np.random.default_rng(seed)
    audio = rng.normal(0.0, 10 ** (-70 / 20), int(total_s * SAMPLE_RATE)).astype(np.float32)
    for onset, length in onsets:
        t = np.arange(int(length * SAMPLE_RATE)) / SAMPLE_RATE
        ramp = np.minimum(1.0, np.minimum(t, length - t) / 0.01)
        i = int(onset * SAMPLE_RATE)
        audio[i:i + t.size] += (0.2 * np.sin(2 * np.pi * 220 * t) * ramp).astype(np.float32)
    return audio


def words_of(audio: np.ndarray) -> list[tuple[float, float]]:
    """(start, end) in seconds of every loud run of 10 ms frames."""
    frame = SAMPLE_RATE // 100
    n = audio.size // frame
    loud = np.sqrt(np.mean(audio[:n * frame].reshape(n, frame) ** 2, axis=1)) > 10 ** (-40 / 20)
    runs, start = [], None
    for i, on in enumerate([*loud, False]):
        if on and start is None:
            start = i
        elif not on and start is not None:
            runs.append((start / 100, i / 100))
            start = None
    return runs


class FakeWhisper:
    """Transcribes a burst as the word "w", with its timing; can be slow, fail, or hang."""

    def __init__(self, delay_s: float = 0.0, fail_on_call: int | None = None,
                 gate: threading.Event | None = None) -> None:
        self.delay_s = delay_s
        self.fail_on_call = fail_on_call
        self.gate = gate
        self.calls: list[int] = []  # samples per call
        self.options: list[TranscribeOptions] = []  # per call

    def __call__(self, audio: np.ndarray, language: str, options: TranscribeOptions) -> Transcript:
        self.calls.append(audio.size)
        self.options.append(options)
        if self.gate is not None:
            self.gate.wait()
        time.sleep(self.delay_s)
        if self.fail_on_call == len(self.calls):
            raise RuntimeError("the model fell over")
        words = [Word("w", s, e) for s, e in words_of(audio)]
        text = " ".join(w.text for w in words)
        duration = audio.size / SAMPLE_RATE
        return Transcript(text, language, [Segment(0.0, duration, text, words)] if words else [],
                          duration_s=duration, engine="fake", model="fake")


def feed_all(inc: IncrementalTranscriber, audio: np.ndarray, pace_s: float = 0.0) -> None:
    for i in range(0, audio.size, BLOCK):
        inc.feed(audio[i:i + BLOCK])
        if pace_s:
            time.sleep(pace_s)


def assert_contiguous(inc: IncrementalTranscriber, total: int) -> None:
    spans = [(c.start, c.end) for c in sorted(inc.chunks, key=lambda c: c.start)]
    assert spans[0][0] == 0 and spans[-1][1] == total, spans
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:], strict=False)), spans


ONSETS = [(0.3 + 1.0 * k, 0.6) for k in range(20)]  # 20 "words", 0.4 s pauses between them


def test_cuts_at_pauses_and_every_word_comes_back_once_at_its_time():
    audio = bursts(ONSETS, 21.0)
    fake = FakeWhisper(delay_s=0.05)
    inc = IncrementalTranscriber("en", stream=StreamOptions(min_chunk_s=2.0), transcribe_fn=fake)
    feed_all(inc, audio, pace_s=0.002)
    t = inc.finish()
    assert len(fake.calls) >= 3  # it was cut, not transcribed in one piece
    assert_contiguous(inc, audio.size)
    for c in inc.chunks[:-1]:  # every cut fell inside a pause
        cut_s = c.end / SAMPLE_RATE
        assert all(not (on <= cut_s <= on + length) for on, length in ONSETS), cut_s
    got = [(w.start, w.end) for s in t.segments for w in s.words]
    assert len(got) == len(ONSETS)
    for (start, end), (on, length) in zip(got, ONSETS, strict=True):
        assert abs(start - on) < 0.03 and abs(end - (on + length)) < 0.03
    assert t.duration_s == pytest.approx(21.0) and t.engine == "openai-whisper"


def test_speech_without_pauses_is_cut_at_the_longest_stretch():
    audio = bursts([(0.3 * k, 0.25) for k in range(166)], 50.0)  # syllables, no pause of 0.2 s
    fake = FakeWhisper()
    inc = IncrementalTranscriber("en", stream=StreamOptions(max_chunk_s=12.0), transcribe_fn=fake)
    feed_all(inc, audio)
    deadline = time.monotonic() + 10  # a busy machine may not have run the worker yet
    while len(inc.chunks) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    inc.finish()
    assert_contiguous(inc, audio.size)
    worker = [c for c in inc.chunks if c.by == "worker"]
    assert worker and max(c.end - c.start for c in worker) <= 12.0 * SAMPLE_RATE
    assert all(c.end - c.start >= 6.0 * SAMPLE_RATE for c in worker)


def test_a_long_pause_is_cut_at_once_so_the_last_words_are_done_before_the_recorder_stops():
    audio = bursts(ONSETS[:5], 8.0)  # 5 s of speech, then the silence that ends the answer
    inc = IncrementalTranscriber("en", transcribe_fn=FakeWhisper())
    feed_all(inc, audio, pace_s=0.01)
    time.sleep(0.2)
    first = inc.chunks[0]  # cut well short of min_chunk_s, at the pause
    assert first.by == "worker" and first.end / SAMPLE_RATE == pytest.approx(4.9 + 0.5, abs=0.05)
    assert len([w for s in inc.finish().segments for w in s.words]) == 5


def test_a_short_last_stretch_is_heard_with_the_speech_before_it_and_its_words_kept_once():
    onsets = ONSETS[:14] + [(15.4 + 1.0 * k, 0.6) for k in range(3)]  # a 1.5 s pause, 3 last words
    audio = bursts(onsets, 18.5)  # 8 s before the end is mid-word (10.3-10.9 s)
    fake = FakeWhisper()
    # the tail decoded at the end in one piece (speculative passes would decode it word by word,
    # each piece with the same context: see the speculative tests below)
    inc = IncrementalTranscriber("en", stream=StreamOptions(speculate_pause_s=0), transcribe_fn=fake)
    feed_all(inc, audio, pace_s=0.005)
    t = inc.finish()
    tail = inc.chunks[-1]
    assert tail.by == "finish" and (tail.end - tail.start) / SAMPLE_RATE < 4.5
    assert tail.heard_from < tail.start and fake.calls[-1] >= 7.5 * SAMPLE_RATE  # the context
    heard_s = tail.heard_from / SAMPLE_RATE  # ... which begins in a pause, not mid-word
    assert not any(on <= heard_s <= on + length for on, length in onsets), heard_s
    assert tail.text == "w w w"  # the words of the context are not its own
    # ... and they were given to the engine as already said (`TranscribeOptions.prefix`), timed
    said = [on for on, length in onsets if tail.heard_from <= (on + length / 2) * SAMPLE_RATE < tail.start]
    assert len(said) >= 3 and fake.options[-1].prefix == " ".join(["w"] * len(said))
    assert fake.options[-1].prefix_s == pytest.approx((tail.start - tail.heard_from) / SAMPLE_RATE)
    got = [(w.start, w.end) for s in t.segments for w in s.words]
    assert len(got) == len(onsets)
    for (start, end), (on, length) in zip(got, onsets, strict=True):
        assert abs(start - on) < 0.03 and abs(end - (on + length)) < 0.03
    assert t.text == " ".join(["w"] * len(onsets)) and t.duration_s == pytest.approx(18.5)


@pytest.mark.parametrize(("engine", "lead_in_s", "lead"), [
    ("openai-whisper", None, True), ("openai-whisper", 0.0, False), ("faster-whisper", None, False)])
def test_a_long_stretch_is_heard_with_lead_in_s_of_the_speech_before_it_where_its_words_are_given(
        engine, lead_in_s, lead):
    """A cut rules' stretch longer than context_s is heard with StreamOptions.lead_in_s of the
    speech before it where the engine takes that speech's words as given (a timed prefix), so that
    its first word is not at the window's edge; its words still come back once."""
    audio = bursts(ONSETS, 21.0)
    fake = FakeWhisper()
    inc = IncrementalTranscriber("en", TranscribeOptions(engine=engine),
                                 StreamOptions(min_chunk_s=9.0, speculate_pause_s=0.0,
                                               **({} if lead_in_s is None else {"lead_in_s": lead_in_s})),
                                 transcribe_fn=fake)
    feed_all(inc, audio, pace_s=0.002)
    t = inc.finish()
    long = [c for c in inc.chunks if c.by == "worker" and c.start > 0 and c.end - c.start > 8.0 * SAMPLE_RATE]
    assert long
    for c in long:
        heard_s = (c.start - c.heard_from) / SAMPLE_RATE
        assert (2.0 <= heard_s <= 4.0) if lead else heard_s == 0.0, heard_s
    assert len([w for seg in t.segments for w in seg.words]) == len(ONSETS)  # each word once
    assert_contiguous(inc, audio.size)


def wait_for_pass(inc: IncrementalTranscriber, past_s: float, timeout_s: float = 10.0):
    """The first speculative pass that decoded beyond ``past_s`` (the worker may be slow)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        done = [p for p in inc.passes if p.end >= past_s * SAMPLE_RATE and not p.dropped]
        if done:
            return done[0]
        time.sleep(0.01)
    raise AssertionError(f"no speculative pass reached {past_s} s: {[(p.start, p.end) for p in inc.passes]}")


def test_an_answer_whose_end_a_speculative_pass_decoded_needs_no_whisper_call_at_the_end():
    audio = bursts(ONSETS[:6], 6.6)  # the last word ends at 5.9 s; Enter 0.7 s later
    fake = FakeWhisper()
    partials: list[str] = []
    inc = IncrementalTranscriber("en", transcribe_fn=fake)
    inc.on_partial = lambda t: partials.append(t.text)
    feed_all(inc, audio, pace_s=0.01)
    spec = wait_for_pass(inc, 5.9)
    calls = len(fake.calls)
    t = inc.finish()
    assert len(fake.calls) == calls  # the transcript came from the pass
    tail = inc.chunks[-1]
    assert (tail.by, tail.reused, tail.start, tail.end) == ("finish", True, spec.start, audio.size)
    assert_contiguous(inc, audio.size)
    got = [(w.start, w.end) for s in t.segments for w in s.words]
    assert len(got) == 6
    for (start, end), (on, length) in zip(got, ONSETS[:6], strict=True):
        assert abs(start - on) < 0.03 and abs(end - (on + length)) < 0.03
    assert len(partials) >= 2 and partials[-1] == t.text  # the running transcript, pass by pass
    assert all(len(a) <= len(b) for a, b in zip(partials, partials[1:], strict=False))


def test_speech_after_the_last_speculative_pass_is_all_that_is_decoded_at_the_end():
    onsets = ONSETS[:6] + [(6.6 + 0.3 * k, 0.25) for k in range(3)]  # no pause after 6.6 s
    audio = bursts(onsets, 7.45)  # Enter right at the last word
    fake = FakeWhisper()
    inc = IncrementalTranscriber("en", transcribe_fn=fake)
    split = int(6.6 * SAMPLE_RATE) // BLOCK * BLOCK
    feed_all(inc, audio[:split], pace_s=0.01)
    spec = wait_for_pass(inc, 5.9)
    calls = len(fake.calls)
    feed_all(inc, audio[split:])
    t = inc.finish()
    assert len(fake.calls) == calls + 1
    kept, tail = inc.chunks[-2:]
    assert (kept.reused, kept.start, kept.end) == (True, spec.start, spec.end)
    assert (tail.by, tail.reused, tail.start, tail.end) == ("finish", False, spec.end, audio.size)
    assert tail.text == "w w w"  # heard with the speech before it, its words kept once
    got = [(w.start, w.end) for s in t.segments for w in s.words]
    assert len(got) == len(onsets)
    for (start, end), (on, length) in zip(got, onsets, strict=True):
        assert abs(start - on) < 0.03 and abs(end - (on + length)) < 0.03


@pytest.mark.parametrize(("engine", "language", "tail_context_s", "heard"), [
    ("openai-whisper", "en", 14.0, 14.0), ("openai-whisper", "en", 8.0, 8.0),
    ("faster-whisper", "en", 14.0, 8.0), ("openai-whisper", "ko", 14.0, 8.0)])
def test_a_speculative_pass_is_heard_with_tail_context_s_of_speech_before_it(
        engine, language, tail_context_s, heard):
    """The pieces the answer's last stretch is made of hear more of what came before them than the
    cut rules' stretches (StreamOptions.tail_context_s: Whisper made 13 % of their words wrong with
    8 s, 8 % with 14 s, bench/README.md) where the engine takes the context's words as given;
    elsewhere it decodes them again, and they keep context_s."""
    audio = bursts(ONSETS[:17], 17.2)  # the last word ends at 16.9 s; a cut comes after 12 s
    fake = FakeWhisper()
    inc = IncrementalTranscriber(language, TranscribeOptions(engine=engine),
                                 StreamOptions(tail_context_s=tail_context_s), transcribe_fn=fake)
    feed_all(inc, audio, pace_s=0.01)
    spec = wait_for_pass(inc, 16.9)
    inc.finish()
    cut = max(c.end for c in inc.chunks if c.by == "worker")
    assert spec.start >= cut and (spec.end - spec.start) / SAMPLE_RATE < 5.0
    heard_s = (spec.end - spec.heard_from) / SAMPLE_RATE
    assert heard - 1.0 <= heard_s <= heard + 1.0, heard_s


def words_with_pauses(pauses_s: list[float], word_s: float = 0.6) -> list[tuple[float, float]]:
    """Bursts of ``word_s`` from 0.3 s on, ``pauses_s[i]`` of quiet after the i-th."""
    onsets, t = [], 0.3
    for pause in [*pauses_s, 0.0]:
        onsets.append((t, word_s))
        t += word_s + pause
    return onsets


@pytest.mark.parametrize(("engine", "whole_window"), [("faster-whisper", True), ("openai-whisper", False)])
def test_where_a_pass_costs_a_whole_window_it_begins_at_a_short_pause_kept_only_if_the_answer_ends_there(
        engine, whole_window):
    """faster-whisper's pass costs its 30 s window however little it hears (0.6-1.4 s), so it
    begins at 0.2 s of quiet (StreamOptions.provisional_pause_s), and the answer that ends in that
    pause needs no call after Enter. Voice coming back before 0.3 s drops the pass: the next
    one decodes from where it began, so no piece ends at a comma (those cost up to 10 points of
    WER). openai-whisper encodes a short window at its length: it waits for 0.3 s."""
    onsets = words_with_pauses([0.4, 0.25, 0.4, 0.25])
    end = onsets[-1][0] + onsets[-1][1]
    audio = bursts(onsets, end + 0.25)  # Enter 0.25 s after the last word
    fake = FakeWhisper()
    inc = IncrementalTranscriber("en", TranscribeOptions(engine=engine), transcribe_fn=fake)
    feed_all(inc, audio, pace_s=0.02)
    time.sleep(0.3)
    calls = len(fake.calls)
    t = inc.finish()
    assert (len(fake.calls) == calls) == whole_window  # the pass in the last pause is the end
    short = [on + length for on, length in onsets[1:4:2]]  # the words before the 0.25 s pauses
    ends = {round(c.end / SAMPLE_RATE, 1) for c in inc.chunks}
    assert not any(abs(e - s) < 0.3 for e in ends for s in short), ends  # no piece ends there
    dropped = [p for p in inc.passes if p.dropped]
    assert len(dropped) == (2 if whole_window else 0)
    assert all(any(abs(p.end / SAMPLE_RATE - s) < 0.3 for s in short) for p in dropped)
    assert_contiguous(inc, audio.size)
    assert len([w for seg in t.segments for w in seg.words]) == len(onsets)


@pytest.mark.parametrize("gap_s", [0.25, 0.14], ids=["comma-0.25s", "espeak-comma-0.14s"])
def test_a_long_last_sentence_is_decoded_at_its_commas_so_little_is_left_at_the_end(gap_s):
    # 30 words with gap_s between them, no 0.3 s pause (espeak-ng's commas: 0.10-0.22 s of quiet)
    onsets = [(0.3 + (0.3 + gap_s) * k, 0.3) for k in range(30)]
    audio = bursts(onsets, onsets[-1][0] + 0.3)  # Enter right at the last word
    fake = FakeWhisper()
    inc = IncrementalTranscriber("en", stream=StreamOptions(min_chunk_s=30.0, long_chunk_s=30.0,
                                                            max_chunk_s=30.0), transcribe_fn=fake)
    feed_all(inc, audio, pace_s=0.01)
    time.sleep(0.2)
    t = inc.finish()
    kept = [c for c in inc.chunks if c.reused]
    assert len(inc.passes) >= 2 and kept  # passes at commas, once 6 s had gone by since the last
    pairs = zip(inc.passes, inc.passes[1:], strict=False)
    assert all(b.start - a.start >= 6.0 * SAMPLE_RATE for a, b in pairs)
    tail = inc.chunks[-1]
    assert tail.by == "finish" and not tail.reused and tail.end - tail.start < 7.0 * SAMPLE_RATE
    assert len([w for s in t.segments for w in s.words]) == 30


def run_on(n: int, word_s: float = 0.4, dip: bool = True, start_s: float = 0.3):
    """``n`` words spoken without a pause: each a tone of its own pitch (200 + 100 k Hz), the next
    right after it, or after 50 ms of quiet (``dip`` False); with ``dip``, 40 ms of near-silence
    inside every word (a plosive's closure), so that the quietest point is always inside a word.
    Returns the audio and each word's (onset, end) in seconds."""
    audio = bursts([], start_s + n * word_s + 0.02)
    spans, rate = [], SAMPLE_RATE
    for k in range(n):
        on = start_s + k * word_s
        length = word_s if dip else word_s - 0.05
        t = np.arange(int(length * rate)) / rate
        tone = 0.2 * np.sin(2 * np.pi * (200 + 100 * k) * t)
        if dip:
            tone[int(0.18 * rate):int(0.22 * rate)] *= 0.005
        audio[int(on * rate):int(on * rate) + t.size] += tone.astype(np.float32)
        spans.append((on, on + length))
    return audio, spans


class PitchWhisper:
    """Hears each run of one pitch (20 ms frames louder than -40 dBFS; quieter frames inside it
    are part of it) as the word "w<k>" of `run_on`, with its timing; a word cut by the window's
    edge comes back as that word too, as Whisper hears a fragment."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, audio: np.ndarray, language: str, options: TranscribeOptions) -> Transcript:
        self.calls += 1
        frame = SAMPLE_RATE // 50
        n = audio.size // frame
        frames = audio[:n * frame].reshape(n, frame)
        loud = np.sqrt(np.mean(frames ** 2, axis=1)) > 10 ** (-40 / 20)
        pitch = np.argmax(np.abs(np.fft.rfft(frames, axis=1)), axis=1) * 50
        words: list[Word] = []
        for i in np.flatnonzero(loud):
            k = round((pitch[i] - 200) / 100)
            if words and words[-1].text == f"w{k}":
                words[-1] = Word(words[-1].text, words[-1].start, (i + 1) / 50)
            else:
                words.append(Word(f"w{k}", i / 50, (i + 1) / 50))
        text = " ".join(w.text for w in words)
        duration = audio.size / SAMPLE_RATE
        return Transcript(text, language, [Segment(0.0, duration, text, words)] if words else [],
                          duration_s=duration, engine="fake", model="fake")


@pytest.mark.parametrize("dip", [True, False], ids=["quietest-inside-a-word", "quietest-between-words"])
def test_a_long_stretch_without_a_pause_is_decoded_in_passes_and_every_word_comes_back_once(dip):
    audio, spans = run_on(40, dip=dip)  # 16 s of speech without a pause of 0.2 s; Enter at its end
    fake = PitchWhisper()
    inc = IncrementalTranscriber("en", stream=StreamOptions(speculate_quiet_s=1.0), transcribe_fn=fake)
    feed_all(inc, audio, pace_s=0.01)
    time.sleep(0.2)
    t = inc.finish()
    forced = [p for p in inc.passes if not p.dropped]
    assert len(forced) >= 2 and all(c.by != "worker" for c in inc.chunks)  # no cut rule cut it
    assert_contiguous(inc, audio.size)
    tail = inc.chunks[-1]
    assert tail.by == "finish" and not tail.reused and (tail.end - tail.start) / SAMPLE_RATE < 7.5
    for p in forced:  # each pass ends between two words, where the word it left out begins
        seam = p.end / SAMPLE_RATE
        assert not any(on + 0.05 < seam < end - 0.05 for on, end in spans), (seam, spans)
    words = [w for s in t.segments for w in s.words]
    assert [w.text for w in words] == [f"w{k}" for k in range(40)], t.text  # each once, in order
    for w, (on, end) in zip(words, spans, strict=True):
        assert abs(w.start - on) <= 0.03 and abs(w.end - end) <= 0.03


def test_by_default_a_long_stretch_without_a_pause_is_left_whole_to_the_end():
    audio, _ = run_on(40)
    inc = IncrementalTranscriber("en", transcribe_fn=PitchWhisper())
    feed_all(inc, audio, pace_s=0.01)
    time.sleep(0.2)
    t = inc.finish()
    assert inc.passes == [] and [(c.start, c.end) for c in inc.chunks] == [(0, audio.size)]
    assert t.text == " ".join(f"w{k}" for k in range(40))


def test_a_pass_decodes_once_and_a_result_whisper_would_retry_is_dropped():
    class Looping(FakeWhisper):  # every single-temperature decode comes back as a repetition loop
        def __call__(self, audio, language, options):
            self.fallbacks.append(options.fallback)
            t = super().__call__(audio, language, options)
            for seg in t.segments:
                seg.compression_ratio = 1.0 if options.fallback else 3.1
            return t

    fake = Looping()
    fake.fallbacks = []
    audio = bursts(ONSETS[:6], 6.6)
    inc = IncrementalTranscriber("en", transcribe_fn=fake)
    feed_all(inc, audio, pace_s=0.01)
    deadline = time.monotonic() + 10
    while not any(p.end >= 5.9 * SAMPLE_RATE for p in inc.passes) and time.monotonic() < deadline:
        time.sleep(0.01)
    t = inc.finish()
    assert inc.passes and all(p.dropped for p in inc.passes)
    assert fake.fallbacks[:len(inc.passes)] == [False] * len(inc.passes)  # passes: one temperature
    assert fake.fallbacks[-1] is True and inc.chunks[-1].by == "finish" and not inc.chunks[-1].reused
    assert inc.chunks[-1].start == 0  # nothing of the dropped passes was used
    assert len([w for s in t.segments for w in s.words]) == 6


def test_a_speculative_pass_is_committed_only_where_a_cut_rule_cuts():
    onsets = [(0.3 + 0.85 * k, 0.6) for k in range(6)]  # 0.25 s between words: no pass until the end
    audio = bursts(onsets, 8.0)  # 5 s of speech, then the silence that ends the answer
    fake = FakeWhisper()
    inc = IncrementalTranscriber("en", transcribe_fn=fake)
    feed_all(inc, audio, pace_s=0.01)
    time.sleep(0.2)
    first = inc.chunks[0]  # the end-of-answer cut at 1 s of quiet: the pass at 0.3 s was its text
    assert first.by == "worker" and first.end / SAMPLE_RATE == pytest.approx(5.15 + 0.5, abs=0.05)
    assert first.reused and len(inc.passes) == 1 and len(fake.calls) == 1
    assert len([w for s in inc.finish().segments for w in s.words]) == 6


def test_a_stretch_heard_in_several_passes_is_decoded_whole_when_a_cut_rule_cuts_it():
    audio = bursts(ONSETS[:5], 8.0)  # 0.4 s between words: a pass at each, then the end's cut
    fake = FakeWhisper()
    inc = IncrementalTranscriber("en", transcribe_fn=fake)
    feed_all(inc, audio, pace_s=0.01)
    time.sleep(0.2)
    first = inc.chunks[0]
    assert len(inc.passes) >= 2 and not first.reused and first.start == 0  # the cut rules' stretch
    assert fake.calls[-1] == first.end - first.heard_from
    assert len([w for s in inc.finish().segments for w in s.words]) == 5


class EarlyEndingWhisper(FakeWhisper):
    """Writes words only for a window's first ``stop_s`` seconds on its first call (Whisper ending
    a window early and leaving sentences out), or none at all (``stop_s`` 0) on every call."""

    def __init__(self, stop_s: float) -> None:
        super().__init__()
        self.stop_s = stop_s

    def __call__(self, audio: np.ndarray, language: str, options: TranscribeOptions) -> Transcript:
        part = super().__call__(audio, language, options)
        if len(self.calls) > 1 and self.stop_s:
            return part
        words = [w for seg in part.segments for w in seg.words if w.end <= self.stop_s]
        text = " ".join(w.text for w in words)
        return replace(part, text=text, segments=[Segment(0.0, self.stop_s, text, words)] if words else [])


ONE_STRETCH = StreamOptions(speculate_pause_s=0, min_chunk_s=60, max_chunk_s=60, end_pause_s=60)


def test_voice_left_without_words_is_decoded_again_from_the_last_word():
    audio = bursts(ONSETS, 21.0)
    fake = EarlyEndingWhisper(stop_s=6.0)
    inc = IncrementalTranscriber("en", stream=ONE_STRETCH, transcribe_fn=fake)
    feed_all(inc, audio)
    t = inc.finish()
    got = [(w.start, w.end) for s in t.segments for w in s.words]
    assert len(fake.calls) == 2 and len(got) == len(ONSETS)  # each word once, none left out
    for (start, end), (on, length) in zip(got, ONSETS, strict=True):
        assert abs(start - on) < 0.03 and abs(end - (on + length)) < 0.03
    # off, the words after the early end are lost
    fake = EarlyEndingWhisper(stop_s=6.0)
    inc = IncrementalTranscriber("en", stream=replace(ONE_STRETCH, redecode_gap_s=0), transcribe_fn=fake)
    feed_all(inc, audio)
    assert len(inc.finish().text.split()) == 6 and len(fake.calls) == 1


def test_voice_whisper_makes_no_words_of_is_decoded_once():
    audio = bursts(ONSETS, 21.0)
    fake = EarlyEndingWhisper(stop_s=0.0)
    inc = IncrementalTranscriber("en", stream=ONE_STRETCH, transcribe_fn=fake)
    feed_all(inc, audio)
    assert inc.finish().text == "" and len(fake.calls) == 1


def test_the_context_window_never_begins_inside_a_word():
    from rehearse.pauses import Pause
    from rehearse.seams import window_start

    rate, frame = SAMPLE_RATE, SAMPLE_RATE // 50  # 20 ms frames
    start, end = 10 * rate, 13 * rate  # a 3 s stretch: 8 s of context wanted, from 5 s

    def pause_at(s: float) -> Pause:
        return Pause(round(s * 50) - 5, 10, frame)  # 0.2 s of quiet, cut at ``s``

    assert window_start([pause_at(4.5)], start, end, 8.0, rate) == 4.5 * rate  # within 1 s before
    # none in the second before 5 s: the first pause after it, not the middle of a word at 5 s
    assert window_start([pause_at(2.0), pause_at(6.2), pause_at(8.0)], start, end, 8.0, rate) == 6.2 * rate
    assert window_start([pause_at(2.0)], start, end, 8.0, rate) == 5 * rate  # no pause at all near


class HangingCommitWhisper(FakeWhisper):
    """Passes as `FakeWhisper`; a decode that can be given up (the cut rules' stretch, with
    ``options.cancel``) hangs until it is, then raises `Cancelled` as openai-whisper does."""

    def __init__(self) -> None:
        super().__init__()
        self.cancelled = 0

    def __call__(self, audio: np.ndarray, language: str, options: TranscribeOptions) -> Transcript:
        if options.cancel is not None:
            self.calls.append(audio.size)
            options.cancel.wait(30)
            self.cancelled += 1
            raise Cancelled()
        return super().__call__(audio, language, options)


def test_the_end_does_not_wait_for_a_stretch_the_passes_already_heard():
    audio = bursts(ONSETS, 21.0)
    fake = HangingCommitWhisper()
    inc = IncrementalTranscriber("en", stream=StreamOptions(min_chunk_s=6.0), transcribe_fn=fake)
    feed_all(inc, audio, pace_s=0.004)
    t = inc.finish(timeout_s=10)  # without the cancel, the worker is still in that call
    assert fake.cancelled == 1 and not any(c.by == "worker" and not c.reused for c in inc.chunks)
    got = [(w.start, w.end) for s in t.segments for w in s.words]
    assert len(got) == len(ONSETS)  # the passes' words, and the rest decoded at the end: each once
    for (start, end), (on, length) in zip(got, ONSETS, strict=True):
        assert abs(start - on) < 0.03 and abs(end - (on + length)) < 0.03


def test_the_end_does_not_wait_for_a_stretch_the_passes_heard_half_of():
    # 0.4 s pauses for 5 s (a pass at each), then 0.25 s ones (too short for a pass before 6 s have
    # gone by, long enough for the cut rules once the stretch is 9 s long): the worker is decoding
    # 0-8.7 s, which the passes heard up to ~5 s, when the answer ends at 10 s
    onsets = [(0.3 + 1.0 * k, 0.6) for k in range(5)] + [(5.2 + 0.85 * k, 0.6) for k in range(6)]
    audio = bursts(onsets, 10.4)
    fake = HangingCommitWhisper()
    inc = IncrementalTranscriber("en", stream=StreamOptions(min_chunk_s=4.0, long_chunk_s=9.0),
                                 transcribe_fn=fake)
    feed_all(inc, audio, pace_s=0.004)
    t = inc.finish(timeout_s=10)
    assert fake.cancelled == 1 and inc.chunks[-1].by == "finish"
    # decoded from the passes' end, the cut's stretch included
    assert inc.chunks[-1].start < 6.0 * SAMPLE_RATE
    got = [(w.start, w.end) for s in t.segments for w in s.words]
    assert len(got) == len(onsets)
    for (start, end), (on, length) in zip(got, onsets, strict=True):
        assert abs(start - on) < 0.03 and abs(end - (on + length)) < 0.03


def test_silence_is_never_sent_to_whisper():
    audio = bursts([(20.0, 0.8)], 22.0)  # a long think before the answer
    fake = FakeWhisper()
    inc = IncrementalTranscriber("en", transcribe_fn=fake)
    feed_all(inc, audio, pace_s=0.001)
    t = inc.finish()
    assert_contiguous(inc, audio.size)
    assert len(fake.calls) == sum(c.voiced for c in inc.chunks) >= 1
    assert any(not c.voiced for c in inc.chunks)
    assert [round(w.start, 1) for s in t.segments for w in s.words] == [20.0]


def test_a_quiet_microphone_is_heard_as_the_voice_gate_hears_it():
    from rehearse.voice import heard_voice

    audio = bursts(ONSETS[:8], 9.0) * 10 ** (-38 / 20)  # speech at -55 dBFS, a room at -108
    assert heard_voice(audio, SAMPLE_RATE)  # practice's gate passes it to Whisper ...
    fake = FakeWhisper()
    inc = IncrementalTranscriber("en", transcribe_fn=fake)
    feed_all(inc, audio)
    inc.finish()
    voiced = [(c.start, c.end) for c in inc.chunks if c.voiced]  # ... and so does the stream
    for on, _ in ONSETS[:8]:
        assert any(a <= on * SAMPLE_RATE < b for a, b in voiced), (on, voiced)


def test_empty_answer_gives_an_empty_transcript():
    fake = FakeWhisper()
    t = IncrementalTranscriber("en", transcribe_fn=fake).finish()
    assert t.text == "" and t.segments == [] and t.duration_s == 0.0 and fake.calls == []


def test_stopping_mid_stretch_transcribes_the_rest_and_loses_nothing():
    audio = bursts(ONSETS, 21.0)
    cut_off = int(12.55 * SAMPLE_RATE)  # the answer stops in the middle of a word
    fake = FakeWhisper(delay_s=0.3)  # the worker is still busy when the answer stops
    inc = IncrementalTranscriber("en", stream=StreamOptions(min_chunk_s=2.0), transcribe_fn=fake)
    feed_all(inc, audio[:cut_off], pace_s=0.01)
    t = inc.finish()
    assert_contiguous(inc, cut_off)
    assert inc.chunks[-1].by == "finish"
    assert len([w for s in t.segments for w in s.words]) == 13  # 12 whole words and the cut one
    assert t.duration_s == pytest.approx(12.55)


def test_finish_honours_the_trimmed_length_of_the_wav():
    audio = bursts(ONSETS[:5], 9.0)  # the recorder trims trailing silence off the WAV
    inc = IncrementalTranscriber("en", transcribe_fn=FakeWhisper())
    feed_all(inc, audio)
    t = inc.finish(samples=int(5.5 * SAMPLE_RATE))
    assert t.duration_s == pytest.approx(5.5)
    assert len([w for s in t.segments for w in s.words]) == 5


@pytest.mark.parametrize("fail_on_call", [1, 2], ids=["worker", "tail"])
def test_a_transcription_error_never_stops_recording_and_falls_back_to_the_wav(tmp_path, fail_on_call):
    audio = bursts(ONSETS, 21.0)  # two stretches: the worker's (call 1) and the tail (call 2)
    fake = FakeWhisper(fail_on_call=fail_on_call)
    inc = IncrementalTranscriber("en", transcribe_fn=fake)
    wav = tmp_path / "answer.wav"
    rec = answer_from_file(_wav(tmp_path / "src.wav", audio), wav, on_block=_slowly(inc.feed))
    assert rec.duration_s == pytest.approx(21.0)
    whole = FakeWhisper()
    t = transcribe_answer(wav, "en", TranscribeOptions(), inc, transcribe_fn=whole)
    assert "the model fell over" in inc.fallback_reason and isinstance(inc.error, RuntimeError)
    assert len(fake.calls) == fail_on_call
    assert whole.calls == [audio.size]  # the whole WAV, every sample
    assert len([w for s in t.segments for w in s.words]) == len(ONSETS)
    assert not inc._worker.is_alive()


def test_feed_never_raises_into_the_recorder():
    inc = IncrementalTranscriber("en", transcribe_fn=FakeWhisper())
    inc.feed(np.zeros(BLOCK, np.float32))
    inc.feed(object())  # not audio: a bug upstream must not end the recording
    inc.feed(np.zeros(BLOCK, np.float32))
    with pytest.raises(TranscriptionError):
        inc.finish()


def test_ctrl_c_in_the_feed_loop_keeps_the_audio_and_stops_the_worker(tmp_path):
    audio = bursts(ONSETS, 21.0)
    gate = threading.Event()  # the worker is stuck in a stretch when Ctrl+C comes
    fake = FakeWhisper(gate=gate)
    inc = IncrementalTranscriber("en", transcribe_fn=fake)
    fed = 0

    def on_block(block):
        nonlocal fed
        if fed >= 8 * SAMPLE_RATE:
            raise KeyboardInterrupt
        inc.feed(block)
        fed += block.size
        time.sleep(0.002)

    wav = tmp_path / "answer.wav"
    with pytest.raises(KeyboardInterrupt):
        answer_from_file(_wav(tmp_path / "src.wav", audio), wav, on_block=on_block)
    started = time.monotonic()
    inc.close()
    assert time.monotonic() - started < 0.1  # close never waits for Whisper
    assert sf.info(str(wav)).frames == audio.size  # the WAV was whole before the first block
    gate.set()
    inc._worker.join(5)
    assert not inc._worker.is_alive()
    whole = FakeWhisper()
    t = transcribe_answer(wav, "en", TranscribeOptions(), inc, transcribe_fn=whole)
    assert "received 8.00 s of 21.00 s" in inc.fallback_reason
    assert len([w for s in t.segments for w in s.words]) == len(ONSETS)


def test_ctrl_c_inside_feed_is_seen_as_missing_audio(tmp_path, monkeypatch):
    audio = bursts(ONSETS[:6], 7.0)
    inc = IncrementalTranscriber("en", transcribe_fn=FakeWhisper())
    real_update = inc._vad.update
    calls = 0

    def update(*args):  # SIGINT lands while feed holds the lock
        nonlocal calls
        calls += 1
        if calls == 30:
            raise KeyboardInterrupt
        real_update(*args)

    monkeypatch.setattr(inc._vad, "update", update)
    wav = tmp_path / "answer.wav"
    with pytest.raises(KeyboardInterrupt):
        answer_from_file(_wav(tmp_path / "src.wav", audio), wav, on_block=inc.feed)
    inc.feed(audio[:BLOCK])  # the lock was released: feeding (and finishing) cannot deadlock
    t = transcribe_answer(wav, "en", TranscribeOptions(), inc, transcribe_fn=FakeWhisper())
    assert inc.fallback_reason and t.duration_s == pytest.approx(7.0)
    assert len([w for s in t.segments for w in s.words]) == 6


def test_finish_gives_up_on_a_worker_that_does_not_return():
    gate = threading.Event()
    fake = FakeWhisper(gate=gate)
    inc = IncrementalTranscriber("en", transcribe_fn=fake)
    feed_all(inc, bursts(ONSETS, 21.0))
    for _ in range(100):
        if fake.calls:  # the worker has taken a stretch and hangs in it
            break
        time.sleep(0.01)
    with pytest.raises(TranscriptionError, match="still busy"):
        inc.finish(timeout_s=0.3)
    gate.set()


def test_a_real_ctrl_c_while_recording_from_the_microphone_keeps_every_sample(null_sink, tmp_path):
    """SIGINT lands wherever the recorder happens to be (often inside ``feed``); either way the
    transcript covers exactly the WAV, incrementally or through the fallback."""
    import os
    import signal

    from rehearse.record import RecordOptions, record_answer

    inc = IncrementalTranscriber("en", transcribe_fn=FakeWhisper(delay_s=0.2))
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))

    def on_block(block):
        inc.feed(block)
        if inc.fed_s >= 1.0 and not timer.is_alive() and not timer.finished.is_set():
            timer.start()

    src = _wav(tmp_path / "src.wav", bursts(ONSETS[:4], 4.0))
    player = subprocess.Popen(["paplay", str(src)])
    try:
        rec = record_answer(tmp_path / "answer.wav", RecordOptions(silence_s=0, time_limit_s=8),
                            on_block=on_block)
    finally:
        timer.cancel()
        player.wait(10)
    assert rec.ended_by == "interrupt" and 1.0 <= rec.duration_s < 4.0
    frames = sf.info(str(rec.path)).frames
    t = transcribe_answer(rec.path, "en", TranscribeOptions(), inc, transcribe_fn=FakeWhisper())
    assert t.duration_s == pytest.approx(frames / SAMPLE_RATE)
    if inc.fallback_reason is None:
        assert_contiguous(inc, frames)


# ---------------------------------------------------------------- real audio, real weights

ANSWER = (
    "I have spent the last five years building data pipelines for a logistics company. "
    "In my current role I lead a team of four engineers. We moved our nightly batch jobs to a "
    "streaming system, and that cut the delay of our reports from twelve hours to ten minutes. "
    "The hardest part was convincing the finance team that the numbers would still be correct. "
    "So we ran both systems side by side for a month and compared every report."
)


@pytest.fixture(scope="module")
def spoken_answer(espeak, tmp_path_factory) -> Path:
    from rehearse.demo import synthesise

    return synthesise(ANSWER, tmp_path_factory.mktemp("answer") / "answer.wav")


def _content(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", text.lower()) if len(w) >= 6}


@pytest.mark.whisper
@pytest.mark.parametrize("engine", ["openai-whisper", "faster-whisper"])
def test_practice_transcribes_while_the_answer_plays(engine, spoken_answer, whisper_base, ct2_base,
                                                     tmp_path):
    """A ~30 s answer at speaking pace through a real session: most of it is decoded (by the
    worker's own clock) before the answer ends, and the joined transcript is the answer."""
    from rehearse.deck import load_deck
    from rehearse.parts import Parts, WhisperTranscriber
    from rehearse.paths import BUNDLED_QUESTIONS
    from rehearse.practice import PracticeOptions, run_session
    from rehearse.speak import SpeakOptions
    from rehearse.transcribe import load_model

    seen: list[IncrementalTranscriber] = []

    class Spy(IncrementalTranscriber):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            seen.append(self)
            self.last_block_at = 0.0

        def feed(self, block) -> None:
            super().feed(block)
            self.last_block_at = time.monotonic()

    class Watched(WhisperTranscriber):  # the session's Whisper, its stream watched
        def stream(self, samplerate):
            return Spy(self.deck.language, self.options, samplerate=samplerate)

    deck = load_deck(BUNDLED_QUESTIONS / "sample-en.yaml")
    q = deck.questions[0]
    answers = tmp_path / "answers"
    answers.mkdir()
    (answers / f"{q.id}.wav").write_bytes(spoken_answer.read_bytes())
    opts = PracticeOptions(only=[q.id], follow_ups=False, answers_from=answers, realtime=True,
                           speak=SpeakOptions(enabled=False),
                           transcribe=TranscribeOptions(engine=engine))
    load_model(opts.transcribe)  # as when the model loaded while the question was spoken
    result = run_session(deck, opts, parts=Parts(transcriber=Watched))

    (attempt,) = result.attempts
    (inc,) = seen
    assert inc.fallback_reason is None and inc.error is None
    total = sum(c.end - c.start for c in inc.chunks)
    assert total == read_audio(spoken_answer).size
    # decoded while it played: by the cut rules' stretches, or by speculative passes (which a
    # loaded machine may leave the cut rules' stretches waiting behind)
    heard = np.zeros(total, bool)
    for c in [*inc.chunks, *inc.passes]:
        if (c.by == "worker" or (c.by == "speculative" and not c.dropped)) and c.done_at <= inc.last_block_at:
            heard[c.start:c.end] = True
    assert heard.sum() >= 0.5 * total, [(c.start, c.end, c.by, c.done_at - inc.last_block_at)
                                        for c in [*inc.chunks, *inc.passes]]
    assert attempt.transcript.engine == engine
    heard = _content(attempt.transcript.text)
    assert len(_content(ANSWER) & heard) >= 0.8 * len(_content(ANSWER)), attempt.transcript.text
    words = [w for s in attempt.transcript.segments for w in s.words]
    assert words and all(a.start <= b.start for a, b in zip(words, words[1:], strict=False))
    assert words[-1].end > 0.8 * attempt.recording.duration_s  # timings are of the whole answer


LAST_SENTENCE = "So we ran both systems side by side for a month and compared every report."


def _voiced_span(audio: np.ndarray) -> tuple[int, int]:
    """First and one-past-last sample of voice, by `rehearse.voice`'s rule."""
    from rehearse.voice import VoiceDetector, frame_length, frame_levels

    heard = np.flatnonzero(VoiceDetector().hear_all(frame_levels(audio, SAMPLE_RATE)))
    frame = frame_length(SAMPLE_RATE)
    return int(heard[0]) * frame, (int(heard[-1]) + 1) * frame


@pytest.mark.whisper
def test_a_real_answer_whose_end_was_decoded_at_its_last_pause_needs_no_whisper_call_after_it(
        spoken_answer, whisper_base, tmp_path):
    """openai-whisper base; an answer at speaking pace whose last sentence follows a 1.5 s pause
    (so the worker has committed everything before it, however slow the machine), and Enter 0.7 s
    after its last word. By the worker's own clock: once the speculative pass at the last pause is
    done, the transcript needs no Whisper call, and the pass's words are the answer's end."""
    from rehearse.demo import synthesise
    from rehearse.evaluate import transcribe_heard
    from rehearse.transcribe import load_model

    first = read_audio(spoken_answer)
    first = first[:_voiced_span(first)[1]]
    last = read_audio(synthesise(LAST_SENTENCE, tmp_path / "last.wav"))
    on, off = _voiced_span(last)
    audio = np.concatenate([first, np.zeros(int(1.5 * SAMPLE_RATE), np.float32), last[on:off],
                            np.zeros(int(0.7 * SAMPLE_RATE), np.float32)])
    last_word_s = (audio.size / SAMPLE_RATE) - 0.7
    opts = TranscribeOptions()
    load_model(opts)
    inc = IncrementalTranscriber("en", opts)
    rec = answer_from_file(_wav(tmp_path / "src.wav", audio), tmp_path / "answer.wav", realtime=True,
                           on_block=inc.feed)
    spec = wait_for_pass(inc, last_word_s, timeout_s=180)  # a loaded machine may be slow to get to it
    finishing = time.monotonic()
    t = transcribe_answer(rec.path, "en", opts, inc, transcribe_fn=transcribe_heard)
    assert inc.fallback_reason is None
    calls = [c for c in [*inc.passes, *inc.chunks] if not c.reused and c.voiced]
    assert all(c.started_at < finishing for c in calls), [(c.by, c.started_at - finishing) for c in calls]
    (end,) = [c for c in inc.chunks if c.end == audio.size]
    assert (end.by, end.reused, end.start, end.text) == ("finish", True, spec.start, spec.text)
    assert len(_content(LAST_SENTENCE) & _content(end.text)) >= 0.7 * len(_content(LAST_SENTENCE)), end.text
    whole = ANSWER + " " + LAST_SENTENCE
    assert len(_content(whole) & _content(t.text)) >= 0.8 * len(_content(whole)), t.text


@pytest.fixture(scope="module")
def ct2_base() -> Path:
    """The CTranslate2 base model `rehearse models install base` keeps (faster-whisper's weights)."""
    from conftest import missing

    from rehearse.models import ct2_dir

    folder = ct2_dir("base")
    if folder is None:
        missing("the CTranslate2 base model is not installed (rehearse models install base)")
    try:
        import faster_whisper  # noqa: F401
    except ImportError:
        missing("faster-whisper is not installed (pip install -e '.[fast]')")
    return folder


def _wav(path: Path, audio: np.ndarray) -> Path:
    sf.write(str(path), audio, SAMPLE_RATE, subtype="PCM_16")
    return path


def _slowly(feed):
    def on_block(block):
        feed(block)
        time.sleep(0.002)
    return on_block


# ---------------------------------------------------------------- live key points

LIVE_DECK = """\
title: Live test
language: en
time_limit: 90
questions:
  - id: team
    question: Tell me about your team.
    answer: |
      - I led a team of four engineers.
      - We cut the report delay to ten minutes.
"""
SAID = ["i led a team of four engineers", "we cut the report delay to ten minutes"]


def tone_words(sentences: list[str], start_s: float = 0.3, pause_s: float = 0.6):
    """Each word a 0.25 s tone of its own pitch, 0.1 s apart; ``pause_s`` between sentences.
    Returns the audio, the words in order, and when each sentence ends (s)."""
    words = [w for s in sentences for w in s.split()]
    onsets, ends, t = [], [], start_s
    for s in sentences:
        for _ in s.split():
            onsets.append(t)
            t += 0.35
        ends.append(t - 0.1)
        t += pause_s - 0.1
    audio = np.zeros(int((t + 0.5) * SAMPLE_RATE), np.float32)
    for k, on in enumerate(onsets):
        n = np.arange(int(0.25 * SAMPLE_RATE))
        i = int(on * SAMPLE_RATE)
        audio[i:i + n.size] = 0.2 * np.sin(2 * np.pi * (200 + 60 * k) * n / SAMPLE_RATE)
    return audio, words, ends


class ToneWhisper:
    """Hears each tone as the word of its pitch (``tone_words``), with its timing."""

    def __init__(self, words: list[str]) -> None:
        self.words = words

    def __call__(self, audio: np.ndarray, language: str, options: TranscribeOptions) -> Transcript:
        got = []
        for s, e in words_of(audio):
            run = audio[int(s * SAMPLE_RATE):int(e * SAMPLE_RATE)]
            pitch = np.argmax(np.abs(np.fft.rfft(run))) * SAMPLE_RATE / run.size
            got.append(Word(self.words[round((pitch - 200) / 60)], s, e))
        text = " ".join(w.text for w in got)
        duration = audio.size / SAMPLE_RATE
        return Transcript(text, language, [Segment(0.0, duration, text, got)] if got else [],
                          duration_s=duration, engine="fake", model="fake")


def answer_at_pace(session, source, audio: np.ndarray, until: Callable[[], bool]):
    """Open the session, push ``audio`` into ``source`` block by block at about real pace while
    the session answers its first question, wait (10 s at most) until ``until()``, then Stop;
    returns the attempt."""

    def speak() -> None:
        source.started.wait(10)
        for i in range(0, audio.size, BLOCK):
            source.push(audio[i:i + BLOCK])
            time.sleep(0.02)
        deadline = time.monotonic() + 10
        while not until() and time.monotonic() < deadline:
            time.sleep(0.01)
        session.stop()

    with session:
        session.next()
        speaker = threading.Thread(target=speak)
        speaker.start()
        attempt = session.answer()
        speaker.join()
    return attempt


def test_live_key_points_tick_at_the_pause_after_they_are_said(tmp_path):
    from rehearse.deck import load_deck
    from rehearse.parts import Parts, PushedAnswers, Silent, WhisperTranscriber
    from rehearse.practice import PracticeOptions, PracticeSession, SessionEvents

    audio, words, ends = tone_words(SAID)
    (tmp_path / "deck.yaml").write_text(LIVE_DECK)
    deck = load_deck(tmp_path / "deck.yaml")
    source = PushedAnswers()
    seen: list[tuple[float, tuple[str, ...]]] = []
    order: list[str] = []

    class Events(SessionEvents):
        def live(self, partial, elapsed_s) -> None:
            seen.append((elapsed_s, tuple(p.status for p in partial.key_points)))
            order.append("live")

        def recorded(self, recording) -> None:
            order.append("recorded")

    def make(deck, options):
        return WhisperTranscriber(deck, options, transcribe_fn=ToneWhisper(words))

    session = PracticeSession(deck, PracticeOptions(live=True), Parts(source=source, speaker=Silent(),
                                                                      transcriber=make), Events())

    attempt = answer_at_pace(session, source, audio,
                             until=lambda: any(s == ("covered", "covered") for _, s in seen))
    assert [p.status for p in attempt.score.key_points] == ["covered", "covered"]
    first = [t for t, s in seen if s == ("covered", "missed")]
    assert first and ends[0] <= first[0] < ends[1], (seen, ends)  # ticked before the second was said
    assert any(s == ("covered", "covered") and t >= ends[1] for t, s in seen), seen
    assert order.index("recorded") > order.index("live")


def test_without_live_nothing_is_shown_while_it_is_spoken(tmp_path):
    from rehearse.deck import load_deck
    from rehearse.parts import Parts, PushedAnswers, Silent, WhisperTranscriber
    from rehearse.practice import PracticeOptions, PracticeSession, SessionEvents

    audio, words, _ = tone_words(SAID)
    (tmp_path / "deck.yaml").write_text(LIVE_DECK)
    deck = load_deck(tmp_path / "deck.yaml")
    source = PushedAnswers()
    seen: list[float] = []

    class Events(SessionEvents):
        def live(self, partial, elapsed_s) -> None:
            seen.append(elapsed_s)

    def make(deck, options):
        return WhisperTranscriber(deck, options, transcribe_fn=ToneWhisper(words))

    session = PracticeSession(deck, PracticeOptions(), Parts(source=source, speaker=Silent(),
                                                             transcriber=make), Events())
    with session:
        session.next()
        for i in range(0, audio.size, BLOCK):
            source.push(audio[i:i + BLOCK])
        source.end()
        attempt = session.answer()
    assert [p.status for p in attempt.score.key_points] == ["covered", "covered"] and seen == []


def test_without_live_the_answer_is_still_scored_at_its_pauses_so_feedback_finds_it_done(
        tmp_path, monkeypatch):
    """The scores nobody is shown fill the analysis caches while the user speaks: the answer's
    own score after the recording then has only what came after the last pause left."""
    from rehearse import meaning, practice
    from rehearse.deck import load_deck
    from rehearse.parts import Parts, PushedAnswers, Silent, WhisperTranscriber
    from rehearse.practice import PracticeOptions, PracticeSession, SessionEvents

    audio, words, _ = tone_words(SAID)
    (tmp_path / "deck.yaml").write_text(LIVE_DECK)
    deck = load_deck(tmp_path / "deck.yaml")
    source = PushedAnswers()
    scored: list[tuple[str, str, bool]] = []  # (thread, text, recording ended) per real score
    ended = threading.Event()
    shown: list[float] = []
    real = practice.evaluate

    def spy(deck, q, transcript, prompt=None, options=None):
        score = real(deck, q, transcript, prompt, options)
        scored.append((threading.current_thread().name, score.transcript, ended.is_set()))
        return score

    monkeypatch.setattr(practice, "evaluate", spy)
    # as in a fresh process: the sentence encoder has not been needed yet
    monkeypatch.setattr(meaning, "_loaded", False)
    encoder_loaded: list[bool] = []

    class Events(SessionEvents):
        def live(self, partial, elapsed_s) -> None:
            shown.append(elapsed_s)

        def recorded(self, recording) -> None:
            ended.set()
            encoder_loaded.append(meaning.loaded())

    def make(deck, options):
        return WhisperTranscriber(deck, options, transcribe_fn=ToneWhisper(words))

    session = PracticeSession(deck, PracticeOptions(), Parts(source=source, speaker=Silent(),
                                                             transcriber=make), Events())
    whole = " ".join(words)

    attempt = answer_at_pace(session, source, audio,
                             until=lambda: any(text == whole for _, text, _ in scored))
    assert [p.status for p in attempt.score.key_points] == ["covered", "covered"] and shown == []
    while_spoken = [(thread, text) for thread, text, after in scored if not after]
    assert ("rehearse-live", whole) in while_spoken, scored  # the whole answer, before it ended
    assert scored[-1][1:] == (whole, True)  # then its own score, on the same text
    # the unseen scores (the first ones had a point missing) did not load the encoder's ~150 MB
    assert encoder_loaded == [False]
