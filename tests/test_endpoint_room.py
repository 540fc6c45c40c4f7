"""An answer ends on silence in a real room: over other people talking, and from a quiet
microphone. Real audio: espeak-ng speech played into the null sink, recorded by the recorder,
whose end-of-answer rule is `rehearse.voice.EndOfAnswer` (bench/bench_endpoint.py measured it)."""

from __future__ import annotations

import subprocess
import threading

import numpy as np
import pytest
import soundfile as sf

from rehearse.audio import SAMPLE_RATE, read_audio
from rehearse.record import RecordOptions, record_answer

SENTENCES = [
    "I started as a support engineer at a small hosting company.",
    "After a year I wrote a tool that grouped the failures by their cause.",
    "It cut our response time in half.",
]
PAUSES = [0.6, 1.2]  # between the sentences; under silence_s
OTHERS = [  # people talking further off
    "The meeting about the new office has been moved to Thursday afternoon.",
    "Could you send me the numbers from the last quarter before lunch?",
    "I think the train was late again because of the weather in the north.",
    "She said the coffee machine on the third floor is finally working.",
]
SILENCE_S = 2.0


def _voiced(audio: np.ndarray) -> np.ndarray:
    """``audio`` without the quiet before its first and after its last loud 10 ms frame."""
    n = audio.size // 160
    levels = 10 * np.log10(np.mean(audio[:n * 160].reshape(n, 160) ** 2, axis=1) + 1e-20)
    loud = np.flatnonzero(levels > levels.max() - 30)
    return audio[loud[0] * 160:(loud[-1] + 1) * 160]


def _level_db(audio: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(audio ** 2) + 1e-20))


@pytest.fixture(scope="module")
def answer(espeak, tmp_path_factory) -> tuple[np.ndarray, float]:
    """The answer (0.5 s lead-in) and when its last word ends (s)."""
    from rehearse.demo import synthesise

    folder = tmp_path_factory.mktemp("answer")
    parts = [np.zeros(SAMPLE_RATE // 2, np.float32)]
    for i, text in enumerate(SENTENCES):
        parts.append(_voiced(read_audio(synthesise(text, folder / f"{i}.wav"))))
        if i < len(PAUSES):
            parts.append(np.zeros(int(PAUSES[i] * SAMPLE_RATE), np.float32))
    audio = np.concatenate(parts)
    return audio, audio.size / SAMPLE_RATE


@pytest.fixture(scope="module")
def babble(espeak, tmp_path_factory) -> np.ndarray:
    """Four other voices at once, 40 s of them, unit RMS."""
    from rehearse.demo import synthesise

    folder = tmp_path_factory.mktemp("babble")
    rng = np.random.default_rng(1)
    n = 40 * SAMPLE_RATE
    mix = np.zeros(n, np.float32)
    for i, (text, voice) in enumerate(zip(OTHERS, ["en-us", "en-gb", "en-gb-x-rp", "en-029"], strict=True)):
        talk = read_audio(synthesise(text, folder / f"{i}.wav", voice=voice))
        loop = np.tile(talk, n // talk.size + 2)
        start = int(rng.integers(0, talk.size))
        mix += loop[start:start + n] / np.sqrt(np.mean(talk ** 2))
    return mix / np.sqrt(np.mean(mix ** 2))


def _record(room: np.ndarray, tmp_path):
    """Play ``room`` into the null sink once the recorder runs; record until the answer ends."""
    src = tmp_path / "room.wav"
    sf.write(str(src), np.clip(room, -1, 1), SAMPLE_RATE, subtype="PCM_16")
    players: list[subprocess.Popen] = []
    started = threading.Event()

    def on_started() -> None:
        players.append(subprocess.Popen(["paplay", str(src)]))
        started.set()

    try:
        return record_answer(tmp_path / "rec" / "q.wav",
                             RecordOptions(silence_s=SILENCE_S, time_limit_s=room.size / SAMPLE_RATE - 2),
                             on_started=on_started)
    finally:
        for p in players:
            p.kill()
            p.wait()


def _check(rec, last_word_s: float) -> None:
    assert rec.ended_by == "silence", rec  # not the time limit: the room went on
    assert rec.speech_detected
    # it ended after the last word (the playback starts after the recorder, so later in the WAV)
    # and kept it; the recorder keeps 0.6 s after the last voice it heard
    assert rec.duration_s >= last_word_s, (rec.duration_s, last_word_s)


def test_an_answer_over_people_talking_nearby_ends_on_silence(null_sink, answer, babble, tmp_path):
    from conftest import missing

    from rehearse.voice import SpeechDetector, end_detector

    if not isinstance(end_detector(SAMPLE_RATE), SpeechDetector):  # the level rule never ends it
        missing("Silero VAD needs faster-whisper and onnxruntime (pip install -e '.[fast]')")
    audio, last_word_s = answer
    speech_db = _level_db(_voiced(audio))
    n = int((last_word_s + SILENCE_S + 12) * SAMPLE_RATE)
    speech = np.zeros(n, np.float32)
    speech[:audio.size] = audio
    scale = 10 ** ((-26 - speech_db) / 20)  # the answer at -26 dBFS, other voices 20 dB under it
    room = scale * (speech + babble[:n] * 10 ** ((speech_db - 20) / 20))
    _check(_record(room, tmp_path), last_word_s)


def test_an_answer_from_a_quiet_microphone_ends_on_silence(null_sink, answer, tmp_path):
    audio, last_word_s = answer
    n = int((last_word_s + SILENCE_S + 12) * SAMPLE_RATE)
    speech = np.zeros(n, np.float32)
    speech[:audio.size] = audio * 10 ** ((-55 - _level_db(_voiced(audio))) / 20)  # speech at -55 dBFS
    hiss = np.random.default_rng(2).normal(0, 10 ** (-85 / 20), n).astype(np.float32)  # its self-noise
    _check(_record(speech + hiss, tmp_path), last_word_s)
