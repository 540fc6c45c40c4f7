"""The session core driven step by step with fake parts: what lands in SQLite and on disk.

Answers are pushed as samples (`rehearse.parts.PushedAnswers`), written by the real answer file
writer into a real workspace and history; only speech and transcription are fakes. The real
parts (null sink, espeak-ng, Whisper) are exercised by test_practice_e2e.py and the others.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from fakes import FakeSpeaker, FakeTranscriber

from rehearse.audio import SAMPLE_RATE
from rehearse.deck import load_deck
from rehearse.parts import AnswerFolder, Parts, PushedAnswers, WhisperTranscriber
from rehearse.paths import workspace
from rehearse.practice import PracticeOptions, PracticeSession, SessionEvents
from rehearse.prompts import whisper_prompt
from rehearse.recover import transcribe_pending
from rehearse.store import Store
from rehearse.transcribe import TranscribeOptions
from rehearse.transcript import Transcript

DECK = """\
title: Session test
language: en
time_limit: 60
questions:
  - id: intro
    question: Tell me about yourself.
    answer: |
      - I am a backend engineer with five years of experience.
      - I build payment services in Python.
    follow_ups:
      - id: intro-team
        question: How big was your team?
        answer: |
          - A team of six engineers.
  - id: weakness
    question: What is your greatest weakness?
    answer: |
      - I used to take on too much work alone.
  - id: why-us
    question: Why do you want to work here?
    answer: |
      - Your payments platform serves millions of people.
