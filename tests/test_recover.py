"""Nothing lost: a session killed mid-answer is recovered, transcribed and scored."""

from __future__ import annotations

import glob
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from conftest import practice_recording

from rehearse.audio import duration_s
from rehearse.deck import load_deck
from rehearse.demo import synthesise
from rehearse.lock import hold_session_lock, session_is_live
from rehearse.record import repair_wav
from rehearse.recover import repair_crashed
from rehearse.store import Store

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "questions" / "sample-en.yaml"


def _unclosed_wav(path: Path, seconds: float, rate: int = 16_000) -> None:
    """A WAV as a killed recorder leaves it: samples on disk, sizes in the header still 0."""
    with sf.SoundFile(str(path), "w", rate, 1, "PCM_16", format="WAV") as f:
        f.write(np.zeros(rate, np.float32))
    data = path.read_bytes()
    header, body = data[:44], np.zeros(int(rate * seconds), np.int16).tobytes()
    header = header[:4] + (0).to_bytes(4, "little") + header[8:40] + (0).to_bytes(4, "little")
    path.write_bytes(header + body)


def test_repair_wav_restores_the_length(tmp_path):
    wav = tmp_path / "a.wav"
    _unclosed_wav(wav, 2.5)
    assert repair_wav(wav) == 40_000
    assert sf.info(str(wav)).frames == 40_000


def test_session_lock_tells_live_from_dead(tmp_path):
    lock = hold_session_lock(tmp_path / "s")
    probe = subprocess.run([sys.executable, "-c",
                            "import sys; from pathlib import Path; from rehearse.lock import "
                            "session_is_live; print(session_is_live(Path(sys.argv[1])))",
                            str(tmp_path / "s")], capture_output=True, text=True, check=True)
    assert probe.stdout.strip() == "True"
    lock.close()
    assert not session_is_live(tmp_path / "s")


def _crashed_attempt(workspace_dir: Path, write) -> tuple[int, Path]:
    session_dir = workspace_dir / "recordings" / "d" / "s1"
    session_dir.mkdir(parents=True)
    wav = session_dir / "q.wav"
    write(wav)
    store = Store(workspace_dir / "recordings" / "history.sqlite")
    store.start_session("s1", "d", None, "en")
    aid = store.add_attempt(session_id="s1", deck="d", question_id="q", question="Q?",
                            started_at="2026-01-01T00:00:00", audio_path=str(wav), duration_s=None,
                            status="recording")
    store.close()
    return aid, wav


@pytest.mark.parametrize("rate", [16_000, 48_000])  # --samplerate records at the device's rate
def test_crashed_attempt_is_repaired_and_becomes_pending(workspace_dir, rate):
    aid, _wav = _crashed_attempt(workspace_dir, lambda wav: _unclosed_wav(wav, 3.0, rate))
    result = repair_crashed()
    assert result.repaired == [aid]
    store = Store(workspace_dir / "recordings" / "history.sqlite")
    (a,) = store.attempts()
    assert a.status == "pending" and abs(a.duration_s - 3.0) < 0.01


def test_empty_file_of_a_disk_full_at_once_is_dropped(workspace_dir):
    aid, wav = _crashed_attempt(workspace_dir, lambda wav: wav.write_bytes(b""))
    result = repair_crashed()
    assert result.dropped == [aid] and not result.failed
    assert not wav.exists()
    assert Store(workspace_dir / "recordings" / "history.sqlite").attempts() == []


def test_sigkill_mid_answer_is_recovered(null_sink, espeak, whisper_base, workspace_dir, tmp_path):
    deck = load_deck(SAMPLE)
    question = deck.questions[0]
    answer = synthesise(" ".join(question.key_points), tmp_path / "answer.wav")
    assert duration_s(answer) > 8
    env = {**os.environ, "REHEARSE_HOME": str(workspace_dir)}
    player = None
    try:
        with practice_recording([str(SAMPLE), "--only", question.id, "--no-speak", "--silence", "0"],
                                env) as practice:
            player = subprocess.Popen(["paplay", str(answer)])
        # kill 5 s into the answer as the microphone hears it: PulseAudio's monitor pauses for
        # about a second while a new player connects, so the wall clock would overstate it
            wav_glob = str(workspace_dir / "recordings" / "*" / "*" / "*.wav")
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                wavs = glob.glob(wav_glob)
                if wavs and (os.path.getsize(wavs[0]) - 44) / 32_000 >= 5.0:
                    break
                time.sleep(0.05)
            practice.proc.send_signal(signal.SIGKILL)
            practice.proc.wait(10)
    finally:
        if player is not None:
            player.wait(30)

    db_path = workspace_dir / "recordings" / "history.sqlite"
    with sqlite3.connect(db_path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        (status,) = db.execute("SELECT status FROM attempts").fetchone()
    assert status == "recording"

    rec = subprocess.run([sys.executable, "-m", "rehearse", "recover"], capture_output=True,
                         text=True, env=env, timeout=300)
    assert rec.returncode == 0, rec.stdout + rec.stderr
    assert "Repaired the recording" in rec.stdout

    with sqlite3.connect(db_path) as db:
        db.row_factory = sqlite3.Row
        (row,) = db.execute("SELECT * FROM attempts").fetchall()
    assert row["status"] == "done"
    assert row["duration_s"] >= 4.5
    assert duration_s(row["audio_path"]) >= 4.5
    assert "software engineer" in row["transcript"].lower()
    assert row["score"] is not None


def test_recover_leaves_a_live_session_alone(null_sink, whisper_base, workspace_dir):
    """`rehearse recover` run in another process while a session records: the answer being recorded
    is neither repaired nor taken for a crashed one, and the session goes on writing it."""
    env = {**os.environ, "REHEARSE_HOME": str(workspace_dir)}
    db_path = workspace_dir / "recordings" / "history.sqlite"
    wav_glob = str(workspace_dir / "recordings" / "*" / "*" / "*.wav")
    with practice_recording([str(SAMPLE), "--only", load_deck(SAMPLE).questions[0].id, "--no-speak",
                             "--silence", "0"], env) as practice:
        deadline = time.monotonic() + 30
        while not (wavs := glob.glob(wav_glob)) or os.path.getsize(wavs[0]) < 44 + 32_000 * 1.5:
            assert time.monotonic() < deadline, "the session never wrote 1.5 s of its answer"
            time.sleep(0.05)
        rec = subprocess.run([sys.executable, "-m", "rehearse", "recover"], capture_output=True,
                             text=True, env=env, timeout=120)
        size_after_recover = os.path.getsize(wavs[0])
        with sqlite3.connect(db_path) as db:
            (status, duration) = db.execute("SELECT status, duration_s FROM attempts").fetchone()
        time.sleep(1.5)
        still_recording = practice.proc.poll() is None
        grown = os.path.getsize(wavs[0]) - size_after_recover
    assert rec.returncode == 0, rec.stdout + rec.stderr
    assert "Repaired" not in rec.stdout and "stays pending" not in rec.stdout, rec.stdout
    assert (status, duration) == ("recording", None)  # not taken for an answer cut off by a crash
    assert still_recording and grown >= 32_000  # the session kept writing its answer
