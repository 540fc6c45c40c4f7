"""Recording from a real PortAudio input: the PulseAudio null sink's monitor."""

from __future__ import annotations

import subprocess
import threading
import time

import soundfile as sf

from rehearse.audio import SAMPLE_RATE, duration_s
from rehearse.record import RecordOptions, answer_from_file, record_answer


def _play_later(path, delay=0.4):
    def run():
        time.sleep(delay)
        subprocess.run(["paplay", str(path)], check=True)

    t = threading.Thread(target=run)
    t.start()
    return t


def test_answer_ends_on_silence_and_keeps_its_length(null_sink, espeak, tmp_path):
    answer = tmp_path / "answer.wav"
    subprocess.run([espeak, "-v", "en-us", "-w", str(answer),
                    "I have five years of experience building web services in Python."], check=True)
    player = _play_later(answer)
    rec = record_answer(tmp_path / "rec" / "q.wav", RecordOptions(silence_s=1.5, time_limit_s=30))
    player.join()
    assert rec.ended_by == "silence" and rec.speech_detected
    info = sf.info(str(rec.path))
    assert info.samplerate == SAMPLE_RATE and info.channels == 1
    spoken = duration_s(answer)
    assert abs(duration_s(rec.path) - spoken) <= 0.15 * spoken + 0.5


def test_time_limit_ends_a_silent_answer(null_sink, tmp_path):
    rec = record_answer(tmp_path / "q.wav", RecordOptions(silence_s=1.0, time_limit_s=1.5))
    assert rec.ended_by == "time_limit"
    assert not rec.speech_detected
    assert 1.4 <= duration_s(rec.path) <= 1.8


def test_should_stop_ends_the_answer_like_enter(null_sink, tmp_path):
    start = time.monotonic()
    rec = record_answer(tmp_path / "q.wav", RecordOptions(time_limit_s=20),
                        should_stop=lambda: time.monotonic() - start > 1.0)
    assert rec.ended_by == "enter"
    assert 0.5 < rec.duration_s < 3.0


def test_answer_from_file_is_converted_to_the_recording_format(espeak, tmp_path):
    src = tmp_path / "a.wav"
    subprocess.run([espeak, "-v", "en-us", "-w", str(src), "Hello there."], check=True)
    rec = answer_from_file(src, tmp_path / "out" / "q.wav")
    info = sf.info(str(rec.path))
    assert (info.samplerate, info.channels, rec.ended_by) == (SAMPLE_RATE, 1, "file")
    assert abs(rec.duration_s - duration_s(src)) < 0.01