"""

HEARD = {
    "intro": "I am a backend engineer with five years of experience and I build payment services in Python.",
    "intro-team": "A team of six engineers.",
    "why-us": "Because your payments platform serves millions of people.",
    "crashed": "I used to take on too much work alone.",
}


def tone(seconds: float) -> np.ndarray:
    """Syllables without a voice: 0.2 s bursts of a 220 Hz tone at -20 dBFS, 0.1 s apart."""
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    on = (t % 0.3) < 0.2
    return (0.14 * np.sin(2 * np.pi * 220 * t) * on).astype(np.float32)


class Clock:
    """A clock that moves one second each time it is read."""

    def __init__(self) -> None:
        self.now = datetime(2026, 5, 1, 9, 30, 0)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


class Events(SessionEvents):
    def __init__(self) -> None:
        self.log: list[str] = []

    def question(self, index, total, question, asked) -> None:
        self.log.append(f"ask {question.id}")

    def recovered(self, recovered) -> None:
        self.log.append(f"recovered {recovered.repaired}")

    def recorded(self, recording) -> None:
        self.log.append(f"recorded {recording.ended_by}")

    def warning(self, message: str) -> None:
        self.log.append(f"warning {message}")


def answer_with(session: PracticeSession, source: PushedAnswers, samples: np.ndarray, *, stop: bool):
    """Push ``samples`` as the answer from another thread, then end it there: with the session's
    `stop` (a click, Enter) or by ending the input. A watchdog ends the input after 10 s, so a
    stop that does not work fails the test instead of hanging it."""

    def speak() -> None:
        source.started.wait(10)
        for i in range(0, samples.size, 1600):
            source.push(samples[i:i + 1600])
        if stop:
            while session_frames(session) < samples.size:  # everything pushed is on disk
                time.sleep(0.01)
            session.stop()
        else:
            source.end()

    speaker = threading.Thread(target=speak)
    watchdog = threading.Timer(10.0, source.end)
    speaker.start()
    watchdog.start()
    try:
        return session.answer()
    finally:
        watchdog.cancel()
        speaker.join()


def session_frames(session: PracticeSession) -> int:
    wavs = sorted(session.session_dir.glob("*.wav"), key=lambda p: p.stat().st_mtime)
    return sf.info(str(wavs[-1])).frames if wavs else 0


def crashed_attempt(ws, deck) -> tuple[int, Path]:
    """A previous session that died mid-answer: its row says "recording", its WAV header was never
    written (the size fields are still those of an empty file), and its lock is free."""
    store = Store(ws.history_db)
    store.start_session("20260430-080000-dead", deck.name, str(deck.path), deck.language)
    wav = ws.recordings / deck.name / "20260430-080000-dead" / "crashed.wav"
    wav.parent.mkdir(parents=True)
    with sf.SoundFile(str(wav), "w", SAMPLE_RATE, 1, "PCM_16", format="WAV") as f:
        f.write(tone(0.1))
    header = wav.read_bytes()[:44]
    with open(wav, "ab") as f:
        f.write((tone(2.0) * 32767).astype("<i2").tobytes())
    wav.write_bytes(header + wav.read_bytes()[44:])  # as if the process died before updating it
    aid = store.add_attempt(session_id="20260430-080000-dead", deck=deck.name, question_id="weakness",
                            question="What is your greatest weakness?", started_at="2026-04-30T08:00:00",
                            audio_path=str(wav), duration_s=None, status="recording")
    store.close()
    return aid, wav


def test_a_whole_session_driven_step_by_step(tmp_path):
    started = time.monotonic()
    deck_file = tmp_path / "deck.yaml"
    deck_file.write_text(DECK, encoding="utf-8")
    deck = load_deck(deck_file)
    ws = workspace()
    crashed_id, crashed_wav = crashed_attempt(ws, deck)
    source, speaker = PushedAnswers(), FakeSpeaker()
    make = FakeTranscriber.factory({**HEARD, "weakness": HEARD["crashed"]})
    events = Events()
    session = PracticeSession(deck, PracticeOptions(), Parts(source=source, speaker=speaker,
                                                             transcriber=make, clock=Clock()), events)
    with session:
        assert session.session_id.startswith("20260501-0930")  # the session's clock
        assert session.next().question.id == "intro"
        stopped = answer_with(session, source, tone(1.5), stop=True)  # stopped from another thread
        session.retry()
        assert session.next().question.id == "intro"  # asked again
        again = answer_with(session, source, tone(2.0), stop=False)
        assert session.next().question.id == "intro-team"  # the follow-up right after its parent
        follow = answer_with(session, source, tone(1.0), stop=False)
        assert session.next().question.id == "weakness"
        session.skip("not today")
        assert session.next().question.id == "why-us"
        last = answer_with(session, source, tone(1.2), stop=False)
        assert session.next() is None
    result = session.result

    assert stopped.recording.ended_by == "enter"
    assert abs(stopped.recording.duration_s - 1.5) < 0.11
    assert [a.question.id for a in result.attempts] == ["intro", "intro", "intro-team", "why-us"]
    assert result.skipped == [("weakness", "not today")]
    assert speaker.said == ["Tell me about yourself."] * 2 + ["How big was your team?",
                                                               "What is your greatest weakness?",
                                                               "Why do you want to work here?"]
    assert f"recovered [{crashed_id}]" in events.log
    assert again.score.coverage == 1.0 and follow.score.coverage == 1.0 and last.score.coverage == 1.0

    # on disk: one WAV per attempt, every pushed sample in it, the retry beside the first
    wavs = {a.recording.path.name: sf.info(str(a.recording.path)).frames for a in result.attempts}
    assert wavs == {"intro.wav": int(1.5 * SAMPLE_RATE), "intro-2.wav": int(2.0 * SAMPLE_RATE),
                    "intro-team.wav": int(1.0 * SAMPLE_RATE), "why-us.wav": int(1.2 * SAMPLE_RATE)}
    assert all(a.recording.path.parent == ws.recordings / deck.name / result.session_id
               for a in result.attempts)

    # in SQLite: the session, ended; its attempts done, with transcripts and scores
    store = Store(ws.history_db)
    try:
        s = store.session(result.session_id)
        assert s is not None and s.ended_at is not None and s.deck_path == str(deck_file)
        assert s.started_at.startswith("2026-05-01T09:30")  # the session's clock, through the store
        rows = store.session_attempts(result.session_id)
        assert [(r.question_id, r.status) for r in rows] == [
            ("intro", "done"), ("intro", "done"), ("intro-team", "done"), ("why-us", "done")]
        assert [r.score for r in rows] == [a.score.score for a in result.attempts]
        assert rows[2].transcript == HEARD["intro-team"]
        assert abs(rows[0].duration_s - 1.5) < 0.11
        assert store.attempt(crashed_id).status == "pending"  # repaired when the session opened
    finally:
        store.close()

    # the repaired answer is transcribed and scored by the same kind of transcriber
    done = transcribe_pending(ws, transcriber=make)
    assert done.transcribed == [crashed_id]
    store = Store(ws.history_db)
    try:
        row = store.attempt(crashed_id)
        assert row.status == "done" and row.transcript == HEARD["crashed"] and row.coverage == 1.0
        assert abs(row.duration_s - 2.1) < 0.01  # every sample after the stale header
    finally:
        store.close()
    assert sf.info(str(crashed_wav)).frames == int(2.1 * SAMPLE_RATE)
    assert time.monotonic() - started < 2.0


class EngineCalls:
    """A fake Whisper engine call: remembers what it was asked, hears a fixed sentence."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.calls: list[TranscribeOptions] = []

    def __call__(self, samples, language: str, options: TranscribeOptions) -> Transcript:
        self.calls.append(options)
        return Transcript.from_text(self.text, language, duration_s=samples.size / SAMPLE_RATE)


