"""Recording from a real PortAudio input: the PulseAudio null sink's monitor."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import threading
import time
import wave
from pathlib import Path

import numpy as np
import soundfile as sf
from conftest import MonitorCapture, practice_recording

from rehearse.audio import SAMPLE_RATE, duration_s
from rehearse.record import RecordOptions, answer_from_file, record_answer

SAMPLE = Path(__file__).resolve().parent.parent / "questions" / "sample-en.yaml"


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
    started: list[float] = []  # from the moment the stream runs: opening it takes seconds under load
    rec = record_answer(tmp_path / "q.wav", RecordOptions(time_limit_s=20),
                        should_stop=lambda: bool(started) and time.monotonic() - started[0] > 1.0,
                        on_started=lambda: started.append(time.monotonic()))
    assert rec.ended_by == "enter"
    # an idle null sink's monitor may deliver nothing for its first second: no lower bound
    assert rec.duration_s < 3.0


def test_answer_from_file_is_converted_to_the_recording_format(espeak, tmp_path):
    src = tmp_path / "a.wav"
    subprocess.run([espeak, "-v", "en-us", "-w", str(src), "Hello there."], check=True)
    rec = answer_from_file(src, tmp_path / "out" / "q.wav")
    info = sf.info(str(rec.path))
    assert (info.samplerate, info.channels, rec.ended_by) == (SAMPLE_RATE, 1, "file")
    assert abs(rec.duration_s - duration_s(src)) < 0.01


# ---------------------------------------------------------------- killed mid-answer

RUNS = 5  # kills at a random moment each
MOST_LOST_S = 0.2


def _marker_noise(seconds: float, rate: int = SAMPLE_RATE) -> np.ndarray:
    """Noise below 3 kHz that no stretch of it repeats, so any 0.5 s of it is found again by
    correlation after PulseAudio's resampling; -66 dBFS, under the voice floor, so the session never
    starts transcribing it (Whisper's time is not what this test measures)."""
    rng = np.random.default_rng(17)
    spectrum = np.fft.rfft(rng.standard_normal(int(seconds * rate)))
    spectrum[np.fft.rfftfreq(int(seconds * rate), 1 / rate) > 3000] = 0
    noise = np.fft.irfft(spectrum, int(seconds * rate))
    return (noise / np.sqrt(np.mean(noise**2)) * 10 ** (-66 / 20)).astype(np.float32)


def _end_in(reference: np.ndarray, kept: np.ndarray, tail_s: float = 0.5) -> int:
    """Where the kept audio's last sample lies in the reference (found by its last ``tail_s``)."""
    tail = kept[-int(tail_s * SAMPLE_RATE):]
    n = 1 << int(np.ceil(np.log2(reference.size + tail.size)))
    corr = np.fft.irfft(np.fft.rfft(reference, n) * np.conj(np.fft.rfft(tail, n)), n)
    corr = corr[:reference.size - tail.size + 1]  # where the whole tail lies inside the reference
    start = int(np.argmax(corr))
    match = np.corrcoef(reference[start:start + tail.size], tail)[0, 1]
    assert match > 0.9, f"the kept audio's end is not found in what was played (r={match:.2f})"
    return start + tail.size


def _kept_as_it_lies(wav) -> np.ndarray:
    """The samples a reader that trusts the header gets (Python's wave module), no repair."""
    with open(wav, "rb") as f:
        with wave.open(f) as w:
            return np.frombuffer(w.readframes(w.getnframes()), np.int16).astype(np.float32) / 32_768


def test_a_session_killed_at_a_random_moment_keeps_all_but_the_last_block(null_sink, whisper_base, tmp_path):
    """SIGKILL at a random moment of an answer: the WAV, as it lies on disk (no `rehearse recover`),
    holds what the microphone heard up to within `MOST_LOST_S` of the kill. The sink plays from
    before each session starts: an idle null sink's monitor delivers nothing for about a second
    after a stream opens, which would blur what the recorder was given."""
    played = tmp_path / "marker.wav"
    sf.write(str(played), _marker_noise(RUNS * 120.0), SAMPLE_RATE, subtype="PCM_16")  # a slow start's worth
    player = subprocess.Popen(["paplay", str(played)])
    reference = MonitorCapture()
    rng = random.Random()
    lost: list[float] = []
    try:
        time.sleep(0.5)
        reference.start()
        for run in range(RUNS):
            home = tmp_path / f"ws{run}"
            env = {**os.environ, "REHEARSE_HOME": str(home)}
            with practice_recording([str(SAMPLE), "--only", "tell-me-about-yourself", "--no-speak",
                                     "--silence", "0"], env) as practice:
                time.sleep(rng.uniform(1.5, 6.0))
                heard = reference.frames
                practice.proc.send_signal(signal.SIGKILL)
                practice.proc.wait(10)
            time.sleep(0.5)  # the reference may hear the last block later than the recorder did
            (wav,) = home.glob("recordings/*/*/*.wav")
            kept = _kept_as_it_lies(wav)
            assert kept.size >= SAMPLE_RATE // 2, f"run {run}: {kept.size} samples kept"
            assert player.poll() is None, "the marker noise ran out: the sessions took too long to start"
            start = max(0, heard - 20 * SAMPLE_RATE)  # the answer lies in the last 20 s heard
            end = start + _end_in(reference.audio()[start:heard + SAMPLE_RATE], kept)
            lost.append((heard - end) / SAMPLE_RATE)
    finally:
        reference.stop()
        player.kill()
        player.wait(10)
    assert max(lost) <= MOST_LOST_S, f"audio lost at each kill (s): {[round(x, 3) for x in lost]}"
