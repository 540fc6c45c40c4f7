"""Speaking questions: real pyttsx3/espeak-ng rendering, voice choice, the cache, playback."""

from __future__ import annotations

import subprocess
import time

import numpy as np
import soundfile as sf
from conftest import MonitorCapture

from rehearse import speak


def test_voice_follows_the_deck_language(espeak):
    en = speak.choose_voice("en")
    ko = speak.choose_voice("ko")
    assert "en" in en and "ko" in ko


def test_render_makes_audio_and_reuses_the_cache(tmp_path, espeak):
    voice = speak.choose_voice("en")
    path = speak.render("Tell me about yourself.", voice, tmp_path)
    info = sf.info(str(path))
    assert info.frames / info.samplerate > 0.5
    mtime = path.stat().st_mtime_ns
    assert speak.render("Tell me about yourself.", voice, tmp_path) == path
    assert path.stat().st_mtime_ns == mtime
    assert speak.render("Why this role?", voice, tmp_path) != path


def test_korean_question_renders(tmp_path, espeak):
    path = speak.render("자기소개를 해 주세요.", speak.choose_voice("ko"), tmp_path)
    assert sf.info(str(path)).frames > 0


def _speech(samples: np.ndarray, rate: int, floor_db: float = -45.0) -> tuple[float, float]:
    """(s from the first to the last 20 ms louder than ``floor_db``, dBFS of the audio in between)."""
    win = int(rate * 0.02)
    frames = samples[:samples.size // win * win].reshape(-1, win)
    loud = np.flatnonzero(10 * np.log10(np.mean(frames**2, axis=1) + 1e-20) > floor_db)
    assert loud.size, "no speech at all"
    between = frames[loud[0]:loud[-1] + 1]
    return between.size / rate, 10 * np.log10(np.mean(between**2))


def test_a_question_is_heard_on_the_output_device(null_sink, tmp_path, espeak):
    """The microphone (the sink's monitor) hears the question as loud and as long as it was rendered."""
    path = speak.render("Tell me about a project you are proud of, and what you learned from it.",
                        speak.choose_voice("en"), tmp_path)
    rendered, rate = sf.read(str(path), dtype="float32")
    length, level = _speech(rendered, rate)
    assert length > 2.0
    silence = tmp_path / "silence.wav"  # keeps the sink in use: its monitor then delivers at once
    sf.write(str(silence), np.zeros(16_000 * 60, np.float32), 16_000)
    keeper = subprocess.Popen(["paplay", str(silence)])
    capture = MonitorCapture()
    try:
        time.sleep(0.5)
        capture.start()
        time.sleep(1.0)
        speak.speak(path)
        time.sleep(0.5)
    finally:
        capture.stop()
        keeper.kill()
        keeper.wait(10)
    heard_length, heard_level = _speech(capture.audio(), capture.samplerate)
    assert abs(heard_length - length) <= 0.1, (heard_length, length)
    assert abs(heard_level - level) <= 3.0, (heard_level, level)


def test_a_session_renders_the_next_question_while_the_answer_is_taken(null_sink, espeak, whisper_base,
                                                                      tmp_path):
    from rehearse.deck import load_deck
    from rehearse.paths import BUNDLED_QUESTIONS, workspace
    from rehearse.practice import PracticeOptions, SessionEvents, run_session

    deck = load_deck(BUNDLED_QUESTIONS / "sample-en.yaml")
    ids = [q.id for q in deck.questions[:2]]
    answers = tmp_path / "answers"
    answers.mkdir()
    for qid in ids:
        subprocess.run(["espeak-ng", "-w", str(answers / f"{qid}.wav"), "I enjoy careful work."], check=True)
    cache = workspace().tts_cache
    cached: list[list[str]] = []  # the rendered questions when each question is asked

    class Events(SessionEvents):
        def question(self, index, total, question, asked) -> None:
            cached.append(sorted(p.name for p in cache.glob("*.wav") if ".part." not in p.name))

    result = run_session(deck, PracticeOptions(only=ids, follow_ups=False, answers_from=answers),
                         events=Events())
    assert len(result.attempts) == 2
    assert cached[0] == [] and len(cached[1]) == 2  # the second was rendered during the first answer