def test_the_session_gates_silence_and_gives_whisper_the_decks_prompt(tmp_path):
    """At the session seam: the default transcriber part never gives an answer without voice to
    the engine, and gives every other answer the deck's filler prompt."""
    deck_file = tmp_path / "deck.yaml"
    deck_file.write_text(DECK, encoding="utf-8")
    deck = load_deck(deck_file)
    answers = tmp_path / "answers"
    answers.mkdir()
    sf.write(answers / "intro.wav", tone(1.0), SAMPLE_RATE)
    sf.write(answers / "weakness.wav", np.zeros(SAMPLE_RATE * 3, dtype=np.float32), SAMPLE_RATE)
    engine = EngineCalls(HEARD["intro"])

    def make(deck, options):
        return WhisperTranscriber(deck, options, transcribe_fn=engine)

    with PracticeSession(deck, PracticeOptions(only=["intro", "weakness"], follow_ups=False),
                         Parts(source=AnswerFolder(answers), speaker=FakeSpeaker(), transcriber=make)) as s:
        s.next()
        spoken = s.answer()
        s.next()
        silent = s.answer()
    assert len(engine.calls) == 1  # the silent answer never reached the engine
    prompt = whisper_prompt([q.answer for q in deck.walk() if q.answer], "en")
    assert engine.calls[0].initial_prompt == prompt
    assert spoken.score.coverage == 1.0
    assert silent.score.no_speech and silent.transcript.text == ""


def test_a_korean_deck_on_whisper_base_is_told_once_how_to_hear_it_better(tmp_path):
    deck_file = tmp_path / "ko.yaml"
    deck_file.write_text("title: 면접\nlanguage: ko\nquestions:\n  - id: 자기소개\n"
                         "    question: 자기소개 해 주세요.\n"
                         "    answer: 백엔드 개발자입니다.\n", encoding="utf-8")
    deck = load_deck(deck_file)
    events = Events()
    with PracticeSession(deck, PracticeOptions(), Parts(source=PushedAnswers(), speaker=FakeSpeaker(),
                                                        transcriber=FakeTranscriber.factory({})), events):
        pass
    advice = [line for line in events.log if "models install small" in line]
    assert len(advice) == 1 and "Korean" in advice[0]
    events = Events()
    with PracticeSession(deck, PracticeOptions(transcribe=TranscribeOptions(model="small")),
                         Parts(source=PushedAnswers(), speaker=FakeSpeaker(),
                               transcriber=FakeTranscriber.factory({})), events):
        pass
    assert not [line for line in events.log if "models install" in line]


@pytest.mark.audio
def test_no_voice_from_an_untested_microphone_suggests_the_doctor(null_sink, tmp_path):
    """A real microphone (the null sink's monitor, with nothing played) gives an answer with no
    voice: the first one suggests `rehearse doctor` once the microphone was never tested here."""
    deck_file = tmp_path / "deck.yaml"
    deck_file.write_text(DECK.replace("time_limit: 60", "time_limit: 1.5"), encoding="utf-8")
    deck = load_deck(deck_file)
    options = PracticeOptions(only=["intro", "weakness"], follow_ups=False)

    def session_warnings() -> list[str]:
        events = Events()
        parts = Parts(speaker=FakeSpeaker(), transcriber=FakeTranscriber.factory({}))
        with PracticeSession(deck, options, parts, events) as s:
            while s.next() is not None:
                assert s.answer().score.no_speech
        return [line for line in events.log if "rehearse doctor" in line]

    assert len(session_warnings()) == 1  # once, not after every silent answer
    workspace().level_test_mark.parent.mkdir(parents=True, exist_ok=True)
    workspace().level_test_mark.touch()  # what the doctor's level test leaves behind
    assert session_warnings() == []


