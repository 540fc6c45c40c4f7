"""Enter ends the answer at once: the recorder aborts its input stream instead of draining it,
and keeps every block captured before the request (real PortAudio input: the null sink)."""

from __future__ import annotations

import subprocess
import threading

import numpy as np
import soundfile as sf

from rehearse.audio import SAMPLE_RATE
from rehearse.record import RecordOptions, record_answer


def test_enter_closes_the_answer_within_50_ms_by_the_recorders_clock(null_sink, tmp_path):
    src = tmp_path / "tone.wav"  # something to hear, so the blocks carry sound
    t = np.arange(6 * SAMPLE_RATE) / SAMPLE_RATE
    sf.write(str(src), (0.2 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), SAMPLE_RATE)
    player = subprocess.Popen(["paplay", str(src)])
    captured = 0  # samples the recorder had handed on before the request
    asked = threading.Event()

    def on_block(block: np.ndarray) -> None:
        nonlocal captured
        if not asked.is_set():
            captured += block.size
            if captured >= 1.5 * SAMPLE_RATE:
                asked.set()  # Enter: seen at the next look, between blocks

    try:
        rec = record_answer(tmp_path / "q.wav", RecordOptions(time_limit_s=20, silence_s=0),
                            should_stop=asked.is_set, on_block=on_block)
    finally:
        player.kill()
        player.wait()
    assert rec.ended_by == "enter"
    assert rec.stop_seen_at is not None and rec.closed_at is not None
    # a draining stop() takes 80 ms to over a second on PulseAudio; abort() under a millisecond
    assert rec.closed_at - rec.stop_seen_at <= 0.05, rec.closed_at - rec.stop_seen_at
    frames = sf.info(str(rec.path)).frames
    assert frames >= captured  # every block captured before Enter is in the answer
    assert frames == round(rec.duration_s * SAMPLE_RATE)