def test_voice_with_no_words_made_out_is_stored_apart_from_silence(tmp_path):
    """At the session seam: an answer with voice in it that the engine makes no words of is
    "no words made out", with its seconds of voice, and not "no answer"; a silent one still is.
    Both score 0, stay out of the average and are failed reviews; history tells them apart."""
    from rehearse.display import print_history
    from rehearse.history import question_histories
    from rehearse.schedule import Rating, rate
    from rehearse.score import NO_ANSWER

    deck_file = tmp_path / "deck.yaml"
    deck_file.write_text(DECK, encoding="utf-8")
    deck = load_deck(deck_file)
    answers = tmp_path / "answers"
    answers.mkdir()
    sf.write(answers / "intro.wav", tone(3.0), SAMPLE_RATE)  # voice, but the engine hears nothing
    sf.write(answers / "weakness.wav", np.zeros(SAMPLE_RATE * 3, dtype=np.float32), SAMPLE_RATE)
    sf.write(answers / "why-us.wav", tone(2.0), SAMPLE_RATE)
    engine = EngineCalls("")

    def make(deck, options):
        return WhisperTranscriber(deck, options, transcribe_fn=engine)

    parts = Parts(source=AnswerFolder(answers), speaker=FakeSpeaker(), transcriber=make)
    with PracticeSession(deck, PracticeOptions(only=["intro", "weakness", "why-us"], follow_ups=False),
                         parts) as s:
        results = []
        while s.next() is not None:
            if s.turn.question.id == "why-us":
                engine.text = HEARD["why-us"]
            results.append(s.answer())
    unclear, silent, spoken = (a.score for a in results)
    assert len(engine.calls) == 2  # the silent answer never reached the engine
    assert unclear.unclear and not unclear.no_speech and unclear.score == 0
    assert unclear.voice_s is not None and 1.5 < unclear.voice_s <= 3.0
    assert unclear.verdict == (f"{unclear.voice_s:.0f} s of speech, but no words could be made out: "
                               "is the deck's language right? is the microphone clear?")
    assert silent.no_speech and not silent.unclear and silent.verdict == NO_ANSWER
    assert spoken.score > 0 and s.result.average_score == spoken.score  # neither is averaged in

    store = Store(workspace().history_db)
    try:
        stored = {a.question_id: a for a in store.attempts()}
        assert stored["intro"].score_result.unclear
        assert stored["intro"].score_result.voice_s == unclear.voice_s
        assert stored["weakness"].score_result.no_speech and not stored["weakness"].score_result.unclear
        assert rate(stored["intro"].score_result).rating == Rating.AGAIN
        assert rate(stored["intro"].score_result).reasons == ["no words made out"]
        histories = {h.question_id: h for h in question_histories(store, deck.name)}
    finally:
        store.close()
    assert histories["intro"].to_dict()["history"][0]["outcome"] == "unclear"
    assert histories["weakness"].to_dict()["history"][0]["outcome"] == "no_speech"
    assert histories["why-us"].to_dict()["history"][0]["outcome"] == "answer"
    from rich.console import Console

    out = Console(width=200, record=True, color_system=None)
    print_history(out, list(histories.values()), [])
    table = out.export_text()
    rows = {line.split()[1]: line for line in table.splitlines() if line.split()[1:2]
            and line.split()[1] in histories}
    assert "no words made out" in rows["intro"] and "no answer" not in rows["intro"]
    assert "no answer" in rows["weakness"] and "no words" not in rows["weakness"]


def test_a_streamed_answer_the_engine_makes_no_words_of_is_unclear(tmp_path):
    """The same through the stream (a live source): the incremental transcript carries the
    answer's seconds of voice, so the engine hearing nothing in it is not taken for silence."""
    deck_file = tmp_path / "deck.yaml"
    deck_file.write_text(DECK, encoding="utf-8")
    deck = load_deck(deck_file)
    source = PushedAnswers()

    def make(deck, options):
        return WhisperTranscriber(deck, options, transcribe_fn=EngineCalls(""))

    with PracticeSession(deck, PracticeOptions(only=["intro"], follow_ups=False),
                         Parts(source=source, speaker=FakeSpeaker(), transcriber=make)) as s:
        s.next()
        attempt = answer_with(s, source, tone(2.0), stop=False)
    assert attempt.transcript.voiced_s is not None and attempt.transcript.voiced_s > 1.0
    assert attempt.score.unclear and not attempt.score.no_speech and attempt.score.score == 0
